"""``client.connections``: SSO connections of organizations."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Connections"]


class Connections(Resource):
    """SSO connections of organizations."""

    __slots__ = ()
