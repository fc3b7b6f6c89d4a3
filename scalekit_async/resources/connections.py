"""``client.connections``: the SSO connections of organizations."""

from __future__ import annotations

from .._pagination import AsyncPaginator
from .._routes import Route
from .._types import NOT_GIVEN, NotGivenOr, given
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

    def list(
        self,
        *,
        organization_id: NotGivenOr[str] = NOT_GIVEN,
        domain: NotGivenOr[str] = NOT_GIVEN,
        include: NotGivenOr[str] = NOT_GIVEN,
    ) -> AsyncPaginator[ConnectionSummary]:
        """List connections, by organization or by an email domain of its organization.

        The server answers with one unpaginated list. By default it holds only
        active connections (configured and enabled); ``include="all"`` lists
        every connection whatever its state.
        """
        params = given(
            organization_id=_filter("organization_id", organization_id),
            domain=_filter("domain", domain),
            include=_filter("include", include),
        )
        return self._list_all(_LIST, key="connections", item=ConnectionSummary, params=params)

    async def get(self, organization_id: str, id: str) -> Connection:
        """Fetch one connection of an organization, with its protocol settings."""
        data = await self._engine.call(_GET, organization_id, id)
        return self._engine.unwrap(data, "connection", Connection)

    async def delete(self, organization_id: str, id: str) -> None:
        """Delete a connection; its users can no longer sign in through it."""
        await self._engine.call(_DELETE, organization_id, id)

    async def enable(self, organization_id: str, id: str) -> ConnectionToggle:
        """Let users sign in through a connection; returns its state afterwards."""
        data = await self._engine.call(_ENABLE, organization_id, id)
        return self._engine.structure(data, ConnectionToggle)

    async def disable(self, organization_id: str, id: str) -> ConnectionToggle:
        """Stop sign-ins through a connection, keeping its settings; returns its state."""
        data = await self._engine.call(_DISABLE, organization_id, id)
        return self._engine.structure(data, ConnectionToggle)


def _filter(name: str, value: NotGivenOr[str]) -> NotGivenOr[str]:
    """Check an optional string filter: a `str`, and not empty (the API needs 1+ chars)."""
    if value is NOT_GIVEN:
        return value
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value
