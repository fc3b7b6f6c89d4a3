"""``client.permissions``: the permissions roles can grant.

Permissions are addressed by name (e.g. ``read:invoices``); names are sent as
one percent-encoded path segment each, like role names. Which permissions a
role grants is managed through ``client.roles`` (``list_permissions``,
``add_permissions``, ...).
"""

from __future__ import annotations

from .._pagination import AsyncPaginator
from .._routes import Route, operation, segment
from .._types import NOT_GIVEN, NotGiven, NotGivenOr, given
from ..models.roles import Permission, PermissionType
from ._base import Resource, check_page_size
from .roles import required_text

__all__ = ["Permissions"]

_LIST = Route("GET", "/api/v1/permissions")
_CREATE = Route("POST", "/api/v1/permissions")
_GET = Route("GET", "/api/v1/permissions/{permission_name}")
_UPDATE = Route("PUT", "/api/v1/permissions/{permission_name}")
_DELETE = Route("DELETE", "/api/v1/permissions/{permission_name}")

_MAX_PAGE_SIZE = 100


class Permissions(Resource):
    """Create and manage the permissions that roles grant."""

    __slots__ = ()

    @operation(_LIST)
    def list(
        self,
        *,
        page_size: NotGivenOr[int | None] = NOT_GIVEN,
        page_token: NotGivenOr[str | None] = NOT_GIVEN,
        type: NotGivenOr[PermissionType | str | None] = NOT_GIVEN,
    ) -> AsyncPaginator[Permission]:
        """List permissions: await for the first page, or ``async for`` every one.

        `type` keeps Scalekit's predefined ones (``SCALEKIT``), yours
        (``ENVIRONMENT``) or both (``ALL``, the default). `None` is the same as
        not passing an argument.
        """
        size = NOT_GIVEN if page_size is None else page_size
        check_page_size(size, _MAX_PAGE_SIZE)
        kind = NOT_GIVEN if type is None else type
        if not isinstance(kind, NotGiven | str):
            raise TypeError(f"type must be a PermissionType or str, not {kind.__class__.__name__}")
        params = {"page_size": size, "type": kind if isinstance(kind, NotGiven) else str(kind)}
        return self._paginate(
            _LIST,
            key="permissions",
            item=Permission,
            params=params,
            page_token=NOT_GIVEN if page_token is None else page_token,
        )

    @operation(_CREATE)
    async def create(self, name: str, *, description: NotGivenOr[str] = NOT_GIVEN) -> Permission:
        """Create a permission that roles can then grant."""
        body = given(name=required_text(name, "name"), description=_description(description))
        data = await self._engine.call(_CREATE, body=body)
        return self._engine.unwrap(data, "permission", Permission)

    @operation(_GET)
    async def get(self, name: str) -> Permission:
        """Fetch a permission by name."""
        data = await self._engine.call(_GET, _key(name))
        return self._engine.unwrap(data, "permission", Permission)

    @operation(_UPDATE)
    async def update(self, name: str, *, description: str) -> Permission:
        """Replace a permission's description (its name is its identity and stays)."""
        key = _key(name)
        body = {"name": key, "description": _description(description)}
        data = await self._engine.call(_UPDATE, key, body=body)
        return self._engine.unwrap(data, "permission", Permission)

    @operation(_DELETE)
    async def delete(self, name: str) -> None:
        """Delete a permission; roles that granted it no longer do."""
        await self._engine.call(_DELETE, _key(name))


def _key(name: str) -> str:
    """The permission's name, checked as a path segment so a bad one is named `name`."""
    segment("name", name)
    return name


def _description(value: NotGivenOr[str]) -> NotGivenOr[str]:
    if isinstance(value, NotGiven):
        return value
    if not isinstance(value, str):
        raise TypeError(f"description must be a str, not {type(value).__name__}")
    return value
