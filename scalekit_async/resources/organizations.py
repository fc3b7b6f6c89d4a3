"""``client.organizations``: organizations and their settings, portal links and policies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .._pagination import AsyncPaginator
from .._routes import Route, operation, segment
from .._types import NOT_GIVEN, NotGivenOr, given
from ..models._common import RegionCode, TimeUnit
from ..models.organizations import (
    Feature,
    Organization,
    PortalLink,
    SessionPolicy,
    SessionPolicyType,
    UserManagementSettings,
)
from ._base import Resource, check_page_size, check_strings

__all__ = ["Organizations"]

_LIST = Route("GET", "/api/v1/organizations")
_CREATE = Route("POST", "/api/v1/organizations")
_GET = Route("GET", "/api/v1/organizations/{id}")
_GET_EXTERNAL = Route("GET", "/api/v1/organizations:external/{external_id}")
_UPDATE = Route("PATCH", "/api/v1/organizations/{id}")
_DELETE = Route("DELETE", "/api/v1/organizations/{id}")
_PORTAL_LINK = Route("PUT", "/api/v1/organizations/{id}/portal_links")
_SETTINGS = Route("PATCH", "/api/v1/organizations/{id}/settings")
_GET_SESSION_POLICY = Route("GET", "/api/v1/organizations/{organization_id}/session-policy")
_UPDATE_SESSION_POLICY = Route("PATCH", "/api/v1/organizations/{organization_id}/session-policy")
_USER_MANAGEMENT = Route("PATCH", "/api/v1/organizations/{organization_id}/settings/usermanagement")
_GET_USER_MANAGEMENT = Route(
    "GET", "/api/v1/organizations/{organization_id}/settings/usermanagement"
)
_SEARCH = Route("GET", "/api/v1/organizations:search")

SEARCH_MAX_PAGE_SIZE = 30
"""The largest ``page_size`` of an organization search."""
_MAX_ORGANIZATION_ID = 32


class Organizations(Resource):
    """Create, read, update, delete and list organizations (your customers' tenants)."""

    __slots__ = ()

    @operation(_CREATE)
    async def create(
        self,
        display_name: str,
        *,
        external_id: NotGivenOr[str | None] = NOT_GIVEN,
        metadata: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
        region_code: NotGivenOr[RegionCode | str] = NOT_GIVEN,
        slug: NotGivenOr[str | None] = NOT_GIVEN,
        logo_url: NotGivenOr[str | None] = NOT_GIVEN,
    ) -> Organization:
        """Create an organization; `external_id` links it to your own tenant id."""
        check_strings(
            display_name=display_name,
            external_id=external_id,
            region_code=region_code,
            slug=slug,
            logo_url=logo_url,
        )
        body = given(
            display_name=display_name,
            external_id=external_id,
            metadata=_metadata(metadata),
            region_code=region_code,
            slug=slug,
            logo_url=logo_url,
        )
        data = await self._engine.call(_CREATE, body=body)
        return self._engine.unwrap(data, "organization", Organization)

    @operation(_GET)
    async def get(self, id: str) -> Organization:
        """Fetch an organization by its Scalekit id (``org_...``)."""
        data = await self._engine.call(_GET, id)
        return self._engine.unwrap(data, "organization", Organization)

    @operation(_GET_EXTERNAL)
    async def get_by_external_id(self, external_id: str) -> Organization:
        """Fetch an organization by the external id your application gave it."""
        data = await self._engine.call(_GET_EXTERNAL, external_id)
        return self._engine.unwrap(data, "organization", Organization)

    @operation(_UPDATE)
    async def update(
        self,
        id: str,
        *,
        display_name: NotGivenOr[str] = NOT_GIVEN,
        external_id: NotGivenOr[str | None] = NOT_GIVEN,
        metadata: NotGivenOr[Mapping[str, str] | None] = NOT_GIVEN,
        slug: NotGivenOr[str | None] = NOT_GIVEN,
        logo_url: NotGivenOr[str | None] = NOT_GIVEN,
    ) -> Organization:
        """Change the given fields only; a field passed as `None` is cleared."""
        check_strings(
            display_name=display_name, external_id=external_id, slug=slug, logo_url=logo_url
        )
        body = given(
            display_name=display_name,
            external_id=external_id,
            metadata=_metadata(metadata),
            slug=slug,
            logo_url=logo_url,
        )
        if not body:
            raise ValueError("update() needs at least one field to change")
        data = await self._engine.call(_UPDATE, id, body=body)
        return self._engine.unwrap(data, "organization", Organization)

    @operation(_DELETE)
    async def delete(self, id: str) -> None:
        """Delete an organization (its domains and connections go with it)."""
        await self._engine.call(_DELETE, id)

    @operation(_LIST)
    def list(
        self,
        *,
        page_size: NotGivenOr[int | None] = NOT_GIVEN,
        page_token: NotGivenOr[str | None] = NOT_GIVEN,
        external_id: NotGivenOr[str | None] = NOT_GIVEN,
    ) -> AsyncPaginator[Organization]:
        """List organizations: await for the first page, or ``async for`` every one.

        `None` is the same as leaving an argument out.
        """
        check_page_size(page_size)
        params = {
            "page_size": page_size,
            "external_id": external_id,
        }  # the query drops None, not given
        return self._paginate(
            _LIST, key="organizations", item=Organization, params=params, page_token=page_token
        )

    @operation(_SEARCH)
    def search(
        self,
        query: str,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPaginator[Organization]:
        """Find organizations whose name, id or external id contains *query* (any case).

        **Preview.** Scalekit marks this operation as a preview: the API may change.

        Args:
            query: The text to look for, 3 to 100 characters.
            page_size: Organizations per page, 1 to 30.
            page_token: Where to start: a page's `next_page_token` or `prev_page_token`.
        """
        if not isinstance(query, str):
            raise TypeError(f"query must be a str, not {type(query).__name__}")
        if not 3 <= len(query) <= 100:
            raise ValueError(f"query must be 3 to 100 characters, got {len(query)}")
        check_page_size(page_size, SEARCH_MAX_PAGE_SIZE)
        check_strings(page_token=page_token)
        params = {"query": query, "page_size": page_size}  # the query drops None, not given
        token = NOT_GIVEN if page_token is None else page_token
        return self._paginate(
            _SEARCH, key="organizations", item=Organization, params=params, page_token=token
        )

    @operation(_SETTINGS)
    async def update_settings(self, id: str, *, features: Mapping[str, bool]) -> Organization:
        """Turn organization features on or off, e.g. ``{"sso": True, "dir_sync": False}``."""
        if not isinstance(features, Mapping) or not features:
            raise TypeError("features must be a non-empty mapping of feature name to bool")
        body = {
            "features": [{"name": str(name), "enabled": bool(on)} for name, on in features.items()]
        }
        data = await self._engine.call(_SETTINGS, id, body=body)
        return self._engine.unwrap(data, "organization", Organization)

    @operation(_PORTAL_LINK)
    async def generate_portal_link(
        self, id: str, *, features: Iterable[Feature | str] = ()
    ) -> PortalLink:
        """Create a one-time admin-portal link, optionally limited to some features."""
        if isinstance(features, str):
            raise TypeError("features must be a list of feature names, not one string")
        params = {"features": [str(f) for f in features]}
        data = await self._engine.call(_PORTAL_LINK, id, params=params)
        return self._engine.unwrap(data, "link", PortalLink)

    @operation(_GET_SESSION_POLICY)
    async def get_session_policy(self, id: str) -> SessionPolicy:
        """Fetch the session timeouts that apply to the organization *id*."""
        segment("id", id)  # a bad id is named as the caller knows it
        data = await self._engine.call(_GET_SESSION_POLICY, id)
        return self._engine.unwrap(data, "policy", SessionPolicy)

    @operation(_UPDATE_SESSION_POLICY)
    async def update_session_policy(
        self,
        id: str,
        *,
        policy_source: NotGivenOr[SessionPolicyType | str] = NOT_GIVEN,
        absolute_session_timeout: NotGivenOr[int | None] = NOT_GIVEN,
        absolute_session_timeout_unit: NotGivenOr[TimeUnit | str | None] = NOT_GIVEN,
        idle_session_timeout_enabled: NotGivenOr[bool | None] = NOT_GIVEN,
        idle_session_timeout: NotGivenOr[int | None] = NOT_GIVEN,
        idle_session_timeout_unit: NotGivenOr[TimeUnit | str | None] = NOT_GIVEN,
    ) -> SessionPolicy:
        """Change the session timeouts of the organization *id* (only the given fields).

        A timeout passed as `None` is cleared.
        """
        segment("id", id)
        body = given(
            policy_source=policy_source,
            absolute_session_timeout=absolute_session_timeout,
            absolute_session_timeout_unit=absolute_session_timeout_unit,
            idle_session_timeout_enabled=idle_session_timeout_enabled,
            idle_session_timeout=idle_session_timeout,
            idle_session_timeout_unit=idle_session_timeout_unit,
        )
        data = await self._engine.call(_UPDATE_SESSION_POLICY, id, body=body)
        return self._engine.unwrap(data, "policy", SessionPolicy)

    @operation(_USER_MANAGEMENT)
    async def upsert_user_management_settings(
        self, id: str, *, max_allowed_users: int | None
    ) -> UserManagementSettings:
        """Set the user-management limits of the organization *id* (the most users it may have).

        `max_allowed_users=None` removes the limit.
        """
        segment("id", id)
        body = {"settings": {"max_allowed_users": max_allowed_users}}
        data = await self._engine.call(_USER_MANAGEMENT, id, body=body)
        return self._engine.unwrap(data, "settings", UserManagementSettings)

    @operation(_GET_USER_MANAGEMENT)
    async def get_user_management_settings(self, id: str) -> UserManagementSettings:
        """Fetch the user-management limits of the organization *id*, as last set.

        **Preview.** Scalekit marks this operation as a preview: the API may change.

        `max_allowed_users` is `None` when no limit was ever set (or it was
        removed); `upsert_user_management_settings` changes it.

        Raises:
            ValueError: *id* is not an organization id (``org_...``, at most 32 characters).

        """
        _organization_id(id)
        data = await self._engine.call(_GET_USER_MANAGEMENT, id)
        if isinstance(data, Mapping) and data.get("settings") is None:
            return UserManagementSettings()  # protojson omits an empty settings message
        return self._engine.unwrap(data, "settings", UserManagementSettings)


def _organization_id(value: str) -> None:
    """Check an organization id the way the API's validation does (``org_``, 32 at most)."""
    segment("id", value)  # a TypeError for a non-string, naming `id` as the caller knows it
    if not value.startswith("org_") or len(value) > _MAX_ORGANIZATION_ID:
        raise ValueError(
            f"id must be an organization id (org_..., at most {_MAX_ORGANIZATION_ID} "
            f"characters), got {value!r}"
        )


def _metadata(value: NotGivenOr[Mapping[str, str] | None]) -> object:
    if value is NOT_GIVEN or value is None:
        return value
    if not isinstance(value, Mapping):
        raise TypeError("metadata must be a mapping of str to str")
    for k, v in value.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise TypeError("metadata keys and values must be str")
    return dict(value)
