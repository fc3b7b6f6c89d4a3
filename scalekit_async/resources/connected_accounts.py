"""``client.connected_accounts``: AgentKit connected accounts (credentials tools act with).

A connected account is found either by its id (``ca_...``) or by the
connector it belongs to (``"gmail"``, ``"slack"``, ...) together with the
account's identifier at that connector (an email address, a workspace id),
optionally narrowed to an organization or a user. Every method that finds an
account takes the same keyword arguments: ``id=`` or ``connector=`` and
``identifier=`` (plus ``organization_id=``/``user_id=``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import cattrs

from .._pagination import AsyncPaginator
from .._routes import Route, operation
from .._types import NOT_GIVEN, NotGivenOr, given
from ..models.connected_accounts import (
    AuthorizationDetails,
    ConnectedAccount,
    ConnectedAccountMagicLink,
    ConnectedAccountSummary,
    ConnectedAccountVerification,
)
from ._base import Resource, check_page_size

__all__ = ["ConnectedAccounts"]

_LIST = Route("GET", "/api/v1/connected_accounts")
_SEARCH = Route("GET", "/api/v1/connected_accounts:search")
_CREATE = Route("POST", "/api/v1/connected_accounts")
_UPDATE = Route("PUT", "/api/v1/connected_accounts")
_DELETE = Route("POST", "/api/v1/connected_accounts:delete")
_MAGIC_LINK = Route("POST", "/api/v1/connected_accounts/magic_link")
_GET_AUTH = Route("GET", "/api/v1/connected_accounts/auth")
_GET_DETAILS = Route("GET", "/api/v1/connected_accounts/details")
_VERIFY_USER = Route("POST", "/api/v1/connected_accounts/user/verify")

LIST_PAGE_SIZE_MAX = 99
"""The largest ``page_size`` of `ConnectedAccounts.list` (the API takes fewer than 100)."""
SEARCH_PAGE_SIZE_MAX = 30
"""The largest ``page_size`` of `ConnectedAccounts.search`."""


class ConnectedAccounts(Resource):
    """Create, read, update, delete, list and authorize AgentKit connected accounts."""

    __slots__ = ()

    @operation(_LIST)
    def list(
        self,
        *,
        organization_id: str | None = None,
        user_id: str | None = None,
        connector: str | None = None,
        identifier: str | None = None,
        provider: str | None = None,
        query: str | None = None,
        connection_names: Iterable[str] | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPaginator[ConnectedAccountSummary]:
        """List connected accounts (without credentials), filtered by the given fields.

        `connection_names` (at most 20) matches any of the named connections and
        cannot be combined with `connector`. A filter passed as `None` is not sent.
        """
        if page_size is not None:
            check_page_size(page_size, LIST_PAGE_SIZE_MAX)
        names: list[str] | None = None
        if connection_names is not None:
            names = _str_list("connection_names", connection_names)
            if len(names) > 20:
                raise ValueError("connection_names takes at most 20 names")
            if connector is not None:
                raise ValueError("connection_names cannot be combined with connector")
        params = _present(
            organization_id=organization_id,
            user_id=user_id,
            connector=connector,
            identifier=identifier,
            provider=provider,
            query=query,
            connection_names=names,
            page_size=page_size,
        )
        return self._paginate(
            _LIST,
            key="connected_accounts",
            item=ConnectedAccountSummary,
            params=params,
            page_token=NOT_GIVEN if page_token is None else page_token,
        )

    @operation(_SEARCH)
    def search(
        self,
        query: str,
        *,
        connection_id: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPaginator[ConnectedAccountSummary]:
        """Find connected accounts whose identifier, provider or connector matches *query*.

        The query is case-insensitive and must be 3 to 200 characters long.
        `connection_id`, `page_size` and `page_token` passed as `None` are not sent.
        """
        if not isinstance(query, str):
            raise TypeError(f"query must be a str, not {type(query).__name__}")
        if not 3 <= len(query) <= 200:
            raise ValueError("query must be between 3 and 200 characters")
        if page_size is not None:
            check_page_size(page_size, SEARCH_PAGE_SIZE_MAX)
        params = _present(query=query, connection_id=connection_id, page_size=page_size)
        return self._paginate(
            _SEARCH,
            key="connected_accounts",
            item=ConnectedAccountSummary,
            params=params,
            page_token=NOT_GIVEN if page_token is None else page_token,
        )

    @operation(_CREATE)
    async def create(
        self,
        *,
        connector: str,
        identifier: str,
        organization_id: NotGivenOr[str] = NOT_GIVEN,
        user_id: NotGivenOr[str] = NOT_GIVEN,
        authorization_details: NotGivenOr[AuthorizationDetails | Mapping[str, Any]] = NOT_GIVEN,
        api_config: NotGivenOr[Mapping[str, Any]] = NOT_GIVEN,
    ) -> ConnectedAccount:
        """Create the account *identifier* of *connector*, for an organization or a user.

        With `authorization_details` (e.g. ``AuthorizationDetails(oauth_token=
        OauthToken(access_token=..., refresh_token=...))``) the account is
        usable at once; without, it waits for the user to authorize it (see
        `generate_magic_link`).
        """
        _require_str("connector", connector)
        _require_str("identifier", identifier)
        body = given(
            organization_id=organization_id,
            user_id=user_id,
            connector=connector,
            identifier=identifier,
        )
        body["connected_account"] = _account_body(
            self._engine.converter, authorization_details, api_config
        )
        data = await self._engine.call(_CREATE, body=body)
        return self._engine.unwrap(data, "connected_account", ConnectedAccount)

    @operation(_UPDATE)
    async def update(
        self,
        *,
        id: str | None = None,
        connector: str | None = None,
        identifier: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        authorization_details: NotGivenOr[AuthorizationDetails | Mapping[str, Any]] = NOT_GIVEN,
        api_config: NotGivenOr[Mapping[str, Any]] = NOT_GIVEN,
    ) -> ConnectedAccount:
        """Replace an account's credentials and/or merge into its API configuration.

        Find the account by ``id=``, or by ``connector=`` and ``identifier=``
        (a locator passed as `None` is not given).
        """
        body = _locator(id, connector, identifier, organization_id, user_id)
        if authorization_details is NOT_GIVEN and api_config is NOT_GIVEN:
            raise ValueError("update() needs authorization_details or api_config")
        body["connected_account"] = _account_body(
            self._engine.converter, authorization_details, api_config
        )
        data = await self._engine.call(_UPDATE, body=body)
        return self._engine.unwrap(data, "connected_account", ConnectedAccount)

    @operation(_DELETE)
    async def delete(
        self,
        *,
        id: str | None = None,
        connector: str | None = None,
        identifier: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
    ) -> None:
        """Delete a connected account and revoke its credentials.

        The API takes this as ``POST .../connected_accounts:delete`` with the
        account's locator in the body, so it is not retried on a 5xx by default.
        """
        body = _locator(id, connector, identifier, organization_id, user_id)
        await self._engine.call(_DELETE, body=body)

    @operation(_GET_DETAILS)
    async def get(
        self,
        *,
        id: str | None = None,
        connector: str | None = None,
        identifier: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
    ) -> ConnectedAccount:
        """Fetch an account's metadata (status, provider, ...) without its credentials."""
        params = _locator(id, connector, identifier, organization_id, user_id)
        data = await self._engine.call(_GET_DETAILS, params=params)
        return self._engine.unwrap(data, "connected_account", ConnectedAccount)

    @operation(_GET_AUTH)
    async def get_auth(
        self,
        *,
        id: str | None = None,
        connector: str | None = None,
        identifier: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
    ) -> ConnectedAccount:
        """Fetch an account with its credentials (``authorization_details``: tokens, keys).

        The secrets are kept out of the returned model's repr; handle them with care.
        """
        params = _locator(id, connector, identifier, organization_id, user_id)
        data = await self._engine.call(_GET_AUTH, params=params)
        return self._engine.unwrap(data, "connected_account", ConnectedAccount)

    @operation(_MAGIC_LINK)
    async def generate_magic_link(
        self,
        *,
        id: str | None = None,
        connector: str | None = None,
        identifier: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        state: NotGivenOr[str] = NOT_GIVEN,
        user_verify_url: NotGivenOr[str] = NOT_GIVEN,
    ) -> ConnectedAccountMagicLink:
        """Create a time-limited link that takes a user through the connector's authorization.

        With `user_verify_url`, Scalekit sends the user there afterwards with an
        ``auth_request_id`` (and your `state`); confirm the user with `verify_user`.
        """
        body = _locator(id, connector, identifier, organization_id, user_id)
        body.update(given(state=state, user_verify_url=user_verify_url))
        data = await self._engine.call(_MAGIC_LINK, body=body)
        return self._engine.structure(data, ConnectedAccountMagicLink)

    @operation(_VERIFY_USER)
    async def verify_user(
        self, *, auth_request_id: str, identifier: str
    ) -> ConnectedAccountVerification:
        """Confirm the user who authorized an account, which makes the account active.

        Call it from your ``user_verify_url`` handler with the ``auth_request_id``
        it received and the identifier of the user logged in to your app; a
        mismatch is refused (403).
        """
        _require_str("auth_request_id", auth_request_id)
        _require_str("identifier", identifier)
        body = {"auth_request_id": auth_request_id, "identifier": identifier}
        data = await self._engine.call(_VERIFY_USER, body=body)
        return self._engine.structure(data, ConnectedAccountVerification)


