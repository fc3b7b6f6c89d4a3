"""``client.users``: environment and organization users."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .._pagination import AsyncPaginator
from .._routes import Route
from .._types import NOT_GIVEN, NotGivenOr, given
from ..models._common import RoleRef
from ..models.users import User, UserPermission, UserProfileInput
from ._base import Resource, check_page_size

__all__ = ["Users"]

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

LIST_MAX_PAGE_SIZE = 100
"""The largest ``page_size`` of the user lists (environment and organization)."""
SEARCH_MAX_PAGE_SIZE = 30
"""The largest ``page_size`` of the user searches."""


class Users(Resource):
    """Environment users and the users of an organization.

    Users are created inside an organization (`create`); adding an existing
    user to another organization is `client.memberships.create`.
    """

    __slots__ = ()

    async def create(
        self,
        organization_id: str,
        email: str,
        *,
        external_id: NotGivenOr[str] = NOT_GIVEN,
        metadata: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
        user_profile: NotGivenOr[UserProfileInput | Mapping[str, Any]] = NOT_GIVEN,
        roles: NotGivenOr[Iterable[str | RoleRef]] = NOT_GIVEN,
        membership_metadata: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
        inviter_email: NotGivenOr[str] = NOT_GIVEN,
        send_invitation_email: NotGivenOr[bool] = NOT_GIVEN,
    ) -> User:
        """Create a user and their membership of *organization_id* in one call.

        `roles` (role names), `membership_metadata` and `inviter_email` describe
        the membership; `send_invitation_email` (server default: true) decides
        whether the user is emailed an invite and starts as ``PENDING_INVITE``.
        """
        if not isinstance(email, str):
            raise TypeError(f"email must be a str, not {type(email).__name__}")
        _check_external_id(external_id)
        membership = _membership_body(
            roles=roles, metadata=membership_metadata, inviter_email=inviter_email
        )
        body = given(
            email=email,
            external_id=external_id,
            membership=membership or NOT_GIVEN,
            user_profile=_profile_body(user_profile),
            metadata=_string_map("metadata", metadata),
        )
        params = _send_invitation_param(send_invitation_email)
        data = await self._engine.call(_CREATE, organization_id, params=params, body=body)
        return self._engine.unwrap(data, "user", User)

    async def get(self, id: str) -> User:
        """Fetch a user by their Scalekit id (``usr_...``), memberships included."""
        data = await self._engine.call(_GET, id)
        return self._engine.unwrap(data, "user", User)

    async def get_by_external_id(self, external_id: str) -> User:
        """Fetch a user by the external id your application gave them."""
        data = await self._engine.call(_GET_EXTERNAL, external_id)
        return self._engine.unwrap(data, "user", User)

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

    async def delete(self, id: str) -> None:
        """Delete a user permanently, with all their memberships."""
        await self._engine.call(_DELETE, id)

    async def delete_by_external_id(self, external_id: str) -> None:
        """Delete a user permanently, addressed by external id."""
        await self._engine.call(_DELETE_EXTERNAL, external_id)

    def list(
        self,
        *,
        page_size: NotGivenOr[int] = NOT_GIVEN,
        page_token: NotGivenOr[str] = NOT_GIVEN,
    ) -> AsyncPaginator[User]:
        """List every user of the environment: await for a page, or ``async for`` each."""
        check_page_size(page_size, LIST_MAX_PAGE_SIZE)
        return self._paginate(
            _LIST, key="users", item=User, params=given(page_size=page_size), page_token=page_token
        )

    def search(
        self,
        query: str,
        *,
        page_size: NotGivenOr[int] = NOT_GIVEN,
        page_token: NotGivenOr[str] = NOT_GIVEN,
    ) -> AsyncPaginator[User]:
        """Find environment users whose email, id or external id contains *query* (3-100 chars)."""
        params = _search_params(query, page_size)
        return self._paginate(_SEARCH, key="users", item=User, params=params, page_token=page_token)

    def list_by_organization(
        self,
        organization_id: str,
        *,
        page_size: NotGivenOr[int] = NOT_GIVEN,
        page_token: NotGivenOr[str] = NOT_GIVEN,
    ) -> AsyncPaginator[User]:
        """List the users who are members of an organization."""
        check_page_size(page_size, LIST_MAX_PAGE_SIZE)
        return self._paginate(
            _LIST_ORG,
            organization_id,
            key="users",
            item=User,
            params=given(page_size=page_size),
            page_token=page_token,
        )

    def search_by_organization(
        self,
        organization_id: str,
        query: str,
        *,
        page_size: NotGivenOr[int] = NOT_GIVEN,
        page_token: NotGivenOr[str] = NOT_GIVEN,
    ) -> AsyncPaginator[User]:
        """Like `search`, limited to the members of one organization."""
        params = _search_params(query, page_size)
        return self._paginate(
            _SEARCH_ORG,
            organization_id,
            key="users",
            item=User,
            params=params,
            page_token=page_token,
        )

    def list_roles(self, organization_id: str, user_id: str) -> AsyncPaginator[RoleRef]:
        """The roles a user holds in an organization (one page holds them all)."""
        return self._list_all(_LIST_ROLES, organization_id, user_id, key="roles", item=RoleRef)

    def list_permissions(
        self, organization_id: str, user_id: str
    ) -> AsyncPaginator[UserPermission]:
        """The permissions a user holds in an organization through their roles (one page)."""
        return self._list_all(
            _LIST_PERMISSIONS, organization_id, user_id, key="permissions", item=UserPermission
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
    return given(query=query, page_size=page_size)


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


def _membership_body(
    *,
    roles: NotGivenOr[Iterable[str | RoleRef]] = NOT_GIVEN,
    metadata: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
    inviter_email: NotGivenOr[str] = NOT_GIVEN,
) -> dict[str, Any]:
    """The ``users.CreateMembership``/``UpdateMembership`` JSON from keyword arguments."""
    if inviter_email is not NOT_GIVEN and not isinstance(inviter_email, str):
        raise TypeError(f"inviter_email must be a str, not {type(inviter_email).__name__}")
    return given(
        roles=NOT_GIVEN if roles is NOT_GIVEN else _role_list(roles),
        metadata=_string_map("metadata", metadata),
        inviter_email=inviter_email,
    )


def _send_invitation_param(value: NotGivenOr[bool]) -> dict[str, Any]:
    """The ``send_invitation_email`` query parameter, checked."""
    if value is not NOT_GIVEN and not isinstance(value, bool):
        raise TypeError(f"send_invitation_email must be a bool, not {type(value).__name__}")
    return given(send_invitation_email=value)
