"""``client.memberships``: users' memberships in organizations, and invites."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Memberships"]


class Memberships(Resource):
    """Users' memberships in organizations, and invites."""

    __slots__ = ()
