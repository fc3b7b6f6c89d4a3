"""A deliberately cheap loopback HTTP/1.1 server for benchmarks, run in its own process.

It answers every request with a canned body (a token for ``/oauth/token``, one
page of organizations otherwise), so the client under test dominates the cost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

ORG = {
    "id": "org_59615193906282635",
    "display_name": "Megasoft",
    "external_id": "my_unique_id",
    "region_code": "US",
    "metadata": {"plan": "enterprise"},
    "create_time": "2025-02-15T06:23:44.560000Z",
    "update_time": "2025-02-15T06:23:44.560000Z",
    "settings": {
        "features": [{"name": "sso", "enabled": True}, {"name": "dir_sync", "enabled": False}]
    },
}


def page_body(size: int = 1) -> bytes:
    return json.dumps(
        {
            "organizations": [ORG] * size,
            "next_page_token": "",
            "prev_page_token": "",
            "total_size": size,
        }
    ).encode()


def response(body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    ).encode()
    return head + body


TOKEN = response(
    json.dumps({"access_token": "bench", "token_type": "Bearer", "expires_in": 86399}).encode()
)


class Protocol(asyncio.Protocol):
    def __init__(self, page: bytes) -> None:
        self.page = page
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            total = end + 4 + length
            if len(self.buffer) < total:
                return
            self.buffer = self.buffer[total:]
            path = head.split(" ", 2)[1]
            self.transport.write(TOKEN if path.startswith("/oauth/token") else self.page)  # type: ignore[attr-defined]


async def serve(port: int, page_size: int) -> None:
    page = response(page_body(page_size))
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Protocol(page), "127.0.0.1", port, backlog=1024)
    sys.stdout.write(f"{server.sockets[0].getsockname()[1]}\n")
    sys.stdout.flush()
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--page-size", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.page_size))


if __name__ == "__main__":
    main()
