"""A deliberately cheap loopback HTTP/1.1 server for benchmarks, run in its own process.

It answers from canned bytes, so the client under test dominates the cost:

- ``POST /oauth/token``: a token (``bench-1``, ``bench-2``, ...) whose
  ``expires_in`` is the current token lifetime (``--token-ttl``, changed at run
  time with ``GET /_bench/token-ttl?seconds=S``); every token request is counted.
- ``GET /api/v1/organizations`` without ``page_size``: one canned page of
  ``--page-size`` organizations and no next page (the throughput workload).
- ``GET /api/v1/organizations?page_size=N[&page_token=K]``: page ``K`` of a list
  of ``--total`` organizations, N per page, with ``next_page_token`` until the
  end (the paginator workload). Pages are built from one cached item list.
- ``GET /_bench/stats``: ``{"token_requests": ..., "last_token_at": ...,
  "api_requests": ...}``; ``last_token_at`` is when the last token was answered,
  on ``time.monotonic()`` (one clock for every process of a Linux machine).

Run by `running_server` (the benchmarks do that); standalone:
``python -m benchmarks.server --port 8766``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl

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


def organization(i: int) -> dict[str, object]:
    """The *i*-th organization of the benchmark data set (the ``ORG`` shape, distinct ids)."""
    return {
        **ORG,
        "id": f"org_{59615193906282635 + i}",
        "display_name": f"Megasoft {i}",
        "external_id": f"ext_{i}",
        "region_code": "EU" if i % 2 else "US",
        "metadata": {"plan": "enterprise", "seat": str(i)},
    }


def page_body(size: int = 1) -> bytes:
    """One unpaginated page of *size* copies of ``ORG``."""
    return json.dumps(
        {
            "organizations": [ORG] * size,
            "next_page_token": "",
            "prev_page_token": "",
            "total_size": size,
        }
    ).encode()


def response(body: bytes, status: str = "200 OK") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    ).encode()
    return head + body


class State:
    """What the server answers and what it counted (one per process)."""

    def __init__(self, page_size: int, total: int, token_ttl: float) -> None:
        self.page = response(page_body(page_size))
        self.total = total
        self.token_ttl = token_ttl
        self.token_requests = 0
        self.last_token_at = 0.0
        self.api_requests = 0
        self._items: dict[int, bytes] = {}

    def token(self) -> bytes:
        self.token_requests += 1
        self.last_token_at = time.monotonic()  # one system-wide clock: clients can compare
        grant = {
            "access_token": f"bench-{self.token_requests}",
            "token_type": "Bearer",
            "expires_in": self.token_ttl,
        }
        return response(json.dumps(grant).encode())

    def listing(self, query: str) -> bytes:
        params = dict(parse_qsl(query))
        size = max(1, min(int(params.get("page_size", "1")), 100))
        start = int(params.get("page_token") or 0)
        count = max(0, min(size, self.total - start))
        items = self._items.get(count)
        if items is None:
            items = self._items[count] = json.dumps(
                [organization(i) for i in range(count)]
            ).encode()
        following = start + count
        next_token = str(following) if following < self.total else ""
        prev_token = str(max(0, start - size)) if start else ""
        body = b"".join(
            (
                b'{"organizations":',
                items,
                f',"next_page_token":"{next_token}","prev_page_token":"{prev_token}",'
                f'"total_size":{self.total}}}'.encode(),
            )
        )
        return response(body)

    def control(self, path: str, query: str) -> bytes:
        if path == "/_bench/token-ttl":
            self.token_ttl = float(dict(parse_qsl(query))["seconds"])
            return response(b"{}")
        if path == "/_bench/stats":
            stats = {
                "token_requests": self.token_requests,
                "last_token_at": self.last_token_at,
                "api_requests": self.api_requests,
            }
            return response(json.dumps(stats).encode())
        return response(b'{"message":"not found"}', "404 Not Found")

    def answer(self, target: str) -> bytes:
        path, _, query = target.partition("?")
        if path.startswith("/oauth/token"):
            return self.token()
        if path.startswith("/_bench/"):
            return self.control(path, query)
        self.api_requests += 1
        if "page_size=" in query:
            return self.listing(query)
        return self.page


class Protocol(asyncio.Protocol):
    def __init__(self, state: State) -> None:
        self.state = state
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

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
            target = head.split(" ", 2)[1]
            self.transport.write(self.state.answer(target))


async def serve(port: int, state: State) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Protocol(state), "127.0.0.1", port, backlog=2048)
    sys.stdout.write(f"{server.sockets[0].getsockname()[1]}\n")
    sys.stdout.flush()
    async with server:
        await server.serve_forever()


@contextmanager
def running_server(
    page_size: int = 1, total: int = 100_000, token_ttl: float = 86399.0
) -> Iterator[str]:
    """Start this server in its own process on a free loopback port; yield its base URL."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks.server",
            "--port=0",
            f"--page-size={page_size}",
            f"--total={total}",
            f"--token-ttl={token_ttl}",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--page-size", type=int, default=1, help="items of the canned page")
    parser.add_argument("--total", type=int, default=100_000, help="items of the paged list")
    parser.add_argument("--token-ttl", type=float, default=86399.0, help="initial expires_in")
    args = parser.parse_args()
    asyncio.run(serve(args.port, State(args.page_size, args.total, args.token_ttl)))


if __name__ == "__main__":
    main()
