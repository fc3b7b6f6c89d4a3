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
from ._pool import Answer

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


@functools.lru_cache(maxsize=512)
def _yarl_url(url: str) -> Any:
    """Parse *url* once (it is already percent-encoded: keep it as is)."""
    import yarl

    return yarl.URL(url, encoded=True)


_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class _OneAttempt:
    """Let aiohttp send a request once: the SDK's retry policy decides any second time.

    aiohttp resends an idempotent request by itself when a reused keep-alive
    connection turns out to be closed, outside ``max_retries``, the retry
    budget and the hooks. This request middleware refuses that second pass
    with the same error aiohttp saw, which the SDK then maps, counts and
    retries (or not) like any other lost connection.
    """

    __slots__ = ("_aiohttp", "_sent")

    def __init__(self, aiohttp: Any) -> None:
        self._aiohttp = aiohttp
        self._sent = False

    async def __call__(self, request: Any, handler: Any) -> Any:
        if self._sent:
            raise self._aiohttp.ServerDisconnectedError(
                "the kept-alive connection was closed by the server"
            )
        self._sent = True
        return await handler(request)


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
        self._session = session
        self._owned = session is None
        self._limit = limit
        self._keepalive = keepalive_timeout
        self._closed = False

    def _open(self) -> aiohttp.ClientSession:
        session = self._session
        if self._closed:
            raise httpx.ConnectError("this transport is closed")
        if session is None or (session.closed and self._owned):
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
        content: bytes | None,
        timeout: dict[str, float],
    ) -> Answer:
        """Send one request and read the whole answer (the SDK's fast path)."""
        aiohttp = self._aiohttp
        session = self._open()
        try:
            async with session.request(
                method,
                _yarl_url(url),
                headers=headers,
                # aiohttp warns about bodies over 1 MB given as bytes; stream those.
                data=content
                if content is None or len(content) < _STREAM_ABOVE
                else io.BytesIO(content),
                allow_redirects=False,
                timeout=_client_timeout(aiohttp, timeout),
                middlewares=(_OneAttempt(aiohttp),) if method in _IDEMPOTENT else (),
            ) as response:
                body = await response.read()
                return Answer(response.status, response.headers, body, response.reason or "")
        except TimeoutError as exc:  # first: aiohttp's timeouts are ClientErrors too
            kind = getattr(aiohttp, "ConnectionTimeoutError", None)
            if kind is not None and isinstance(exc, kind):
                raise httpx.ConnectTimeout("connect timed out") from exc
            raise httpx.ReadTimeout("read timed out") from exc
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(str(exc)) from exc
        except aiohttp.ServerDisconnectedError as exc:
            raise httpx.RemoteProtocolError(str(exc)) from exc
        except aiohttp.ClientPayloadError as exc:
            raise httpx.ReadError(str(exc)) from exc
        except aiohttp.ClientResponseError as exc:
            raise httpx.RemoteProtocolError(str(exc)) from exc
        except aiohttp.ClientOSError as exc:
            raise httpx.ReadError(str(exc)) from exc
        except aiohttp.ClientError as exc:
            raise httpx.NetworkError(str(exc)) from exc

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
