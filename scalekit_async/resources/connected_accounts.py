"""``client.connected_accounts``: AgentKit connected accounts."""

from __future__ import annotations

from ._base import Resource

__all__ = ["ConnectedAccounts"]


class ConnectedAccounts(Resource):
    """AgentKit connected accounts."""

    __slots__ = ()
