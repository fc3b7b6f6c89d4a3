"""The fake's custom provider endpoints, backed by `FakeScalekit.custom_providers`.

``fake.custom_providers`` maps a provider's identifier to the provider as wire
JSON (``providers.Provider``). The identifier is derived from the display
name (``"Acme CRM"`` -> ``"acme_crm"``); two providers with the same derived
identifier conflict (409). A custom provider is also a connector: connected
accounts can be created for it, and deleting it deletes them.

``GET /api/v1/providers`` lists, by ``filter.provider_type``, the built-in
providers (``DEFAULT``, the default: one per built-in connector of
`CONNECTORS`, with fixed ids), the custom ones (``CUSTOM``) or both (``ALL``,
built-in first), optionally only the one whose ``identifier`` is given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._connected_accounts import CONNECTORS
from ._constants import PROVIDER_PREFIX
from ._http import ApiError, FakeRequest, Reply, as_mapping
from ._paging import page
from ._state import FakeState

__all__ = ["BUILTIN_PROVIDERS", "install"]

_NON_WORD = re.compile(r"[^a-z0-9]+")
_IDENTIFIER = re.compile(r"[A-Za-z0-9_:-]{0,255}")
_PROVIDER_TYPES = ("DEFAULT", "CUSTOM", "ALL")
_DETAILS: Mapping[str, tuple[str, str, str]] = {
    "gmail": ("Gmail", "Read and send email", "communication"),
    "slack": ("Slack", "Post and read messages", "communication"),
    "notion": ("Notion", "Read and write pages", "productivity"),
    "github": ("GitHub", "Work with repositories and issues", "developer_tools"),
    "weather": ("Weather", "Current weather and forecasts", "utilities"),
}


def _builtin(index: int, identifier: str, authorization_type: str) -> dict[str, Any]:
    name, description, category = _DETAILS.get(identifier, (identifier.title(), "", "other"))
    return {
        # Fixed ids: generated ids count from 0001, so 0000... never collides.
        "id": f"{PROVIDER_PREFIX}_0000{index:012d}",
        "identifier": identifier,
        "display_name": name,
        "description": description,
        "categories": [category],
        "auth_patterns": [{"type": authorization_type}],
        "icon_src": f"https://cdn.scalekit.test/providers/{identifier}.svg",
        "display_priority": index,
        "coming_soon": False,
        "proxy_url": "",
        "proxy_enabled": False,
        "is_custom": False,
        "is_custom_mcp": False,
        "metadata": {},
    }


BUILTIN_PROVIDERS: tuple[Mapping[str, Any], ...] = tuple(
    _builtin(index, identifier, info["authorization_type"])
    for index, (identifier, info) in enumerate(CONNECTORS.items(), start=1)
)
"""The providers Scalekit ships, as the fake lists them: one per built-in connector."""


def _bad(field: str, description: str) -> ApiError:
    return ApiError(400, "invalid request", violations=((field, description),))


def identifier_for(display_name: str) -> str:
    """The identifier the fake derives from a display name."""
    return _NON_WORD.sub("_", display_name.lower()).strip("_")


def _definition(body: Mapping[str, Any]) -> dict[str, Any]:
    """The provider fields of a create or update body, validated (400 otherwise)."""
    name = body.get("display_name")
    if not isinstance(name, str) or not 1 <= len(name) <= 200 or not identifier_for(name):
        raise _bad("display_name", "1 to 200 characters, with a letter or digit")
    patterns = body.get("auth_patterns")
    if (
        not isinstance(patterns, list)
        or not patterns
        or not all(isinstance(p, Mapping) for p in patterns)
    ):
        raise _bad("auth_patterns", "a non-empty list of objects is required")
    proxy_url = body.get("proxy_url") or ""
    if proxy_url and (
        not isinstance(proxy_url, str)
        or not proxy_url.startswith("https://")
        or len(proxy_url) > 2048
    ):
        raise _bad("proxy_url", "must be an https:// URL")
    icon_src = body.get("icon_src") or ""
    if icon_src and (
        not isinstance(icon_src, str) or not icon_src.startswith("https://") or len(icon_src) > 2048
    ):
        raise _bad("icon_src", "must be an https:// URL")
    metadata = body.get("metadata") or {}
    if not isinstance(metadata, Mapping) or len(metadata) > 20:
        raise _bad("metadata", "at most 20 key-value pairs")
    for key, value in metadata.items():
        if not 3 <= len(key) <= 25 or not isinstance(value, str) or not 1 <= len(value) <= 256:
            raise _bad("metadata", "keys of 3 to 25 characters, values of 1 to 256")
    description = body.get("description") or ""
    if not isinstance(description, str):
        raise _bad("description", "must be a string")
    proxy_enabled = body.get("proxy_enabled", False)
    if not isinstance(proxy_enabled, bool):
        raise _bad("proxy_enabled", "must be a bool")
    return {
        "display_name": name,
        "description": description,
        "auth_patterns": [dict(p) for p in patterns],
        "icon_src": icon_src,
        "proxy_url": proxy_url,
        "proxy_enabled": proxy_enabled,
        "metadata": dict(metadata),
    }


def install(fake: FakeState) -> None:
    """Route the custom provider operations on *fake*."""
    providers = fake.custom_providers

    def find(identifier: str) -> dict[str, Any]:
        provider = providers.get(identifier)
        if provider is None:
            raise ApiError(404, f"custom provider {identifier} not found")
        return provider

    def create(request: FakeRequest) -> Reply:
        definition = _definition(as_mapping(request.json()))
        identifier = identifier_for(definition["display_name"])
        if identifier in providers:
            raise ApiError(409, f"a provider with identifier {identifier} already exists")
        provider = {
            "id": fake.new_id(PROVIDER_PREFIX),
            "identifier": identifier,
            "categories": [],
            "display_priority": 0,
            "coming_soon": False,
            "is_custom": True,
            "is_custom_mcp": False,
            **definition,
        }
        providers[identifier] = provider
        return Reply.json(201, {"provider": provider})

    def update(request: FakeRequest, identifier: str) -> Reply:
        provider = find(identifier)
        provider.update(_definition(as_mapping(request.json())))
        return Reply.json(200, {"provider": provider})

    def delete(request: FakeRequest, identifier: str) -> Reply:
        find(identifier)
        del providers[identifier]
        accounts = fake.connected_accounts
        for account_id in accounts.ids_of_connector(identifier):
            del accounts[account_id]
        return Reply.json(200, {})

    def list_(request: FakeRequest) -> Reply:
        kind = request.param("filter.provider_type") or "DEFAULT"
        if kind.isdigit() and int(kind) < len(_PROVIDER_TYPES):  # an enum by number
            kind = _PROVIDER_TYPES[int(kind)]
        if kind not in _PROVIDER_TYPES:
            raise _bad("filter.provider_type", "value must be one of DEFAULT, CUSTOM, ALL")
        identifier = request.param("identifier") or ""
        if not _IDENTIFIER.fullmatch(identifier):
            raise _bad("identifier", "value does not match regex pattern `^[a-zA-Z0-9_:-]*$`")
        items: list[Mapping[str, Any]] = []
        if kind in ("DEFAULT", "ALL"):
            items += BUILTIN_PROVIDERS
        if kind in ("CUSTOM", "ALL"):
            items += providers.values()
        if identifier:
            items = [p for p in items if p["identifier"] == identifier]
        return Reply.json(200, page(request, items, "providers"))

    add = fake.router.add
    add("GET", "/api/v1/providers", list_)
    add("POST", "/api/v1/custom-providers", create)
    add("PUT", "/api/v1/custom-providers/{identifier}", update)
    add("DELETE", "/api/v1/custom-providers/{identifier}", delete)
