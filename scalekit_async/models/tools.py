"""AgentKit tool models: tool definitions, tools scoped to an account, and execution results."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from .._enums import OpenEnum

__all__ = [
    "ConnectionReadiness",
    "ScopedTool",
    "SearchedTool",
    "Tool",
    "ToolExecution",
    "ToolReadinessState",
]


class ToolReadinessState(OpenEnum):
    """Whether a connection can run a tool now for the searched identifier."""

    UNSPECIFIED = "TOOL_READINESS_STATE_UNSPECIFIED"
    READY = "TOOL_READINESS_STATE_READY"
    """Its connected account is active: the tool can run now."""
    NEEDS_CONNECTION = "TOOL_READINESS_STATE_NEEDS_CONNECTION"
    """The account exists but is not active (authorize it first)."""
    NEEDS_REAUTH = "TOOL_READINESS_STATE_NEEDS_REAUTH"
    """The account's authorization expired or was revoked."""


@attrs.frozen(kw_only=True)
class Tool:
    """A tool an agent can call: its definition (name, description, input schema) and provider.

    `definition` is the provider-neutral tool definition as a JSON object
    (typically ``name``, ``description`` and ``input_schema``), ready to hand
    to an LLM; `name` reads its ``name``.
    """

    id: str = ""
    provider: str = ""
    definition: Mapping[str, Any] = attrs.field(factory=dict)
    metadata: Mapping[str, Any] = attrs.field(factory=dict)
    tags: tuple[str, ...] = ()
    is_default: bool | None = None
    updated_at: datetime | None = None

    @property
    def name(self) -> str:
        """The tool's name from its definition (what `Tools.execute` takes)."""
        name = self.definition.get("name")
        return name if isinstance(name, str) else ""


@attrs.frozen(kw_only=True)
class ScopedTool:
    """A tool bound to one connected account of an identifier."""

    tool: Tool | None = None
    identifier: str = ""
    connected_account_id: str = ""


@attrs.frozen(kw_only=True)
class ToolExecution:
    """The result of one tool call: the tool's output and the execution's id."""

    data: Mapping[str, Any] = attrs.field(factory=dict)
    execution_id: str = ""


@attrs.frozen(kw_only=True)
class ConnectionReadiness:
    """One connection of a searched tool's provider that the identifier has an account on."""

    connection_name: str = ""
    connected_account_id: str = ""
    readiness_state: ToolReadinessState = ToolReadinessState.UNSPECIFIED

    @property
    def ready(self) -> bool:
        """Whether the tool can run now through this connection's account."""
        return self.readiness_state == ToolReadinessState.READY


@attrs.frozen(kw_only=True)
class SearchedTool:
    """A tool found by `Tools.search`, with its relevance and (for an identifier) readiness.

    `score` is comparable only within one search. `connections` is filled
    only when the search named an identifier: empty means the identifier has
    no account on any connection of the tool's provider.
    """

    name: str = ""
    provider: str = ""
    description: str = ""
    score: float = 0.0
    connections: tuple[ConnectionReadiness, ...] = ()
