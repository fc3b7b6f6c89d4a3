"""Memory while iterating 100,000 organizations through the paginator.

``async for org in client.organizations.list(page_size=100)`` against the bench
server (its own process, so only the client's memory is traced), with
`tracemalloc` tracing the client process from the start of the iteration:
every 10% of the items it records the memory held now (``current``) and the
most held since the last mark (``peak``), both relative to the start.

Held memory is read after a `gc.collect()`, so garbage waiting for the cycle
collector does not count. Keeping pages would grow memory by about one page
(``page_kb``) per page fetched, to ``if_accumulated_kb``; pages count as not
kept when the growth from the first mark to the last stays below a tenth of
that. What growth remains is shown in bytes per page, over the whole run and
over its second half (bounded caches are full by then; what still grows there
grows with the number of pages), and attributed to the three source lines
whose held memory grew most in the second half. One page's cost is the memory
a retained first `Page` holds.

Runs on asyncio with the default (httpx) and the aiohttp transports, and on
trio with the default transport.
"""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

import anyio

import scalekit_async as sk

PAGE_SIZE = 100
MARKS = 10


async def page_cost(client: sk.ScalekitClient) -> int:
    """Bytes a retained first page of ``PAGE_SIZE`` organizations holds."""
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    page = await client.organizations.list(page_size=PAGE_SIZE)
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    assert len(page.items) == PAGE_SIZE
    del page
    return held


async def iterate(url: str, items: int, transport: Any = None) -> dict[str, Any]:
    """Iterate *items* organizations once, tracing memory; return the marks and summary."""
    async with sk.ScalekitClient(
        url, "bench", "bench-secret-0123456789", transport=transport
    ) as client:
        # Warm up outside the trace: token, connection, converter hooks, URL caches.
        async for _ in client.organizations.list(page_size=PAGE_SIZE):
            break
        tracemalloc.start()
        try:
            one_page = await page_cost(client)
            gc.collect()
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            step = max(items // MARKS, 1)
            middle = step * (MARKS // 2)
            marks: list[dict[str, int]] = []
            snapshots: list[tracemalloc.Snapshot] = []
            count = 0
            async for _ in client.organizations.list(page_size=PAGE_SIZE):
                count += 1
                if count % step == 0 or count == items:
                    peak = tracemalloc.get_traced_memory()[1]
                    gc.collect()  # held memory, not garbage awaiting the cycle collector
                    current = tracemalloc.get_traced_memory()[0]
                    marks.append({"items": count, "current": current - base, "peak": peak - base})
                    # Inside the loop: the paginator's own state must still be alive.
                    if count == middle or count >= items:
                        snapshots.append(tracemalloc.take_snapshot())
                    tracemalloc.reset_peak()
                if count >= items:
                    break
        finally:
            tracemalloc.stop()
    sites = growth_sites(snapshots[0], snapshots[-1])
    pages = -(-count // PAGE_SIZE)
    half = next(m for m in marks if m["items"] >= middle)

    def per_page(start: dict[str, int]) -> float:
        fetched = (marks[-1]["items"] - start["items"]) / PAGE_SIZE
        return (marks[-1]["current"] - start["current"]) / max(fetched, 1)

    growth = marks[-1]["current"] - marks[0]["current"]
    peak = max(m["peak"] for m in marks)
    return {
        "items": count,
        "pages": pages,
        "page_kb": one_page / 1024,
        "peak_kb": peak / 1024,
        "growth_kb": growth / 1024,
        "growth_bytes_per_page": per_page(marks[0]),
        "late_growth_bytes_per_page": per_page(half),
        "if_accumulated_kb": pages * one_page / 1024,
        # Keeping pages grows by about one page per page; bounded caches filling up
        # and per-page bookkeeping stay far below a tenth of that.
        "pages_accumulated": per_page(marks[0]) > one_page / 10,
        "growth_sites": sites,
        "marks": marks,
    }


def where(filename: str) -> str:
    """A traced file named from its package down (no machine path)."""
    parts = filename.replace("\\", "/").split("/")
    for anchor in ("site-packages", "scalekit_async", "benchmarks"):
        if anchor in parts:
            index = parts.index(anchor)
            return "/".join(parts[index + (anchor == "site-packages") :])
    return "/".join(parts[-2:])


def growth_sites(first: tracemalloc.Snapshot, last: tracemalloc.Snapshot) -> list[str]:
    """The three source lines whose held memory grew most between two snapshots."""
    ignore = [tracemalloc.Filter(False, tracemalloc.__file__)]
    diff = last.filter_traces(ignore).compare_to(first.filter_traces(ignore), "lineno")
    grown = sorted((s for s in diff if s.size_diff > 0), key=lambda s: -s.size_diff)
    out = []
    for stat in grown[:3]:
        frame = stat.traceback[0]
        out.append(f"{where(frame.filename)}:{frame.lineno} +{stat.size_diff / 1024:.1f} kB")
    return out


def aiohttp_transport() -> Any:
    return sk.AiohttpTransport()


def run(url: str, items: int = 100_000) -> dict[str, Any]:
    """Measure on each backend/transport, print a table, return the results."""
    combos = {
        "asyncio/httpx": ("asyncio", None),
        "asyncio/aiohttp": ("asyncio", aiohttp_transport),
        "trio/httpx": ("trio", None),
    }
    print(
        f"paginator memory: {items:,} organizations, {PAGE_SIZE} per page "
        "(tracemalloc, client process only)"
    )
    print(
        f"{'backend':>16} {'1 page kB':>10} {'peak kB':>8} {'growth kB':>10}"
        f" {'B/page':>7} {'late B/page':>12} {'if kept kB':>11} {'pages kept':>11}"
    )
    out: dict[str, Any] = {"page_size": PAGE_SIZE}
    for name, (backend, make) in combos.items():

        async def measure(make: Any = make) -> dict[str, Any]:
            return await iterate(url, items, make() if make else None)

        result = anyio.run(measure, backend=backend)
        out[name] = result
        print(
            f"{name:>16} {result['page_kb']:>10.0f} {result['peak_kb']:>8.0f}"
            f" {result['growth_kb']:>10.1f} {result['growth_bytes_per_page']:>7.0f}"
            f" {result['late_growth_bytes_per_page']:>12.0f}"
            f" {result['if_accumulated_kb']:>11,.0f}"
            f" {'YES' if result['pages_accumulated'] else 'no':>11}",
            flush=True,
        )
        for site in result["growth_sites"]:
            print(f"{'':>16}   grew in the second half: {site}")
    return out


if __name__ == "__main__":
    from benchmarks.server import running_server

    with running_server() as url:
        run(url)
