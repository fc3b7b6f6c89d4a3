"""Where the SDK's CPU per call over raw aiohttp goes: building its models, or the rest.

Raw aiohttp + json returns dicts; the SDK structures every answer into frozen
models. A third client sits between the two here: raw aiohttp + json + the
SDK's converter (the hook the SDK's own list call uses, found once). The SDK's
overhead over raw aiohttp then splits into what its models cost and what
everything else costs (the engine, retries and deadlines, the paginator, the
transport's own frames). The method is ``throughput``'s: each round runs the
three clients' cells back to back, in an order rotated every round, and each
figure is the median of the per-round figures, with their range.
"""

from __future__ import annotations

import asyncio
import statistics
from typing import Any

import scalekit_async as sk
from benchmarks.throughput import (
    Cell,
    Runner,
    aiohttp_get,
    aiohttp_session,
    rate,
    raw_aiohttp,
    sdk_aiohttp,
)
from scalekit_async.models import Organization

LEVELS = (1, 64)
"""One in flight, and the level where the SDK's CPU ratio to raw aiohttp is highest."""
ITEMS = tuple[Organization, ...]


async def raw_aiohttp_models(url: str, level: int, seconds: float) -> Cell:
    """Raw aiohttp + json, then the page's organizations structured by the SDK's converter."""
    async with sk.ScalekitClient(url, "bench", "bench-secret-0123456789") as client:
        hook = client.converter.get_structure_hook(ITEMS)
    async with aiohttp_session(url) as session:

        async def call() -> Any:
            return hook((await aiohttp_get(session))["organizations"], ITEMS)

        return await rate(call, level, seconds)


CLIENTS: dict[str, Runner] = {
    "raw_aiohttp": raw_aiohttp,
    "raw_aiohttp_models": raw_aiohttp_models,
    "sdk_aiohttp": sdk_aiohttp,
}


async def measure_level(url: str, level: int, seconds: float, rounds: int) -> dict[str, Any]:
    """CPU per call of the three clients at *level*, and the SDK's overhead split in two."""
    names = list(CLIENTS)
    cpus: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % 3 :] + names[: r % 3]:
            _, cpu_us = await CLIENTS[name](url, level, seconds)
            cpus[name].append(cpu_us)
    raw, models, ours = cpus["raw_aiohttp"], cpus["raw_aiohttp_models"], cpus["sdk_aiohttp"]
    return {
        "in_flight": level,
        **{f"cpu_us/{name}": min(cpus[name]) for name in names},
        "models_us": [m - r for m, r in zip(models, raw, strict=True)],
        "rest_us": [s - m for s, m in zip(ours, models, strict=True)],
        "models/raw": [m / r for m, r in zip(models, raw, strict=True)],
        "sdk/models": [s / m for s, m in zip(ours, models, strict=True)],
        "sdk/raw": [s / r for s, r in zip(ours, raw, strict=True)],
    }


def _median(values: list[float], digits: int) -> str:
    """The median of *values* and [their lowest-highest]."""
    low, middle, high = min(values), statistics.median(values), max(values)
    return f"{middle:.{digits}f} [{low:.{digits}f}-{high:.{digits}f}]"


def print_table(rows: list[dict[str, Any]]) -> None:
    print(
        "client CPU us per call, best round; the SDK's overhead over raw aiohttp split into"
        " its models and the rest, as median [range] of the rounds"
    )
    print(
        f"{'in flight':>9} {'raw':>6} {'+models':>7} {'SDK':>6} "
        f"{'models us':>16} {'rest us':>16} {'+models/raw':>17} {'SDK/+models':>17} {'SDK/raw':>17}"
    )
    for row in rows:
        print(
            f"{row['in_flight']:>9} {row['cpu_us/raw_aiohttp']:>6.0f}"
            f" {row['cpu_us/raw_aiohttp_models']:>7.0f} {row['cpu_us/sdk_aiohttp']:>6.0f}"
            f" {_median(row['models_us'], 0):>16} {_median(row['rest_us'], 0):>16}"
            f" {_median(row['models/raw'], 2):>17} {_median(row['sdk/models'], 2):>17}"
            f" {_median(row['sdk/raw'], 2):>17}"
        )


def run(
    url: str, levels: tuple[int, ...] = LEVELS, seconds: float = 1.0, rounds: int = 8
) -> dict[str, Any]:
    """Measure and print the split at *levels*; return the per-round figures."""

    async def measure() -> list[dict[str, Any]]:
        return [await measure_level(url, level, seconds, rounds) for level in levels]

    print(f"one GET of a one-organization page on aiohttp; {rounds} rounds of {seconds:g}s a cell")
    rows = asyncio.run(measure())
    print_table(rows)
    return {"seconds_per_cell": seconds, "rounds": rounds, "rows": rows}