def _require_str(name: str, value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")


def _str_list(name: str, values: Iterable[str]) -> list[str]:
    if isinstance(values, str):
        raise TypeError(f"{name} must be a list of str, not one str")
    out = list(values)
    if not all(isinstance(v, str) for v in out):
        raise TypeError(f"{name} must be a list of str")
    return out


def _present(**fields: object) -> dict[str, Any]:
    """The keyword arguments whose value is not `None` (a filter passed as `None` is not sent)."""
    return {k: v for k, v in fields.items() if v is not None}


def _locator(
    id: str | None,
    connector: str | None,
    identifier: str | None,
    organization_id: str | None,
    user_id: str | None,
) -> dict[str, Any]:
    """The fields that find one connected account: an id, or a connector and identifier.

    A field passed as `None` is not given.
    """
    fields = _present(
        organization_id=organization_id,
        user_id=user_id,
        connector=connector,
        identifier=identifier,
        id=id,
    )
    for name, value in fields.items():
        _require_str(name, value)
    if "id" not in fields and not ("connector" in fields and "identifier" in fields):
        raise ValueError("find the connected account by id=, or by connector= and identifier=")
    return fields


def _account_body(
    converter: cattrs.Converter,
    authorization_details: NotGivenOr[AuthorizationDetails | Mapping[str, Any]],
    api_config: NotGivenOr[Mapping[str, Any]],
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if authorization_details is not NOT_GIVEN:
        body["authorization_details"] = _details(converter, authorization_details)
    if api_config is not NOT_GIVEN:
        if not isinstance(api_config, Mapping):
            raise TypeError("api_config must be a mapping (a JSON object)")
        body["api_config"] = dict(api_config)
    return body


def _details(
    converter: cattrs.Converter, value: AuthorizationDetails | Mapping[str, Any]
) -> dict[str, Any]:
    """Wire JSON of credentials: a model's set fields only, or a mapping as given."""
    if isinstance(value, AuthorizationDetails):
        wire = _compact(converter.unstructure(value))
        return wire if isinstance(wire, dict) else {}
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError("authorization_details must be an AuthorizationDetails or a mapping")


def _compact(value: Any) -> Any:
    """Drop unset (``None``) and empty values: proto3 reads them as absent anyway."""
    if isinstance(value, Mapping):
        out = {k: _compact(v) for k, v in value.items() if v is not None}
        return {k: v for k, v in out.items() if v not in ("", [], (), {})}
    if isinstance(value, list | tuple):
        return [_compact(v) for v in value]
    return value
