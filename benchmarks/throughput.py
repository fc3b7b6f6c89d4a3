"""Requests per second against one loopback server, every client side by side in one run.

Clients: raw httpx + json (the baseline), raw aiohttp + json (the practical
ceiling here), the SDK on its default transport and the SDK on the aiohttp
transport. The workload is one GET returning a page of organizations; the SDK
structures it into models. Each cell runs for a fixed time at a fixed number of
requests in flight. Ratios, not absolute numbers, are the result: the machine
is shared and noisy.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
import httpx

import scalekit_async as sk

Call = Callable[[], Awaitable[Any]]
PATH = "/api/v1/organizations"
AUTH = {"Authorization": "Bearer bench"}


@contextmanager
def bench_server(page_size: int = 1) -> Iterator[str]:
    """Start benchmarks.server in its own process; yield its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.server", "--port", "0", "--page-size", str(page_size)],
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


async def rate(call: Call, concurrency: int, seconds: float) -> float:
    """Run *call* with *concurrency* in flight for *seconds*; return completed calls/s."""
    loop = asyncio.get_running_loop()
    await asyncio.gather(*(call() for _ in range(min(concurrency, 16))))  # warm connections
    done = 0
    stop = loop.time() + seconds

    async def worker() -> None:
        nonlocal done
        while loop.time() < stop:
            await call()
            done += 1

    started = loop.time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (loop.time() - started)


async def raw_httpx(url: str, level: int, seconds: float) -> float:
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=url, limits=limits) as client:

        async def call() -> Any:
            return json.loads((await client.get(PATH, headers=AUTH)).content)

        return await rate(call, level, seconds)


async def raw_aiohttp(url: str, level: int, seconds: float) -> float:
    connector = aiohttp.TCPConnector(limit=100)
    async with aiohttp.ClientSession(url, connector=connector) as session:

        async def call() -> Any:
            async with session.get(PATH, headers=AUTH) as response:
                return json.loads(await response.read())

        return await rate(call, level, seconds)


async def sdk(url: str, level: int, seconds: float, transport: Any = None) -> float:
    async with sk.ScalekitClient(url, "bench", "bench-secret", transport=transport) as client:
        return await rate(client.organizations.list, level, seconds)


async def sdk_aiohttp(url: str, level: int, seconds: float) -> float:
    return await sdk(url, level, seconds, sk.AiohttpTransport())


CLIENTS = {
    "raw_httpx": raw_httpx,
    "raw_aiohttp": raw_aiohttp,
    "sdk_httpx": sdk,
    "sdk_aiohttp": sdk_aiohttp,
}


async def measure(url: str, levels: list[int], seconds: float) -> list[dict[str, Any]]:
    rows = []
    for level in levels:
        row: dict[str, Any] = {"in_flight": level}
        for name, run in CLIENTS.items():
            row[name] = await run(url, level, seconds)
        row["sdk_httpx/raw_httpx"] = row["sdk_httpx"] / row["raw_httpx"]
        row["sdk_aiohttp/raw_httpx"] = row["sdk_aiohttp"] / row["raw_httpx"]
        row["sdk_aiohttp/raw_aiohttp"] = row["sdk_aiohttp"] / row["raw_aiohttp"]
        rows.append(row)
        print_row(row)
    return rows


HEADER = (
    f"{'in flight':>9} {'raw httpx':>10} {'raw aiohttp':>12} {'SDK httpx':>10} {'SDK aiohttp':>12}"
    f" {'SDKh/rawh':>10} {'SDKa/rawh':>10} {'SDKa/rawa':>10}"
)


def print_row(row: dict[str, Any]) -> None:
    print(
        f"{row['in_flight']:>9} {row['raw_httpx']:>10.0f} {row['raw_aiohttp']:>12.0f}"
        f" {row['sdk_httpx']:>10.0f} {row['sdk_aiohttp']:>12.0f}"
        f" {row['sdk_httpx/raw_httpx']:>10.2f} {row['sdk_aiohttp/raw_httpx']:>10.2f}"
        f" {row['sdk_aiohttp/raw_aiohttp']:>10.2f}",
        flush=True,
    )


def main(levels: list[int] | None = None, seconds: float = 2.0) -> list[dict[str, Any]]:
    levels = levels or [1, 16, 64, 256]
    print("requests/s, one GET of an organizations page, structured into models by the SDK")
    print(HEADER)
    with bench_server() as url:
        return asyncio.run(measure(url, levels, seconds))


if __name__ == "__main__":
    main()
