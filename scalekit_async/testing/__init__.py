"""Test helpers shipped to users: a stateful fake Scalekit, in-process or over a socket.

```python
from scalekit_async.testing import FakeScalekit

fake = FakeScalekit()
async with fake.client() as client:          # in-process, no sockets
    org = await client.organizations.create(display_name="Acme")
assert fake.organizations[org.id]["display_name"] == "Acme"   # the stored wire JSON
assert fake.organizations.record(org.id).display_name == "Acme"  # typed: OrganizationRecord
```

Each area's state is a store (`OrganizationStore`, `UserStore`,
`MembershipStore`, ...): a mapping of key -> wire JSON, for reading and seeding
as JSON, with typed, indexed reading beside it (``fake.users.by_email(...)``,
``fake.memberships.of_user(user_id)``, ``store.records()``) that returns frozen
records (`UserRecord`, `MembershipRecord`, ...) with precise types.

The ``add_*`` helpers seed state the public API cannot create (SSO connections,
SCIM directories, sessions, passkeys, auth logs); the OAuth helpers mint tokens
and sign webhooks the way Scalekit does, so login and webhook handlers can be
tested end to end offline.

Module map, lowest layer first (a module imports only modules above it):

- ``_constants``: shared constants: host, URLs, credentials, paths, page sizes, id prefixes.
- ``_http``: the HTTP vocabulary: `FakeRequest`, `Reply`, `Fault`, `ApiError`, `Router`, `App`.
- ``_paging``: token pagination as the API answers it.
- ``_delivery``: webhook subscriptions, signing and delivery (`Webhooks`, `sign_webhook`).
- ``_records``: typed, read-only records of the fake's state (`UserRecord`, ...).
- ``_stores``: the indexed record stores of each area (`Store`, `UserStore`, ...).
- ``_stores_tokens``: the store of API tokens (`ApiTokenStore`).
- ``_stores_clients``: the stores of environment OAuth clients and API resources.
- ``_stores_connections``: the stores of custom-login requests and MCP instances.
- ``_state``: `FakeState`, what a fake knows: credentials, records, routes, ids, webhooks.
- ``_events``: the webhook event of each state change (`emit`), `EMITTED_EVENT_TYPES`.
- ``_organizations``: the Organizations endpoints.
- ``_domains``: the Domains endpoints (an organization's domains).
- ``_connections``: the SSO Connections endpoints, `add_connection` and `add_login_request`.
- ``_directories``: the SCIM Directory endpoints and the ``add_directory*`` helpers.
- ``_users``: the Users endpoints, and user and membership records shared with memberships.
- ``_memberships``: the Memberships endpoints (add, change, remove, resend invitations).
- ``_roles``: the environment and organization Roles endpoints.
- ``_permissions``: the Permissions endpoints and the permissions of roles.
- ``_sessions``: the Sessions endpoints and `add_session`.
- ``_api_clients``: the organization API client (M2M) endpoints.
- ``_auth_logs``: the authentication-log endpoint and `add_auth_request`.
- ``_passwordless``: the passwordless (magic link and OTP) endpoints.
- ``_passkeys``: the passkey (WebAuthn credential) endpoints and `add_passkey`.
- ``_connected_accounts``: the connected-accounts endpoints and `complete_authorization`.
- ``_tools``: the tool catalogue (`TOOLS`), tool execution and `fail_tool`.
- ``_mcp``: the MCP configuration endpoints.
- ``_providers``: the custom provider endpoints.
- ``_api_tokens``: the API token (opaque API key) endpoints.
- ``_event_log``: the environment's event log endpoint (``events/paginated``).
- ``_oauth_clients``: the environment OAuth client endpoints, their secrets and consents.
- ``_api_resources``: the API resource endpoints, their clients and user consents, and
  `add_resource` and `add_user_consent`.
- ``_oauth``: hosted login, user grants, signing keys and token minting (`FakeOAuth`).
- ``_validation``: requests (and, strict, answers) checked against the packaged spec.
- ``_server``: serving an `App` over HTTP/1.1 on a socket (`ServerStats`).
- ``_fake``: `FakeScalekit` (the state, answering requests) and `FakeTransport`.
- ``_seed``: fixtures (JSON or YAML) loaded into a fake (`apply_seed`, `load_seed`).
- ``__main__``: the ``scalekit-fake`` emulator command line.
"""

