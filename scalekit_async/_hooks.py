"""Hooks: callbacks told about a client's traffic, and the events they receive.

Each event names the route template (``/api/v1/organizations/{id}``), never
the URL, a header, a body or a token, so ids never reach metrics labels and
secrets never reach an observer. A hook that raises is logged and ignored:
observability never breaks a call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import attrs

__all__ = ["Attempt", "Hooks", "RequestStarted", "RetryScheduled", "call_hooks"]

logger = logging.getLogger("scalekit_async")


@attrs.frozen
class RequestStarted:
    """An attempt is about to be sent (route template, never ids, headers or bodies)."""

    method: str
    route: str
    attempt: int


@attrs.frozen
class Attempt:
    """What an observer learns about one finished attempt (never headers, bodies or tokens)."""

    method: str
    route: str
    attempt: int
    status: int | None
    duration: float
    error: str | None = None


@attrs.frozen
class RetryScheduled:
    """A retry will be sent after `delay` seconds, because of `reason` (a status or error kind)."""

    method: str
    route: str
    retry: int
    delay: float
    reason: str


@attrs.frozen(kw_only=True)
class Hooks:
    """Callbacks told about a client's traffic, for metrics and tracing.

    Each receives a small frozen event naming the route template (not the URL,
    so ids never reach your metrics' labels) and never a header, body or token.
    A hook that raises is logged and ignored: observability never breaks a call.
    """

    on_request: tuple[Callable[[RequestStarted], None], ...] = ()
    on_response: tuple[Callable[[Attempt], None], ...] = ()
    on_retry: tuple[Callable[[RetryScheduled], None], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.on_request or self.on_response or self.on_retry)


def call_hooks(hooks: tuple[Callable[[Any], None], ...], event: object) -> None:
    """Tell each hook about *event*; a hook that raises is logged and skipped."""
    for hook in hooks:
        try:
            hook(event)
        except Exception:
            logger.exception("a scalekit_async hook raised; ignoring it")
