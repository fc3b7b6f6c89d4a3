"""``client.connections``: the SSO connections of organizations."""

from __future__ import annotations

from .._pagination import AsyncPaginator
from .._routes import Route, operation
from ..models.connections import Connection, ConnectionSummary, ConnectionToggle
from ._base import Resource

__all__ = ["Connections"]

_LIST = Route("GET", "/api/v1/connections")
_GET = Route("GET", "/api/v1/organizations/{organization_id}/connections/{id}")
_DELETE = Route("DELETE", "/api/v1/organizations/{organization_id}/connections/{id}")
_ENABLE = Route("PATCH", "/api/v1/organizations/{organization_id}/connections/{id}:enable")
_DISABLE = Route("PATCH", "/api/v1/organizations/{organization_id}/connections/{id}:disable")


class Connections(Resource):
    """Read, enable, disable and delete organizations' SSO connections."""

    __slots__ = ()

    @operation(_LIST)
    def list(
        self,
        *,
        organization_id: str | None = None,
        domain: str | None = None,
        include: str | None = None,
    ) -> AsyncPaginator[ConnectionSummary]:
        """List connections, by organization or by an email domain of its organization.

        The server answers with one unpaginated list. By default it holds only
        active connections (configured and enabled); ``include="all"`` lists
        every connection whatever its state. A filter passed as `None` is not sent.
        """
        params = {
            name: _filter(name, value)
            for name, value in (
                ("organization_id", organization_id),
                ("domain", domain),
                ("include", include),
            )
            if value is not None
        }
        return self._list_all(_LIST, key="connections", item=ConnectionSummary, params=params)

    @operation(_GET)
    async def get(self, id: str, *, organization_id: str) -> Connection:
        """Fetch the connection *id* of an organization, with its protocol settings."""
        data = await self._engine.call(_GET, organization_id, id)
        return self._engine.unwrap(data, "connection", Connection)

    @operation(_DELETE)
    async def delete(self, id: str, *, organization_id: str) -> None:
        """Delete the connection *id*; its users can no longer sign in through it."""
        await self._engine.call(_DELETE, organization_id, id)

    @operation(_ENABLE)
    async def enable(self, id: str, *, organization_id: str) -> ConnectionToggle:
        """Let users sign in through the connection *id*; returns its state afterwards."""
        data = await self._engine.call(_ENABLE, organization_id, id)
        return self._engine.structure(data, ConnectionToggle)

    @operation(_DISABLE)
    async def disable(self, id: str, *, organization_id: str) -> ConnectionToggle:
        """Stop sign-ins through the connection *id*, keeping its settings; returns its state."""
        data = await self._engine.call(_DISABLE, organization_id, id)
        return self._engine.structure(data, ConnectionToggle)


def _filter(name: str, value: object) -> str:
    """Check a string filter: a `str`, and not empty (the API needs 1+ chars)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value
