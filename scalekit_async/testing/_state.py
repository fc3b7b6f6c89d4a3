"""`FakeState`: what a fake Scalekit knows (credentials, records, routes, ids, webhooks).

The endpoint families (``_organizations``, ``_users``, ...) and the ``add_*``
seeding helpers take a `FakeState` and read and change it; `FakeScalekit` is
the `FakeState` that also answers requests. Keeping the state below the
families is what lets `FakeScalekit` install them without an import cycle.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import random
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from ._constants import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from ._delivery import Webhooks
from ._http import FakeRequest, Reply, Router
from ._records import InviteResend
from ._stores import (
    ApiClientStore,
    AuthRequestLog,
    ConnectedAccountStore,
    ConnectionStore,
    CustomProviderStore,
    DirectoryGroupStore,
    DirectoryStore,
    DirectoryUserStore,
    DomainStore,
    McpConfigStore,
    MembershipKey,
    MembershipStore,
    OrganizationRoleStore,
    OrganizationStore,
    PasskeyStore,
    PasswordlessStore,
    PermissionStore,
    RoleStore,
    SessionStore,
    UserStore,
)

__all__ = ["AuthorizationFlow", "FakeState", "GrantHandler", "ToolFailure"]

GrantHandler = Callable[[FakeRequest, Mapping[str, str]], Reply]
"""A token-endpoint handler: called with the request and its form, the client authenticated."""
M2MGrant = Callable[[Mapping[str, Any], Mapping[str, str]], Reply]
"""Answers an API client's client-credentials grant: its wire record and the form."""


@attrs.frozen
class ToolFailure:
    """How a tool marked by `fail_tool` fails: the provider's error code and message."""

    error_code: str
    message: str


@attrs.define
class AuthorizationFlow:
    """One connected-account magic-link authorization flow (``fake.authorization_flows``)."""

    account_id: str
    """The connected account being authorized."""
    link_id: str
    """The last part of the magic link's path."""
    state: str | None = None
    user_verify_url: str | None = None
    authorized: bool = False
    """The user followed the link and authorized at the provider."""
    consumed: bool = False
    """The flow finished (the account got its tokens)."""


