"""What the framework adapters share: fetching a user's tools and running one as JSON text."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._client import ScalekitClient
    from ..models.tools import ScopedTool
    from ..resources.tools import ToolModifiers

__all__ = ["error_text", "run_tool", "scoped_tools", "tool_text"]


async def scoped_tools(
    client: ScalekitClient,
    *,
    identifier: str,
    providers: Iterable[str] | None,
    tool_names: Iterable[str] | None,
    connection_names: Iterable[str] | None,
) -> list[ScopedTool]:
    """Every tool *identifier* can call now, all pages (the official adapters read one)."""
    found = client.tools.list_scoped(
        identifier=identifier,
        providers=providers,
        tool_names=tool_names,
        connection_names=connection_names,
    )
    return [tool async for tool in found if tool.tool is not None and tool.tool.name]


def tool_text(data: Mapping[str, Any], execution_id: str) -> str:
    """A tool's result as JSON text for an LLM (not a Python repr)."""
    return json.dumps(
        {"data": dict(data), "execution_id": execution_id}, ensure_ascii=False, default=str
    )


async def run_tool(
    client: ScalekitClient,
    scoped: ScopedTool,
    arguments: Mapping[str, Any],
    modifiers: ToolModifiers | None,
) -> str:
    """Execute *scoped* with *arguments* through its connected account; its result as JSON text.

    A `ToolExecutionError` (the tool failed at its provider) propagates: each
    adapter turns it into its framework's way of showing a tool error to the model.
    """
    assert scoped.tool is not None
    result = await client.tools.execute(
        scoped.tool.name,
        params=dict(arguments),
        connected_account_id=scoped.connected_account_id or None,
        identifier=None if scoped.connected_account_id else scoped.identifier,
        modifiers=modifiers,
    )
    return tool_text(result.data, result.execution_id)


def error_text(error: Exception) -> str:
    """A tool failure as JSON text the model can read and recover from."""
    fields: dict[str, Any] = {"error": str(error)}
    for name in ("execution_id", "tool_error_code", "tool_error_message"):
        value = getattr(error, name, None)
        if value:
            fields[name] = value
    return json.dumps(fields, ensure_ascii=False)
