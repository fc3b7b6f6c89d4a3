"""``client.passwordless``: magic links and one-time codes by email."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Passwordless"]


class Passwordless(Resource):
    """Magic links and one-time codes by email."""

    __slots__ = ()
