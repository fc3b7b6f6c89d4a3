"""``client.providers``: AgentKit providers, and your own custom providers (connectors).

A custom provider describes a third-party app Scalekit does not ship: how it
authenticates (``auth_patterns``) and, optionally, a proxy to reach it.
Scalekit derives the provider's ``identifier`` from its display name; update
and delete take that identifier. `Providers.list` lists the providers Scalekit
ships, your custom ones, or both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .._pagination import AsyncPaginator
from .._routes import Route, operation
from .._types import NOT_GIVEN, NotGivenOr, given
from ..models.providers import Provider, ProviderType
from ._base import Resource, check_page_size, check_strings

__all__ = ["Providers"]

_CREATE = Route("POST", "/api/v1/custom-providers")
_UPDATE = Route("PUT", "/api/v1/custom-providers/{identifier}")
_DELETE = Route("DELETE", "/api/v1/custom-providers/{identifier}")
_LIST = Route("GET", "/api/v1/providers")

_IDENTIFIER = re.compile(r"[A-Za-z0-9_:-]{0,255}")
_MAX_UINT32 = 2**32 - 1


class Providers(Resource):
    """List providers; create, replace and delete the custom providers of your environment."""

    __slots__ = ()

    @operation(_LIST)
    def list(
        self,
        *,
        provider_type: ProviderType | str | None = None,
        identifier: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPaginator[Provider]:
        """List providers: await for the first page, or ``async for`` every one.

        **Preview.** Scalekit marks this operation as a preview: the API may change.

        Args:
            provider_type: Which providers: `ProviderType.DEFAULT` (the API's
                default) the ones Scalekit ships, `CUSTOM` your environment's
                custom providers, `ALL` both.
            identifier: Only the provider with this identifier (letters, digits,
                ``_``, ``:`` and ``-``; at most 255 characters).
            page_size: Providers per page (server default when not given).
            page_token: Where to start: a page's `next_page_token` or `prev_page_token`.

        `None` is the same as leaving an argument out.
        """
        check_strings(provider_type=provider_type, identifier=identifier, page_token=page_token)
        if identifier is not None and not _IDENTIFIER.fullmatch(identifier):
            raise ValueError(
                "identifier must be at most 255 letters, digits, '_', ':' or '-', "
                f"got {identifier!r}"
            )
        if provider_type == "":
            raise ValueError("provider_type must not be empty (None: the API's default)")
        check_page_size(page_size, _MAX_UINT32)
        params = {"page_size": page_size, "identifier": identifier}
        if provider_type is not None:
            params["filter.provider_type"] = str(provider_type)
        token = NOT_GIVEN if page_token is None else page_token
        return self._paginate(
            _LIST, key="providers", item=Provider, params=params, page_token=token
        )

    @operation(_CREATE)
    async def create(
        self,
        display_name: str,
        *,
        auth_patterns: Iterable[Mapping[str, Any]],
        description: NotGivenOr[str] = NOT_GIVEN,
        proxy_url: NotGivenOr[str] = NOT_GIVEN,
        proxy_enabled: NotGivenOr[bool] = NOT_GIVEN,
        icon_src: NotGivenOr[str] = NOT_GIVEN,
        metadata: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
    ) -> Provider:
        """Create a custom provider; keep the returned ``identifier`` to change it later.

        `auth_patterns` lists how the provider authenticates (JSON objects, e.g.
        ``{"type": "OAUTH", ...}``); `proxy_url` must be an https URL.
        """
        body = _body(
            display_name=display_name,
            auth_patterns=auth_patterns,
            description=description,
            proxy_url=proxy_url,
            proxy_enabled=proxy_enabled,
            icon_src=icon_src,
            metadata=metadata,
        )
        data = await self._engine.call(_CREATE, body=body)
        return self._engine.unwrap(data, "provider", Provider)

    @operation(_UPDATE)
    async def update(
        self,
        identifier: str,
        *,
        display_name: str,
        auth_patterns: Iterable[Mapping[str, Any]],
        description: NotGivenOr[str] = NOT_GIVEN,
        proxy_url: NotGivenOr[str] = NOT_GIVEN,
        proxy_enabled: NotGivenOr[bool] = NOT_GIVEN,
        icon_src: NotGivenOr[str] = NOT_GIVEN,
        metadata: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
    ) -> Provider:
        """Replace a custom provider's definition (a PUT: the fields not given are reset).

        `display_name` and `auth_patterns` are required, as for `create`.
        """
        body = _body(
            display_name=display_name,
            auth_patterns=auth_patterns,
            description=description,
            proxy_url=proxy_url,
            proxy_enabled=proxy_enabled,
            icon_src=icon_src,
            metadata=metadata,
        )
        data = await self._engine.call(_UPDATE, identifier, body=body)
        return self._engine.unwrap(data, "provider", Provider)

    @operation(_DELETE)
    async def delete(self, identifier: str) -> None:
        """Delete a custom provider by its identifier."""
        await self._engine.call(_DELETE, identifier)


def _body(
    *,
    display_name: str,
    auth_patterns: Iterable[Mapping[str, Any]],
    description: NotGivenOr[str],
    proxy_url: NotGivenOr[str],
    proxy_enabled: NotGivenOr[bool],
    icon_src: NotGivenOr[str],
    metadata: NotGivenOr[Mapping[str, str]],
) -> dict[str, Any]:
    """The provider definition as the API takes it (sent unwrapped), checked first."""
    if not isinstance(display_name, str):
        raise TypeError(f"display_name must be a str, not {type(display_name).__name__}")
    if not 1 <= len(display_name) <= 200:
        raise ValueError("display_name must be 1 to 200 characters")
    if isinstance(auth_patterns, str | Mapping) or not isinstance(auth_patterns, Iterable):
        raise TypeError("auth_patterns must be a list of JSON objects")
    patterns = [dict(p) if isinstance(p, Mapping) else p for p in auth_patterns]
    if not all(isinstance(p, dict) for p in patterns):
        raise TypeError("auth_patterns must be a list of JSON objects")
    if not patterns:
        raise ValueError("auth_patterns must not be empty")
    if proxy_enabled is not NOT_GIVEN and not isinstance(proxy_enabled, bool):
        raise TypeError("proxy_enabled must be a bool")
    if proxy_url is not NOT_GIVEN and (
        not isinstance(proxy_url, str) or not proxy_url.startswith("https://")
    ):
        raise ValueError("proxy_url must be an https:// URL")
    return given(
        display_name=display_name,
        description=description,
        auth_patterns=patterns,
        proxy_url=proxy_url,
        proxy_enabled=proxy_enabled,
        icon_src=icon_src,
        metadata=_metadata(metadata),
    )


def _metadata(value: NotGivenOr[Mapping[str, str]]) -> NotGivenOr[dict[str, str]]:
    if value is NOT_GIVEN:
        return NOT_GIVEN
    if not isinstance(value, Mapping):
        raise TypeError("metadata must be a mapping of str to str")
    if len(value) > 20:
        raise ValueError("metadata takes at most 20 key-value pairs")
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise TypeError("metadata keys and values must be str")
        if not 3 <= len(key) <= 25 or not 1 <= len(item) <= 256:
            raise ValueError("metadata keys must be 3 to 25 characters, values 1 to 256")
    return dict(value)
