"""AgentKit provider models: the third-party apps (connectors) accounts connect to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from .._enums import OpenEnum

__all__ = ["Provider", "ProviderType"]


class ProviderType(OpenEnum):
    """Which providers a provider list returns (``filter.provider_type``).

    `DEFAULT` (the API's default) lists the providers Scalekit ships, `CUSTOM`
    only your environment's custom providers, and `ALL` both.
    """

    DEFAULT = "DEFAULT"
    CUSTOM = "CUSTOM"
    ALL = "ALL"


@attrs.frozen(kw_only=True)
class Provider:
    """A connector provider, built in or custom (``is_custom``) to your environment.

    `identifier` is what update and delete take; for a custom provider
    Scalekit derives it from the display name at creation.
    """

    id: str = ""
    identifier: str = ""
    display_name: str = ""
    description: str = ""
    categories: tuple[str, ...] = ()
    auth_patterns: tuple[Mapping[str, Any], ...] = ()
    icon_src: str = ""
    display_priority: int = 0
    coming_soon: bool = False
    proxy_url: str = ""
    proxy_enabled: bool = False
    is_custom: bool = False
    is_custom_mcp: bool = False
    metadata: Mapping[str, str] = attrs.field(factory=dict)
