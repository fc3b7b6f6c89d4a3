"""``client.roles``: environment roles, organization roles and default roles.

Roles are addressed by their name, which is user-chosen: every name is sent as
one percent-encoded path segment, so a name holding a space or a slash reaches
that role and no other route. What a role grants is managed through
``client.permissions`` (``list_for_role``, ``add_to_role``, ...).
"""

from __future__ import annotations

from collections.abc import Iterable

from .._pagination import AsyncPaginator
from .._routes import Route
from .._types import NOT_GIVEN, NotGiven, NotGivenOr, given
from ..models.roles import DefaultRoles, Role, RoleInclude, RoleUsersCount
from ._base import Resource

__all__ = ["Roles"]

_LIST = Route("GET", "/api/v1/roles")
_CREATE = Route("POST", "/api/v1/roles")
_GET = Route("GET", "/api/v1/roles/{role_name}")
_UPDATE = Route("PUT", "/api/v1/roles/{role_name}")
_DELETE = Route("DELETE", "/api/v1/roles/{role_name}")
_DEPENDENTS = Route("GET", "/api/v1/roles/{role_name}/dependents")
_USERS_COUNT = Route("GET", "/api/v1/roles/{role_name}/users:count")
_SET_DEFAULTS = Route("PATCH", "/api/v1/roles:set_defaults")
_SET_DEFAULTS_ALT = Route("PATCH", "/api/v1/roles/default")
_LIST_ORG = Route("GET", "/api/v1/organizations/{org_id}/roles")
_CREATE_ORG = Route("POST", "/api/v1/organizations/{org_id}/roles")
_GET_ORG = Route("GET", "/api/v1/organizations/{org_id}/roles/{role_name}")
_UPDATE_ORG = Route("PUT", "/api/v1/organizations/{org_id}/roles/{role_name}")
_DELETE_ORG = Route("DELETE", "/api/v1/organizations/{org_id}/roles/{role_name}")
_SET_ORG_DEFAULTS = Route("PATCH", "/api/v1/organizations/{org_id}/roles:set_defaults")

_MAX_PERMISSIONS = 100


