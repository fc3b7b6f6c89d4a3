"""`AiohttpTransport`: an httpx transport over aiohttp, for high concurrency on asyncio.

httpx's own pool slows down as requests queue (every queued request rescans
the pool); aiohttp's connector does not. This transport plugs aiohttp in under
the SDK, so auth, retries, errors, models and the fake behave exactly as on the
default transport. Install with ``pip install 'scalekit-async[aiohttp]'``.
asyncio only: aiohttp does not run on trio.
"""

from __future__ import annotations

import functools
import io
from typing import TYPE_CHECKING, Any

import httpx

from ._errors import ConfigurationError
from ._pool import Answer, Body

if TYPE_CHECKING:
    import aiohttp

__all__ = ["AiohttpTransport"]

_STREAM_ABOVE = 512 * 1024
_DROP_REQUEST_HEADERS = frozenset({b"host", b"content-length", b"transfer-encoding"})
_DROP_RESPONSE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def _client_timeout(aiohttp: Any, phases: dict[str, float]) -> Any:
    """Turn the SDK's limits into aiohttp's, with as few timers as possible.

    With the call's deadline given (``total``), one timer bounds the whole
    exchange by the read limit or the deadline, whichever comes first: aiohttp's
    per-read timers cost more than anything else the SDK adds at high rates.
    """
    total = phases.get("total")
    if total is None:
        return aiohttp.ClientTimeout(
            connect=phases.get("pool"),
            sock_connect=phases.get("connect"),
            sock_read=phases.get("read"),
        )
    read = phases.get("read")
    return aiohttp.ClientTimeout(
        total=total if read is None else min(total, read),
        connect=phases.get("pool"),
        sock_connect=phases.get("connect"),
    )


class _Timeouts:
    """aiohttp's timeout objects for the SDK's limits, reused while the read limit binds.

    In the common case the call's deadline is further away than the read limit,
    so every attempt gets the same limits: one frozen `ClientTimeout` serves them all.
    """

    __slots__ = ("_aiohttp", "_known")

    def __init__(self, aiohttp: Any) -> None:
        self._aiohttp = aiohttp
        self._known: dict[tuple[float | None, float | None, float | None], Any] = {}

    def get(self, phases: dict[str, float]) -> Any:
        total, read = phases.get("total"), phases.get("read")
        if total is None or read is None or total < read:
            return _client_timeout(self._aiohttp, phases)
        key = (read, phases.get("pool"), phases.get("connect"))
        timeout = self._known.get(key)
        if timeout is None:
            if len(self._known) >= 16:  # per-call limits vary: keep the map small
                self._known.clear()
            timeout = self._known[key] = _client_timeout(self._aiohttp, phases)
        return timeout


@functools.lru_cache(maxsize=512)
def _yarl_url(url: str) -> Any:
    """Parse *url* once (it is already percent-encoded: keep it as is)."""
    import yarl

    return yarl.URL(url, encoded=True)


_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def _body(content: Any) -> Any:
    """The request body as aiohttp takes it.

    aiohttp warns about bodies over 1 MB given as bytes, so those go as a file;
    an async iterable of chunks (a streamed body) goes as is, sent chunked.
    """
    if isinstance(content, bytes | bytearray) and len(content) >= _STREAM_ABOVE:
        return io.BytesIO(content)
    return content


