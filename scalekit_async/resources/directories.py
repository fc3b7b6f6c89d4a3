"""``client.directories``: SCIM directories, their users and groups."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from .._converter import format_timestamp
from .._pagination import AsyncPaginator
from .._routes import Route, operation, segment
from .._types import NOT_GIVEN, NotGivenOr, given
from ..models.directories import (
    Directory,
    DirectoryGroup,
    DirectoryProvider,
    DirectoryToggle,
    DirectoryType,
    DirectoryUser,
)
from ._base import Resource, check_page_size

__all__ = ["Directories"]

_LIST = Route("GET", "/api/v1/organizations/{organization_id}/directories")
_GET = Route("GET", "/api/v1/organizations/{organization_id}/directories/{id}")
_CREATE = Route("POST", "/api/v1/organizations/{organization_id}/directories")
_DELETE = Route("DELETE", "/api/v1/organizations/{organization_id}/directories/{id}")
_ENABLE = Route("PATCH", "/api/v1/organizations/{organization_id}/directories/{id}:enable")
_DISABLE = Route("PATCH", "/api/v1/organizations/{organization_id}/directories/{id}:disable")
_LIST_USERS = Route(
    "GET", "/api/v1/organizations/{organization_id}/directories/{directory_id}/users"
)
_LIST_GROUPS = Route(
    "GET", "/api/v1/organizations/{organization_id}/directories/{directory_id}/groups"
)

_MAX_PAGE_SIZE = 30

T = TypeVar("T")


class Directories(Resource):
    """Create, read, toggle and delete an organization's directories; list what they synced."""

    __slots__ = ()

    @operation(_LIST)
    def list(self, *, organization_id: str) -> AsyncPaginator[Directory]:
        """List an organization's directories (the server answers in one page)."""
        return self._list_all(_LIST, organization_id, key="directories", item=Directory)

    @operation(_CREATE)
    async def create(
        self,
        *,
        organization_id: str,
        directory_type: DirectoryType | str,
        directory_provider: DirectoryProvider | str | None = None,
    ) -> Directory:
        """Create a directory for the organization *organization_id*; returns it.

        **Preview.** Scalekit marks this operation as preview: the API may change.

        `directory_type` says how it syncs (``SCIM``, ``LDAP``, ``POLL``) and
        `directory_provider` the identity provider it syncs from (``OKTA``,
        ``MICROSOFT_AD``...). The new directory is disabled: configure the
        provider with its endpoint and secret, then `enable` it.

        Raises:
            TypeError: an argument is not a string (or its enum).
            ValueError: `directory_type` is empty or ``DIRECTORY_TYPE_UNSPECIFIED``.

        """
        segment("organization_id", organization_id)
        kind = _enum("directory_type", directory_type, DirectoryType)
        if kind is NOT_GIVEN or kind == DirectoryType.DIRECTORY_TYPE_UNSPECIFIED:
            raise ValueError("directory_type is required (SCIM, LDAP or POLL)")
        body = given(
            directory_type=kind,
            directory_provider=_enum("directory_provider", directory_provider, DirectoryProvider),
        )
        data = await self._engine.call(_CREATE, organization_id, body=body)
        return self._engine.unwrap(data, "directory", Directory)

    @operation(_DELETE)
    async def delete(self, id: str, *, organization_id: str) -> None:
        """Delete the directory *id* of an organization, with the users and groups it synced.

        **Preview.** Scalekit marks this operation as preview: the API may change.
        """
        segment("id", id)
        await self._engine.call(_DELETE, organization_id, id)

    @operation(_GET)
    async def get(self, id: str, *, organization_id: str) -> Directory:
        """Fetch the directory *id* (``dir_...``) of an organization."""
        data = await self._engine.call(_GET, organization_id, id)
        return self._engine.unwrap(data, "directory", Directory)

    @operation(_ENABLE)
    async def enable(self, id: str, *, organization_id: str) -> DirectoryToggle:
        """Start syncing users and groups from the directory *id*; returns its state afterwards."""
        data = await self._engine.call(_ENABLE, organization_id, id)
        return self._engine.structure(data, DirectoryToggle)

    @operation(_DISABLE)
    async def disable(self, id: str, *, organization_id: str) -> DirectoryToggle:
        """Stop syncing the directory *id*, keeping what it synced; returns its state afterwards."""
        data = await self._engine.call(_DISABLE, organization_id, id)
        return self._engine.structure(data, DirectoryToggle)

    @operation(_LIST_USERS)
    def list_users(
        self,
        id: str,
        *,
        organization_id: str,
        page_size: int | None = None,
        page_token: str | None = None,
        include_detail: bool | None = None,
        directory_group_id: str | None = None,
        updated_after: datetime | None = None,
    ) -> AsyncPaginator[DirectoryUser]:
        """List the users the directory *id* synced (at most 30 a page).

        `include_detail` adds the provider's raw payload (`user_detail`);
        `directory_group_id` keeps members of one group; `updated_after` (an
        aware `datetime`) keeps users changed since then, for incremental sync.
        An argument passed as `None` is not sent.
        """
        segment("id", id)  # a bad id is named as the caller knows it
        check_page_size(_given(page_size), _MAX_PAGE_SIZE)
        params = {
            "page_size": _given(page_size),
            "include_detail": _flag("include_detail", include_detail),
            "directory_group_id": _id("directory_group_id", directory_group_id),
            "updated_after": _timestamp(updated_after),
        }
        return self._paginate(
            _LIST_USERS,
            organization_id,
            id,
            key="users",
            item=DirectoryUser,
            params=params,
            page_token=_given(page_token),
        )

    @operation(_LIST_GROUPS)
    def list_groups(
        self,
        id: str,
        *,
        organization_id: str,
        page_size: int | None = None,
        page_token: str | None = None,
        include_detail: bool | None = None,
        include_external_groups: bool | None = None,
        updated_after: datetime | None = None,
    ) -> AsyncPaginator[DirectoryGroup]:
        """List the groups the directory *id* synced (at most 30 a page).

        `include_detail` adds the provider's raw payload (`group_detail`);
        `include_external_groups` also returns the provider's groups that are
        not tracked; `updated_after` (an aware `datetime`) keeps groups changed
        since then. An argument passed as `None` is not sent.
        """
        segment("id", id)  # a bad id is named as the caller knows it
        check_page_size(_given(page_size), _MAX_PAGE_SIZE)
        params = {
            "page_size": _given(page_size),
            "include_detail": _flag("include_detail", include_detail),
            "include_external_groups": _flag("include_external_groups", include_external_groups),
            "updated_after": _timestamp(updated_after),
        }
        return self._paginate(
            _LIST_GROUPS,
            organization_id,
            id,
            key="groups",
            item=DirectoryGroup,
            params=params,
            page_token=_given(page_token),
        )


def _given(value: T | None) -> NotGivenOr[T]:
    """`None` as not given: list filters leave out what the caller passed as `None`."""
    return NOT_GIVEN if value is None else value


def _enum(name: str, value: object, kind: type[Any]) -> Any:
    """An enum argument as its wire name (a member or its string; `None`: not given)."""
    if value is None:
        return NOT_GIVEN
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a {kind.__name__} or str, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return str(kind(value))


def _flag(name: str, value: bool | None) -> Any:
    if value is None:
        return NOT_GIVEN
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, not {type(value).__name__}")
    return value


def _id(name: str, value: str | None) -> Any:
    if value is None:
        return NOT_GIVEN
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value


def _timestamp(value: datetime | None) -> Any:
    """An RFC 3339 UTC string for the query; a naive `datetime` is ambiguous, so refused."""
    if value is None:
        return NOT_GIVEN
    if not isinstance(value, datetime):
        raise TypeError(f"updated_after must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("updated_after must be timezone-aware (e.g. datetime.now(UTC))")
    return format_timestamp(value)
