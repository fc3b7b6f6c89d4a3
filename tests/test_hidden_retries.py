"""No retries outside the SDK's accounting: every request the server sees is an attempt the
hooks saw, counted in `max_retries` and the retry budget.

aiohttp resends an idempotent request on its own when a reused keep-alive connection
turns out to be closed. The SDK turns that off, so its own policy decides.
"""

from __future__ import annotations

import json

import anyio
import anyio.abc
import pytest

import scalekit_async as sk

pytestmark = pytest.mark.anyio

SECRET = "secret-of-at-least-16-chars"
ORG = {"organization": {"id": "org_1", "display_name": "Acme"}}


class StaleKeepAlive:
    """Answers the token, then closes the kept-alive connection on the first API request."""

    def __init__(self) -> None:
        self.api_requests = 0
        self.dropped = False

    async def serve(self, stream: anyio.abc.SocketStream) -> None:
        buffer = b""
        async with stream:
            while True:
                while b"\r\n\r\n" not in buffer:
                    try:
                        buffer += await stream.receive()
                    except (anyio.EndOfStream, anyio.BrokenResourceError):
                        return
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                length = 0
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                while len(buffer) < length:
                    buffer += await stream.receive()
                buffer = buffer[length:]
                path = lines[0].split(" ")[1]
                if path == "/oauth/token":
                    body = json.dumps({"access_token": "at-1", "expires_in": 3600}).encode()
                else:
                    self.api_requests += 1
                    if not self.dropped:
                        self.dropped = True
                        return  # the server closed the idle connection: no answer
                    body = json.dumps(ORG).encode()
                await stream.send(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    b"content-length: %d\r\nconnection: keep-alive\r\n\r\n%s" % (len(body), body)
                )


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # aiohttp runs on asyncio only
@pytest.mark.parametrize("max_retries", [0, 2])
async def test_aiohttp_never_resends_behind_the_sdks_back(max_retries: int) -> None:
    server = StaleKeepAlive()
    attempts: list[sk.Attempt] = []
    retries: list[sk.RetryScheduled] = []
    hooks = sk.Hooks(on_response=(attempts.append,), on_retry=(retries.append,))
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, server.serve)
        async with sk.ScalekitClient(
            f"http://127.0.0.1:{port}",
            "skc_1",
            SECRET,
            transport=sk.AiohttpTransport(),
            hooks=hooks,
            retry=sk.RetryPolicy(backoff_base=0.01, backoff_cap=0.01),
            max_retries=max_retries,
        ) as client:
            if max_retries == 0:
                with pytest.raises(sk.APIConnectionError) as info:
                    await client.organizations.get("org_1")
                assert info.value.outcome_unknown
            else:
                org = await client.organizations.get("org_1")
                assert org.id == "org_1"
        tg.cancel_scope.cancel()
    api_attempts = [a for a in attempts if a.route.startswith("/api")]
    assert server.api_requests == len(api_attempts)  # nothing the hooks did not see
    assert len(retries) == min(max_retries, 1)
