"""AgentKit tool models: tool definitions, tools scoped to an account, and execution results."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

__all__ = ["ScopedTool", "Tool", "ToolExecution"]


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
