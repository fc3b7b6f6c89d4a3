"""AgentKit connected-account models: a user's or organization's account at a third-party app.

A connected account holds the credentials (OAuth tokens, API keys, ...) that
tools use to act at a provider on someone's behalf. Credential fields are
kept out of every repr so they never end up in logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from .._enums import OpenEnum

__all__ = [
    "AuthorizationDetails",
    "ConnectedAccount",
    "ConnectedAccountMagicLink",
    "ConnectedAccountSummary",
    "ConnectedAccountVerification",
    "ConnectorStatus",
    "ConnectorType",
    "GoogleDwdAuth",
    "OauthToken",
    "StaticAuth",
    "TrustedIdpAuth",
]


class ConnectorType(OpenEnum):
    """How a connected account authenticates at its provider (``authorization_type``)."""

    OAUTH = "OAUTH"
    API_KEY = "API_KEY"
    BASIC_AUTH = "BASIC_AUTH"
    BEARER_TOKEN = "BEARER_TOKEN"  # noqa: S105 - an enum value, not a secret
    CUSTOM = "CUSTOM"
    BASIC = "BASIC"
    OAUTH_M2M = "OAUTH_M2M"
    TRELLO_OAUTH1 = "TRELLO_OAUTH1"
    GOOGLE_DWD = "GOOGLE_DWD"
    TRUSTED_IDP = "TRUSTED_IDP"
    SMART_FHIR = "SMART_FHIR"
    NO_AUTH = "NO_AUTH"


class ConnectorStatus(OpenEnum):
    """Whether a connected account can be used now, or what it waits for."""

    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    PENDING_AUTH = "PENDING_AUTH"
    PENDING_VERIFICATION = "PENDING_VERIFICATION"
    DISCONNECTED = "DISCONNECTED"


@attrs.frozen(kw_only=True)
class OauthToken:
    """OAuth credentials of a connected account (tokens hidden from repr)."""

    access_token: str | None = attrs.field(default=None, repr=False)
    refresh_token: str | None = attrs.field(default=None, repr=False)
    scopes: tuple[str, ...] = ()
    domain: str = ""


@attrs.frozen(kw_only=True)
class StaticAuth:
    """Static credentials (API key, basic auth, ...); their shape depends on the connector."""

    details: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class GoogleDwdAuth:
    """Google Workspace domain-wide delegation: the user to impersonate, and the token got."""

    subject: str = ""
    access_token: str | None = attrs.field(default=None, repr=False)
    scopes: tuple[str, ...] = ()
    token_expires_at: datetime | None = None


@attrs.frozen(kw_only=True)
class TrustedIdpAuth:
    """Federated credentials from a trusted identity provider (secrets hidden from repr)."""

    db_user: str = ""
    access_key_id: str = ""
    secret_access_key: str | None = attrs.field(default=None, repr=False)
    session_token: str | None = attrs.field(default=None, repr=False)
    expiry: datetime | None = None


@attrs.frozen(kw_only=True)
class AuthorizationDetails:
    """A connected account's credentials: one of the four kinds is set."""

    oauth_token: OauthToken | None = None
    static_auth: StaticAuth | None = None
    google_dwd: GoogleDwdAuth | None = None
    trusted_idp: TrustedIdpAuth | None = None


@attrs.frozen(kw_only=True)
class ConnectedAccount:
    """A connected account, with its credentials when fetched through ``get_auth``."""

    id: str = ""
    identifier: str = ""
    connector: str = ""
    provider: str = ""
    connection_id: str = ""
    status: ConnectorStatus | None = None
    authorization_type: ConnectorType | None = None
    authorization_details: AuthorizationDetails | None = None
    api_config: Mapping[str, Any] = attrs.field(factory=dict)
    token_expires_at: datetime | None = None
    updated_at: datetime | None = None
    last_used_at: datetime | None = None


@attrs.frozen(kw_only=True)
class ConnectedAccountSummary:
    """A connected account as lists show it: no credentials, no API configuration."""

    id: str = ""
    identifier: str = ""
    connector: str = ""
    provider: str = ""
    connection_id: str = ""
    status: ConnectorStatus | None = None
    authorization_type: ConnectorType | None = None
    token_expires_at: datetime | None = None
    updated_at: datetime | None = None
    last_used_at: datetime | None = None


@attrs.frozen(kw_only=True)
class ConnectedAccountMagicLink:
    """A time-limited link that sends a user through a connector's authorization flow."""

    link: str = ""
    expiry: datetime | None = None


@attrs.frozen(kw_only=True)
class ConnectedAccountVerification:
    """The answer to a user verification: where to send the user next."""

    post_user_verify_redirect_url: str = ""
