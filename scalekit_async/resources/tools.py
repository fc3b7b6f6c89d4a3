"""``client.tools``: AgentKit tools and tool execution."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Tools"]


class Tools(Resource):
    """AgentKit tools and tool execution."""

    __slots__ = ()
