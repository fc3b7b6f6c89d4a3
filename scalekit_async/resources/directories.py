"""``client.directories``: SCIM directories, their users and groups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .._converter import format_timestamp
from .._pagination import AsyncPaginator
from .._routes import Route
from .._types import NOT_GIVEN, NotGivenOr, given
from ..models.directories import Directory, DirectoryGroup, DirectoryToggle, DirectoryUser
from ._base import Resource, check_page_size

__all__ = ["Directories"]

_LIST = Route("GET", "/api/v1/organizations/{organization_id}/directories")
_GET = Route("GET", "/api/v1/organizations/{organization_id}/directories/{id}")
_ENABLE = Route("PATCH", "/api/v1/organizations/{organization_id}/directories/{id}:enable")
_DISABLE = Route("PATCH", "/api/v1/organizations/{organization_id}/directories/{id}:disable")
_LIST_USERS = Route(
    "GET", "/api/v1/organizations/{organization_id}/directories/{directory_id}/users"
)
_LIST_GROUPS = Route(
    "GET", "/api/v1/organizations/{organization_id}/directories/{directory_id}/groups"
)

_MAX_PAGE_SIZE = 30


class Directories(Resource):
    """Read and toggle an organization's directories and list what they synced."""

    __slots__ = ()

    def list(self, organization_id: str) -> AsyncPaginator[Directory]:
        """List an organization's directories (the server answers in one page)."""
        return self._list_all(_LIST, organization_id, key="directories", item=Directory)

    async def get(self, organization_id: str, id: str) -> Directory:
        """Fetch one directory of an organization by its id (``dir_...``)."""
        data = await self._engine.call(_GET, organization_id, id)
        return self._engine.unwrap(data, "directory", Directory)

    async def enable(self, organization_id: str, id: str) -> DirectoryToggle:
        """Start syncing users and groups from a directory; returns its state afterwards."""
        data = await self._engine.call(_ENABLE, organization_id, id)
        return self._engine.structure(data, DirectoryToggle)

    async def disable(self, organization_id: str, id: str) -> DirectoryToggle:
        """Stop syncing a directory, keeping what it synced; returns its state afterwards."""
        data = await self._engine.call(_DISABLE, organization_id, id)
        return self._engine.structure(data, DirectoryToggle)

    def list_users(
        self,
        organization_id: str,
        directory_id: str,
        *,
        page_size: NotGivenOr[int] = NOT_GIVEN,
        page_token: NotGivenOr[str] = NOT_GIVEN,
        include_detail: NotGivenOr[bool] = NOT_GIVEN,
        directory_group_id: NotGivenOr[str] = NOT_GIVEN,
        updated_after: NotGivenOr[datetime] = NOT_GIVEN,
    ) -> AsyncPaginator[DirectoryUser]:
        """List the users a directory synced (at most 30 a page).

        `include_detail` adds the provider's raw payload (`user_detail`);
        `directory_group_id` keeps members of one group; `updated_after` (an
        aware `datetime`) keeps users changed since then, for incremental sync.
        """
        check_page_size(page_size, _MAX_PAGE_SIZE)
        params = given(
            page_size=page_size,
            include_detail=_flag("include_detail", include_detail),
            directory_group_id=_id("directory_group_id", directory_group_id),
            updated_after=_timestamp(updated_after),
        )
        return self._paginate(
            _LIST_USERS,
            organization_id,
            directory_id,
            key="users",
            item=DirectoryUser,
            params=params,
            page_token=page_token,
        )

    def list_groups(
        self,
        organization_id: str,
        directory_id: str,
        *,
        page_size: NotGivenOr[int] = NOT_GIVEN,
        page_token: NotGivenOr[str] = NOT_GIVEN,
        include_detail: NotGivenOr[bool] = NOT_GIVEN,
        include_external_groups: NotGivenOr[bool] = NOT_GIVEN,
        updated_after: NotGivenOr[datetime] = NOT_GIVEN,
    ) -> AsyncPaginator[DirectoryGroup]:
        """List the groups a directory synced (at most 30 a page).

        `include_detail` adds the provider's raw payload (`group_detail`);
        `include_external_groups` also returns the provider's groups that are
        not tracked; `updated_after` (an aware `datetime`) keeps groups changed
        since then.
        """
        check_page_size(page_size, _MAX_PAGE_SIZE)
        params = given(
            page_size=page_size,
            include_detail=_flag("include_detail", include_detail),
            include_external_groups=_flag("include_external_groups", include_external_groups),
            updated_after=_timestamp(updated_after),
        )
        return self._paginate(
            _LIST_GROUPS,
            organization_id,
            directory_id,
            key="groups",
            item=DirectoryGroup,
            params=params,
            page_token=page_token,
        )


def _flag(name: str, value: NotGivenOr[bool]) -> Any:
    if value is not NOT_GIVEN and not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, not {type(value).__name__}")
    return value


def _id(name: str, value: NotGivenOr[str]) -> Any:
    if value is NOT_GIVEN:
        return value
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value


def _timestamp(value: NotGivenOr[datetime]) -> Any:
    """An RFC 3339 UTC string for the query; a naive `datetime` is ambiguous, so refused."""
    if value is NOT_GIVEN:
        return value
    if not isinstance(value, datetime):
        raise TypeError(f"updated_after must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("updated_after must be timezone-aware (e.g. datetime.now(UTC))")
    return format_timestamp(value)
