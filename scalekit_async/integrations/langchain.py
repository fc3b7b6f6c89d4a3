"""LangChain tools from Scalekit AgentKit: ``pip install 'scalekit-async[langchain]'``.

`get_tools` turns the tools a user (an identifier) can call now into
LangChain ``StructuredTool`` objects. Unlike the official adapter:

- they are truly async: the tool's ``coroutine`` awaits the SDK's HTTP call
  (``await tool.ainvoke(...)``); the synchronous ``invoke`` is not offered,
  since it would block an event loop;
- a result is JSON text (``{"data": ..., "execution_id": ...}``), not a
  Python repr, so the model reads it as JSON;
- every page of the user's tools is fetched, not the first only;
- a tool that fails at its provider is shown to the model as a JSON error
  (a ``ToolException`` with ``handle_tool_error=True``), while the SDK's own
  failures (network, authentication, a bad argument) propagate as raised.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from langchain_core.tools import StructuredTool, ToolException

from .._errors import ToolExecutionError
from ._common import error_text, run_tool, scoped_tools

if TYPE_CHECKING:
    from .._client import ScalekitClient
    from ..models.tools import ScopedTool
    from ..resources.tools import ToolModifiers

__all__ = ["get_tools", "to_langchain_tool"]


async def get_tools(
    client: ScalekitClient,
    *,
    identifier: str,
    providers: Iterable[str] | None = None,
    tool_names: Iterable[str] | None = None,
    connection_names: Iterable[str] | None = None,
    modifiers: ToolModifiers | None = None,
) -> list[StructuredTool]:
    """The tools *identifier* can call now, as LangChain tools.

    The official SDK's ``actions.langchain.get_tools``.

    Args:
        client: The client the tools run through (keep it open while they are used).
        identifier: The user or agent whose connected accounts the tools act with.
        providers: Only these providers' tools (``"GMAIL"``...).
        tool_names: Only these tools.
        connection_names: Only the tools of these connections.
        modifiers: Applied to every call of the tools (see `ToolModifiers`).

    """
    found = await scoped_tools(
        client,
        identifier=identifier,
        providers=providers,
        tool_names=tool_names,
        connection_names=connection_names,
    )
    return [to_langchain_tool(client, scoped, modifiers=modifiers) for scoped in found]


def to_langchain_tool(
    client: ScalekitClient, scoped: ScopedTool, *, modifiers: ToolModifiers | None = None
) -> StructuredTool:
    """One scoped tool as a LangChain ``StructuredTool`` whose ``coroutine`` runs it."""
    tool = scoped.tool
    if tool is None or not tool.name:
        raise ValueError("the scoped tool has no definition")
    schema = tool.definition.get("input_schema")
    args_schema: dict[str, Any] = (
        dict(schema) if isinstance(schema, dict) else {"type": "object", "properties": {}}
    )
    description = tool.definition.get("description")

    async def run(**arguments: Any) -> str:
        try:
            return await run_tool(client, scoped, arguments, modifiers)
        except ToolExecutionError as error:
            raise ToolException(error_text(error)) from error

    return StructuredTool.from_function(
        coroutine=run,
        name=tool.name,
        description=description if isinstance(description, str) and description else tool.name,
        args_schema=args_schema,
        infer_schema=False,
        handle_tool_error=True,
    )
