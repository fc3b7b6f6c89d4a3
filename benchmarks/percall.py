"""Where one SDK call's time goes: cProfile of the SDK's calls against the bench server.

``client.organizations.list()`` (one GET, one organization structured into a
model) runs under cProfile: at 1 in flight on the default transport (the
SDK's own per-call work), and at 64 in flight on the aiohttp transport
(where the SDK's share decides how close it gets to raw aiohttp). Own time
(``tottime``) is summed by owner (the SDK itself, the models cattrs/attrs
generated for it, httpx, httpcore, h11, anyio, asyncio, builtins, ...) and
shown per call, followed by the SDK's most expensive functions. cProfile adds
a fixed cost to every Python call, so read the shares, not the microseconds.
The full profile is written next to the JSON results for ``pstats``.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
from collections import defaultdict
from pathlib import Path
from typing import Any

import scalekit_async as sk

SDK_GENERATED = "scalekit_async (generated model code)"


def owner(filename: str) -> str:
    """Which package a profiled function belongs to."""
    if filename.startswith(("<cattrs generated", "<attrs generated")):
        return SDK_GENERATED
    if filename == "~":
        return "builtins (C)"
    parts = filename.replace("\\", "/").split("/")
    if "scalekit_async" in parts:
        return "scalekit_async"
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    if "benchmarks" in parts:
        return "benchmark loop"
    for i, part in enumerate(parts):
        if part.startswith("python3"):
            return "stdlib " + parts[i + 1].removesuffix(".py") if i + 1 < len(parts) else part
    return parts[-1]


def label(func: tuple[str, int, str]) -> str:
    """``package/file.py:line(name)``, without the machine's path."""
    filename, line, name = func
    parts = filename.replace("\\", "/").split("/")
    if "scalekit_async" in parts:
        filename = "/".join(parts[parts.index("scalekit_async") :])
    elif filename.startswith("<"):
        return f"{filename.split()[-1].rstrip('>').rsplit('.', 1)[-1]}.{name} (generated)"
    else:
        filename = "/".join(parts[-2:])
    return f"{filename}:{line}({name})"


async def calls(
    url: str, count: int, profile: cProfile.Profile, transport: str, in_flight: int
) -> None:
    made = sk.AiohttpTransport() if transport == "aiohttp" else None
    async with sk.ScalekitClient(url, "bench", "bench-secret-0123456789", transport=made) as client:

        async def worker(n: int) -> None:
            for _ in range(n):
                await client.organizations.list()

        await asyncio.gather(*(worker(200 // in_flight + 1) for _ in range(in_flight)))  # warm
        profile.enable()
        await asyncio.gather(*(worker(count // in_flight) for _ in range(in_flight)))
        profile.disable()


def run(
    url: str,
    count: int = 3000,
    dump: Path | None = None,
    top: int = 12,
    transport: str = "httpx",
    in_flight: int = 1,
) -> dict[str, Any]:
    """Profile *count* calls; print and return the per-owner split and the SDK's top functions.

    *transport* is ``httpx`` (the default transport) or ``aiohttp``.
    """
    count -= count % in_flight
    profile = cProfile.Profile()
    asyncio.run(calls(url, count, profile, transport, in_flight))
    stats = pstats.Stats(profile)
    if dump is not None:
        dump.parent.mkdir(parents=True, exist_ok=True)
        stats.dump_stats(str(dump))
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    by_owner: dict[str, float] = defaultdict(float)
    ours: list[tuple[float, float, int, str]] = []
    for func, (_cc, ncalls, tottime, cumtime, _callers) in raw.items():
        who = owner(func[0])
        by_owner[who] += tottime
        if who in ("scalekit_async", SDK_GENERATED):
            ours.append((tottime, cumtime, ncalls, label(func)))
    total = sum(by_owner.values())
    print(
        f"per-call profile: {count} calls of client.organizations.list() at {in_flight} in"
        f" flight, {transport} transport, asyncio (cProfile; shares matter, not absolute us)"
    )
    print(f"{'owner':>40} {'us/call':>8} {'share':>6}")
    owners = sorted(by_owner.items(), key=lambda kv: -kv[1])
    for who, seconds in owners:
        if seconds / total >= 0.005:
            print(f"{who:>40} {seconds / count * 1e6:>8.1f} {seconds / total:>6.1%}")
    print(f"{'total':>40} {total / count * 1e6:>8.1f}")
    ours.sort(reverse=True)
    print(
        "the SDK's own most expensive functions: own and cumulative time per call, and"
        " entries per call (a coroutine counts each resumption)"
    )
    top_rows = []
    for tottime, cumtime, ncalls, name in ours[:top]:
        row = {
            "function": name,
            "own_us_per_call": tottime / count * 1e6,
            "cumulative_us_per_call": cumtime / count * 1e6,
            "entries_per_call": ncalls / count,
        }
        top_rows.append(row)
        print(
            f"  {row['own_us_per_call']:>6.1f} us own {row['cumulative_us_per_call']:>7.1f} us cum"
            f" {row['entries_per_call']:>5.1f}x  {name}"
        )
    return {
        "calls": count,
        "transport": transport,
        "in_flight": in_flight,
        "us_per_call_by_owner": {who: s / count * 1e6 for who, s in owners},
        "sdk_share": (by_owner["scalekit_async"] + by_owner[SDK_GENERATED]) / total,
        "sdk_top": top_rows,
    }


if __name__ == "__main__":
    from benchmarks.server import running_server

    with running_server() as url:
        run(url)
