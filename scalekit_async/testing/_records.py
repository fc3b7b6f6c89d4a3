"""Typed, read-only records of what a fake Scalekit stores, one class per kind of record.

The fake keeps each record as the API's wire JSON (``fake.users[user_id]`` is a
``dict``), so tests can read and seed it as JSON. These classes are the typed
reading of the same records: ``fake.users.record(user_id)`` returns a
`UserRecord`, with precise types under ``mypy --strict`` and no ``Any``.

A record is a frozen snapshot taken when it is asked for: later changes to
the fake do not show in it (ask again), and changing it is impossible. Fields
missing from a stored record (a partial record seeded by a test) read as
empty: ``""``, ``None``, ``False``, ``()`` or an empty mapping. Timestamps are
aware `datetime` objects (``None`` when absent or malformed). Each record keeps
the stored JSON it was read from, read-only, as ``wire``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import attrs

from .._converter import parse_timestamp

__all__ = [
    "ApiClientRecord",
    "ApiClientSecretRecord",
    "AuthRequestRecord",
    "ConnectedAccountRecord",
    "ConnectionRecord",
    "CustomProviderRecord",
    "DirectoryGroupRecord",
    "DirectoryRecord",
    "DirectoryUserRecord",
    "DomainRecord",
    "InviteResend",
    "McpConfigRecord",
    "McpToolMapping",
    "MembershipRecord",
    "MembershipRole",
    "OrganizationRecord",
    "PasskeyRecord",
    "PasswordlessRecord",
    "PermissionRecord",
    "RoleRecord",
    "SessionRecord",
    "UserProfileRecord",
    "UserRecord",
]

_EMPTY: Mapping[str, str] = MappingProxyType({})


# -- reading wire JSON without trusting it --------------------------------------------


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _optional_text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _flag(value: object) -> bool:
    return value is True


def _count(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return 0


def _texts(value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        return ()
    return tuple(v for v in value if isinstance(v, str))


def _text_map(value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping) or not value:
        return _EMPTY
    return MappingProxyType({str(k): v for k, v in value.items() if isinstance(v, str)})


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_timestamp(value)
    except (TypeError, ValueError):
        return None


def _objects(value: object) -> list[Mapping[str, Any]]:
    if not isinstance(value, list | tuple):
        return []
    return [v for v in value if isinstance(v, Mapping)]


def _object(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _wire(data: Mapping[str, Any]) -> Mapping[str, object]:
    """A read-only deep copy of stored JSON (the ``wire`` field of a record)."""
    return MappingProxyType(copy.deepcopy(dict(data)))


# -- organizations, users, memberships ------------------------------------------------


@attrs.frozen
class OrganizationRecord:
    """An organization as the fake stores it (``fake.organizations``)."""

    id: str
    display_name: str
    external_id: str | None
    region_code: str
    slug: str | None
    logo_url: str | None
    metadata: Mapping[str, str]
    features: Mapping[str, bool]
    """Each feature (``sso``, ``dir_sync``) and whether it is enabled."""
    create_time: datetime | None
    update_time: datetime | None
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> OrganizationRecord:
        """Read a stored organization."""
        settings = _object(data.get("settings"))
        features = {
            _text(f.get("name")): _flag(f.get("enabled"))
            for f in _objects(settings.get("features"))
        }
        return cls(
            id=_text(data.get("id")),
            display_name=_text(data.get("display_name")),
            external_id=_optional_text(data.get("external_id")),
            region_code=_text(data.get("region_code")),
            slug=_optional_text(data.get("slug")),
            logo_url=_optional_text(data.get("logo_url")),
            metadata=_text_map(data.get("metadata")),
            features=MappingProxyType(features),
            create_time=_time(data.get("create_time")),
            update_time=_time(data.get("update_time")),
            wire=_wire(data),
        )


@attrs.frozen
class UserProfileRecord:
    """A user's profile (``UserRecord.profile``)."""

    id: str
    given_name: str
    family_name: str
    name: str
    email_verified: bool
    phone_number: str
    phone_number_verified: bool
    preferred_username: str
    picture: str
    locale: str
    gender: str
    groups: tuple[str, ...]
    metadata: Mapping[str, str]
    custom_attributes: Mapping[str, str]

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> UserProfileRecord:
        """Read a stored ``user_profile`` object."""
        return cls(
            id=_text(data.get("id")),
            given_name=_text(data.get("given_name")),
            family_name=_text(data.get("family_name")),
            name=_text(data.get("name")),
            email_verified=_flag(data.get("email_verified")),
            phone_number=_text(data.get("phone_number")),
            phone_number_verified=_flag(data.get("phone_number_verified")),
            preferred_username=_text(data.get("preferred_username")),
            picture=_text(data.get("picture")),
            locale=_text(data.get("locale")),
            gender=_text(data.get("gender")),
            groups=_texts(data.get("groups")),
            metadata=_text_map(data.get("metadata")),
            custom_attributes=_text_map(data.get("custom_attributes")),
        )


