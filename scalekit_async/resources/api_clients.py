"""``client.api_clients``: an organization's M2M API clients and their secrets."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._pagination import AsyncPaginator
from .._routes import Route, operation, segment
from .._types import NOT_GIVEN, NotGivenOr, given
from ..models.api_clients import ApiClient, CreatedApiClient, CreatedApiClientSecret
from ._base import Resource, check_page_size, string_list
from ._claims import Claims, claims_body, int64_seconds

__all__ = ["ApiClients"]

_CREATE = Route("POST", "/api/v1/organizations/{organization_id}/clients")
_GET = Route("GET", "/api/v1/organizations/{organization_id}/clients/{client_id}")
_UPDATE = Route("PATCH", "/api/v1/organizations/{organization_id}/clients/{client_id}")
_DELETE = Route("DELETE", "/api/v1/organizations/{organization_id}/clients/{client_id}")
_LIST = Route("GET", "/api/v1/organizations/{organization_id}/clients")
_CREATE_SECRET = Route(
    "POST", "/api/v1/organizations/{organization_id}/clients/{client_id}/secrets"
)
_DELETE_SECRET = Route(
    "DELETE", "/api/v1/organizations/{organization_id}/clients/{client_id}/secrets/{secret_id}"
)


class ApiClients(Resource):
    """Machine-to-machine API clients that act for one organization, and their secrets."""

    __slots__ = ()

    @operation(_CREATE)
    async def create(
        self,
        *,
        organization_id: str,
        name: str,
        description: NotGivenOr[str] = NOT_GIVEN,
        scopes: NotGivenOr[Iterable[str]] = NOT_GIVEN,
        audience: NotGivenOr[Iterable[str]] = NOT_GIVEN,
        custom_claims: NotGivenOr[Claims] = NOT_GIVEN,
        expiry: NotGivenOr[int] = NOT_GIVEN,
    ) -> CreatedApiClient:
        """Create an API client for an organization, with a first secret.

        Store ``result.plain_secret`` at once: the API never shows it again.
        `expiry` is the lifetime of its access tokens, in seconds.
        """
        body = _client_body(
            name=name,
            description=description,
            scopes=scopes,
            audience=audience,
            custom_claims=custom_claims,
            expiry=expiry,
        )
        data = await self._engine.call(_CREATE, organization_id, body=body)
        return self._engine.structure(data, CreatedApiClient)

    @operation(_GET)
    async def get(self, id: str, *, organization_id: str) -> ApiClient:
        """Fetch the API client *id* (``m2morg_...``) and its secrets' metadata."""
        segment("id", id)  # a bad id is named as the caller knows it
        data = await self._engine.call(_GET, organization_id, id)
        return self._engine.unwrap(data, "client", ApiClient)

    @operation(_UPDATE)
    async def update(
        self,
        id: str,
        *,
        organization_id: str,
        name: NotGivenOr[str] = NOT_GIVEN,
        description: NotGivenOr[str] = NOT_GIVEN,
        scopes: NotGivenOr[Iterable[str]] = NOT_GIVEN,
        audience: NotGivenOr[Iterable[str]] = NOT_GIVEN,
        custom_claims: NotGivenOr[Claims] = NOT_GIVEN,
        expiry: NotGivenOr[int] = NOT_GIVEN,
    ) -> ApiClient:
        """Change the given fields only; a list passed replaces the whole list."""
        segment("id", id)
        body = _client_body(
            name=name,
            description=description,
            scopes=scopes,
            audience=audience,
            custom_claims=custom_claims,
            expiry=expiry,
        )
        if not body:
            raise ValueError("update() needs at least one field to change")
        data = await self._engine.call(_UPDATE, organization_id, id, body=body)
        return self._engine.unwrap(data, "client", ApiClient)

    @operation(_DELETE)
    async def delete(self, id: str, *, organization_id: str) -> None:
        """Delete the API client *id*; tokens can no longer be issued to it."""
        segment("id", id)
        await self._engine.call(_DELETE, organization_id, id)

    @operation(_LIST)
    def list(
        self,
        *,
        organization_id: str,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPaginator[ApiClient]:
        """List an organization's API clients: await a page, or ``async for`` every one.

        `page_size` and `page_token` passed as `None` are not sent.
        """
        size: NotGivenOr[int] = NOT_GIVEN if page_size is None else page_size
        check_page_size(size)
        return self._paginate(
            _LIST,
            organization_id,
            key="clients",
            item=ApiClient,
            params={"page_size": size},
            page_token=NOT_GIVEN if page_token is None else page_token,
        )

    @operation(_CREATE_SECRET)
    async def create_secret(self, id: str, *, organization_id: str) -> CreatedApiClientSecret:
        """Add a secret to the API client *id* (to rotate secrets without downtime).

        Store ``result.plain_secret`` at once: the API never shows it again.
        """
        segment("id", id)
        data = await self._engine.call(_CREATE_SECRET, organization_id, id)
        return self._engine.structure(data, CreatedApiClientSecret)

    @operation(_DELETE_SECRET)
    async def delete_secret(self, id: str, *, organization_id: str, secret_id: str) -> None:
        """Delete the secret *secret_id* of the API client *id* (the end of a rotation)."""
        segment("id", id)
        await self._engine.call(_DELETE_SECRET, organization_id, id, secret_id)


def _client_body(
    *,
    name: NotGivenOr[str],
    description: NotGivenOr[str],
    scopes: NotGivenOr[Iterable[str]],
    audience: NotGivenOr[Iterable[str]],
    custom_claims: NotGivenOr[Claims],
    expiry: NotGivenOr[int],
) -> dict[str, Any]:
    """The ``clients.OrganizationClient`` body (sent unwrapped), with types checked."""
    for field, value in (("name", name), ("description", description)):
        if value is not NOT_GIVEN and not isinstance(value, str):
            raise TypeError(f"{field} must be a str, not {type(value).__name__}")
    return given(
        name=name,
        description=description,
        scopes=NOT_GIVEN if scopes is NOT_GIVEN else string_list("scopes", scopes),
        audience=NOT_GIVEN if audience is NOT_GIVEN else string_list("audience", audience),
        custom_claims=(
            NOT_GIVEN
            if custom_claims is NOT_GIVEN
            else claims_body(custom_claims, max_key_len=None)
        ),
        expiry=NOT_GIVEN if expiry is NOT_GIVEN else int64_seconds("expiry", expiry),
    )