class Roles(Resource):
    """Environment roles, organization roles and the roles new users get by default."""

    __slots__ = ()

    # -- environment roles ------------------------------------------------

    def list(self, *, include: NotGivenOr[RoleInclude | str] = NOT_GIVEN) -> AsyncPaginator[Role]:
        """List every environment role (one page: this list is not paginated).

        `include` adds each role's permissions (see `RoleInclude`).
        """
        params = given(include=_include(include))
        return self._list_all(_LIST, key="roles", item=Role, params=params)

    async def create(
        self,
        name: str,
        *,
        display_name: str,
        description: NotGivenOr[str] = NOT_GIVEN,
        extends: NotGivenOr[str] = NOT_GIVEN,
        permissions: NotGivenOr[Iterable[str]] = NOT_GIVEN,
    ) -> Role:
        """Create an environment role; `extends` names a role whose permissions it inherits."""
        body = given(
            name=_text(name, "name"),
            display_name=_text(display_name, "display_name"),
            description=_optional_text(description, "description", allow_empty=True),
            extends=_optional_text(extends, "extends"),
            permissions=_names(permissions, "permissions"),
        )
        data = await self._engine.call(_CREATE, body=body)
        return self._engine.unwrap(data, "role", Role)

    async def get(
        self, role_name: str, *, include: NotGivenOr[RoleInclude | str] = NOT_GIVEN
    ) -> Role:
        """Fetch an environment role by name, optionally with its permissions."""
        params = given(include=_include(include))
        data = await self._engine.call(_GET, role_name, params=params)
        return self._engine.unwrap(data, "role", Role)

    async def update(
        self,
        role_name: str,
        *,
        display_name: NotGivenOr[str] = NOT_GIVEN,
        description: NotGivenOr[str] = NOT_GIVEN,
        extends: NotGivenOr[str] = NOT_GIVEN,
        permissions: NotGivenOr[Iterable[str]] = NOT_GIVEN,
    ) -> Role:
        """Change the given fields of an environment role; the rest stay as they are.

        `permissions` replaces the role's own permissions. An empty list is the
        same as not passing it on the wire (proto3), so to take permissions away
        use ``client.permissions.remove_from_role``.
        """
        body = _update_body(display_name, description, extends, permissions)
        data = await self._engine.call(_UPDATE, role_name, body=body)
        return self._engine.unwrap(data, "role", Role)

    async def delete(
        self, role_name: str, *, reassign_role_name: NotGivenOr[str] = NOT_GIVEN
    ) -> None:
        """Delete an environment role.

        A role that users hold or that other roles extend can only be deleted
        with `reassign_role_name`: that role replaces it for those users and
        becomes the base of the roles that extended it.
        """
        params = given(reassign_role_name=_optional_text(reassign_role_name, "reassign_role_name"))
        await self._engine.call(_DELETE, role_name, params=params)

    def list_dependents(self, role_name: str) -> AsyncPaginator[Role]:
        """List the roles that directly extend *role_name* (one page)."""
        return self._list_all(_DEPENDENTS, role_name, key="roles", item=Role)

    async def get_users_count(self, role_name: str) -> int:
        """Count the users that hold an environment role (e.g. before deleting it)."""
        data = await self._engine.call(_USERS_COUNT, role_name)
        count = self._engine.structure(data, RoleUsersCount).count
        return count or 0

    async def set_defaults(
        self,
        *,
        default_creator_role: NotGivenOr[str] = NOT_GIVEN,
        default_member_role: NotGivenOr[str] = NOT_GIVEN,
    ) -> DefaultRoles:
        """Choose the roles given to an organization's creator and to new members."""
        body = _defaults_body(default_creator_role, default_member_role)
        data = await self._engine.call(_SET_DEFAULTS, body=body)
        return self._engine.structure(data, DefaultRoles)

    async def update_defaults(
        self,
        *,
        default_creator_role: NotGivenOr[str] = NOT_GIVEN,
        default_member_role: NotGivenOr[str] = NOT_GIVEN,
    ) -> DefaultRoles:
        """`set_defaults` through the API's other binding, ``PATCH /api/v1/roles/default``.

        Same request, same answer; use it where only that path is allowed through.
        """
        body = _defaults_body(default_creator_role, default_member_role)
        data = await self._engine.call(_SET_DEFAULTS_ALT, body=body)
        return self._engine.structure(data, DefaultRoles)

    # -- organization roles -----------------------------------------------

    def list_by_organization(
        self, org_id: str, *, include: NotGivenOr[RoleInclude | str] = NOT_GIVEN
    ) -> AsyncPaginator[Role]:
        """List the roles an organization can use: its own (`is_org_role`) and the environment's.

        One page: this list is not paginated.
        """
        params = given(include=_include(include))
        return self._list_all(_LIST_ORG, org_id, key="roles", item=Role, params=params)

    async def create_for_organization(
        self,
        org_id: str,
        name: str,
        *,
        display_name: str,
        description: NotGivenOr[str] = NOT_GIVEN,
        extends: NotGivenOr[str] = NOT_GIVEN,
        permissions: NotGivenOr[Iterable[str]] = NOT_GIVEN,
    ) -> Role:
        """Create a role that exists in one organization only."""
        body = given(
            name=_text(name, "name"),
            display_name=_text(display_name, "display_name"),
            description=_optional_text(description, "description", allow_empty=True),
            extends=_optional_text(extends, "extends"),
            permissions=_names(permissions, "permissions"),
        )
        data = await self._engine.call(_CREATE_ORG, org_id, body=body)
        return self._engine.unwrap(data, "role", Role)

    async def get_for_organization(
        self,
        org_id: str,
        role_name: str,
        *,
        include: NotGivenOr[RoleInclude | str] = NOT_GIVEN,
    ) -> Role:
        """Fetch a role as an organization sees it, optionally with its permissions."""
        params = given(include=_include(include))
        data = await self._engine.call(_GET_ORG, org_id, role_name, params=params)
        return self._engine.unwrap(data, "role", Role)

    async def update_for_organization(
        self,
        org_id: str,
        role_name: str,
        *,
        display_name: NotGivenOr[str] = NOT_GIVEN,
        description: NotGivenOr[str] = NOT_GIVEN,
        extends: NotGivenOr[str] = NOT_GIVEN,
        permissions: NotGivenOr[Iterable[str]] = NOT_GIVEN,
    ) -> Role:
        """Change the given fields of an organization role (see `update`)."""
        body = _update_body(display_name, description, extends, permissions)
        data = await self._engine.call(_UPDATE_ORG, org_id, role_name, body=body)
        return self._engine.unwrap(data, "role", Role)

    async def delete_for_organization(
        self,
        org_id: str,
        role_name: str,
        *,
        reassign_role_name: NotGivenOr[str] = NOT_GIVEN,
    ) -> None:
        """Delete an organization role; `reassign_role_name` takes over its users (see `delete`)."""
        params = given(reassign_role_name=_optional_text(reassign_role_name, "reassign_role_name"))
        await self._engine.call(_DELETE_ORG, org_id, role_name, params=params)

    async def set_organization_defaults(self, org_id: str, *, default_member_role: str) -> Role:
        """Choose the role new members of one organization get; returns that role."""
        body = {"default_member_role": _text(default_member_role, "default_member_role")}
        data = await self._engine.call(_SET_ORG_DEFAULTS, org_id, body=body)
        return self._engine.unwrap(data, "default_member", Role)


def _text(value: object, field: str) -> str:
    """A required, non-empty string argument."""
    if not isinstance(value, str):
        raise TypeError(f"{field} must be a str, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{field} must not be empty")
    return value


def _optional_text(
    value: NotGivenOr[str], field: str, *, allow_empty: bool = False
) -> NotGivenOr[str]:
    if isinstance(value, NotGiven):
        return value
    if allow_empty and isinstance(value, str):
        return value
    return _text(value, field)


def _names(value: NotGivenOr[Iterable[str]], field: str) -> NotGivenOr[list[str]]:
    """A list of names from any iterable of strings (one string is refused, not split)."""
    if isinstance(value, NotGiven):
        return value
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError(f"{field} must be a list of names, not {type(value).__name__}")
    names = [_text(name, f"each of {field}") for name in value]
    if len(names) > _MAX_PERMISSIONS:
        raise ValueError(f"{field} holds at most {_MAX_PERMISSIONS} names, got {len(names)}")
    return names


def _include(value: NotGivenOr[RoleInclude | str]) -> NotGivenOr[str]:
    if isinstance(value, NotGiven):
        return value
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
        permissions=_names(permissions, "permissions"),
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