@attrs.frozen
class UserRecord:
    """A user as the fake stores it (``fake.users``), without memberships.

    Memberships are stored apart: ``fake.memberships.of_user(user.id)``.
    """

    id: str
    email: str
    external_id: str | None
    metadata: Mapping[str, str]
    profile: UserProfileRecord
    create_time: datetime | None
    update_time: datetime | None
    last_login_time: datetime | None
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> UserRecord:
        """Read a stored user."""
        return cls(
            id=_text(data.get("id")),
            email=_text(data.get("email")),
            external_id=_optional_text(data.get("external_id")),
            metadata=_text_map(data.get("metadata")),
            profile=UserProfileRecord.from_wire(_object(data.get("user_profile"))),
            create_time=_time(data.get("create_time")),
            update_time=_time(data.get("update_time")),
            last_login_time=_time(data.get("last_login_time")),
            wire=_wire(data),
        )


@attrs.frozen
class MembershipRole:
    """A role a membership holds, as stored (its id and display name may be empty)."""

    name: str
    id: str
    display_name: str


@attrs.frozen
class MembershipRecord:
    """A user's membership of an organization (``fake.memberships``).

    ``status`` is as stored (``ACTIVE``, ``PENDING_INVITE``, ...): a pending
    invitation past ``expires_at`` is answered as ``INVITE_EXPIRED`` by the API.
    """

    organization_id: str
    user_id: str
    status: str
    roles: tuple[MembershipRole, ...]
    metadata: Mapping[str, str]
    inviter_email: str | None
    provisioning_method: str | None
    join_time: datetime | None
    created_at: datetime | None
    accepted_at: datetime | None
    expires_at: datetime | None
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)

    @property
    def role_names(self) -> tuple[str, ...]:
        """The names of the roles held, in order."""
        return tuple(r.name for r in self.roles)

    @classmethod
    def from_wire(cls, key: tuple[str, str], data: Mapping[str, Any]) -> MembershipRecord:
        """Read the stored membership under *key* (``(organization_id, user_id)``)."""
        roles = tuple(
            MembershipRole(_text(r.get("name")), _text(r.get("id")), _text(r.get("display_name")))
            for r in _objects(data.get("roles"))
        )
        return cls(
            organization_id=key[0],
            user_id=key[1],
            status=_text(data.get("membership_status")) or "ACTIVE",
            roles=roles,
            metadata=_text_map(data.get("metadata")),
            inviter_email=_optional_text(data.get("inviter_email")),
            provisioning_method=_optional_text(data.get("provisioning_method")),
            join_time=_time(data.get("join_time")),
            created_at=_time(data.get("created_at")),
            accepted_at=_time(data.get("accepted_at")),
            expires_at=_time(data.get("expires_at")),
            wire=_wire(data),
        )


@attrs.frozen
class InviteResend:
    """How often a pending invitation was resent (``fake.invite_resends``)."""

    created_at: str
    """The ``created_at`` of the invitation the count is for (a new one starts over)."""
    resent_at: str
    resent_count: int


# -- roles and permissions ----------------------------------------------------------------


@attrs.frozen
class RoleRecord:
    """An environment role (``fake.roles``) or organization role (``fake.organization_roles``).

    ``permission_names`` are the permissions the role grants itself, not the
    ones it inherits through ``extends``.
    """

    id: str
    name: str
    display_name: str
    description: str
    organization_id: str | None
    """The organization of an organization role; ``None`` for an environment role."""
    extends: str | None
    permission_names: tuple[str, ...]
    default_creator: bool
    default_member: bool
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any], organization_id: str | None = None) -> RoleRecord:
        """Read a stored role (of *organization_id*, for an organization role)."""
        return cls(
            id=_text(data.get("id")),
            name=_text(data.get("name")),
            display_name=_text(data.get("display_name")),
            description=_text(data.get("description")),
            organization_id=organization_id,
            extends=_optional_text(data.get("extends")),
            permission_names=_texts(data.get("permission_names")),
            default_creator=_flag(data.get("default_creator")),
            default_member=_flag(data.get("default_member")),
            wire=_wire(data),
        )


