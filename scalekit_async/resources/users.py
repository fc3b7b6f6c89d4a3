"""``client.users``: environment and organization users."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Users"]


class Users(Resource):
    """Environment and organization users."""

    __slots__ = ()
