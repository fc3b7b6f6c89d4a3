"""``client.permissions``: permissions, and which permissions a role grants.

Permissions are addressed by name (e.g. ``read:invoices``); names are sent as
one percent-encoded path segment each, like role names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .._pagination import AsyncPaginator
from .._routes import Route
from .._types import NOT_GIVEN, NotGiven, NotGivenOr, given
from ..models.roles import Permission, PermissionType
from ._base import Resource, check_page_size
from .roles import _names, _text

__all__ = ["Permissions"]

_LIST = Route("GET", "/api/v1/permissions")
_CREATE = Route("POST", "/api/v1/permissions")
_GET = Route("GET", "/api/v1/permissions/{permission_name}")
_UPDATE = Route("PUT", "/api/v1/permissions/{permission_name}")
_DELETE = Route("DELETE", "/api/v1/permissions/{permission_name}")
_LIST_FOR_ROLE = Route("GET", "/api/v1/roles/{role_name}/permissions")
_ADD_TO_ROLE = Route("POST", "/api/v1/roles/{role_name}/permissions")
_REMOVE_FROM_ROLE = Route("DELETE", "/api/v1/roles/{role_name}/permissions/{permission_name}")
_LIST_EFFECTIVE = Route("GET", "/api/v1/roles/{role_name}/permissions:all")

_MAX_PAGE_SIZE = 100


class Permissions(Resource):
    """Create and manage permissions, and grant them to environment roles."""

    __slots__ = ()

    def list(
        self,
        *,
        page_size: NotGivenOr[int] = NOT_GIVEN,
        page_token: NotGivenOr[str] = NOT_GIVEN,
        type: NotGivenOr[PermissionType | str] = NOT_GIVEN,
    ) -> AsyncPaginator[Permission]:
        """List permissions: await for the first page, or ``async for`` every one.

        `type` keeps Scalekit's predefined ones (``SCALEKIT``), yours
        (``ENVIRONMENT``) or both (``ALL``, the default).
        """
        check_page_size(page_size, _MAX_PAGE_SIZE)
        if not isinstance(type, NotGiven | str):
            raise TypeError(f"type must be a PermissionType or str, not {type.__class__.__name__}")
        params = given(page_size=page_size, type=type if isinstance(type, NotGiven) else str(type))
        return self._paginate(
            _LIST, key="permissions", item=Permission, params=params, page_token=page_token
        )

    async def create(self, name: str, *, description: NotGivenOr[str] = NOT_GIVEN) -> Permission:
        """Create a permission that roles can then grant."""
        body = given(name=_text(name, "name"), description=_description(description))
        data = await self._engine.call(_CREATE, body=body)
        return self._engine.unwrap(data, "permission", Permission)

    async def get(self, permission_name: str) -> Permission:
        """Fetch a permission by name."""
        data = await self._engine.call(_GET, permission_name)
        return self._engine.unwrap(data, "permission", Permission)

    async def update(self, permission_name: str, *, description: str) -> Permission:
        """Replace a permission's description (its name is its identity and stays)."""
        name = _text(permission_name, "permission_name")
        body = {"name": name, "description": _description(description)}
        data = await self._engine.call(_UPDATE, permission_name, body=body)
        return self._engine.unwrap(data, "permission", Permission)

    async def delete(self, permission_name: str) -> None:
        """Delete a permission; roles that granted it no longer do."""
        await self._engine.call(_DELETE, permission_name)

    # -- what roles grant -------------------------------------------------

    def list_for_role(self, role_name: str) -> AsyncPaginator[Permission]:
        """List the permissions a role grants itself, without inherited ones (one page)."""
        return self._list_all(_LIST_FOR_ROLE, role_name, key="permissions", item=Permission)

    async def add_to_role(
        self, role_name: str, *, permission_names: Iterable[str]
    ) -> tuple[Permission, ...]:
        """Grant permissions to a role; returns every permission the role now grants itself."""
        names = _names(permission_names, "permission_names")
        if not names:
            raise ValueError("permission_names must name at least one permission")
        data = await self._engine.call(_ADD_TO_ROLE, role_name, body={"permission_names": names})
        raw = data.get("permissions") if isinstance(data, Mapping) else None
        return self._engine.structure(raw or [], tuple[Permission, ...])

    async def remove_from_role(self, role_name: str, permission_name: str) -> None:
        """Stop a role granting a permission itself (a base role may still grant it)."""
        await self._engine.call(_REMOVE_FROM_ROLE, role_name, permission_name)

    def list_effective_for_role(self, role_name: str) -> AsyncPaginator[Permission]:
        """List every permission a role grants, inherited through ``extends`` included."""
        return self._list_all(_LIST_EFFECTIVE, role_name, key="permissions", item=Permission)


def _description(value: NotGivenOr[str]) -> NotGivenOr[str]:
    if isinstance(value, NotGiven):
        return value
    if not isinstance(value, str):
        raise TypeError(f"description must be a str, not {type(value).__name__}")
    return value
