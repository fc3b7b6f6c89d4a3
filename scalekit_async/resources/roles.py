"""``client.roles``: environment and organization roles."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Roles"]


class Roles(Resource):
    """Environment and organization roles."""

    __slots__ = ()
