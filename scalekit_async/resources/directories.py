"""``client.directories``: SCIM directories, their users and groups."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Directories"]


class Directories(Resource):
    """SCIM directories, their users and groups."""

    __slots__ = ()
