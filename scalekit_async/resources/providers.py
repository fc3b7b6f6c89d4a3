"""``client.providers``: AgentKit custom providers."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Providers"]


class Providers(Resource):
    """AgentKit custom providers."""

    __slots__ = ()
