"""``client.sessions``: users' sessions."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Sessions"]


class Sessions(Resource):
    """Users' sessions."""

    __slots__ = ()
