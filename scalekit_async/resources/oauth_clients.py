"""``client.oauth_clients``: the environment's OAuth clients, their secrets and consents.

An environment OAuth client (``skc_...``) is one of your own applications
(a web app, a SPA, a native app, or the environment's ``ENV`` client) signing
users in through Scalekit. The secret and consent operations here are keyed by
a client id alone, so they also serve the M2M clients of a resource
(``m2m_...``, see ``client.api_resources``).

**Preview.** Every operation here but `OAuthClients.revoke_consent` is a
preview of the Scalekit API: it may change without notice.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from .._pagination import AsyncPaginator
from .._routes import Route, operation, segment
from .._types import NOT_GIVEN, NotGiven, NotGivenOr
from ..models.api_clients import CreatedApiClientSecret
from ..models.oauth_clients import IpAllowlist, OAuthClient, OAuthClientType
from ._base import Resource, check_page_size, string_list
from ._claims import Claims, claims_body, int64_seconds

__all__ = ["OAuthClients"]

_LIST = Route("GET", "/api/v1/clients")
_CREATE = Route("POST", "/api/v1/clients")
_GET = Route("GET", "/api/v1/clients/{client_id}")
_UPDATE = Route("PATCH", "/api/v1/clients/{client_id}")
_DELETE = Route("DELETE", "/api/v1/clients/{client_id}")
_CREATE_SECRET = Route("POST", "/api/v1/clients/{client_id}/secrets")
_DELETE_SECRET = Route("DELETE", "/api/v1/clients/{client_id}/secrets/{secret_id}")
_REVOKE_CONSENT = Route("DELETE", "/api/v1/clients/{client_id}/consents/{consent_id}")

PAGE_SIZE_MAX = 30
"""The largest ``page_size`` of `OAuthClients.list`."""
ID_MAX_LEN = 32
"""The longest client, secret or consent id the API accepts."""
NAME_MAX_LEN = 128
"""The longest client name (and client type) the API accepts."""
SECRETS_MAX = 5
"""How many secrets Scalekit's own environments let one client hold (environment-specific)."""


