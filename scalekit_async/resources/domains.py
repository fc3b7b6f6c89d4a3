"""``client.domains``: the email domains of organizations."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Domains"]


class Domains(Resource):
    """The email domains of organizations."""

    __slots__ = ()