@attrs.frozen
class PermissionRecord:
    """A permission (``fake.permissions``)."""

    id: str
    name: str
    description: str
    is_scalekit_permission: bool
    create_time: datetime | None
    update_time: datetime | None
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> PermissionRecord:
        """Read a stored permission."""
        return cls(
            id=_text(data.get("id")),
            name=_text(data.get("name")),
            description=_text(data.get("description")),
            is_scalekit_permission=_flag(data.get("is_scalekit_permission")),
            create_time=_time(data.get("create_time")),
            update_time=_time(data.get("update_time")),
            wire=_wire(data),
        )


# -- domains, connections, directories --------------------------------------------------


@attrs.frozen
class DomainRecord:
    """A domain of an organization (``fake.domains``)."""

    id: str
    domain: str
    organization_id: str
    domain_type: str
    verification_status: str
    create_time: datetime | None
    update_time: datetime | None
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> DomainRecord:
        """Read a stored domain."""
        return cls(
            id=_text(data.get("id")),
            domain=_text(data.get("domain")),
            organization_id=_text(data.get("organization_id")),
            domain_type=_text(data.get("domain_type")),
            verification_status=_text(data.get("verification_status")),
            create_time=_time(data.get("create_time")),
            update_time=_time(data.get("update_time")),
            wire=_wire(data),
        )


@attrs.frozen
class ConnectionRecord:
    """An SSO connection of an organization (``fake.connections``)."""

    id: str
    organization_id: str
    provider: str
    provider_key: str
    type: str
    status: str
    enabled: bool
    debug_enabled: bool
    configuration_type: str
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> ConnectionRecord:
        """Read a stored connection."""
        return cls(
            id=_text(data.get("id")),
            organization_id=_text(data.get("organization_id")),
            provider=_text(data.get("provider")),
            provider_key=_text(data.get("provider_key")),
            type=_text(data.get("type")),
            status=_text(data.get("status")),
            enabled=_flag(data.get("enabled")),
            debug_enabled=_flag(data.get("debug_enabled")),
            configuration_type=_text(data.get("configuration_type")),
            wire=_wire(data),
        )


@attrs.frozen
class DirectoryRecord:
    """A SCIM directory of an organization (``fake.directories``)."""

    id: str
    organization_id: str
    name: str
    directory_type: str
    directory_provider: str
    status: str
    enabled: bool
    last_synced_at: datetime | None
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> DirectoryRecord:
        """Read a stored directory."""
        return cls(
            id=_text(data.get("id")),
            organization_id=_text(data.get("organization_id")),
            name=_text(data.get("name")),
            directory_type=_text(data.get("directory_type")),
            directory_provider=_text(data.get("directory_provider")),
            status=_text(data.get("status")),
            enabled=_flag(data.get("enabled")),
            last_synced_at=_time(data.get("last_synced_at")),
            wire=_wire(data),
        )


@attrs.frozen
class DirectoryUserRecord:
    """A user of a directory (``fake.directory_users``)."""

    id: str
    directory_id: str
    email: str
    emails: tuple[str, ...]
    preferred_username: str
    given_name: str
    family_name: str
    group_ids: tuple[str, ...]
    updated_at: datetime | None
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> DirectoryUserRecord:
        """Read a stored directory user."""
        return cls(
            id=_text(data.get("id")),
            directory_id=_text(data.get("directory_id")),
            email=_text(data.get("email")),
            emails=_texts(data.get("emails")),
            preferred_username=_text(data.get("preferred_username")),
            given_name=_text(data.get("given_name")),
            family_name=_text(data.get("family_name")),
            group_ids=_texts(data.get("group_ids")),
            updated_at=_time(data.get("updated_at")),
            wire=_wire(data),
        )


@attrs.frozen
class DirectoryGroupRecord:
    """A group of a directory (``fake.directory_groups``)."""

    id: str
    directory_id: str
    display_name: str
    updated_at: datetime | None
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> DirectoryGroupRecord:
        """Read a stored directory group."""
        return cls(
            id=_text(data.get("id")),
            directory_id=_text(data.get("directory_id")),
            display_name=_text(data.get("display_name")),
            updated_at=_time(data.get("updated_at")),
            wire=_wire(data),
        )


# -- sessions, API clients, passkeys, auth logs, passwordless -----------------------------


