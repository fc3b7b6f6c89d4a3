"""Serve a fake (any `App`) over HTTP/1.1 on a real socket (anyio + h11: asyncio or trio).

Each request is one guarded boundary: whatever the request or the app does, the
server answers or closes that connection and keeps serving the others.

- Malformed HTTP (request line, headers, ``Content-Length``, a head over 64 KiB)
  is answered 400 with a Scalekit error body, and the connection is closed
  cleanly (the client reads the answer; no reset).
- A body over 16 MiB is read and answered 413, as a gateway would.
- An exception from the app becomes a 500 ``INTERNAL`` answer, its traceback
  logged (logger ``scalekit_async.testing``); a `FakeDefect` (strict mode)
  becomes a 500 that names it.
"""

from __future__ import annotations

import json
import logging
import socket
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import anyio.abc
import attrs
import h11

from ._http import App, Dropped, FakeDefect, Reply, error_body

__all__ = ["ServerStats", "serve"]

logger = logging.getLogger("scalekit_async.testing")

_MAX_BODY = 16 * 1024 * 1024
_MAX_HEAD = 64 * 1024
_TRICKLE_INTERVAL = 0.05
_DRAIN_SECONDS = 1.0
_DRAIN_BYTES = 1024 * 1024
_STREAM_GONE = (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError)


@attrs.define
class ServerStats:
    """Connection counts of a served fake, for tests that check nothing is left open."""

    opened: int = 0
    closed: int = 0

    @property
    def open(self) -> int:
        """Connections accepted and not yet closed."""
        return self.opened - self.closed


def _reset(stream: anyio.abc.ByteStream) -> None:
    """Make the coming close a TCP reset (RST) instead of a clean FIN."""
    sock = stream.extra(anyio.abc.SocketAttribute.raw_socket, None)
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


