"""``client.passkeys``: users' WebAuthn credentials."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Passkeys"]


class Passkeys(Resource):
    """Users' WebAuthn credentials."""

    __slots__ = ()