@attrs.frozen
class SessionRecord:
    """A user's session (``fake.sessions``), its ``status`` as last read by the API."""

    session_id: str
    user_id: str
    organization_id: str
    authenticated_organizations: tuple[str, ...]
    status: str
    created_at: datetime | None
    updated_at: datetime | None
    last_active_at: datetime | None
    idle_expires_at: datetime | None
    absolute_expires_at: datetime | None
    expired_at: datetime | None
    logout_at: datetime | None
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> SessionRecord:
        """Read a stored session."""
        return cls(
            session_id=_text(data.get("session_id")),
            user_id=_text(data.get("user_id")),
            organization_id=_text(data.get("organization_id")),
            authenticated_organizations=_texts(data.get("authenticated_organizations")),
            status=_text(data.get("status")),
            created_at=_time(data.get("created_at")),
            updated_at=_time(data.get("updated_at")),
            last_active_at=_time(data.get("last_active_at")),
            idle_expires_at=_time(data.get("idle_expires_at")),
            absolute_expires_at=_time(data.get("absolute_expires_at")),
            expired_at=_time(data.get("expired_at")),
            logout_at=_time(data.get("logout_at")),
            wire=_wire(data),
        )


@attrs.frozen
class ApiClientSecretRecord:
    """A secret of an API client: its id and last 4 characters (values are not kept)."""

    id: str
    secret_suffix: str
    status: str
    """``ACTIVE`` unless stored otherwise (the wire omits ACTIVE)."""
    create_time: datetime | None


@attrs.frozen
class ApiClientRecord:
    """An organization's API (M2M) client (``fake.api_clients``)."""

    client_id: str
    organization_id: str
    name: str
    description: str
    scopes: tuple[str, ...]
    audience: tuple[str, ...]
    custom_claims: Mapping[str, str]
    expiry_seconds: int
    secrets: tuple[ApiClientSecretRecord, ...]
    create_time: datetime | None
    update_time: datetime | None
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> ApiClientRecord:
        """Read a stored API client."""
        claims = {
            _text(c.get("key")): _text(c.get("value")) for c in _objects(data.get("custom_claims"))
        }
        secrets = tuple(
            ApiClientSecretRecord(
                _text(s.get("id")),
                _text(s.get("secret_suffix")),
                _text(s.get("status")) or "ACTIVE",
                _time(s.get("create_time")),
            )
            for s in _objects(data.get("secrets"))
        )
        return cls(
            client_id=_text(data.get("client_id")),
            organization_id=_text(data.get("organization_id")),
            name=_text(data.get("name")),
            description=_text(data.get("description")),
            scopes=_texts(data.get("scopes")),
            audience=_texts(data.get("audience")),
            custom_claims=MappingProxyType(claims),
            expiry_seconds=_count(data.get("expiry")),
            secrets=secrets,
            create_time=_time(data.get("create_time")),
            update_time=_time(data.get("update_time")),
            wire=_wire(data),
        )


@attrs.frozen
class PasskeyRecord:
    """A user's passkey (``fake.passkeys``)."""

    id: str
    user_id: str
    credential_id: str
    display_name: str | None
    authenticator_name: str
    transports: tuple[str, ...]
    created_at: datetime | None
    updated_at: datetime | None
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> PasskeyRecord:
        """Read a stored passkey."""
        return cls(
            id=_text(data.get("id")),
            user_id=_text(data.get("user_id")),
            credential_id=_text(data.get("credential_id")),
            display_name=_optional_text(data.get("display_name")),
            authenticator_name=_text(_object(data.get("authenticator")).get("name")),
            transports=_texts(data.get("transports")),
            created_at=_time(data.get("created_at")),
            updated_at=_time(data.get("updated_at")),
            wire=_wire(data),
        )


@attrs.frozen
class AuthRequestRecord:
    """An entry of the authentication log (``fake.auth_requests``)."""

    auth_request_id: str
    email: str
    status: str
    organization_id: str
    connection_id: str
    connection_type: str
    workflow: str
    timestamp: datetime | None
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> AuthRequestRecord:
        """Read a logged authentication request."""
        return cls(
            auth_request_id=_text(data.get("auth_request_id")),
            email=_text(data.get("email")),
            status=_text(data.get("status")),
            organization_id=_text(data.get("organization_id")),
            connection_id=_text(data.get("connection_id")),
            connection_type=_text(data.get("connection_type")),
            workflow=_text(data.get("workflow")),
            timestamp=_time(data.get("timestamp")),
            wire=_wire(data),
        )


