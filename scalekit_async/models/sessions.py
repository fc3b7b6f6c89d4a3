"""Session models: a user's login sessions, the device behind each, and revocations."""

from __future__ import annotations

from datetime import datetime

import attrs

from .._enums import OpenEnum

__all__ = [
    "AuthenticatedClient",
    "RevokedSession",
    "RevokedSessions",
    "Session",
    "SessionDevice",
    "SessionLocation",
    "SessionStatus",
]


class SessionStatus(OpenEnum):
    """Where a session stands (the API sends these lowercase strings)."""

    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    LOGOUT = "logout"


@attrs.frozen(kw_only=True)
class SessionLocation:
    """Where a session's device was, located from its IP address."""

    region: str = ""
    region_subdivision: str = ""
    city: str = ""
    latitude: str = ""
    longitude: str = ""


@attrs.frozen(kw_only=True)
class SessionDevice:
    """The browser, operating system and network a session was opened from."""

    user_agent: str = ""
    os: str = ""
    os_version: str = ""
    browser: str = ""
    browser_version: str = ""
    device_type: str = ""
    ip: str = ""
    location: SessionLocation | None = None


@attrs.frozen(kw_only=True)
class AuthenticatedClient:
    """An application client the user signed in to during a session."""

    client_id: str = ""
    organization_id: str = ""


@attrs.frozen(kw_only=True)
class Session:
    """A user's login session (``sessions.SessionDetails``).

    `expired_at` is set when the session timed out or was revoked, `logout_at`
    when the user logged out; both are `None` while it is active.
    """

    session_id: str = ""
    user_id: str = ""
    authenticated_organizations: tuple[str, ...] = ()
    organization_id: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    idle_expires_at: datetime | None = None
    absolute_expires_at: datetime | None = None
    expired_at: datetime | None = None
    logout_at: datetime | None = None
    status: SessionStatus | None = None
    device: SessionDevice | None = None
    last_active_at: datetime | None = None
    authenticated_clients: tuple[AuthenticatedClient, ...] = ()


@attrs.frozen(kw_only=True)
class RevokedSession:
    """A session as it was when revoked (``sessions.RevokedSessionDetails``)."""

    session_id: str = ""
    user_id: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    idle_expires_at: datetime | None = None
    absolute_expires_at: datetime | None = None
    expired_at: datetime | None = None
    logout_at: datetime | None = None
    status: SessionStatus | None = None
    last_active_at: datetime | None = None


@attrs.frozen(kw_only=True)
class RevokedSessions:
    """What revoking all of a user's sessions revoked (active sessions only)."""

    revoked_sessions: tuple[RevokedSession, ...] = ()
    total_revoked: int = 0
