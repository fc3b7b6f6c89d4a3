"""``client.providers``: AgentKit custom providers (your own connectors).

A custom provider describes a third-party app Scalekit does not ship: how it
authenticates (``auth_patterns``) and, optionally, a proxy to reach it.
Scalekit derives the provider's ``identifier`` from its display name; update
and delete take that identifier.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .._routes import Route, operation
from .._types import NOT_GIVEN, NotGivenOr, given
from ..models.providers import Provider
from ._base import Resource

__all__ = ["Providers"]

_CREATE = Route("POST", "/api/v1/custom-providers")
_UPDATE = Route("PUT", "/api/v1/custom-providers/{identifier}")
_DELETE = Route("DELETE", "/api/v1/custom-providers/{identifier}")


class Providers(Resource):
    """Create, replace and delete the custom providers of your environment."""

    __slots__ = ()

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
