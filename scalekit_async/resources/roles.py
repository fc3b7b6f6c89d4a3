"""``client.roles``: environment roles, organization roles, default roles and what roles grant.

Roles are addressed by their name, which is user-chosen: every name is sent as
one percent-encoded path segment, so a name holding a space or a slash reaches
that role and no other route. The API has environment roles and roles of one
organization; every method that exists for both takes an optional keyword-only
`organization_id` that picks the organization's route, so a role is read,
changed or deleted the same way wherever it lives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import overload

from .._pagination import AsyncPaginator
from .._routes import Route, operation, segment
from .._types import NOT_GIVEN, NotGiven, NotGivenOr, given
from ..models.roles import DefaultRoles, Permission, Role, RoleInclude, RoleUsersCount
from ._base import Resource

__all__ = ["Roles"]

_LIST = Route("GET", "/api/v1/roles")
_CREATE = Route("POST", "/api/v1/roles")
_GET = Route("GET", "/api/v1/roles/{role_name}")
_UPDATE = Route("PUT", "/api/v1/roles/{role_name}")
_DELETE = Route("DELETE", "/api/v1/roles/{role_name}")
_DEPENDENTS = Route("GET", "/api/v1/roles/{role_name}/dependents")
_USERS_COUNT = Route("GET", "/api/v1/roles/{role_name}/users:count")
_DELETE_BASE = Route("DELETE", "/api/v1/roles/{role_name}/base")
_SET_DEFAULTS = Route("PATCH", "/api/v1/roles:set_defaults")
_SET_DEFAULTS_ALT = Route("PATCH", "/api/v1/roles/default", alternate=True)
_LIST_ORG = Route("GET", "/api/v1/organizations/{org_id}/roles")
_CREATE_ORG = Route("POST", "/api/v1/organizations/{org_id}/roles")
_GET_ORG = Route("GET", "/api/v1/organizations/{org_id}/roles/{role_name}")
_UPDATE_ORG = Route("PUT", "/api/v1/organizations/{org_id}/roles/{role_name}")
_DELETE_ORG = Route("DELETE", "/api/v1/organizations/{org_id}/roles/{role_name}")
_SET_ORG_DEFAULTS = Route("PATCH", "/api/v1/organizations/{org_id}/roles:set_defaults")
_USERS_COUNT_ORG = Route("GET", "/api/v1/organizations/{org_id}/roles/{role_name}/users:count")
_DELETE_ORG_BASE = Route("DELETE", "/api/v1/organizations/{org_id}/roles/{role_name}/base")
_LIST_PERMISSIONS = Route("GET", "/api/v1/roles/{role_name}/permissions")
_ADD_PERMISSIONS = Route("POST", "/api/v1/roles/{role_name}/permissions")
_REMOVE_PERMISSION = Route("DELETE", "/api/v1/roles/{role_name}/permissions/{permission_name}")
_LIST_EFFECTIVE_PERMISSIONS = Route("GET", "/api/v1/roles/{role_name}/permissions:all")

_MAX_PERMISSIONS = 100
_BASE_ROLE_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")
_MAX_ORG_ID = 32


class Roles(Resource):
    """Environment and organization roles, the roles new users get, and what roles grant."""

    __slots__ = ()

    # -- roles, in the environment or in one organization -------------------

    @operation(_LIST, _LIST_ORG)
    def list(
        self,
        *,
        organization_id: str | None = None,
        include: NotGivenOr[RoleInclude | str | None] = NOT_GIVEN,
    ) -> AsyncPaginator[Role]:
        """List roles (one page: this list is not paginated).

        Without `organization_id`, every environment role; with it, the roles that
        organization can use: its own (`is_org_role`) and the environment's.
        `include` adds each role's permissions (see `RoleInclude`).
        """
        params = {"include": _include(include)}
        org = _scope(organization_id)
        if org is None:
            return self._list_all(_LIST, key="roles", item=Role, params=params)
        return self._list_all(_LIST_ORG, org, key="roles", item=Role, params=params)

    @operation(_CREATE, _CREATE_ORG)
    async def create(
        self,
        name: str,
        *,
        organization_id: str | None = None,
        display_name: str,
        description: NotGivenOr[str] = NOT_GIVEN,
        extends: NotGivenOr[str] = NOT_GIVEN,
        permissions: NotGivenOr[Iterable[str]] = NOT_GIVEN,
    ) -> Role:
        """Create a role; `extends` names a role whose permissions it inherits.

        With `organization_id` the role exists in that organization only; its name
        must not be taken by an environment role, nor the other way round.
        """
        org = _scope(organization_id)
        body = given(
            name=required_text(name, "name"),
            display_name=required_text(display_name, "display_name"),
            description=_optional_text(description, "description", allow_empty=True),
            extends=_optional_text(extends, "extends"),
            permissions=role_names(permissions, "permissions"),
        )
        if org is None:
            data = await self._engine.call(_CREATE, body=body)
        else:
            data = await self._engine.call(_CREATE_ORG, org, body=body)
        return self._engine.unwrap(data, "role", Role)

    @operation(_GET, _GET_ORG)
    async def get(
        self,
        name: str,
        *,
        organization_id: str | None = None,
        include: NotGivenOr[RoleInclude | str | None] = NOT_GIVEN,
    ) -> Role:
        """Fetch a role by name, optionally with its permissions (see `RoleInclude`).

        With `organization_id`, the role as that organization sees it: its own
        role of that name, else the environment's.
        """
        org, key = _scope(organization_id), _key(name)
        params = {"include": _include(include)}
        if org is None:
            data = await self._engine.call(_GET, key, params=params)
        else:
            data = await self._engine.call(_GET_ORG, org, key, params=params)
        return self._engine.unwrap(data, "role", Role)

    @operation(_UPDATE, _UPDATE_ORG)
    async def update(
        self,
        name: str,
        *,
        organization_id: str | None = None,
        display_name: NotGivenOr[str] = NOT_GIVEN,
        description: NotGivenOr[str] = NOT_GIVEN,
        extends: NotGivenOr[str] = NOT_GIVEN,
        permissions: NotGivenOr[Iterable[str]] = NOT_GIVEN,
    ) -> Role:
        """Change the given fields of a role; the rest stay as they are.

        With `organization_id` it changes that organization's own role (an
        environment role cannot be changed through an organization).
        `permissions` replaces the role's own permissions. An empty list is the
        same as not passing it on the wire (proto3), so to take permissions away
        use `remove_permission`.
        """
        org, key = _scope(organization_id), _key(name)
        body = _update_body(display_name, description, extends, permissions)
        if org is None:
            data = await self._engine.call(_UPDATE, key, body=body)
        else:
            data = await self._engine.call(_UPDATE_ORG, org, key, body=body)
        return self._engine.unwrap(data, "role", Role)

    @operation(_DELETE, _DELETE_ORG)
    async def delete(
        self,
        name: str,
        *,
        organization_id: str | None = None,
        reassign_role_name: NotGivenOr[str | None] = NOT_GIVEN,
    ) -> None:
        """Delete a role (with `organization_id`, that organization's own role).

        A role that users hold or that other roles extend can only be deleted
        with `reassign_role_name`: that role replaces it for those users and
        becomes the base of the roles that extended it.
        """
        org, key = _scope(organization_id), _key(name)
        reassign = NOT_GIVEN if reassign_role_name is None else reassign_role_name
        params = {"reassign_role_name": _optional_text(reassign, "reassign_role_name")}
        if org is None:
            await self._engine.call(_DELETE, key, params=params)
        else:
            await self._engine.call(_DELETE_ORG, org, key, params=params)

    @operation(_DEPENDENTS)
    def list_dependents(self, name: str) -> AsyncPaginator[Role]:
        """List the environment roles that directly extend role *name* (one page)."""
        return self._list_all(_DEPENDENTS, _key(name), key="roles", item=Role)

    @operation(_USERS_COUNT, _USERS_COUNT_ORG)
    async def get_users_count(self, name: str, *, organization_id: str | None = None) -> int:
        """Count the users that hold a role (e.g. before deleting it).

        Without `organization_id`, the environment role's holders in every
        organization. With it, the members of that organization holding role
        *name* as that organization sees it (its own role of that name, else the
        environment's).

        **Preview.** The organization route (with `organization_id`) is a preview
        operation of Scalekit's API: it may change.
        """
        org, key = _scope(organization_id), _key(name)
        if org is None:
            data = await self._engine.call(_USERS_COUNT, key)
        else:
            data = await self._engine.call(_USERS_COUNT_ORG, org, key)
        count = self._engine.structure(data, RoleUsersCount).count
        return count or 0

    @operation(_DELETE_BASE, _DELETE_ORG_BASE)
    async def delete_base(self, name: str, *, organization_id: str | None = None) -> None:
        """Stop role *name* extending its base role: it keeps only its own permissions.

        **Preview.** Scalekit marks this operation as a preview: the API may change.

        A role created or updated with ``extends`` inherits its base role's
        permissions; this removes that link (the base role itself stays). With
        `organization_id`, it changes that organization's own role.

        Raises:
            ValueError: *name* is not 1 to 64 letters, digits and underscores (the
                API's rule for this operation), or `organization_id` is not an
                organization id (``org...``, at most 32 characters).

        """
        org, key = _scope(organization_id), _key(name)
        if not _BASE_ROLE_NAME.fullmatch(key):
            raise ValueError(f"name must be 1 to 64 letters, digits or underscores, got {key!r}")
        if org is None:
            await self._engine.call(_DELETE_BASE, key)
            return
        if not org.startswith("org") or len(org) > _MAX_ORG_ID:
            raise ValueError(
                f"organization_id must be an organization id (org..., at most {_MAX_ORG_ID} "
                f"characters), got {org!r}"
            )
        await self._engine.call(_DELETE_ORG_BASE, org, key)

    # -- default roles -------------------------------------------------------

    @overload
    async def set_defaults(
        self,
        *,
        organization_id: None = None,
        default_creator_role: NotGivenOr[str] = NOT_GIVEN,
        default_member_role: NotGivenOr[str] = NOT_GIVEN,
    ) -> DefaultRoles: ...

    @overload
    async def set_defaults(self, *, organization_id: str, default_member_role: str) -> Role: ...

    @operation(_SET_DEFAULTS, _SET_DEFAULTS_ALT, _SET_ORG_DEFAULTS)
    async def set_defaults(
        self,
        *,
        organization_id: str | None = None,
        default_creator_role: NotGivenOr[str] = NOT_GIVEN,
        default_member_role: NotGivenOr[str] = NOT_GIVEN,
    ) -> DefaultRoles | Role:
        """Choose the roles new users get.

        Without `organization_id`, the environment's defaults: the role given to
        an organization's creator and to its new members; returns both
        (`DefaultRoles`). The API binds this operation twice
        (``PATCH /api/v1/roles:set_defaults`` and ``PATCH /api/v1/roles/default``);
        this method sends the first, the same request with the same answer.

        With `organization_id`, the role new members of that organization get:
        only `default_member_role` applies (an organization has no creator
        default) and the answer is that `Role`.

        Raises:
            TypeError: `default_creator_role` with `organization_id`, or
                `organization_id` without `default_member_role`.
            ValueError: neither default given, or an empty role name.

        """
        org = _scope(organization_id)
        if org is None:
            body = _defaults_body(default_creator_role, default_member_role)
            data = await self._engine.call(_SET_DEFAULTS, body=body)
            return self._engine.structure(data, DefaultRoles)
        if not isinstance(default_creator_role, NotGiven):
            raise TypeError(
                "default_creator_role is an environment default: "
                "with organization_id, give default_member_role only"
            )
        if isinstance(default_member_role, NotGiven):
            raise TypeError("set_defaults with organization_id needs default_member_role")
        member = required_text(default_member_role, "default_member_role")
        data = await self._engine.call(_SET_ORG_DEFAULTS, org, body={"default_member_role": member})
        return self._engine.unwrap(data, "default_member", Role)

    # -- what a role grants (environment roles) --------------------------------

    @operation(_LIST_PERMISSIONS)
    def list_permissions(self, name: str) -> AsyncPaginator[Permission]:
        """List the permissions role *name* grants itself, without inherited ones (one page)."""
        return self._list_all(_LIST_PERMISSIONS, _key(name), key="permissions", item=Permission)

    @operation(_LIST_EFFECTIVE_PERMISSIONS)
    def list_effective_permissions(self, name: str) -> AsyncPaginator[Permission]:
        """List every permission role *name* grants, inherited through ``extends`` included."""
        return self._list_all(
            _LIST_EFFECTIVE_PERMISSIONS, _key(name), key="permissions", item=Permission
        )

    @operation(_ADD_PERMISSIONS)
    async def add_permissions(
        self, name: str, *, permission_names: Iterable[str]
    ) -> tuple[Permission, ...]:
        """Grant permissions to role *name*; returns every permission it now grants itself."""
        key = _key(name)
        names = role_names(permission_names, "permission_names")
        if not names:
            raise ValueError("permission_names must name at least one permission")
        data = await self._engine.call(_ADD_PERMISSIONS, key, body={"permission_names": names})
        raw = data.get("permissions") if isinstance(data, Mapping) else None
        return self._engine.structure(raw or [], tuple[Permission, ...])

    @operation(_REMOVE_PERMISSION)
    async def remove_permission(self, name: str, *, permission_name: str) -> None:
        """Stop role *name* granting a permission itself (a base role may still grant it)."""
        key = _key(name)
        segment("permission_name", permission_name)
        await self._engine.call(_REMOVE_PERMISSION, key, permission_name)


def required_text(value: object, field: str) -> str:
    """A required, non-empty string argument, checked before anything is sent.

    Raises:
        TypeError: *value* is not a string.
        ValueError: *value* is empty.

    """
    if not isinstance(value, str):
        raise TypeError(f"{field} must be a str, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{field} must not be empty")
    return value


def role_names(value: NotGivenOr[Iterable[str]], field: str) -> NotGivenOr[list[str]]:
    """A list of role or permission names from any iterable of strings.

    One string is refused rather than split into characters, and the API's
    limit of 100 names is checked before anything is sent.
    """
    if isinstance(value, NotGiven):
        return value
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError(f"{field} must be a list of names, not {type(value).__name__}")
    names = [required_text(name, f"each of {field}") for name in value]
    if len(names) > _MAX_PERMISSIONS:
        raise ValueError(f"{field} holds at most {_MAX_PERMISSIONS} names, got {len(names)}")
    return names


def _key(name: str) -> str:
    """The role's name, checked as a path segment so a bad one is named `name`."""
    segment("name", name)
    return name


def _scope(organization_id: str | None) -> str | None:
    """The optional organization scope: `None` means the environment."""
    if organization_id is not None:
        segment("organization_id", organization_id)
    return organization_id


def _optional_text(
    value: NotGivenOr[str], field: str, *, allow_empty: bool = False
) -> NotGivenOr[str]:
    if isinstance(value, NotGiven):
        return value
    if allow_empty and isinstance(value, str):
        return value
    return required_text(value, field)


def _include(value: NotGivenOr[RoleInclude | str | None]) -> NotGivenOr[str]:
    if value is None or isinstance(value, NotGiven):
        return NOT_GIVEN
    if not isinstance(value, str):
        raise TypeError(f"include must be a RoleInclude or str, not {type(value).__name__}")
    return str(value)


def _update_body(
    display_name: NotGivenOr[str],
    description: NotGivenOr[str],
    extends: NotGivenOr[str],
    permissions: NotGivenOr[Iterable[str]],
) -> dict[str, object]:
    body = given(
        display_name=_optional_text(display_name, "display_name"),
        description=_optional_text(description, "description"),
        extends=_optional_text(extends, "extends"),
        permissions=role_names(permissions, "permissions"),
    )
    if not body:
        raise ValueError("update needs at least one field to change")
    return body


def _defaults_body(creator: NotGivenOr[str], member: NotGivenOr[str]) -> dict[str, object]:
    body = given(
        default_creator_role=_optional_text(creator, "default_creator_role"),
        default_member_role=_optional_text(member, "default_member_role"),
    )
    if not body:
        raise ValueError("give default_creator_role, default_member_role or both")
    return body