class FakeState:
    """The state of a fake Scalekit: its credentials, stored records, routes, ids and webhooks.

    Args:
        client_id: The client id the fake's token endpoint accepts.
        client_secret: The client secret the fake's token endpoint accepts.
        seed: Seeds generated ids, so runs are reproducible.

    Records are kept as the API's wire JSON, each area's in its own indexed
    store (``organizations``, ``users``, ``memberships``...; see `Store`): a
    mapping, as JSON, with typed reading beside it (``fake.users.record(id)``,
    ``fake.users.by_email(...)``, ``fake.memberships.of_user(...)``). Tests use
    `FakeScalekit`, the `FakeState` that answers requests.
    """

    def __init__(
        self,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        seed: int = 0,
    ) -> None:
        self.client_id = client_id
        self._client_secret = client_secret
        self._random = random.Random(seed)  # noqa: S311 - ids, not secrets
        self._ids = itertools.count(1)
        self.requests: list[FakeRequest] = []
        """Every request received, oldest first (token requests included)."""
        # Each area's records, as wire JSON in an indexed store (see `_stores`; the
        # family's module documents the keys). Read typed with ``.record(key)``.
        self.organizations = OrganizationStore()
        """Organizations by id."""
        self.connections = ConnectionStore()
        """SSO connections by id."""
        self.domains = DomainStore()
        """Organization domains by id."""
        self.directories = DirectoryStore()
        """SCIM directories by id."""
        self.directory_users = DirectoryUserStore()
        """Directory users by id."""
        self.directory_groups = DirectoryGroupStore()
        """Directory groups by id."""
        self.users = UserStore()
        """Users by id (their memberships are in `memberships`)."""
        self.memberships = MembershipStore()
        """Memberships by ``(organization_id, user_id)``."""
        self.roles = RoleStore()
        """Environment roles by name."""
        self.organization_roles = OrganizationRoleStore()
        """Organization roles by ``(organization_id, name)``."""
        self.permissions = PermissionStore()
        """Permissions by name."""
        self.sessions = SessionStore()
        """Sessions by session id."""
        self.api_clients = ApiClientStore()
        """Organization API clients by client id."""
        self.passkeys = PasskeyStore()
        """Passkeys by id."""
        self.auth_requests = AuthRequestLog()
        """The authentication log, oldest first."""
        self.passwordless = PasswordlessStore()
        """Passwordless emails by auth request id."""
        self.connected_accounts = ConnectedAccountStore()
        """Connected accounts by id."""
        self.mcp_configs = McpConfigStore()
        """MCP configurations by id."""
        self.custom_providers = CustomProviderStore()
        """Custom providers by identifier."""
        # [16:tokens-events] stores of the operations outside the public spec
        from ._stores_tokens import ApiTokenStore

        self.api_tokens = ApiTokenStore()
        """API tokens by token id (invalidated ones too; see `ApiTokenStore`)."""
        # [16:clients-resources] stores of the operations outside the public spec
        from ._stores_clients import (
            ApiResourceStore,
            OAuthClientStore,
            ResourceClientStore,
            UserConsentStore,
        )

        self.oauth_clients = OAuthClientStore()
        """Environment OAuth clients by id."""
        self.api_resources = ApiResourceStore()
        """Resources (API and MCP servers) by id."""
        self.resource_clients = ResourceClientStore()
        """Resources' M2M clients by client id."""
        self.user_consents = UserConsentStore()
        """Users' consents to resource clients by consent id."""
        # [16:connections-directories-mcp] stores of the operations outside the public spec
        from ._stores_connections import LoginRequestStore, McpInstanceStore

        self.login_requests = LoginRequestStore()
        """Custom-login requests by id (see `_stores_connections`)."""
        self.mcp_instances = McpInstanceStore()
        """MCP instances by id (see `_stores_connections`)."""
        # State that is not a record of the API.
        self.session_policies: dict[str, dict[str, Any]] = {}
        """Organization session policies by organization id (created when first read)."""
        self.user_management_settings: dict[str, dict[str, Any]] = {}
        """Organization user-management settings by organization id, as last set."""
        self.default_member_roles: dict[str, str] = {}
        """An organization's own default member role name, by organization id."""
        self.invite_resends: dict[MembershipKey, InviteResend] = {}
        """How often each pending invitation was resent, by membership key."""
        self.connector_connection_ids: dict[str, str] = {}
        """The connection id the fake gave each connector (built-in or custom), by name."""
        self.authorization_flows: dict[str, AuthorizationFlow] = {}
        """Connected-account magic-link authorization flows, by flow id."""
        self.tool_failures: dict[str, ToolFailure] = {}
        """Tools made to fail by `fail_tool`, by tool name."""
        self.webhooks = Webhooks()
        """Webhook subscriptions and the events the fake emits (see `Webhooks`)."""
        self.deletion_hooks: list[Callable[[str], None]] = []
        """Called with an organization's id when it is deleted (cascades)."""
        self.grant_handlers: dict[str, GrantHandler] = {}
        """Token-endpoint handlers by ``grant_type``, called once the client is authenticated."""
        self.secret_digests: dict[str, str] = {}
        """The SHA-256 of each API client secret the fake handed out, by secret id: the
        plain value is shown once and not kept, as Scalekit does, yet the token
        endpoint can authenticate those clients."""
        self.m2m_grant: M2MGrant | None = None
        """Answers a client-credentials grant of one of the API clients created through
        the fake (installed by the OAuth family: a signed M2M access token)."""
        self.router = Router()
        """The API operations the families installed, by method and path template."""

    def remember_secret(self, secret_id: str, plain: str) -> None:
        """Keep the digest of a secret handed out to an API client (see `secret_digests`)."""
        self.secret_digests[secret_id] = hashlib.sha256(plain.encode()).hexdigest()

    def secret_matches(self, client: Mapping[str, Any], plain: str) -> bool:
        """Whether *plain* is one of the current secrets of *client* (its wire record)."""
        digest = hashlib.sha256(plain.encode()).hexdigest()
        return any(
            hmac.compare_digest(self.secret_digests.get(str(secret.get("id")), ""), digest)
            for secret in client.get("secrets") or ()
            if isinstance(secret, Mapping)
        )

    @property
    def client_secret(self) -> str:
        """The secret to give the client under test."""
        return self._client_secret

    def new_id(self, prefix: str) -> str:
        """A new id such as ``org_1234567890123456`` (prefixes: see ``_constants``)."""
        return f"{prefix}_{next(self._ids):04d}{self._random.randrange(10**12):012d}"

    @staticmethod
    def now() -> str:
        """The current time as an RFC 3339 string, as the API writes it."""
        return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
