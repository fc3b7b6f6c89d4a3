"""Instructions per call under callgrind: the SDK's own work, free of a noisy neighbour.

CPU time per call (``throughput``) still moves with whatever shares the
machine: caches, cores and frequency are shared. The number of instructions a
client executes per call does not, so it is the figure to steer by when
cutting the SDK's own work. Each client runs in a child process under
``valgrind --tool=callgrind`` against the benchmark server, twice (a short and
a long run, each after the same warm-up); the difference divided by the
difference in calls is its instructions per call, with start-up and imports
cancelled out.

It counts user-space instructions only: the kernel's work (sockets, epoll) is
the same for both clients and is left out, so this ratio is a little higher
than the CPU-time ratio would be on a quiet machine, never lower. Under
callgrind the client runs ~50x slower, so the server answers it in smaller
batches than at full speed; compare clients measured here with each other only.

Skipped when valgrind is not installed. ``python -m benchmarks.instructions``
runs it alone.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

CLIENTS = ("raw_aiohttp", "sdk_aiohttp")
WARM_UP = 300


Call = Callable[[], Awaitable[Any]]


async def open_client(client: str, url: str) -> tuple[Call, list[Callable[[], Awaitable[Any]]]]:
    """One call of *client* (``raw_aiohttp`` or ``sdk_aiohttp``) and what closes it."""
    import scalekit_async as sk
    from benchmarks.throughput import aiohttp_get, aiohttp_session

    if client == "raw_aiohttp":
        session = aiohttp_session(url)
        return partial(aiohttp_get, session), [session.close]
    sdk = sk.ScalekitClient(
        url, "bench", "bench-secret-0123456789", transport=sk.AiohttpTransport()
    )
    return sdk.organizations.list, [sdk.aclose]


async def drive(call: Call, level: int, count: int) -> None:
    """Make *count* calls with *level* of them in flight."""
    left = count

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await call()

    await asyncio.gather(*(worker() for _ in range(level)))


async def _child(client: str, level: int, calls: int, url: str) -> None:
    """Make *calls* calls with *level* in flight, after a warm-up of `WARM_UP` calls."""
    call, closers = await open_client(client, url)
    await drive(call, level, WARM_UP)
    await drive(call, level, calls)
    for close in closers:
        await close()


def _instructions(client: str, level: int, calls: int, url: str) -> int:
    """Instructions callgrind counted for one child run."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "benchmarks.instructions",
        "--child",
        client,
        str(level),
        str(calls),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    found = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"callgrind reported no count:\n{done.stderr[-2000:]}")
    return int(found[1])


def run(url: str, level: int = 64, calls: tuple[int, int] = (400, 1200)) -> dict[str, Any]:
    """Instructions per call of raw aiohttp and of the SDK on aiohttp, and their ratio."""
    if shutil.which("valgrind") is None:
        print("skipped: valgrind is not installed")
        return {"skipped": "valgrind is not installed"}
    short, long = calls
    per_call: dict[str, float] = {}
    for client in CLIENTS:
        counts = [_instructions(client, level, n, url) for n in (short, long)]
        per_call[client] = (counts[1] - counts[0]) / (long - short)
    ratio = per_call["sdk_aiohttp"] / per_call["raw_aiohttp"]
    overhead = per_call["sdk_aiohttp"] - per_call["raw_aiohttp"]
    print(
        f"instructions per call at {level} in flight (callgrind, {long}-{short} calls after"
        f" a warm-up of {WARM_UP}):"
    )
    print(f"  raw aiohttp  {per_call['raw_aiohttp'] / 1000:8.1f} k")
    print(f"  SDK aiohttp  {per_call['sdk_aiohttp'] / 1000:8.1f} k   (+{overhead / 1000:.1f} k)")
    print(f"  SDK/raw      {ratio:8.3f}")
    return {
        "in_flight": level,
        "calls": list(calls),
        "per_call": per_call,
        "sdk_overhead": overhead,
        "sdk/raw": ratio,
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        client, level, calls, url = argv[1:5]
        asyncio.run(_child(client, int(level), int(calls), url))
        return
    from benchmarks.server import running_server

    with running_server() as url:
        run(url)


if __name__ == "__main__":
    main(sys.argv[1:])
