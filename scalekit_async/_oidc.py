"""``client.auth``: login, code exchange, token validation and webhook verification helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._client import ScalekitClient

__all__ = ["Auth"]


class Auth:
    """Helpers for services that sign users in with Scalekit and receive its webhooks."""

    __slots__ = ("_client",)

    def __init__(self, client: ScalekitClient) -> None:
        self._client = client
