"""Requests per second: raw httpx + json against the SDK, same loopback server, same run.

Each cell runs for a fixed time at a fixed number of requests in flight; the
table reports requests/s and the SDK's ratio to raw httpx measured side by side.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import contextmanager
from typing import Any, Iterator

import anyio
import httpx

import scalekit_async as sk

Call = Callable[[], Awaitable[Any]]


@contextmanager
def bench_server(page_size: int = 1) -> Iterator[str]:
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
    done = 0
    stop = anyio.current_time() + seconds
    for _ in range(min(concurrency, 8)):  # warm up connections
        await call()

    async def worker() -> None:
        nonlocal done
        while anyio.current_time() < stop:
            await call()
            done += 1

    started = anyio.current_time()
    async with anyio.create_task_group() as tg:
        for _ in range(concurrency):
            tg.start_soon(worker)
    return done / (anyio.current_time() - started)


def limits() -> httpx.Limits:
    return httpx.Limits(max_connections=100, max_keepalive_connections=100)


async def measure(url: str, levels: list[int], seconds: float) -> list[dict[str, Any]]:
    rows = []
    for level in levels:
        async with httpx.AsyncClient(base_url=url, limits=limits()) as raw:

            async def raw_call() -> Any:
                response = await raw.get(
                    "/api/v1/organizations", headers={"Authorization": "Bearer bench"}
                )
                return json.loads(response.content)

            raw_rps = await rate(raw_call, level, seconds)
        async with sk.ScalekitClient(url, "bench", "bench-secret") as client:
            sdk_rps = await rate(client.organizations.list, level, seconds)
        rows.append(
            {"in_flight": level, "raw_httpx": raw_rps, "sdk_httpx": sdk_rps, "ratio": sdk_rps / raw_rps}
        )
    return rows


def main(levels: list[int] | None = None, seconds: float = 2.0) -> list[dict[str, Any]]:
    levels = levels or [1, 16, 64]
    with bench_server() as url:
        time.sleep(0.2)
        rows = anyio.run(measure, url, levels, seconds)
    print(f"{'in flight':>9} {'raw httpx/s':>12} {'SDK/s':>10} {'SDK/raw':>8}")
    for row in rows:
        print(
            f"{row['in_flight']:>9} {row['raw_httpx']:>12.0f} {row['sdk_httpx']:>10.0f} {row['ratio']:>8.2f}"
        )
    return rows


if __name__ == "__main__":
    main()
