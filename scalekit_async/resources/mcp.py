"""``client.mcp``: AgentKit MCP configurations."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Mcp"]


class Mcp(Resource):
    """AgentKit MCP configurations."""

    __slots__ = ()
