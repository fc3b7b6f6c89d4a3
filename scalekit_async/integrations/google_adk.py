"""Google ADK tools from Scalekit AgentKit: ``pip install 'scalekit-async[google-adk]'``.

`get_tools` turns the tools a user (an identifier) can call now into ADK
tools. Unlike the official adapter, `ScalekitAdkTool.run_async` awaits the
SDK's HTTP call (the official one runs a blocking call inside the
coroutine), results are JSON text rather than a Python repr, and every page
of the user's tools is fetched. A tool that fails at its provider returns
its error as JSON text for the model; the SDK's own failures propagate.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from google.adk.tools.base_tool import BaseTool
from google.genai import types

from .._errors import ToolExecutionError
from ._common import error_text, run_tool, scoped_tools

if TYPE_CHECKING:
    from google.adk.tools.tool_context import ToolContext

    from .._client import ScalekitClient
    from ..models.tools import ScopedTool
    from ..resources.tools import ToolModifiers

__all__ = ["ScalekitAdkTool", "get_tools"]


class ScalekitAdkTool(BaseTool):
    """One Scalekit tool, bound to a connected account, as an ADK tool."""

    def __init__(
        self,
        client: ScalekitClient,
        scoped: ScopedTool,
        *,
        modifiers: ToolModifiers | None = None,
    ) -> None:
        tool = scoped.tool
        if tool is None or not tool.name:
            raise ValueError("the scoped tool has no definition")
        description = tool.definition.get("description")
        super().__init__(
            name=tool.name,
            description=description if isinstance(description, str) and description else tool.name,
        )
        self._client = client
        self._scoped = scoped
        self._modifiers = modifiers

    def _get_declaration(self) -> types.FunctionDeclaration:
        assert self._scoped.tool is not None
        schema = self._scoped.tool.definition.get("input_schema")
        return types.FunctionDeclaration(
            name=self.name,
            description=self.description,
            parameters_json_schema=dict(schema)
            if isinstance(schema, dict)
            else {"type": "object", "properties": {}},
        )

    async def run_async(self, *, args: dict[str, Any], tool_context: ToolContext) -> str:
        """Run the tool through its connected account; its result (or tool error) as JSON text."""
        try:
            return await run_tool(self._client, self._scoped, args, self._modifiers)
        except ToolExecutionError as error:
            return error_text(error)


async def get_tools(
    client: ScalekitClient,
    *,
    identifier: str,
    providers: Iterable[str] | None = None,
    tool_names: Iterable[str] | None = None,
    connection_names: Iterable[str] | None = None,
    modifiers: ToolModifiers | None = None,
) -> list[ScalekitAdkTool]:
    """The tools *identifier* can call now, as ADK tools (official: ``actions.google.get_tools``).

    The arguments are those of `scalekit_async.integrations.langchain.get_tools`.
    """
    found = await scoped_tools(
        client,
        identifier=identifier,
        providers=providers,
        tool_names=tool_names,
        connection_names=connection_names,
    )
    return [ScalekitAdkTool(client, scoped, modifiers=modifiers) for scoped in found]
