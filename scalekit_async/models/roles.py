"""Models of the roles and permissions families: roles, their permissions, defaults."""

from __future__ import annotations

from datetime import datetime

import attrs

from .._enums import OpenEnum

__all__ = [
    "DefaultRoles",
    "Permission",
    "PermissionType",
    "Role",
    "RoleInclude",
    "RolePermission",
    "RoleUsersCount",
]


class PermissionType(OpenEnum):
    """Which permissions a permission list returns: predefined, your own, or both."""

    ALL = "ALL"
    SCALEKIT = "SCALEKIT"
    ENVIRONMENT = "ENVIRONMENT"


class RoleInclude(OpenEnum):
    """What a role read adds to each role (the ``include`` query parameter).

    `PERMISSIONS` adds the role's own permissions; `ALL_PERMISSIONS` adds the
    ones inherited through ``extends`` too, each tagged with its source role.
    """

    PERMISSIONS = "permissions"
    ALL_PERMISSIONS = "permissions:all"


@attrs.frozen(kw_only=True)
class Permission:
    """A permission: a named capability that roles grant (e.g. ``read:invoices``)."""

    id: str = ""
    name: str = ""
    description: str = ""
    is_scalekit_permission: bool = False
    create_time: datetime | None = None
    update_time: datetime | None = None


@attrs.frozen(kw_only=True)
class RolePermission:
    """A permission as a role holds it; `role_name` is the role it comes from."""

    id: str = ""
    name: str = ""
    description: str = ""
    role_name: str = ""
    create_time: datetime | None = None
    update_time: datetime | None = None


@attrs.frozen(kw_only=True)
class Role:
    """An environment or organization role: a named set of permissions.

    `extends` names the base role whose permissions this one inherits;
    `permissions` is filled only when the read asked for it (see `RoleInclude`).
    """

    id: str = ""
    name: str = ""
    display_name: str = ""
    description: str = ""
    extends: str | None = None
    default_creator: bool = False
    default_member: bool = False
    is_org_role: bool = False
    dependent_roles_count: int = 0
    permissions: tuple[RolePermission, ...] = ()


@attrs.frozen(kw_only=True)
class DefaultRoles:
    """The environment's default roles after a change (either may be unset)."""

    default_creator: Role | None = None
    default_member: Role | None = None


@attrs.frozen(kw_only=True)
class RoleUsersCount:
    """How many users hold a role (an int64, a JSON string on the wire)."""

    count: int | None = None