class OAuthClients(Resource):
    """The environment's OAuth client applications, their secrets, and users' consents.

    **Preview.** These operations (all but `revoke_consent`) are a preview of
    the Scalekit API and may change.
    """

    __slots__ = ()

    @operation(_LIST)
    def list(
        self,
        *,
        client_types: Iterable[OAuthClientType | str] | None = None,
        include_plain_secret: bool | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPaginator[OAuthClient]:
        """List the environment's OAuth clients: await a page, or ``async for`` every one.

        **Preview.** This operation may change.

        `client_types` filters by type (the API lists ``ENV`` clients when none is
        given; ``ALL`` lists every type). `include_plain_secret` asks for secret
        values, which the API refuses with ``ALL``. `None` is not sent.
        """
        check_page_size(page_size, PAGE_SIZE_MAX)
        params: dict[str, Any] = {}
        types = [] if client_types is None else string_list("client_types", client_types)
        if types:
            params["filter.client_type"] = types
        if include_plain_secret is not None:
            if not isinstance(include_plain_secret, bool):
                raise TypeError("include_plain_secret must be a bool")
            if include_plain_secret and OAuthClientType.ALL in types:
                raise ValueError("include_plain_secret is not available with the ALL client type")
            params["include_plain_secret"] = include_plain_secret
        if page_size is not None:
            params["page_size"] = page_size
        return self._paginate(
            _LIST,
            key="clients",
            item=OAuthClient,
            params=params,
            page_token=NOT_GIVEN if page_token is None else page_token,
        )

    @operation(_CREATE)
    async def create(
        self,
        *,
        name: str,
        client_type: OAuthClientType | str,
        post_login_uris: Iterable[str] | None = None,
        post_logout_redirect_uris: Iterable[str] | None = None,
        back_channel_logout_uris: Iterable[str] | None = None,
        initiate_login_uri: str | None = None,
        access_token_expiry: int | None = None,
        scopes: Iterable[str] | None = None,
        custom_claims: Claims | None = None,
        grant_types: Iterable[str] | None = None,
        disallow_scalekit_api_access: bool | None = None,
        enforce_pkce: bool | None = None,
        ip_allowlist: IpAllowlist | None = None,
    ) -> OAuthClient:
        """Register an OAuth client application (``WEB_APP``, ``SPA`` or ``NTV``).

        **Preview.** This operation may change.

        `access_token_expiry` is in seconds. Redirect and logout URIs must not
        repeat; back-channel logout URIs must be absolute. A confidential
        client's first secret value, if Scalekit creates one, is in
        ``result.secrets[0].plain_secret``, shown this once; `create_secret`
        adds more. `None` is the same as leaving an argument out.
        """
        _check_text("name", name, required=True)
        _check_text("client_type", client_type, required=True)
        body: dict[str, Any] = {"name": name, "client_type": str(client_type)}
        body.update(
            _client_fields(
                post_login_uris=_none_is_not_given(post_login_uris),
                post_logout_redirect_uris=_none_is_not_given(post_logout_redirect_uris),
                back_channel_logout_uris=_none_is_not_given(back_channel_logout_uris),
                initiate_login_uri=_none_is_not_given(initiate_login_uri),
                access_token_expiry=_none_is_not_given(access_token_expiry),
                scopes=_none_is_not_given(scopes),
                custom_claims=_none_is_not_given(custom_claims),
                grant_types=_none_is_not_given(grant_types),
                disallow_scalekit_api_access=_none_is_not_given(disallow_scalekit_api_access),
                enforce_pkce=_none_is_not_given(enforce_pkce),
                ip_allowlist=_none_is_not_given(ip_allowlist),
            )[0]
        )
        data = await self._engine.call(_CREATE, body=body)
        return self._engine.unwrap(data, "client", OAuthClient)

    @operation(_GET)
    async def get(self, id: str) -> OAuthClient:
        """Fetch the OAuth client *id* (``skc_...``) and its secrets' metadata.

        **Preview.** This operation may change.
        """
        check_id("id", id)
        data = await self._engine.call(_GET, id)
        return self._engine.unwrap(data, "client", OAuthClient)

    @operation(_UPDATE)
    async def update(
        self,
        id: str,
        *,
        name: NotGivenOr[str] = NOT_GIVEN,
        post_login_uris: NotGivenOr[Iterable[str] | None] = NOT_GIVEN,
        post_logout_redirect_uris: NotGivenOr[Iterable[str] | None] = NOT_GIVEN,
        back_channel_logout_uris: NotGivenOr[Iterable[str] | None] = NOT_GIVEN,
        initiate_login_uri: NotGivenOr[str | None] = NOT_GIVEN,
        access_token_expiry: NotGivenOr[int | None] = NOT_GIVEN,
        scopes: NotGivenOr[Iterable[str] | None] = NOT_GIVEN,
        custom_claims: NotGivenOr[Claims | None] = NOT_GIVEN,
        grant_types: NotGivenOr[Iterable[str] | None] = NOT_GIVEN,
        disallow_scalekit_api_access: NotGivenOr[bool | None] = NOT_GIVEN,
        enforce_pkce: NotGivenOr[bool | None] = NOT_GIVEN,
        ip_allowlist: NotGivenOr[IpAllowlist | None] = NOT_GIVEN,
    ) -> OAuthClient:
        """Change the given fields of the OAuth client *id*; a field passed as `None` is cleared.

        **Preview.** This operation may change.

        A list passed replaces the whole list. The API's field mask (its query
        parameter ``mask``) is built from the arguments given, so nothing else
        changes.
        """
        check_id("id", id)
        if name is not NOT_GIVEN:
            _check_text("name", name, required=True)
        body, paths = _client_fields(
            name=name,
            post_login_uris=post_login_uris,
            post_logout_redirect_uris=post_logout_redirect_uris,
            back_channel_logout_uris=back_channel_logout_uris,
            initiate_login_uri=initiate_login_uri,
            access_token_expiry=access_token_expiry,
            scopes=scopes,
            custom_claims=custom_claims,
            grant_types=grant_types,
            disallow_scalekit_api_access=disallow_scalekit_api_access,
            enforce_pkce=enforce_pkce,
            ip_allowlist=ip_allowlist,
        )
        if not paths:
            raise ValueError("update() needs at least one field to change")
        data = await self._engine.call(_UPDATE, id, params={"mask": ",".join(paths)}, body=body)
        return self._engine.unwrap(data, "client", OAuthClient)

    @operation(_DELETE)
    async def delete(self, id: str) -> None:
        """Delete the OAuth client *id*: its users can no longer sign in through it.

        **Preview.** This operation may change.
        """
        check_id("id", id)
        await self._engine.call(_DELETE, id)

    @operation(_CREATE_SECRET)
    async def create_secret(self, id: str) -> CreatedApiClientSecret:
        """Add a secret to the client *id* (an OAuth client, or a resource's ``m2m_...`` client).

        **Preview.** This operation may change.

        Store ``result.plain_secret`` at once: the API never shows it again. A
        client holds a limited number of secrets (5 in Scalekit's environments;
        the limit is per environment): past it the API answers 400
        (`BadRequestError`), so delete an old secret first.

        The call is keyed by the client alone. The official SDK's
        ``create_resource_client_secret(resource_id, client_id)`` first reads the
        client to check it belongs to that resource; this method takes no
        resource, so there is nothing to check: to confirm ownership, read
        ``client.api_resources.get_client(resource_id, client_id=id)`` first.
        """
        check_id("id", id)
        data = await self._engine.call(_CREATE_SECRET, id)
        return self._engine.structure(data, CreatedApiClientSecret)

    @operation(_DELETE_SECRET)
    async def delete_secret(self, id: str, *, secret_id: str) -> None:
        """Delete the secret *secret_id* of the client *id* (the end of a rotation).

        **Preview.** This operation may change.

        A client keeps at least one secret: deleting its last one is refused
        with a 400 (`BadRequestError`). Like `create_secret`, it is keyed by the
        client alone (no resource ownership check).
        """
        check_id("id", id)
        check_id("secret_id", secret_id)
        await self._engine.call(_DELETE_SECRET, id, secret_id)

    @operation(_REVOKE_CONSENT)
    async def revoke_consent(self, id: str, *, consent_id: str) -> None:
        """Revoke a user's consent *consent_id* held by the resource client *id* (``m2m_...``).

        *id* is the client that holds the consent (`UserConsent.client_id`),
        not the resource. Scalekit deletes the consent, so the client must ask
        the user again, and revokes the refresh tokens it issued to that client
        for that user; access tokens already issued stay valid until they expire.
        """
        check_id("id", id, prefix="m2m_")
        check_id("consent_id", consent_id, prefix="usrcnst_")
        await self._engine.call(_REVOKE_CONSENT, id, consent_id)


def check_id(name: str, value: object, *, prefix: str | None = None) -> None:
    """Refuse an id the API would refuse: not one path segment, too long, wrong prefix."""
    segment(name, value)
    assert isinstance(value, str)  # segment() checked it
    if len(value) > ID_MAX_LEN:
        raise ValueError(f"{name} must be at most {ID_MAX_LEN} characters, got {len(value)}")
    if prefix is not None and not value.startswith(prefix):
        raise ValueError(f"{name} must start with {prefix!r}, got {value!r}")


def _check_text(name: str, value: object, *, required: bool = False) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if required and not value:
        raise ValueError(f"{name} must not be empty")
    if len(value) > NAME_MAX_LEN:
        raise ValueError(f"{name} must be at most {NAME_MAX_LEN} characters, got {len(value)}")


def _none_is_not_given(value: Any) -> Any:
    return NOT_GIVEN if value is None else value


def _client_fields(**fields: Any) -> tuple[dict[str, Any], list[str]]:
    """The ``clients.CreateClient``/``UpdateClient`` body of the given fields, and their paths.

    A field given as `None` is left out of the body and named in the paths
    (a field mask naming an absent field clears it); lists are sent as ``[]``.
    """
    body: dict[str, Any] = {}
    paths: list[str] = []
    for key, value in fields.items():
        if isinstance(value, NotGiven):
            continue
        paths.append(key)
        if value is None:
            if key in _LISTS:
                body[key] = []
            continue
        if key == "custom_claims":
            body[key] = claims_body(value)
        elif key in _LISTS:
            body[key] = _uris(key, value) if key.endswith("_uris") else string_list(key, value)
        elif key == "access_token_expiry":
            body[key] = int64_seconds(key, value)
        elif key in ("disallow_scalekit_api_access", "enforce_pkce"):
            if not isinstance(value, bool):
                raise TypeError(f"{key} must be a bool, not {type(value).__name__}")
            body[key] = value  # a BoolValue is a plain JSON boolean
        elif key == "ip_allowlist":
            body[key] = _allowlist(value)
        elif key == "name":
            _check_text(key, value)
            body[key] = value
        else:  # initiate_login_uri
            _check_str(key, value)
            body[key] = value
    return body, paths


_LISTS = frozenset(
    {
        "post_login_uris",
        "post_logout_redirect_uris",
        "back_channel_logout_uris",
        "scopes",
        "grant_types",
        "custom_claims",
    }
)


def _check_str(name: str, value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")


def _uris(name: str, values: Iterable[str]) -> list[str]:
    uris = string_list(name, values)
    if len(set(uris)) != len(uris):
        raise ValueError(f"{name} must not repeat a URI")
    if name == "back_channel_logout_uris":
        for uri in uris:
            parts = urlsplit(uri)
            if not parts.scheme or not parts.netloc:
                raise ValueError(f"{name} must hold absolute URIs, got {uri!r}")
    return uris


def _allowlist(value: object) -> dict[str, Any]:
    if not isinstance(value, IpAllowlist):
        raise TypeError(f"ip_allowlist must be an IpAllowlist, not {type(value).__name__}")
    if value.opted_in and not value.cidrs:
        raise ValueError("an opted-in ip_allowlist needs at least one CIDR block")
    cidrs = []
    for entry in value.cidrs:
        try:
            network = ipaddress.ip_network(entry.value, strict=False)
        except ValueError:
            raise ValueError(f"ip_allowlist: {entry.value!r} is not a CIDR block") from None
        if network.prefixlen == 0:
            raise ValueError(f"ip_allowlist: {entry.value!r} allows every address")
        cidrs.append({"value": entry.value})
    return {"opted_in": value.opted_in, "cidrs": cidrs}
