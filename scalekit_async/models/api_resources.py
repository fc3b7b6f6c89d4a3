"""Resource models: API and MCP servers registered with Scalekit, their clients and consents.

A resource's clients are M2M clients (``clients.M2MClient``, the `ApiClient`
model, with `ApiClient.resource_id` set); creating one answers a
`CreatedApiClient`, as for an organization's API clients.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from .._enums import OpenEnum
from .api_clients import ApiClient

__all__ = [
    "ApiResource",
    "CimdAllowlistEntry",
    "ConsentedUser",
    "ResourceClientDetails",
    "ResourceClientList",
    "ResourceConnection",
    "ResourceConnectionType",
    "ResourceScope",
    "ResourceType",
    "UserConsent",
]


class ResourceType(OpenEnum):
    """What kind of server a resource is (``clients.ResourceType``)."""

    RESOURCE_TYPE_UNSPECIFIED = "RESOURCE_TYPE_UNSPECIFIED"
    WEB = "WEB"
    MOBILE = "MOBILE"
    DESKTOP = "DESKTOP"
    SERVER = "SERVER"
    MCP_SERVER = "MCP_SERVER"


class ResourceConnectionType(OpenEnum):
    """How a resource's own auth connection authenticates."""

    INVALID = "INVALID"
    CUSTOM = "CUSTOM"


@attrs.frozen(kw_only=True)
class ResourceScope:
    """An environment scope, as a resource sees it: `enabled` when the resource allows it."""

    id: str = ""
    name: str = ""
    description: str = ""
    enabled: bool = False


@attrs.frozen(kw_only=True)
class ResourceConnection:
    """A resource's own auth connection (empty for full-stack resources)."""

    id: str = ""
    type: ResourceConnectionType | None = None
    status: str = ""
    enabled: bool = False
    settings: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    provider: str = ""


@attrs.frozen(kw_only=True)
class CimdAllowlistEntry:
    """A CIMD client allowed on a resource: a ``PREDEFINED`` vendor or a metadata ``URL``."""

    type: str = ""
    value: str = ""


@attrs.frozen(kw_only=True)
class ApiResource:
    """An API or MCP server registered with Scalekit (``clients.Resource``).

    `scopes` lists every scope of the environment, each marked `enabled` when
    this resource allows it: a client's scope reaches a token only if the
    resource allows it too (see `enabled_scopes`). Token lifetimes are seconds.
    """

    id: str = ""
    name: str = ""
    resource_type: ResourceType | None = None
    resource_id: str = ""
    resource_uri: str = ""
    description: str = ""
    disable_dynamic_client_registration: bool = False
    logo_uri: str = ""
    access_token_expiry: int | None = None
    refresh_token_expiry: int | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    provider: str = ""
    protected_metadata: Mapping[str, Any] = attrs.field(factory=dict)
    protected_metadata_uri: str = ""
    scopes: tuple[ResourceScope, ...] = ()
    connection_details: ResourceConnection | None = None
    disallow_connection_update: bool = False
    intersect_scopes_user_permission: bool = False
    enable_cimd: bool = False
    xaa_enabled: bool = False
    cimd_client_allowlist: tuple[CimdAllowlistEntry, ...] = ()
    cimd_client_allowlist_enabled: bool = False
    resource_scope_selection_allowed: bool = False

    @property
    def enabled_scopes(self) -> tuple[str, ...]:
        """The names of the scopes this resource allows (its actual allowlist)."""
        return tuple(scope.name for scope in self.scopes if scope.enabled)


@attrs.frozen(kw_only=True)
class ConsentedUser:
    """A user who consented to a resource client, and the scopes they granted."""

    consent_id: str = ""
    external_user_id: str = ""
    scopes: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class ResourceClientDetails:
    """A resource client and the users who consented to it (dynamically registered clients)."""

    client: ApiClient | None = None
    consented_users: tuple[ConsentedUser, ...] = ()


@attrs.frozen(kw_only=True)
class ResourceClientList:
    """Every client of a resource (the list is not paginated), with counts by origin.

    `total_dcr_clients` counts clients created by Dynamic Client Registration,
    `total_static_clients` the others.
    """

    clients: tuple[ApiClient, ...] = ()
    total_dcr_clients: int = 0
    total_static_clients: int = 0


@attrs.frozen(kw_only=True)
class UserConsent:
    """A user's consent to a client of a resource (``clients.ResourceUserConsent``).

    `external_user_id` is the id your application gave the user; revoke the
    consent with ``client.oauth_clients.revoke_consent(client_id, consent_id=id)``.
    """

    id: str = ""
    external_user_id: str = ""
    client_id: str = ""
    client_name: str = ""
    scopes: tuple[str, ...] = ()
    granted_at: datetime | None = None
