"""Serve a `FakeScalekit` over HTTP/1.1 on a real socket (anyio + h11: asyncio or trio)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import anyio
import anyio.abc
import h11

from ._http import Dropped

if TYPE_CHECKING:
    from ._fake import FakeScalekit

__all__ = ["serve"]

_MAX_BODY = 16 * 1024 * 1024


async def _receive_request(
    conn: h11.Connection, stream: anyio.abc.ByteStream
) -> tuple[h11.Request, bytes] | None:
    request: h11.Request | None = None
    body = bytearray()
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            try:
                data = await stream.receive(65536)
            except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
                return None
            conn.receive_data(data)
        elif isinstance(event, h11.Request):
            request = event
        elif isinstance(event, h11.Data):
            body += event.data
            if len(body) > _MAX_BODY:
                return None
        elif isinstance(event, h11.EndOfMessage):
            assert request is not None
            return request, bytes(body)
        else:  # ConnectionClosed, PAUSED
            return None


async def _connection(fake: FakeScalekit, stream: anyio.abc.ByteStream) -> None:
    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=64 * 1024)
    async with stream:
        while True:
            try:
                received = await _receive_request(conn, stream)
            except h11.RemoteProtocolError:
                return
            if received is None:
                return
            request, body = received
            headers = {k.decode().lower(): v.decode("latin-1") for k, v in request.headers}
            try:
                reply = await fake.handle(
                    request.method.decode(), request.target.decode(), headers, body
                )
            except Dropped:
                return
            response_headers = [
                *reply.headers,
                ("content-length", str(len(reply.body))),
                ("server", "scalekit-async-fake"),
            ]
            try:
                await stream.send(
                    conn.send(h11.Response(status_code=reply.status, headers=response_headers))
                )
                await stream.send(conn.send(h11.Data(data=reply.body)))
                await stream.send(conn.send(h11.EndOfMessage()))
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                return
            if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                return
            try:
                conn.start_next_cycle()
            except h11.LocalProtocolError:
                return


@asynccontextmanager
async def serve(fake: FakeScalekit, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Listen on *host*:*port* (0: any free port) and yield the base URL until exit."""
    listener = await anyio.create_tcp_listener(local_host=host, local_port=port)
    bound = listener.extra(anyio.abc.SocketAttribute.local_port)

    async def handler(stream: anyio.abc.SocketStream) -> None:
        await _connection(fake, stream)

    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, handler)
        try:
            yield f"http://{host}:{bound}"
        finally:
            tg.cancel_scope.cancel()
