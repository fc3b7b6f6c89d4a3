"""CPU per call of the SDK on aiohttp over raw aiohttp, the two taking turns in short slices.

``throughput`` measures each client in one-second cells, each cell on a client
made for it, one cell after the other. A burst of noise shorter than a pair of
cells then lands on one side only: in one run its per-round ratios at 64 in
flight spread from 1.15x to 1.61x, and its median moved by 0.1 from run to run.
Here both clients stay open for the whole level and take turns in slices of
``max(150, 4 x level)`` calls, the side that goes first alternating slice by
slice. A round adds up each client's CPU time (``time.process_time()``) over
its slices, so whatever the machine does in that round lands on both sides. A
round's ratio is the SDK's CPU per call over raw aiohttp's; the level's figure
is the median of the rounds, with their range.

This is the figure the 1.25x target is read from; ``throughput`` keeps its
cells for requests per second and for the httpx clients, which are far from
their target. The collector runs before each round, not each slice: its work
lands on whichever client is running, as it would in a service.
``python -m benchmarks.interleaved`` runs it alone.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from benchmarks.instructions import CLIENTS, Call, drive, open_client
from benchmarks.throughput import LEVELS


def slice_calls(level: int) -> int:
    """Calls in one slice at *level* in flight: enough to make filling and draining it small."""
    return max(150, 4 * level)


async def measure_level(url: str, level: int, rounds: int, slices: int) -> dict[str, Any]:
    """The per-round CPU ratios (SDK / raw) at *level*, and each client's CPU us per call."""
    calls: dict[str, Call] = {}
    closers: list[Callable[[], Awaitable[Any]]] = []
    for client in CLIENTS:
        calls[client], closing = await open_client(client, url)
        closers += closing
    n = slice_calls(level)
    ratios: list[float] = []
    cpu_us: dict[str, list[float]] = {client: [] for client in CLIENTS}
    try:
        for call in calls.values():  # warm: connections opened, token fetched
            await drive(call, level, n)
        for r in range(rounds):
            spent = dict.fromkeys(CLIENTS, 0.0)
            gc.collect()
            for s in range(slices):
                order = CLIENTS if (r + s) % 2 == 0 else CLIENTS[::-1]
                for client in order:
                    started = time.process_time()
                    await drive(calls[client], level, n)
                    spent[client] += time.process_time() - started
            for client in CLIENTS:
                cpu_us[client].append(spent[client] / (n * slices) * 1e6)
            ratios.append(spent["sdk_aiohttp"] / spent["raw_aiohttp"])
    finally:
        for close in closers:
            await close()
    return {
        "in_flight": level,
        "slice_calls": n,
        "cpu sdk_aiohttp/raw_aiohttp": statistics.median(ratios),
        "per_round_ratios": ratios,
        "cpu_us": {client: statistics.median(values) for client, values in cpu_us.items()},
    }


def run(
    url: str, levels: tuple[int, ...] = LEVELS, rounds: int = 8, slices: int = 10
) -> dict[str, Any]:
    """Measure every level; print a row per level."""
    print(
        f"CPU per call, SDK on aiohttp / raw aiohttp, both clients open, taking turns in"
        f" {slices} slices a round; {rounds} rounds; median [range] of the rounds"
    )
    print(f"{'in flight':>9} {'calls/slice':>11} {'raw us':>7} {'SDK us':>7} {'SDKa/rawa':>17}")
    rows = []
    for level in levels:
        row = asyncio.run(measure_level(url, level, rounds, slices))
        spread = row["per_round_ratios"]
        middle = row["cpu sdk_aiohttp/raw_aiohttp"]
        print(
            f"{level:>9} {row['slice_calls']:>11} {row['cpu_us']['raw_aiohttp']:>7.0f}"
            f" {row['cpu_us']['sdk_aiohttp']:>7.0f}"
            f" {middle:>6.2f} [{min(spread):.2f}-{max(spread):.2f}]",
            flush=True,
        )
        rows.append(row)
    return {"rounds": rounds, "slices": slices, "rows": rows}


def main() -> None:
    from benchmarks.server import running_server

    with running_server() as url:
        run(url)


if __name__ == "__main__":
    main()
