"""``client.users``: environment and organization users."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from .._pagination import AsyncPaginator
from .._routes import Route, operation, segment
from .._types import NOT_GIVEN, NotGivenOr, given
from ..models._common import RoleRef
from ..models.users import User, UserPermission, UserProfileInput
from ._base import Resource, check_page_size

__all__ = ["Users"]

T = TypeVar("T")

_LIST = Route("GET", "/api/v1/users")
_SEARCH = Route("GET", "/api/v1/users:search")
_GET = Route("GET", "/api/v1/users/{id}")
_GET_EXTERNAL = Route("GET", "/api/v1/users:external/{external_id}")
_UPDATE = Route("PATCH", "/api/v1/users/{id}")
_UPDATE_EXTERNAL = Route("PATCH", "/api/v1/users:external/{external_id}")
_DELETE = Route("DELETE", "/api/v1/users/{id}")
_DELETE_EXTERNAL = Route("DELETE", "/api/v1/users:external/{external_id}")
_LIST_ORG = Route("GET", "/api/v1/organizations/{organization_id}/users")
_SEARCH_ORG = Route("GET", "/api/v1/organizations/{organization_id}/users:search")
_CREATE = Route("POST", "/api/v1/organizations/{organization_id}/users")
_LIST_ROLES = Route("GET", "/api/v1/organizations/{organization_id}/users/{user_id}/roles")
_LIST_PERMISSIONS = Route(
    "GET", "/api/v1/organizations/{organization_id}/users/{user_id}/permissions"
)
_ADD_ROLES = Route("POST", "/api/v1/organizations/{organization_id}/users/{user_id}/roles")
_REMOVE_ROLE = Route(
    "DELETE", "/api/v1/organizations/{organization_id}/users/{user_id}/roles/{role_name}"
)
_MAX_ROLE_NAME = 100

LIST_MAX_PAGE_SIZE = 100
"""The largest ``page_size`` of the user lists (environment and organization)."""
SEARCH_MAX_PAGE_SIZE = 30
"""The largest ``page_size`` of the user searches."""


class Users(Resource):
    """Environment users and the users of an organization.

    Users are created inside an organization (`create`); adding an existing
    user to another organization is `client.memberships.create`. `list` and
    `search` cover the whole environment, or one organization's members when
    given `organization_id`.
    """

    __slots__ = ()

    @operation(_CREATE)
    async def create(
        self,
        email: str,
        *,
        organization_id: str,
        external_id: NotGivenOr[str] = NOT_GIVEN,
        metadata: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
        user_profile: NotGivenOr[UserProfileInput | Mapping[str, Any]] = NOT_GIVEN,
        roles: NotGivenOr[Iterable[str | RoleRef]] = NOT_GIVEN,
        membership_metadata: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
        inviter_email: NotGivenOr[str] = NOT_GIVEN,
        send_invitation_email: NotGivenOr[bool] = NOT_GIVEN,
    ) -> User:
        """Create a user with *email* and their membership of an organization, in one call.

        A user always starts as a member of some organization (the API has no
        environment-wide create), so `organization_id` is required; to add the
        user to more organizations use `client.memberships.create`.

        Args:
            email: The user's email address, unique in the environment.
            organization_id: The organization the user becomes a member of.
            external_id: Your application's id for the user, unique in the environment.
            metadata: Your own string key-value data about the user.
            user_profile: Name, locale, groups and other profile fields.
            roles: Role names the membership grants.
            membership_metadata: Your own string key-value data about the membership.
            inviter_email: Who the invitation email says invited the user.
            send_invitation_email: Email the user an invite (server default: true); the
                membership then starts as ``PENDING_INVITE`` instead of ``ACTIVE``.
        """
        if not isinstance(email, str):
            raise TypeError(f"email must be a str, not {type(email).__name__}")
        _check_external_id(external_id)
        membership = membership_body(
            roles=roles, metadata=membership_metadata, inviter_email=inviter_email
        )
        body = given(
            email=email,
            external_id=external_id,
            membership=membership or NOT_GIVEN,
            user_profile=_profile_body(user_profile),
            metadata=_string_map("metadata", metadata),
        )
        params = send_invitation_param(send_invitation_email)
        data = await self._engine.call(_CREATE, organization_id, params=params, body=body)
        return self._engine.unwrap(data, "user", User)

    @operation(_GET)
    async def get(self, id: str) -> User:
        """Fetch a user by their Scalekit id (``usr_...``), memberships included."""
        data = await self._engine.call(_GET, id)
        return self._engine.unwrap(data, "user", User)

    @operation(_GET_EXTERNAL)
    async def get_by_external_id(self, external_id: str) -> User:
        """Fetch a user by the external id your application gave them."""
        data = await self._engine.call(_GET_EXTERNAL, external_id)
        return self._engine.unwrap(data, "user", User)

    @operation(_UPDATE)
    async def update(
        self,
        id: str,
        *,
        external_id: NotGivenOr[str] = NOT_GIVEN,
        metadata: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
        user_profile: NotGivenOr[UserProfileInput | Mapping[str, Any]] = NOT_GIVEN,
    ) -> User:
        """Change the given fields of a user; profile fields left unset stay as they are."""
        body = _update_body(external_id, metadata, user_profile)
        data = await self._engine.call(_UPDATE, id, body=body)
        return self._engine.unwrap(data, "user", User)

    @operation(_UPDATE_EXTERNAL)
    async def update_by_external_id(
        self,
        external_id: str,
        *,
        new_external_id: NotGivenOr[str] = NOT_GIVEN,
        metadata: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
        user_profile: NotGivenOr[UserProfileInput | Mapping[str, Any]] = NOT_GIVEN,
    ) -> User:
        """Like `update`, addressing the user by external id (`new_external_id` renames it)."""
        body = _update_body(new_external_id, metadata, user_profile)
        data = await self._engine.call(_UPDATE_EXTERNAL, external_id, body=body)
        return self._engine.unwrap(data, "user", User)

    @operation(_DELETE)
    async def delete(self, id: str) -> None:
        """Delete a user permanently, with all their memberships."""
        await self._engine.call(_DELETE, id)

    @operation(_DELETE_EXTERNAL)
    async def delete_by_external_id(self, external_id: str) -> None:
        """Delete a user permanently, addressed by external id."""
        await self._engine.call(_DELETE_EXTERNAL, external_id)

    @operation(_LIST, _LIST_ORG)
    def list(
        self,
        *,
        organization_id: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPaginator[User]:
        """List users: await for the first page, or ``async for`` every one.

        Args:
            organization_id: List only the members of this organization; without it
                (or with `None`), every user of the environment.
            page_size: Users per page, 1 to 100 (server default: 10).
            page_token: Where to start: a page's `next_page_token` or `prev_page_token`.
        """
        size = _drop_none(page_size)
        check_page_size(size, LIST_MAX_PAGE_SIZE)
        return self._scoped_paginate(
            _LIST, _LIST_ORG, organization_id, params={"page_size": size}, page_token=page_token
        )

    @operation(_SEARCH, _SEARCH_ORG)
    def search(
        self,
        query: str,
        *,
        organization_id: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPaginator[User]:
        """Find users whose email, id or external id contains *query*.

        Args:
            query: The text to look for, 3 to 100 characters.
            organization_id: Search only the members of this organization; without it
                (or with `None`), every user of the environment.
            page_size: Users per page, 1 to 30.
            page_token: Where to start: a page's `next_page_token` or `prev_page_token`.
        """
        params = _search_params(query, _drop_none(page_size))
        return self._scoped_paginate(
            _SEARCH, _SEARCH_ORG, organization_id, params=params, page_token=page_token
        )

    @operation(_LIST_ROLES)
    def list_roles(self, id: str, *, organization_id: str) -> AsyncPaginator[RoleRef]:
        """The roles user *id* holds in an organization (one page holds them all).

        A user's roles belong to one membership, so `organization_id` is required.
        """
        return self._list_all(_LIST_ROLES, organization_id, id, key="roles", item=RoleRef)

    @operation(_LIST_PERMISSIONS)
    def list_permissions(self, id: str, *, organization_id: str) -> AsyncPaginator[UserPermission]:
        """The permissions user *id* holds in an organization through their roles (one page).

        Roles, and so permissions, belong to one membership: `organization_id` is required.
        """
        return self._list_all(
            _LIST_PERMISSIONS, organization_id, id, key="permissions", item=UserPermission
        )

    @operation(_ADD_ROLES)
    async def add_roles(
        self, id: str, *, organization_id: str, roles: Iterable[str | RoleRef]
    ) -> tuple[RoleRef, ...]:
        """Give user *id* more roles in an organization; returns every role they now hold.

        **Preview.** Scalekit marks this operation as a preview: the API may change.

        The roles are added to the user's membership of that organization (the
        ones they hold already stay; see `remove_role`), so the user must be a
        member. On the wire the body is a JSON array, ``[{"role_name": ...}]``,
        not an object: the API's request field is a repeated one.

        Args:
            id: The user (``usr_...``).
            organization_id: The organization (``org_...``) whose membership gains the roles.
            roles: Role names (or `RoleRef`s): at least one, each at most 100 characters.

        Raises:
            ValueError: no role, an empty or overlong role name, or an id without its prefix.

        """
        _prefixed(organization_id, "organization_id", "org_")
        _prefixed(id, "id", "usr_")
        body = [{"role_name": name} for name in _assigned_role_names(roles)]
        data = await self._engine.call(_ADD_ROLES, organization_id, id, body=body)
        raw = data.get("roles") if isinstance(data, Mapping) else None
        return self._engine.structure(raw or [], tuple[RoleRef, ...])

    @operation(_REMOVE_ROLE)
    async def remove_role(self, id: str, *, organization_id: str, role_name: str) -> None:
        """Take role *role_name* away from user *id* in an organization.

        **Preview.** Scalekit marks this operation as a preview: the API may change.

        Only that organization's membership changes; the role itself stays.
        """
        _prefixed(organization_id, "organization_id", "org_")
        _prefixed(id, "id", "usr_")
        segment("role_name", role_name)
        await self._engine.call(_REMOVE_ROLE, organization_id, id, role_name)

    def _scoped_paginate(
        self,
        environment_route: Route,
        organization_route: Route,
        organization_id: str | None,
        *,
        params: dict[str, Any],
        page_token: str | None,
    ) -> AsyncPaginator[User]:
        """Page through users of the environment, or of one organization when one is given."""
        token = _drop_none(page_token)
        if organization_id is None:
            return self._paginate(
                environment_route, key="users", item=User, params=params, page_token=token
            )
        return self._paginate(
            organization_route,
            organization_id,
            key="users",
            item=User,
            params=params,
            page_token=token,
        )


def _update_body(
    external_id: NotGivenOr[str],
    metadata: NotGivenOr[Mapping[str, str]],
    user_profile: NotGivenOr[UserProfileInput | Mapping[str, Any]],
) -> dict[str, Any]:
    _check_external_id(external_id)
    body = given(
        external_id=external_id,
        metadata=_string_map("metadata", metadata),
        user_profile=_profile_body(user_profile),
    )
    if not body:
        raise ValueError("update needs at least one field to change")
    return body


def _search_params(query: str, page_size: NotGivenOr[int]) -> dict[str, Any]:
    if not isinstance(query, str):
        raise TypeError(f"query must be a str, not {type(query).__name__}")
    if not 3 <= len(query) <= 100:
        raise ValueError(f"query must be 3 to 100 characters, got {len(query)}")
    check_page_size(page_size, SEARCH_MAX_PAGE_SIZE)
    return {"query": query, "page_size": page_size}  # the query drops not given


def _check_external_id(value: NotGivenOr[str]) -> None:
    if value is not NOT_GIVEN and not isinstance(value, str):
        raise TypeError(f"external_id must be a str, not {type(value).__name__}")


def _string_map(name: str, value: NotGivenOr[Mapping[str, str]]) -> NotGivenOr[dict[str, str]]:
    """Check a ``map<string,string>`` argument and copy it to a plain dict for the body."""
    if value is NOT_GIVEN:
        return NOT_GIVEN
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping of str to str")
    for k, v in value.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise TypeError(f"{name} keys and values must be str")
    return dict(value)


def _profile_body(
    value: NotGivenOr[UserProfileInput | Mapping[str, Any]],
) -> NotGivenOr[dict[str, Any]]:
    """The JSON of a user profile argument (a `UserProfileInput` or a plain mapping)."""
    if value is NOT_GIVEN:
        return NOT_GIVEN
    if isinstance(value, Mapping):
        value = UserProfileInput.from_mapping(value)
    if not isinstance(value, UserProfileInput):
        raise TypeError("user_profile must be a UserProfileInput or a mapping")
    return value.to_wire()


def _role_list(roles: Iterable[str | RoleRef]) -> list[dict[str, str]]:
    """Role names (or `RoleRef`s) as the ``[{"name": ...}]`` list a membership body holds."""
    if isinstance(roles, str) or not isinstance(roles, Iterable):
        raise TypeError("roles must be a list of role names, not one string")
    out: list[dict[str, str]] = []
    for role in roles:
        name = role.name if isinstance(role, RoleRef) else role
        if not isinstance(name, str):
            raise TypeError(f"a role must be a role name (str), not {type(role).__name__}")
        if not name:
            raise ValueError("a role name must not be empty")
        out.append({"name": name})
    return out


def _prefixed(value: str, name: str, prefix: str) -> None:
    """An id the API checks for its prefix (``org_``, ``usr_``), checked before sending."""
    segment(name, value)  # TypeError for a non-string, ValueError for an empty one
    if not value.startswith(prefix):
        raise ValueError(f"{name} must start with {prefix!r}, got {value!r}")


def _assigned_role_names(roles: Iterable[str | RoleRef]) -> list[str]:
    """The role names of an `add_roles` call: at least one, each 1 to 100 characters."""
    names = [entry["name"] for entry in _role_list(roles)]
    if not names:
        raise ValueError("roles must name at least one role")
    for name in names:
        if len(name) > _MAX_ROLE_NAME:
            raise ValueError(f"a role name holds at most {_MAX_ROLE_NAME} characters: {name!r}")
    return names


def membership_body(
    *,
    roles: NotGivenOr[Iterable[str | RoleRef]] = NOT_GIVEN,
    metadata: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
    inviter_email: NotGivenOr[str] = NOT_GIVEN,
) -> dict[str, Any]:
    """The ``users.CreateMembership``/``UpdateMembership`` JSON from keyword arguments.

    Shared with ``client.memberships``, which sends the same membership body.
    """
    if inviter_email is not NOT_GIVEN and not isinstance(inviter_email, str):
        raise TypeError(f"inviter_email must be a str, not {type(inviter_email).__name__}")
    return given(
        roles=NOT_GIVEN if roles is NOT_GIVEN else _role_list(roles),
        metadata=_string_map("metadata", metadata),
        inviter_email=inviter_email,
    )


def send_invitation_param(value: NotGivenOr[bool]) -> dict[str, Any]:
    """The ``send_invitation_email`` query parameter, checked (shared with memberships)."""
    if value is not NOT_GIVEN and not isinstance(value, bool):
        raise TypeError(f"send_invitation_email must be a bool, not {type(value).__name__}")
    return {"send_invitation_email": value}  # the query drops not given


def _drop_none(value: NotGivenOr[T | None]) -> NotGivenOr[T]:
    """`None` as not given: outside updates, `None` never means "send null"."""
    return NOT_GIVEN if value is None else value