from ._api_resources import add_resource, add_user_consent
from ._auth_logs import add_auth_request
from ._connected_accounts import complete_authorization
from ._connections import add_connection, add_login_request
from ._delivery import Delivery, Subscription, Webhooks, new_webhook_secret, sign_webhook
from ._directories import add_directory, add_directory_group, add_directory_user
from ._events import EMITTED_EVENT_TYPES, subscribe
from ._fake import FakeScalekit, FakeTransport
from ._http import FakeRequest, Fault, Reply
from ._oauth import FakeOAuth, mint_access_token, oauth
from ._passkeys import add_passkey
from ._records import (
    ApiClientRecord,
    ApiClientSecretRecord,
    AuthRequestRecord,
    ConnectedAccountRecord,
    ConnectionRecord,
    CustomProviderRecord,
    DirectoryGroupRecord,
    DirectoryRecord,
    DirectoryUserRecord,
    DomainRecord,
    InviteResend,
    McpConfigRecord,
    McpToolMapping,
    MembershipRecord,
    MembershipRole,
    OrganizationRecord,
    PasskeyRecord,
    PasswordlessRecord,
    PermissionRecord,
    RoleRecord,
    SessionRecord,
    UserProfileRecord,
    UserRecord,
)
from ._seed import SeedError, SeedSummary, apply_seed, load_seed, parse_seed, seed_fake
from ._server import ServerStats
from ._sessions import add_session
from ._state import AuthorizationFlow, FakeState, ToolFailure
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
    MembershipStore,
    OrganizationRoleStore,
    OrganizationStore,
    PasskeyStore,
    PasswordlessStore,
    PermissionStore,
    RoleStore,
    SessionStore,
    Store,
    UserStore,
)
from ._tools import fail_tool

__all__ = [
    "EMITTED_EVENT_TYPES",
    "Delivery",
    "Subscription",
    "Webhooks",
    "subscribe",
    "FakeOAuth",
    "FakeRequest",
    "FakeScalekit",
    "FakeTransport",
    "Fault",
    "Reply",
    "SeedError",
    "SeedSummary",
    "ServerStats",
    "add_auth_request",
    "add_connection",
    "add_directory",
    "add_directory_group",
    "add_directory_user",
    "add_login_request",
    "add_passkey",
    "add_resource",
    "add_user_consent",
    "add_session",
    "apply_seed",
    "load_seed",
    "parse_seed",
    "seed_fake",
    "complete_authorization",
    "fail_tool",
    "mint_access_token",
    "new_webhook_secret",
    "oauth",
    "sign_webhook",
    # The fake's state: stores (mappings of wire JSON, indexed) and typed records.
    "FakeState",
    "Store",
    "OrganizationStore",
    "UserStore",
    "MembershipStore",
    "RoleStore",
    "OrganizationRoleStore",
    "PermissionStore",
    "DomainStore",
    "ConnectionStore",
    "DirectoryStore",
    "DirectoryUserStore",
    "DirectoryGroupStore",
    "SessionStore",
    "ApiClientStore",
    "PasskeyStore",
    "PasswordlessStore",
    "AuthRequestLog",
    "ConnectedAccountStore",
    "McpConfigStore",
    "CustomProviderStore",
    "OrganizationRecord",
    "UserRecord",
    "UserProfileRecord",
    "MembershipRecord",
    "MembershipRole",
    "InviteResend",
    "RoleRecord",
    "PermissionRecord",
    "DomainRecord",
    "ConnectionRecord",
    "DirectoryRecord",
    "DirectoryUserRecord",
    "DirectoryGroupRecord",
    "SessionRecord",
    "ApiClientRecord",
    "ApiClientSecretRecord",
    "PasskeyRecord",
    "AuthRequestRecord",
    "PasswordlessRecord",
    "ConnectedAccountRecord",
    "McpConfigRecord",
    "McpToolMapping",
    "CustomProviderRecord",
    "AuthorizationFlow",
    "ToolFailure",
]
