"""The fake's authentication-log endpoint, backed by `FakeScalekit.auth_requests`.

``fake.auth_requests`` is a list of ``auditlogs.AuthLogRequest`` wire JSON,
oldest first; the endpoint lists it newest first. Passwordless sends append to
it (and verification updates the entry's ``status``); seed more with
`add_auth_request`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .._converter import parse_timestamp
from ._constants import AUTH_REQUEST_PREFIX
from ._http import ApiError, FakeRequest, Reply
from ._paging import page
from ._state import FakeState

__all__ = ["add_auth_request", "find_auth_request", "install"]

_STATUSES = frozenset({"INITIATED", "PENDING", "SUCCESS", "FAILED"})


def add_auth_request(fake: FakeState, **fields: Any) -> dict[str, Any]:
    """Record an authentication request in the log and return its JSON.

    Any ``AuthLogRequest`` field can be given (e.g. ``email=...``,
    ``status="FAILED"``, ``timestamp="2025-01-01T00:00:00Z"``); the rest
    default to a successful request at the current time.
    """
    entry: dict[str, Any] = {
        "organization_id": "",
        "environment_id": "env_fake",
        "connection_id": "",
        "auth_request_id": fake.new_id(AUTH_REQUEST_PREFIX),
        "email": "",
        "connection_type": "",
        "connection_provider": "",
        "status": "SUCCESS",
        "timestamp": fake.now(),
        "connection_details": [],
        "workflow": "",
        "resource_id": "",
        "resource_name": "",
        "resource_type": "",
        "client_id": "",
        "client_name": "",
        "client_type": "",
    }
    entry.update(fields)
    fake.auth_requests.append(entry)
    return entry


def find_auth_request(fake: FakeState, auth_request_id: str) -> dict[str, Any] | None:
    """The logged authentication request with this id, if any."""
    return fake.auth_requests.entry(auth_request_id)


def _time(request: FakeRequest, name: str) -> datetime | None:
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
    """Route the authentication-log operation on *fake*."""

    def list_(request: FakeRequest) -> Reply:
        statuses = {s.upper() for s in request.params("status") if s}
        unknown = sorted(statuses - _STATUSES)
        if unknown:
            raise ApiError(
                400, "invalid request", violations=(("status", f"unknown {', '.join(unknown)}"),)
            )
        start, end = _time(request, "start_time"), _time(request, "end_time")
        if start and end and end < start:
            raise ApiError(400, "invalid request", violations=(("end_time", "before start_time"),))
        email = (request.param("email") or "").lower()
        exact = {k: request.param(k) for k in ("resource_id", "client_id") if request.param(k)}
        items = []
        for entry in reversed(fake.auth_requests):
            if email and str(entry.get("email", "")).lower() != email:
                continue
            if statuses and str(entry.get("status", "")).upper() not in statuses:
                continue
            if any(entry.get(k) != v for k, v in exact.items()):
                continue
            if start or end:
                when = parse_timestamp(entry["timestamp"])
                if (start and when < start) or (end and when > end):
                    continue
            items.append(entry)
        return Reply.json(200, page(request, items, "authRequests"))

    fake.router.add("GET", "/api/v1/logs/authentication/requests", list_)
