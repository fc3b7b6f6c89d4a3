"""``client.api_clients``: organization M2M clients and their secrets."""

from __future__ import annotations

from ._base import Resource

__all__ = ["ApiClients"]


class ApiClients(Resource):
    """Organization M2M clients and their secrets."""

    __slots__ = ()
