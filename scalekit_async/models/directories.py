"""Directory models: SCIM / polled directories and the users and groups they sync."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from .._enums import OpenEnum

__all__ = [
    "Directory",
    "DirectoryAttributeMapping",
    "DirectoryAttributeMappings",
    "DirectoryGroup",
    "DirectoryProvider",
    "DirectoryRoleAssignment",
    "DirectoryRoleAssignments",
    "DirectorySecret",
    "DirectorySecretStatus",
    "DirectoryStats",
    "DirectoryToggle",
    "DirectoryType",
    "DirectoryUser",
]


class DirectoryProvider(OpenEnum):
    """The identity provider a directory syncs from."""

    DIRECTORY_PROVIDER_UNSPECIFIED = "DIRECTORY_PROVIDER_UNSPECIFIED"
    OKTA = "OKTA"
    GOOGLE = "GOOGLE"
    MICROSOFT_AD = "MICROSOFT_AD"
    AUTH0 = "AUTH0"
    ONELOGIN = "ONELOGIN"
    JUMPCLOUD = "JUMPCLOUD"
    PING_IDENTITY = "PING_IDENTITY"


class DirectoryType(OpenEnum):
    """How a directory syncs: pushed over SCIM, LDAP, or polled."""

    DIRECTORY_TYPE_UNSPECIFIED = "DIRECTORY_TYPE_UNSPECIFIED"
    SCIM = "SCIM"
    LDAP = "LDAP"
    POLL = "POLL"


class DirectorySecretStatus(OpenEnum):
    """Whether a directory's bearer secret still works."""

    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


@attrs.frozen(kw_only=True)
class DirectorySecret:
    """A bearer secret a provider uses to push to a directory (only its suffix is shown)."""

    id: str = ""
    directory_id: str = ""
    secret_suffix: str = ""
    status: DirectorySecretStatus | None = None
    create_time: datetime | None = None
    expire_time: datetime | None = None
    last_used_time: datetime | None = None


@attrs.frozen(kw_only=True)
class DirectoryStats:
    """Counts and last-change times of a directory's users and groups."""

    total_users: int = 0
    total_groups: int = 0
    user_updated_at: datetime | None = None
    group_updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class DirectoryRoleAssignment:
    """A directory group whose members get a role."""

    group_id: str = ""
    role_name: str = ""


@attrs.frozen(kw_only=True)
class DirectoryRoleAssignments:
    """The group-to-role assignments of a directory."""

    assignments: tuple[DirectoryRoleAssignment, ...] = ()


@attrs.frozen(kw_only=True)
class DirectoryAttributeMapping:
    """One provider attribute (`key`) mapped onto a Scalekit user attribute (`map_to`)."""

    key: str = ""
    map_to: str = ""


@attrs.frozen(kw_only=True)
class DirectoryAttributeMappings:
    """The attribute mappings of a directory."""

    attributes: tuple[DirectoryAttributeMapping, ...] = ()


@attrs.frozen(kw_only=True)
class Directory:
    """A directory that syncs an organization's users and groups from its IdP.

    `status` is the configuration status (``DRAFT``, ``IN_PROGRESS``,
    ``COMPLETED``), a plain string on the wire; `enabled` says whether it syncs.
    """

    id: str = ""
    organization_id: str = ""
    name: str = ""
    directory_type: DirectoryType | None = None
    directory_provider: DirectoryProvider | None = None
    enabled: bool = False
    status: str = ""
    directory_endpoint: str = ""
    email: str = ""
    groups_tracked: str = ""
    last_synced_at: datetime | None = None
    total_users: int = 0
    total_groups: int = 0
    secrets: tuple[DirectorySecret, ...] = ()
    stats: DirectoryStats | None = None
    role_assignments: DirectoryRoleAssignments | None = None
    attribute_mappings: DirectoryAttributeMappings | None = None


@attrs.frozen(kw_only=True)
class DirectoryGroup:
    """A group synced from a directory; `group_detail` is the provider's raw payload."""

    id: str = ""
    display_name: str = ""
    total_users: int = 0
    updated_at: datetime | None = None
    group_detail: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class DirectoryUser:
    """A user synced from a directory; `user_detail` is the provider's raw payload."""

    id: str = ""
    email: str = ""
    emails: tuple[str, ...] = ()
    preferred_username: str = ""
    given_name: str = ""
    family_name: str = ""
    updated_at: datetime | None = None
    groups: tuple[DirectoryGroup, ...] = ()
    user_detail: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class DirectoryToggle:
    """The outcome of enabling or disabling a directory: its state afterwards."""

    enabled: bool = False
    error_message: str | None = None
