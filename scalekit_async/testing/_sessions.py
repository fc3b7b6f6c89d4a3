"""The fake's Sessions endpoints, backed by `FakeScalekit.sessions`.

``fake.sessions`` maps a session id to its ``sessions.SessionDetails`` wire JSON.
A session belongs to a user of ``fake.users``: while that user is missing, its
sessions are not found. An active session whose idle or absolute expiry has
passed turns ``expired`` when next read. Only active sessions can be revoked;
revoking one sets ``status`` to ``revoked`` and ``expired_at`` to now.
Seed sessions with `add_session`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from .._converter import format_timestamp, parse_timestamp
from ._constants import SESSION_PREFIX
from ._events import emit
from ._http import ApiError, FakeRequest, Reply
from ._paging import page
from ._state import FakeState

__all__ = ["add_session", "install", "stamp"]

_STATUSES = frozenset({"active", "expired", "revoked", "logout"})
_REVOKED_KEYS = (
    "session_id",
    "user_id",
    "created_at",
    "updated_at",
    "idle_expires_at",
    "absolute_expires_at",
    "expired_at",
    "logout_at",
    "status",
    "last_active_at",
)
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(days=7)


def stamp(moment: datetime) -> str:
    """*moment* as the API writes timestamps (RFC 3339, UTC, ``Z``)."""
    return format_timestamp(moment.astimezone(UTC))


def add_session(fake: FakeState, user_id: str, **fields: Any) -> dict[str, Any]:
    """Seed an active session of *user_id* (a key of ``fake.users``) and return its JSON.

    Any ``SessionDetails`` field can be given in *fields* (e.g.
    ``status="logout"``, ``organization_id=...``, ``created_at="2025-01-01T00:00:00Z"``).
    """
    if user_id not in fake.users:
        raise ValueError(f"no user {user_id!r} in fake.users: seed the user first")
    now = datetime.now(UTC)
    organization_id = fields.get("organization_id", "")
    session: dict[str, Any] = {
        "session_id": fake.new_id(SESSION_PREFIX),
        "user_id": user_id,
        "authenticated_organizations": [organization_id] if organization_id else [],
        "organization_id": organization_id,
        "created_at": stamp(now),
        "updated_at": stamp(now),
        "idle_expires_at": stamp(now + IDLE_TIMEOUT),
        "absolute_expires_at": stamp(now + ABSOLUTE_TIMEOUT),
        "status": "active",
        "device": {
            "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/120.0.0.0",
            "os": "macOS",
            "os_version": "14.2",
            "browser": "Chrome",
            "browser_version": "120.0.0.0",
            "device_type": "desktop",
            "ip": "192.0.2.1",
            "location": {
                "region": "United States",
                "region_subdivision": "CA",
                "city": "San Francisco",
                "latitude": "37.7749",
                "longitude": "-122.4194",
            },
        },
        "last_active_at": stamp(now),
        "authenticated_clients": [],
    }
    session.update(fields)
    fake.sessions[session["session_id"]] = session
    emit(fake, "user.login", session)
    return session


def _refresh(session: dict[str, Any]) -> dict[str, Any]:
    """Turn an active session whose expiry has passed into an expired one."""
    if session.get("status") != "active":
        return session
    now = datetime.now(UTC)
    for key in ("idle_expires_at", "absolute_expires_at"):
        value = session.get(key)
        if isinstance(value, str) and parse_timestamp(value) <= now:
            session["status"] = "expired"
            session["expired_at"] = value
            break
    return session


def _revoked(session: Mapping[str, Any]) -> dict[str, Any]:
    return {k: session[k] for k in _REVOKED_KEYS if k in session}


def _time_param(request: FakeRequest, name: str) -> datetime | None:
    raw = request.param(name)
    if not raw:
        return None
    try:
        return parse_timestamp(raw)
    except ValueError:
        raise ApiError(
            400, "invalid request", violations=((name, "not an RFC 3339 time"),)
        ) from None


def install(fake: FakeState) -> None:
    """Route the Sessions operations on *fake*."""
    sessions = fake.sessions

    def find(session_id: str) -> dict[str, Any]:
        session = sessions.get(session_id)
        if session is None or session.get("user_id") not in fake.users:
            raise ApiError(404, f"session {session_id} not found")
        return _refresh(session)

    def check_user(user_id: str) -> None:
        if user_id not in fake.users:
            raise ApiError(404, f"user {user_id} not found")

    def revoke_now(session: dict[str, Any]) -> None:
        now = fake.now()
        session["status"] = "revoked"
        session["expired_at"] = now
        session["updated_at"] = now
        emit(fake, "user.logout", session)

    def get(request: FakeRequest, session_id: str) -> Reply:
        return Reply.json(200, find(session_id))

    def revoke(request: FakeRequest, session_id: str) -> Reply:
        session = find(session_id)
        if session["status"] != "active":
            raise ApiError(
                400,
                f"session {session_id} is {session['status']}, not active",
                error_code="FAILED_PRECONDITION",
            )
        revoke_now(session)
        return Reply.json(200, {"revoked_session": _revoked(session)})

    def list_(request: FakeRequest, user_id: str) -> Reply:
        check_user(user_id)
        wanted = {s.lower() for s in request.params("filter.status") if s}
        unknown = sorted(wanted - _STATUSES)
        if unknown:
            raise ApiError(
                400,
                "invalid request",
                violations=(("filter.status", f"unknown status {', '.join(unknown)}"),),
            )
        start = _time_param(request, "filter.start_time")
        end = _time_param(request, "filter.end_time")
        if start and end and end < start:
            raise ApiError(
                400, "invalid request", violations=(("filter.end_time", "before start_time"),)
            )
        items = []
        for session in [sessions[i] for i in sessions.ids_of_user(user_id)]:
            _refresh(session)
            if wanted and session["status"] not in wanted:
                continue
            created = parse_timestamp(session["created_at"])
            if (start and created < start) or (end and created > end):
                continue
            items.append(session)
        return Reply.json(200, page(request, items, "sessions"))

    def revoke_all(request: FakeRequest, user_id: str) -> Reply:
        check_user(user_id)
        revoked = []
        for session in [sessions[i] for i in sessions.ids_of_user(user_id)]:
            if _refresh(session)["status"] == "active":
                revoke_now(session)
                revoked.append(_revoked(session))
        return Reply.json(200, {"revoked_sessions": revoked, "total_revoked": len(revoked)})

    add = fake.router.add
    add("GET", "/api/v1/sessions/{session_id}", get)
    add("POST", "/api/v1/sessions/{session_id}/revoke", revoke)
    add("GET", "/api/v1/users/{user_id}/sessions", list_)
    add("POST", "/api/v1/users/{user_id}/sessions/revoke", revoke_all)
