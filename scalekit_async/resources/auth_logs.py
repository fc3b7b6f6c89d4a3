"""``client.auth_logs``: authentication request logs."""

from __future__ import annotations

from ._base import Resource

__all__ = ["AuthLogs"]


class AuthLogs(Resource):
    """Authentication request logs."""

    __slots__ = ()
