"""The httpx-transport seam: where one attempt meets the connection pool.

Two ways to reach the network, one shape of result (`Answer`, read in full):

- `OwnedPool`: an httpx transport the SDK creates and closes (the default
  ``httpx.AsyncHTTPTransport``, `AiohttpTransport`, or one the caller passed
  with ``transport=``). Sends go straight to the transport, skipping the client
  layer's per-request merging of cookies, headers and URLs; a `RawTransport`
  skips building httpx requests and responses too.
- `BorrowedClient`: a caller's ``httpx.AsyncClient``; its configuration is
  honoured and it is never closed here.

Both raise httpx exceptions; the retrying sender (``_sender.py``) maps them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Protocol, runtime_checkable

import anyio
import httpx

from ._errors import ClientClosedError

__all__ = ["Answer", "BorrowedClient", "OwnedPool", "Pool", "RawTransport"]

logger = logging.getLogger("scalekit_async")


class Answer:
    """A received answer, read in full: the one shape every transport path returns."""

    __slots__ = ("after_lost_attempt", "content", "headers", "reason_phrase", "status_code")

    def __init__(
        self, status_code: int, headers: Mapping[str, str], content: bytes, reason_phrase: str = ""
    ) -> None:
        self.status_code = status_code
        self.headers = headers  # case-insensitive lookups
        self.content = content
        self.reason_phrase = reason_phrase
        self.after_lost_attempt = False
        """Set by the sender: an earlier attempt of the same request may have been processed."""


@runtime_checkable
class RawTransport(Protocol):
    """A transport that can send without building httpx request/response objects.

    `AiohttpTransport` implements it: the SDK then skips httpx's per-request
    URL parsing and header normalization, which dominate at high concurrency.
    """

    async def send_raw(
        self,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        content: bytes | None,
        timeout: dict[str, float],
    ) -> Answer:
        """Send one request and read the whole answer; raise httpx exceptions on failure."""
        ...


class Pool:
    """One owned httpx transport, and how many sends it carries and lost to cancellation."""

    __slots__ = ("cancelled", "inflight", "raw", "retired", "transport")

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self.transport = transport
        # Checked once: a runtime Protocol check costs more than a whole raw send's setup.
        self.raw = transport if isinstance(transport, RawTransport) else None
        self.inflight = 0
        self.cancelled = 0
        self.retired = False


class OwnedPool:
    """An httpx transport this SDK owns: made on first use, rotated, closed with the client.

    Args:
        factory: Makes the transport.
        rotate_after: After this many sends were cancelled mid-flight, new sends
            use a fresh transport and the old one is closed once idle. A
            cancelled request can strand a connection in httpcore's pool for
            good (encode/httpcore#1093); rotating bounds how many can pile up.
            `None` never rotates (for a transport the caller gave).

    """

    __slots__ = ("_current", "_factory", "_retired", "_rotate_after", "closed")

    def __init__(
        self, factory: Callable[[], httpx.AsyncBaseTransport], *, rotate_after: int | None = 25
    ) -> None:
        self._factory = factory
        self._rotate_after = rotate_after
        self._current: Pool | None = None
        self._retired: list[Pool] = []
        self.closed = False

    def current(self) -> Pool:
        """The pool new sends use, made on first use (never after `aclose()`)."""
        pool = self._current
        if pool is None:
            if self.closed:
                raise ClientClosedError("this ScalekitClient was closed while the call ran")
            pool = self._current = Pool(self._factory())
        return pool

    async def send(
        self,
        pool: Pool,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        content: bytes | None,
        timeout: dict[str, float],
    ) -> Answer:
        """One attempt through *pool*'s httpx transport, read in full."""
        pool.inflight += 1
        try:
            request = httpx.Request(
                method, url, headers=headers, content=content, extensions={"timeout": timeout}
            )
            response = await pool.transport.handle_async_request(request)
            try:
                await response.aread()
            finally:
                await response.aclose()
            return Answer(
                response.status_code, response.headers, response.content, response.reason_phrase
            )
        except anyio.get_cancelled_exc_class():
            pool.cancelled += 1
            self._maybe_rotate(pool)
            raise
        finally:
            pool.inflight -= 1
            if pool.retired and pool.inflight == 0:
                self._retired.remove(pool)
                with anyio.CancelScope(shield=True):
                    await pool.transport.aclose()

    def _maybe_rotate(self, pool: Pool) -> None:
        limit = self._rotate_after
        if limit is not None and pool is self._current and pool.cancelled >= limit:
            pool.retired = True
            self._current = None
            self._retired.append(pool)
            logger.debug("rotating the connection pool after %d cancelled sends", pool.cancelled)

    async def aclose(self) -> None:
        """Close every transport made here; sends still in flight fail."""
        self.closed = True
        pools = [*self._retired, *([self._current] if self._current is not None else [])]
        self._current = None
        self._retired.clear()
        for pool in pools:
            await pool.transport.aclose()

    def abandon(self) -> None:
        """Forget the transports without closing them (their event loop is gone)."""
        self.closed = True
        self._current = None
        self._retired.clear()


class BorrowedClient:
    """A caller's ``httpx.AsyncClient``: requests go through its ``send()``; never closed here."""

    __slots__ = ("_http", "closed")

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http
        self.closed = False

    async def send(
        self,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        content: bytes | None,
        timeout: dict[str, float],
    ) -> Answer:
        """One attempt through the caller's client, read in full."""
        request = httpx.Request(
            method, url, headers=headers, content=content, extensions={"timeout": timeout}
        )
        got = await self._http.send(request)
        return Answer(got.status_code, got.headers, got.content, got.reason_phrase)

    async def aclose(self) -> None:
        """Stop sending through the client (the caller closes it)."""
        self.closed = True

    def abandon(self) -> None:
        """Stop sending through the client."""
        self.closed = True
