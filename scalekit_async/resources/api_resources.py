"""``client.api_resources``: API and MCP servers as resources, their clients and consents.

A resource is an API or MCP server registered with Scalekit (``res_...``).
Its clients are M2M clients (``m2m_...``) that get tokens for it; users grant
them consents. Their secrets are managed with ``client.oauth_clients``
(`OAuthClients.create_secret`, `OAuthClients.delete_secret`), and a consent is
revoked with `OAuthClients.revoke_consent`: those operations are keyed by the
client alone.

**Preview.** Every operation here but `ApiResources.list_user_consents` is a
preview of the Scalekit API: it may change without notice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._pagination import AsyncPaginator
from .._routes import Route, operation
from .._types import NOT_GIVEN, NotGiven, NotGivenOr
from ..models.api_clients import ApiClient, CreatedApiClient
from ..models.api_resources import (
    ApiResource,
    ResourceClientDetails,
    ResourceClientList,
    ResourceType,
    UserConsent,
)
from ._base import Resource, check_page_size, string_list
from ._claims import Claims, claims_body, int64_seconds
from .oauth_clients import check_id

__all__ = ["ApiResources"]

_GET = Route("GET", "/api/v1/resources/{resource_id}")
_LIST = Route("GET", "/api/v1/resources")
_CREATE_CLIENT = Route("POST", "/api/v1/resources/{resource_id}/clients")
_GET_CLIENT = Route("GET", "/api/v1/resources/{resource_id}/clients/{client_id}")
_LIST_CLIENTS = Route("GET", "/api/v1/resources/{resource_id}/clients")
_UPDATE_CLIENT = Route("PATCH", "/api/v1/resources/{resource_id}/clients/{client_id}")
_DELETE_CLIENT = Route("DELETE", "/api/v1/resources/{resource_id}/clients/{client_id}")
_LIST_CONSENTS = Route("GET", "/api/v1/user_consents")

PAGE_SIZE_MAX = 30
"""The largest ``page_size`` of `ApiResources.list` and `ApiResources.list_user_consents`."""
USER_IDS_MAX = 25
"""The most external user ids one `ApiResources.list_user_consents` call may filter on."""
NAME_MAX_LEN = 128
"""The longest resource client name."""
DESCRIPTION_MAX_LEN = 512
"""The longest resource client description."""


class ApiResources(Resource):
    """Read resources (API and MCP servers); manage their clients; list users' consents.

    **Preview.** These operations (all but `list_user_consents`) are a preview
    of the Scalekit API and may change.
    """

    __slots__ = ()

    @operation(_GET)
    async def get(self, id: str) -> ApiResource:
        """Fetch the resource *id* (``res_...``).

        **Preview.** This operation may change.

        Its `ApiResource.scopes` lists every scope of the environment, each
        marked enabled or not for this resource; a client's scope reaches a
        token only when the resource enables it (`ApiResource.enabled_scopes`),
        so read this before giving a client scopes.
        """
        check_id("id", id)
        data = await self._engine.call(_GET, id)
        return self._engine.unwrap(data, "resource", ApiResource)

    @operation(_LIST)
    def list(
        self,
        *,
        resource_type: ResourceType | str,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPaginator[ApiResource]:
        """List the resources of one type: await a page, or ``async for`` every one.

        **Preview.** This operation may change.

        The API lists one `resource_type` per call (e.g. ``ResourceType.MCP_SERVER``):
        list each type you need separately. `None` page arguments are not sent.
        """
        if not isinstance(resource_type, str):
            raise TypeError(
                f"resource_type must be a ResourceType, not {type(resource_type).__name__}"
            )
        if resource_type in ("", ResourceType.RESOURCE_TYPE_UNSPECIFIED):
            raise ValueError("resource_type is required: the API lists one type per call")
        check_page_size(page_size, PAGE_SIZE_MAX)
        params: dict[str, Any] = {"resource_type": str(resource_type)}
        if page_size is not None:
            params["page_size"] = page_size
        return self._paginate(
            _LIST,
            key="resources",
            item=ApiResource,
            params=params,
            page_token=NOT_GIVEN if page_token is None else page_token,
        )

    @operation(_CREATE_CLIENT)
    async def create_client(
        self,
        id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        scopes: Iterable[str] | None = None,
        custom_claims: Claims | None = None,
        expiry: int | None = None,
        redirect_uris: Iterable[str] | None = None,
        audience: Iterable[str] = (),
    ) -> CreatedApiClient:
        """Create a client of the resource *id*, with a first secret.

        **Preview.** This operation may change.

        Store ``result.plain_secret`` at once: the API never shows it again.
        `expiry` is the lifetime of its access tokens, in seconds. A token gets
        only the scopes the resource also enables (see `get`).

        The audience of a resource's client is always set by Scalekit, so
        `audience` exists only to refuse a non-empty value with a `ValueError`
        (as the official SDK does) instead of sending what the API would not honour.
        `None` is the same as leaving an argument out.
        """
        check_id("id", id)
        if isinstance(audience, str) or string_list("audience", audience):
            raise ValueError(
                "audience cannot be set: Scalekit determines a resource client's audience"
            )
        body, _ = _resource_client_fields(
            name=_given(name),
            description=_given(description),
            scopes=_given(scopes),
            custom_claims=_given(custom_claims),
            expiry=_given(expiry),
            redirect_uris=_given(redirect_uris),
        )
        data = await self._engine.call(_CREATE_CLIENT, id, body=body)
        return self._engine.structure(data, CreatedApiClient)

    @operation(_GET_CLIENT)
    async def get_client(self, id: str, *, client_id: str) -> ResourceClientDetails:
        """Fetch the client *client_id* of the resource *id*, and the users who consented to it.

        **Preview.** This operation may change.
        """
        check_id("id", id)
        check_id("client_id", client_id)
        data = await self._engine.call(_GET_CLIENT, id, client_id)
        return self._engine.structure(data, ResourceClientDetails)

    @operation(_LIST_CLIENTS)
    async def list_clients(self, id: str) -> ResourceClientList:
        """List every client of the resource *id* in one answer (the API does not paginate it).

        **Preview.** This operation may change.

        The answer also counts the clients by origin: dynamically registered
        (``total_dcr_clients``) and the others (``total_static_clients``).
        """
        check_id("id", id)
        data = await self._engine.call(_LIST_CLIENTS, id)
        return self._engine.structure(data, ResourceClientList)

    @operation(_UPDATE_CLIENT)
    async def update_client(
        self,
        id: str,
        *,
        client_id: str,
        name: NotGivenOr[str] = NOT_GIVEN,
        description: NotGivenOr[str] = NOT_GIVEN,
        scopes: NotGivenOr[Iterable[str] | None] = NOT_GIVEN,
        custom_claims: NotGivenOr[Claims | None] = NOT_GIVEN,
        expiry: NotGivenOr[int] = NOT_GIVEN,
        redirect_uris: NotGivenOr[Iterable[str] | None] = NOT_GIVEN,
    ) -> ApiClient:
        """Change the given fields of the client *client_id* of the resource *id*.

        **Preview.** This operation may change.

        The API's field mask (its query parameter ``update_mask``) is built from
        the arguments given. `scopes`, `custom_claims` and `redirect_uris`
        passed as `None` (or empty) are cleared; a list replaces the whole list.
        Scalekit applies `name` and `description` whenever they are not empty,
        so they cannot be cleared (an empty one is refused here).
        """
        check_id("id", id)
        check_id("client_id", client_id)
        for field, value in (("name", name), ("description", description)):
            if value == "":
                raise ValueError(f"{field} cannot be cleared: pass a non-empty value")
        body, paths = _resource_client_fields(
            name=name,
            description=description,
            scopes=scopes,
            custom_claims=custom_claims,
            expiry=expiry,
            redirect_uris=redirect_uris,
        )
        if not paths:
            raise ValueError("update_client() needs at least one field to change")
        data = await self._engine.call(
            _UPDATE_CLIENT, id, client_id, params={"update_mask": ",".join(paths)}, body=body
        )
        return self._engine.unwrap(data, "client", ApiClient)

    @operation(_DELETE_CLIENT)
    async def delete_client(self, id: str, *, client_id: str) -> None:
        """Delete the client *client_id* of the resource *id*.

        **Preview.** This operation may change.

        Scalekit deletes the client by its id alone, without checking that it
        belongs to the resource in the path. Since this method names a resource,
        it first reads the client (one more request, as the official SDK does)
        and refuses with a `ValueError` (as the official SDK does) when it belongs
        to another resource, rather than deleting another resource's client on a
        mixed-up id pair; a read answered 404 raises `NotFoundError`. The
        check and the delete are two requests, but a client never moves to
        another resource, so the only race is a concurrent delete, which the
        second request then reports as not found.
        """
        check_id("id", id)
        check_id("client_id", client_id)
        details = await self.get_client(id, client_id=client_id)
        owner = details.client.resource_id if details.client is not None else ""
        if owner != id:
            raise ValueError(f"client {client_id} does not belong to resource {id}")
        await self._engine.call(_DELETE_CLIENT, id, client_id)

    @operation(_LIST_CONSENTS)
    def list_user_consents(
        self,
        id: str,
        *,
        search: str | None = None,
        user_ids: Iterable[str] | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPaginator[UserConsent]:
        """List the consents users granted to the clients of the resource *id*.

        `user_ids` matches the users' external ids exactly (case-sensitive; any
        of them, at most 25); `search` matches a part of them, ignoring case.
        When `user_ids` holds a non-blank id it wins and `search` is ignored
        (by Scalekit: both are sent as given). `None` is not sent.
        """
        check_id("id", id)
        check_page_size(page_size, PAGE_SIZE_MAX)
        params: dict[str, Any] = {"resource_id": id}
        if search is not None:
            if not isinstance(search, str):
                raise TypeError(f"search must be a str, not {type(search).__name__}")
            params["search"] = search
        if user_ids is not None:
            ids = string_list("user_ids", user_ids)
            if len(ids) > USER_IDS_MAX:
                raise ValueError(f"user_ids holds at most {USER_IDS_MAX} ids, got {len(ids)}")
            if ids:
                params["filter.external_user_id"] = ids
        if page_size is not None:
            params["page_size"] = page_size
        return self._paginate(
            _LIST_CONSENTS,
            key="consents",
            item=UserConsent,
            params=params,
            page_token=NOT_GIVEN if page_token is None else page_token,
        )


def _given(value: Any) -> Any:
    return NOT_GIVEN if value is None else value


def _resource_client_fields(**fields: Any) -> tuple[dict[str, Any], list[str]]:
    """The ``clients.ResourceClient`` body of the given fields, and their mask paths.

    A list given as `None` is sent empty (cleared).
    """
    body: dict[str, Any] = {}
    paths: list[str] = []
    for key, value in fields.items():
        if isinstance(value, NotGiven):
            continue
        paths.append(key)
        if key in ("name", "description"):
            limit = NAME_MAX_LEN if key == "name" else DESCRIPTION_MAX_LEN
            if not isinstance(value, str):
                raise TypeError(f"{key} must be a str, not {type(value).__name__}")
            if len(value) > limit:
                raise ValueError(f"{key} must be at most {limit} characters, got {len(value)}")
            body[key] = value
        elif key == "expiry":
            body[key] = int64_seconds(key, value)
        elif value is None:
            body[key] = []
        elif key == "custom_claims":
            body[key] = claims_body(value)
        else:
            body[key] = string_list(key, value)
    return body, paths
