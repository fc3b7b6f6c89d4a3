"""The httpx-transport seam: where one attempt meets the connection pool.

Two ways to reach the network, one shape of result (`Answer`, read in full):

- `OwnedPool`: httpx transports the SDK creates and closes (the default
  ``httpx.AsyncHTTPTransport``, `AiohttpTransport`, or one the caller passed
  with ``transport=``). Sends go straight to the transport, skipping the client
  layer's per-request merging of cookies, headers and URLs; a `RawTransport`
  skips building httpx requests and responses too. The default transport is
  sharded: httpcore's pool rescans every connection and every queued request
  whenever a request starts or ends, so many small pools cost far less than
  one big one under concurrency.
- `BorrowedClient`: a caller's ``httpx.AsyncClient``; its configuration is
  honoured and it is never closed here.

Both take the attempt's limits as httpx's timeout extension plus ``total``,
the limit of the whole exchange, and raise httpx exceptions; the retrying
sender (``_sender.py``) maps them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterable, Awaitable, Callable, Mapping
from operator import attrgetter
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import anyio
import httpx

from ._errors import ClientClosedError

if TYPE_CHECKING:
    import ssl

__all__ = ["Answer", "Body", "BorrowedClient", "OwnedPool", "Pool", "RawTransport", "httpx_shards"]

logger = logging.getLogger("scalekit_async")

Body = bytes | AsyncIterable[bytes] | None
"""A request body: bytes, or chunks streamed as they come (which can be sent only once)."""


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
        content: Body,
        timeout: dict[str, float],
    ) -> Answer:
        """Send one request and read the whole answer within ``timeout["total"]``.

        The other keys are httpx's per-phase limits. Raise httpx exceptions on failure.
        """
        ...


def httpx_shards(limits: httpx.Limits, shards: int) -> Callable[[], httpx.AsyncBaseTransport]:
    """Make httpx transports that each hold 1/*shards* of *limits*, sharing one TLS context.

    Every idle connection is kept (up to the shard's limit, for ``keepalive_expiry``):
    httpcore closes an idle connection whenever the pool holds more connections
    than ``max_keepalive_connections``, so a lower keep-alive limit reconnects
    constantly under load.
    """
    per_shard = httpx.Limits(
        max_connections=max(1, (limits.max_connections or 100) // shards),
        max_keepalive_connections=max(1, (limits.max_connections or 100) // shards),
        keepalive_expiry=limits.keepalive_expiry,
    )
    tls: list[ssl.SSLContext] = []  # made on first use: loading the CA bundle takes milliseconds

    def make() -> httpx.AsyncBaseTransport:
        if not tls:
            tls.append(httpx.create_ssl_context())
        return httpx.AsyncHTTPTransport(verify=tls[0], limits=per_shard)

    return make


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


_INFLIGHT = attrgetter("inflight")
_PARSED_URLS = 256  # parsed URLs an owned pool keeps (URLs with ids rarely repeat)


class OwnedPool:
    """httpx transports this SDK owns: made on first use, rotated, closed with the client.

    Args:
        factory: Makes a transport (one shard).
        shards: How many transports share the sends: each send goes to the least
            busy one, and a new one is made only while every one is busy (so one
            call at a time uses one transport). `OwnedPool` counts sends only on
            the httpx path: a `RawTransport` gets one shard.
        rotate_after: After this many sends were cancelled mid-flight (spread
            over the shards: each one rotates after ``rotate_after // shards``,
            at least 1), new sends use a fresh transport and the old one is
            closed once idle. A cancelled request can strand a connection in
            httpcore's pool for good (encode/httpcore#1093); rotating bounds
            how many can pile up. `None` never rotates (for a transport the caller gave).

    """

    __slots__ = ("_factory", "_pools", "_retired", "_rotate_after", "_shards", "_urls", "closed")

    def __init__(
        self,
        factory: Callable[[], httpx.AsyncBaseTransport],
        *,
        shards: int = 1,
        rotate_after: int | None = 25,
    ) -> None:
        self._factory = factory
        self._shards = shards
        self._rotate_after = None if rotate_after is None else max(1, rotate_after // shards)
        self._pools: list[Pool] = []
        self._retired: list[Pool] = []
        self._urls: dict[str, httpx.URL] = {}
        self.closed = False

    @property
    def shards(self) -> list[Pool]:
        """The transports new sends use (made on demand), for diagnostics and tests."""
        return list(self._pools)

    def _pick(self) -> Pool:
        """The least busy shard, or a new one while every shard is busy (never after close)."""
        pools = self._pools
        if pools:
            pool = pools[0] if len(pools) == 1 else min(pools, key=_INFLIGHT)
            if pool.inflight == 0 or len(pools) >= self._shards:
                return pool
        if self.closed:
            raise ClientClosedError("this ScalekitClient was closed while the call ran")
        pool = Pool(self._factory())
        pools.append(pool)
        return pool

    def send(
        self,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        content: Body,
        timeout: dict[str, float],
    ) -> Awaitable[Answer]:
        """One attempt, read in full, within ``timeout["total"]`` (see `RawTransport`)."""
        pools = self._pools
        if len(pools) == 1 and (raw := pools[0].raw) is not None:
            # The fast path (a raw transport is one shard, never rotated), awaited by
            # the caller directly: no pick and no frame of ours in between.
            return raw.send_raw(method, url, headers, content, timeout)
        pool = self._pick()
        if pool.raw is not None:  # the first send: the raw transport was just made
            return pool.raw.send_raw(method, url, headers, content, timeout)
        return self._send(pool, method, url, headers, content, timeout)

    async def _send(
        self,
        pool: Pool,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        content: Body,
        timeout: dict[str, float],
    ) -> Answer:
        """One attempt through *pool*'s httpx transport; the scope bounds the phases' sum."""
        scope = anyio.move_on_after(timeout.pop("total", math.inf))
        pool.inflight += 1
        try:
            with scope:
                request = httpx.Request(
                    method,
                    self._url(url),
                    headers=headers,
                    content=content,
                    extensions={"timeout": timeout},
                )
                response = await pool.transport.handle_async_request(request)
                try:
                    await response.aread()
                finally:
                    await response.aclose()
                return Answer(
                    response.status_code,
                    response.headers,
                    response.content,
                    response.reason_phrase,
                )
            raise httpx.ReadTimeout("the attempt's time limit passed before the answer was read")
        except anyio.get_cancelled_exc_class():
            self._cancelled(pool)
            raise
        finally:
            if scope.cancelled_caught:
                self._cancelled(pool)
            pool.inflight -= 1
            if pool.retired and pool.inflight == 0:
                self._retired.remove(pool)
                with anyio.CancelScope(shield=True):
                    await pool.transport.aclose()

    def _url(self, url: str) -> httpx.URL:
        """*url* parsed once: httpx parses in Python, and list and token URLs repeat."""
        parsed = self._urls.get(url)
        if parsed is None:
            if len(self._urls) >= _PARSED_URLS:
                self._urls.clear()
            parsed = self._urls[url] = httpx.URL(url)
        return parsed

    def _cancelled(self, pool: Pool) -> None:
        """Count a send cancelled mid-flight; retire *pool* once it lost too many."""
        pool.cancelled += 1
        limit = self._rotate_after
        if limit is not None and not pool.retired and pool.cancelled >= limit:
            pool.retired = True
            self._pools.remove(pool)
            self._retired.append(pool)
            logger.debug("rotating the connection pool after %d cancelled sends", pool.cancelled)

    async def aclose(self) -> None:
        """Close every transport made here; sends still in flight fail."""
        self.closed = True
        pools = [*self._retired, *self._pools]
        self._pools.clear()
        self._retired.clear()
        for pool in pools:
            await pool.transport.aclose()

    def abandon(self) -> None:
        """Forget the transports without closing them (their event loop is gone)."""
        self.closed = True
        self._pools.clear()
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
        content: Body,
        timeout: dict[str, float],
    ) -> Answer:
        """One attempt through the caller's client, read in full, within ``timeout["total"]``."""
        with anyio.move_on_after(timeout.pop("total", math.inf)):
            request = httpx.Request(
                method, url, headers=headers, content=content, extensions={"timeout": timeout}
            )
            got = await self._http.send(request)
            return Answer(got.status_code, got.headers, got.content, got.reason_phrase)
        raise httpx.ReadTimeout("the attempt's time limit passed before the answer was read")

    async def aclose(self) -> None:
        """Stop sending through the client (the caller closes it)."""
        self.closed = True

    def abandon(self) -> None:
        """Stop sending through the client."""
        self.closed = True
