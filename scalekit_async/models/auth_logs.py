"""Authentication log models: one record per login attempt (``auditlogs.AuthLogRequest``)."""

from __future__ import annotations

from datetime import datetime

import attrs

from .._enums import OpenEnum

__all__ = ["AuthLog", "AuthLogConnection", "AuthRequestStatus"]


class AuthRequestStatus(OpenEnum):
    """The outcome of an authentication request."""

    INITIATED = "INITIATED"
    PENDING = "PENDING"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"


@attrs.frozen(kw_only=True)
class AuthLogConnection:
    """A connection involved in an authentication request."""

    connection_id: str = ""
    organization_id: str = ""
    connection_type: str = ""
    connection_provider: str = ""


@attrs.frozen(kw_only=True)
class AuthLog:
    """One authentication request: who tried to sign in, how, and how it ended."""

    organization_id: str = ""
    environment_id: str = ""
    connection_id: str = ""
    auth_request_id: str = ""
    email: str = ""
    connection_type: str = ""
    connection_provider: str = ""
    status: AuthRequestStatus | None = None
    timestamp: datetime | None = None
    connection_details: tuple[AuthLogConnection, ...] = ()
    workflow: str = ""
    resource_id: str = ""
    resource_name: str = ""
    resource_type: str = ""
    connected_account_identifier: str = ""
    client_id: str = ""
    client_name: str = ""
    client_type: str = ""