async def _send_reply(conn: h11.Connection, stream: anyio.abc.ByteStream, reply: Reply) -> bool:
    """Send *reply*, acting out its delivery fault; false when the connection must close."""
    headers = [
        *reply.headers,
        ("content-length", str(len(reply.body))),
        ("server", "scalekit-async-fake"),
    ]
    head = conn.send(h11.Response(status_code=reply.status, headers=headers))
    fault = reply.fault
    if fault is None:
        await stream.send(
            head + conn.send(h11.Data(data=reply.body)) + conn.send(h11.EndOfMessage())
        )
        return True
    await stream.send(head)
    if fault.stall_after_headers > 0:
        await anyio.sleep(fault.stall_after_headers)
    body = reply.body
    if fault.drop == "mid-body":
        if len(body) > 1:
            await stream.send(conn.send(h11.Data(data=body[: len(body) // 2])))
        return False
    if fault.trickle is not None:
        chunk = max(1, int(fault.trickle * _TRICKLE_INTERVAL))
        for start in range(0, len(body), chunk):
            await stream.send(conn.send(h11.Data(data=body[start : start + chunk])))
            await anyio.sleep(chunk / fault.trickle)
    elif body:
        await stream.send(conn.send(h11.Data(data=body)))
    await stream.send(conn.send(h11.EndOfMessage()))
    return True


async def _receive_request(
    conn: h11.Connection, stream: anyio.abc.ByteStream
) -> tuple[h11.Request, bytes | None] | None:
    """The next request and its body (`None` when over the limit: read, not kept)."""
    request: h11.Request | None = None
    body = bytearray()
    too_large = False
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            try:
                data = await stream.receive(65536)
            except _STREAM_GONE:
                return None
            conn.receive_data(data)
        elif isinstance(event, h11.Request):
            head = len(event.target) + sum(len(k) + len(v) + 4 for k, v in event.headers)
            if head > _MAX_HEAD:  # h11 bounds an incomplete head only
                raise h11.RemoteProtocolError("request head too large", error_status_hint=431)
            if event.http_version not in (b"1.0", b"1.1"):
                raise h11.RemoteProtocolError("unsupported HTTP version", error_status_hint=505)
            request = event
        elif isinstance(event, h11.Data):
            if not too_large:
                body += event.data
                if len(body) > _MAX_BODY:
                    too_large = True
                    body.clear()
        elif isinstance(event, h11.EndOfMessage):
            assert request is not None
            return request, None if too_large else bytes(body)
        else:  # ConnectionClosed, PAUSED
            return None


async def _refuse(stream: anyio.abc.ByteStream) -> None:
    """Answer a malformed request 400, then close cleanly: EOF first, then drain, then close.

    Closing with unread input would reset the connection, and the client could
    lose the answer; its remaining bytes are read (bounded) and dropped instead.
    """
    body = json.dumps(error_body(400, "malformed HTTP request"), separators=(",", ":")).encode()
    head = (
        "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n"
        "server: scalekit-async-fake\r\n\r\n"
    )
    try:
        await stream.send(head.encode("ascii") + body)
        await stream.send_eof()
        with anyio.move_on_after(_DRAIN_SECONDS):
            drained = 0
            while drained < _DRAIN_BYTES:
                drained += len(await stream.receive(65536))
    except (*_STREAM_GONE, NotImplementedError):
        pass


async def _answer(app: App, request: h11.Request, body: bytes | None) -> Reply:
    """The app's answer to one request; raises `Dropped` only (the boundary)."""
    method = request.method.decode("latin-1")
    target = request.target.decode("latin-1")
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in request.headers}
    if body is None:  # as a gateway would, before the API sees it
        return Reply.json(413, error_body(413, "request body too large"))
    try:
        return await app.handle(method, target, headers, body)
    except Dropped:
        raise
    except FakeDefect as exc:  # strict mode: noted by the fake; the client sees a 500 naming it
        return Reply.json(500, error_body(500, f"fake defect: {exc}"))
    except Exception:
        logger.exception("the fake failed on %s %s", method, target.partition("?")[0])
        return Reply.json(500, error_body(500, "internal error"))


async def _connection(app: App, stream: anyio.abc.ByteStream) -> None:
    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=_MAX_HEAD)
    async with stream:
        while True:
            try:
                received = await _receive_request(conn, stream)
            except h11.RemoteProtocolError:
                if conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                    await _refuse(stream)
                return
            if received is None:
                return
            request, body = received
            try:
                reply = await _answer(app, request, body)
            except Dropped as exc:
                if exc.reset:
                    _reset(stream)
                return
            try:
                if not await _send_reply(conn, stream, reply):
                    return
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                return
            except h11.LocalProtocolError:  # a reply h11 refuses to write (a bad header)
                logger.exception("the fake's answer to %s could not be sent", request.target)
                return
            if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                return
            try:
                conn.start_next_cycle()
            except h11.LocalProtocolError:
                return


@asynccontextmanager
async def serve(
    app: App,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    stats: ServerStats | None = None,
    sock: socket.socket | None = None,
) -> AsyncIterator[str]:
    """Listen on *host*:*port* (0: any free port) and yield the base URL until exit.

    *stats*, when given, counts the connections opened and closed. *sock* is a
    bound, listening socket to serve on instead (it is closed on exit; pass a
    ``dup()`` to keep listening, e.g. to pause and resume accepting).
    """
    listener: anyio.abc.Listener[anyio.abc.SocketStream]
    if sock is not None:
        host = str(sock.getsockname()[0])
        listener = await anyio.abc.SocketListener.from_socket(sock)
    else:
        listener = await anyio.create_tcp_listener(local_host=host, local_port=port)
    bound = listener.extra(anyio.abc.SocketAttribute.local_port)
    counts = stats if stats is not None else ServerStats()

    async def handler(stream: anyio.abc.SocketStream) -> None:
        counts.opened += 1
        try:
            await _connection(app, stream)
        except Exception:  # never let one connection end the server
            logger.exception("a connection to the fake failed")
        finally:
            counts.closed += 1

    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, handler)
        try:
            yield f"http://{host}:{bound}"
        finally:
            tg.cancel_scope.cancel()