class _Lost(Exception):
    """A request's connection was lost: carried past aiohttp's own resend (see `_no_resend`)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _httpx_error(aiohttp: Any, exc: BaseException) -> httpx.HTTPError:
    """The httpx exception an aiohttp failure maps to (the SDK's sender maps those)."""
    if isinstance(exc, TimeoutError):  # first: aiohttp's timeouts are ClientErrors too
        kind = getattr(aiohttp, "ConnectionTimeoutError", None)
        if kind is not None and isinstance(exc, kind):
            return httpx.ConnectTimeout("connect timed out")
        return httpx.ReadTimeout("read timed out")
    mapping: tuple[tuple[type[BaseException], type[httpx.HTTPError]], ...] = (
        (aiohttp.ClientConnectorError, httpx.ConnectError),
        (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
        (aiohttp.ClientPayloadError, httpx.ReadError),
        (aiohttp.ClientResponseError, httpx.RemoteProtocolError),
        (aiohttp.ClientOSError, httpx.ReadError),
    )
    for kind, mapped in mapping:
        if isinstance(exc, kind):
            return mapped(str(exc))
    return httpx.NetworkError(str(exc))


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Send the SDK's requests through an `aiohttp.ClientSession`.

    Args:
        session: A session your aiohttp service already owns; it is reused and
            never closed here. Without one, a session is created on first use
            (inside the running loop) and closed by `aclose()`.
        limit: The most connections an owned session opens at once.
        keepalive_timeout: How long an owned session keeps idle connections.

    ```python
    client = sk.ScalekitClient(transport=sk.AiohttpTransport())
    client = sk.ScalekitClient(transport=sk.AiohttpTransport(session=app["http"]))
    ```
    """

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        limit: int = 100,
        keepalive_timeout: float = 15.0,
    ) -> None:
        try:
            import aiohttp
        except ImportError:  # pragma: no cover - depends on the environment
            raise ConfigurationError(
                "AiohttpTransport needs aiohttp: pip install 'scalekit-async[aiohttp]'"
            ) from None
        self._aiohttp = aiohttp
        self._timeouts = _Timeouts(aiohttp)
        self._resent = (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError)
        self._once = (self._no_resend,)
        self._session = session
        self._owned = session is None
        self._limit = limit
        self._keepalive = keepalive_timeout
        self._closed = False

    def _open(self) -> aiohttp.ClientSession:
        session = self._session
        if self._closed:
            raise httpx.ConnectError("this transport is closed")
        if session is None:  # an owned session, made once (only aclose() closes it)
            import asyncio  # aiohttp is asyncio-only; say so clearly under trio

            try:
                asyncio.get_running_loop()
            except RuntimeError:
                raise ConfigurationError(
                    "AiohttpTransport runs on asyncio only; use the default transport on trio"
                ) from None
            aiohttp = self._aiohttp
            session = self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self._limit, keepalive_timeout=self._keepalive
                ),
                auto_decompress=True,
            )
        return session

    async def send_raw(
        self,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        content: Body,
        timeout: dict[str, float],
    ) -> Answer:
        """Send one request and read the whole answer (the SDK's fast path)."""
        aiohttp = self._aiohttp
        session = self._session
        if session is None or self._closed:
            session = self._open()
        try:
            # Awaited, not entered: ``async with`` adds four coroutines per request
            # (one of them alive until the answer comes) to do what `release` does.
            response = await session.request(
                method,
                _yarl_url(url),
                headers=headers,
                data=None if content is None else _body(content),
                allow_redirects=False,
                timeout=self._timeouts.get(timeout),
                middlewares=self._once if method in _IDEMPOTENT else (),
            )
            try:
                body = await response.read()
            finally:
                # A no-op once the body is read; otherwise the connection is not reused.
                response.release()
            return Answer(response.status, response.headers, body, response.reason or "")
        except _Lost as lost:
            raise _httpx_error(aiohttp, lost.error) from lost.error
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _httpx_error(aiohttp, exc) from exc

    async def _no_resend(self, request: Any, handler: Any) -> Any:
        """Let aiohttp send a request once: the SDK's retry policy decides any second time.

        aiohttp resends an idempotent request by itself when a reused keep-alive
        connection turns out to be closed, outside ``max_retries``, the retry
        budget and the hooks. This request middleware carries the error past
        that resend; `send_raw` maps it like any other lost connection, and the
        SDK counts and retries it (or not) by its own policy.
        """
        try:
            return await handler(request)
        except self._resent as exc:
            raise _Lost(exc) from exc

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Serve as a plain httpx transport too (e.g. under an `httpx.AsyncClient`)."""
        headers = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, v in request.headers.raw
            if k.lower() not in _DROP_REQUEST_HEADERS
        ]
        answer = await self.send_raw(
            request.method,
            str(request.url),
            headers,
            await request.aread() or None,
            request.extensions.get("timeout") or {},
        )
        return httpx.Response(
            answer.status_code,
            headers=[
                (k, v) for k, v in answer.headers.items() if k.lower() not in _DROP_RESPONSE_HEADERS
            ],
            content=answer.content,
            request=request,
        )

    async def aclose(self) -> None:
        """Close the session this transport created (a given session is left open)."""
        self._closed = True
        if self._owned and self._session is not None and not self._session.closed:
            await self._session.close()
