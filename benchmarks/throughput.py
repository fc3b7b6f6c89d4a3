"""Requests per second against one loopback server, every client side by side in one run.

Clients: raw httpx + json (the baseline), raw aiohttp + json (the practical
ceiling here), the SDK on its default transport and the SDK on the aiohttp
transport. The workload is one GET returning a page of organizations; the SDK
structures it into models. Each cell runs for a fixed time at a fixed number of
requests in flight; every level is measured in several rounds, the clients in a
rotated order each round, and the median of the rounds is reported. Ratios,
not absolute numbers, are the result: the machine is shared and noisy.
"""

from __future__ import annotations

import asyncio
import json
import statistics
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp
import httpx

import scalekit_async as sk
from benchmarks.server import running_server

Call = Callable[[], Awaitable[Any]]
Runner = Callable[[str, int, float], Awaitable[float]]
PATH = "/api/v1/organizations"
AUTH = {"Authorization": "Bearer bench"}
LEVELS = (1, 16, 64, 256)


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
    async with sk.ScalekitClient(
        url, "bench", "bench-secret-0123456789", transport=transport
    ) as client:
        return await rate(client.organizations.list, level, seconds)


async def sdk_aiohttp(url: str, level: int, seconds: float) -> float:
    return await sdk(url, level, seconds, sk.AiohttpTransport())


CLIENTS: dict[str, Runner] = {
    "raw_httpx": raw_httpx,
    "raw_aiohttp": raw_aiohttp,
    "sdk_httpx": sdk,
    "sdk_aiohttp": sdk_aiohttp,
}
RATIOS = {
    "sdk_httpx/raw_httpx": ("sdk_httpx", "raw_httpx"),
    "sdk_aiohttp/raw_httpx": ("sdk_aiohttp", "raw_httpx"),
    "sdk_aiohttp/raw_aiohttp": ("sdk_aiohttp", "raw_aiohttp"),
}


async def measure_level(url: str, level: int, seconds: float, rounds: int) -> dict[str, Any]:
    """Measure every client at *level*, *rounds* times in rotated order; medians and ratios."""
    names = list(CLIENTS)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            samples[name].append(await CLIENTS[name](url, level, seconds))
    row: dict[str, Any] = {"in_flight": level}
    for name in names:
        row[name] = statistics.median(samples[name])
    spread = {}
    for ratio, (top, bottom) in RATIOS.items():
        # The median of per-round ratios: the two sides of each ran seconds apart.
        per_round = [t / b for t, b in zip(samples[top], samples[bottom], strict=True)]
        row[ratio] = statistics.median(per_round)
        spread[ratio] = per_round
    row["samples"] = samples
    row["per_round_ratios"] = spread
    return row


HEADER = (
    f"{'in flight':>9} {'raw httpx':>10} {'raw aiohttp':>12} {'SDK httpx':>10} {'SDK aiohttp':>12}"
    f" {'SDKh/rawh':>17} {'SDKa/rawh':>17} {'SDKa/rawa':>17}"
)


def format_row(row: dict[str, Any]) -> str:
    """Rates, then each ratio as its median and [lowest-highest] of the rounds."""
    ratios = " ".join(
        f"{row[ratio]:>5.2f} [{min(values):.2f}-{max(values):.2f}]".rjust(17)
        for ratio, values in row["per_round_ratios"].items()
    )
    return (
        f"{row['in_flight']:>9} {row['raw_httpx']:>10.0f} {row['raw_aiohttp']:>12.0f}"
        f" {row['sdk_httpx']:>10.0f} {row['sdk_aiohttp']:>12.0f} {ratios}"
    )


async def measure(url: str, levels: Sequence[int], seconds: float, rounds: int) -> list[Any]:
    rows = []
    for level in levels:
        row = await measure_level(url, level, seconds, rounds)
        rows.append(row)
        print(format_row(row), flush=True)
    return rows


def run(
    url: str, levels: Sequence[int] = LEVELS, seconds: float = 1.0, rounds: int = 5
) -> dict[str, Any]:
    """Print the requests/s table (median of *rounds*) and return it with every sample."""
    print(
        f"requests/s, one GET of a one-organization page (SDK: structured into models); "
        f"median of {rounds} rounds of {seconds:g}s per cell; ratios: median [range] of the "
        "per-round ratios"
    )
    print(HEADER)
    rows = asyncio.run(measure(url, levels, seconds, rounds))
    return {"seconds_per_cell": seconds, "rounds": rounds, "rows": rows}


def main() -> None:
    with running_server() as url:
        run(url)


if __name__ == "__main__":
    main()