@attrs.frozen
class PasswordlessRecord:
    """A passwordless email the fake "sent" (``fake.passwordless``): what a user would get."""

    auth_request_id: str
    email: str
    passwordless_type: str
    """``OTP`` (a code) or ``LINK_OTP`` (a code and a magic link)."""
    code: str
    link_token: str | None
    expires_at: datetime | None
    state: str | None
    template: str | None
    magiclink_auth_uri: str | None
    template_variables: Mapping[str, str]
    sent_count: int
    verified: bool
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> PasswordlessRecord:
        """Read a stored passwordless request."""
        expires = data.get("expires_at")
        expires_at = (
            datetime.fromtimestamp(expires, UTC)
            if isinstance(expires, int | float) and not isinstance(expires, bool)
            else None
        )
        return cls(
            auth_request_id=_text(data.get("auth_request_id")),
            email=_text(data.get("email")),
            passwordless_type=_text(data.get("passwordless_type")),
            code=_text(data.get("code")),
            link_token=_optional_text(data.get("link_token")),
            expires_at=expires_at,
            state=_optional_text(data.get("state")),
            template=_optional_text(data.get("template")),
            magiclink_auth_uri=_optional_text(data.get("magiclink_auth_uri")),
            template_variables=_text_map(data.get("template_variables")),
            sent_count=_count(data.get("sent_count")),
            verified=_flag(data.get("verified")),
            wire=_wire(data),
        )


# -- AgentKit: connected accounts, MCP configurations, custom providers ------------------


@attrs.frozen
class ConnectedAccountRecord:
    """A connected account (``fake.connected_accounts``), credentials left out."""

    id: str
    connector: str
    identifier: str
    provider: str
    connection_id: str
    status: str
    authorization_type: str
    organization_id: str | None
    user_id: str | None
    updated_at: datetime | None
    last_used_at: datetime | None
    token_expires_at: datetime | None
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> ConnectedAccountRecord:
        """Read a stored connected account."""
        return cls(
            id=_text(data.get("id")),
            connector=_text(data.get("connector")),
            identifier=_text(data.get("identifier")),
            provider=_text(data.get("provider")),
            connection_id=_text(data.get("connection_id")),
            status=_text(data.get("status")),
            authorization_type=_text(data.get("authorization_type")),
            organization_id=_optional_text(data.get("organization_id")),
            user_id=_optional_text(data.get("user_id")),
            updated_at=_time(data.get("updated_at")),
            last_used_at=_time(data.get("last_used_at")),
            token_expires_at=_time(data.get("token_expires_at")),
            wire=_wire(data),
        )


@attrs.frozen
class McpToolMapping:
    """A connection of an MCP configuration and the tools it exposes."""

    connection_name: str
    connection_id: str
    provider: str
    tools: tuple[str, ...]


@attrs.frozen
class McpConfigRecord:
    """An MCP configuration (``fake.mcp_configs``)."""

    id: str
    name: str
    description: str
    mcp_server_url: str
    mappings: tuple[McpToolMapping, ...]
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> McpConfigRecord:
        """Read a stored MCP configuration."""
        mappings = tuple(
            McpToolMapping(
                _text(m.get("connection_name")),
                _text(m.get("connection_id")),
                _text(m.get("provider")),
                _texts(m.get("tools")),
            )
            for m in _objects(data.get("connection_tool_mappings"))
        )
        return cls(
            id=_text(data.get("id")),
            name=_text(data.get("name")),
            description=_text(data.get("description")),
            mcp_server_url=_text(data.get("mcp_server_url")),
            mappings=mappings,
            wire=_wire(data),
        )


@attrs.frozen
class CustomProviderRecord:
    """A custom provider (``fake.custom_providers``), keyed by its identifier."""

    id: str
    identifier: str
    display_name: str
    description: str
    proxy_url: str
    proxy_enabled: bool
    icon_src: str
    metadata: Mapping[str, str]
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> CustomProviderRecord:
        """Read a stored custom provider."""
        return cls(
            id=_text(data.get("id")),
            identifier=_text(data.get("identifier")),
            display_name=_text(data.get("display_name")),
            description=_text(data.get("description")),
            proxy_url=_text(data.get("proxy_url")),
            proxy_enabled=_flag(data.get("proxy_enabled")),
            icon_src=_text(data.get("icon_src")),
            metadata=_text_map(data.get("metadata")),
            wire=_wire(data),
        )
