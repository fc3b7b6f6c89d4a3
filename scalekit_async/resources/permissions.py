"""``client.permissions``: permissions and what roles grant."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Permissions"]


class Permissions(Resource):
    """Permissions and what roles grant."""

    __slots__ = ()
