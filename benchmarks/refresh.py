"""1,000 concurrent calls at the moment the token must be refreshed.

Driven deterministically by the bench server's token lifetime: the client's
token is issued with a 0.5 s lifetime (``GET /_bench/token-ttl``), the server is
then switched back to long-lived tokens, and the burst starts only once
``client.token_state`` says ``mandatory`` (less than a tenth of the lifetime
left: every caller must wait for a new token). The same burst on a client
whose token is fresh is the baseline. Both run on a warmed client (token and
connections), alternating per round.

Reported per backend/transport: the token requests the server received during
the burst (target: exactly 1; 0 for the baseline); when the server answered
that token request, counted from the start of the burst (both processes read
the same monotonic clock): this is how long the 1,000 callers waited for the
token; when the first call, the median call and the last call (the whole
burst) completed, fresh/refresh; and the added latency (refresh minus fresh,
median of the rounds). The median and the burst are dominated by the pool's
queueing of 1,000 calls, so their differences are within the noise of a
shared machine; the token's answer time is the precise measure.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import anyio
import httpx

import scalekit_async as sk

CALLS = 1000
SHORT_TTL = 0.5
LONG_TTL = 86399.0


def control(url: str, path: str) -> Any:
    return httpx.get(url + path, timeout=10).json()


def stats(url: str) -> dict[str, Any]:
    result: dict[str, Any] = control(url, "/_bench/stats")
    return result


async def first_page(client: sk.ScalekitClient) -> None:
    await client.organizations.list()


async def burst(client: sk.ScalekitClient, calls: int) -> tuple[list[float], float]:
    """Start *calls* calls at once; their completion times after *start*, and the start."""
    done: list[float] = []
    start = time.monotonic()

    async def call() -> None:
        await first_page(client)
        done.append(time.monotonic() - start)

    async with anyio.create_task_group() as tg:
        for _ in range(calls):
            tg.start_soon(call)
    assert len(done) == calls
    return sorted(done), start


async def scenario(
    url: str, refresh: bool, calls: int, transport: Callable[[], Any] | None
) -> dict[str, Any]:
    """One burst on a new, warmed client, with a token that is fresh or must be refreshed."""
    control(url, f"/_bench/token-ttl?seconds={SHORT_TTL if refresh else LONG_TTL}")
    made = transport() if transport else None
    async with sk.ScalekitClient(url, "bench", "bench-secret-0123456789", transport=made) as client:
        async with anyio.create_task_group() as tg:  # token, and a pool of connections
            for _ in range(100):
                tg.start_soon(first_page, client)
        control(url, f"/_bench/token-ttl?seconds={LONG_TTL}")
        while refresh and client.token_state != "mandatory":
            await anyio.sleep(0.01)
        state = client.token_state
        before, fetches = stats(url)["token_requests"], client.token_fetches
        times, start = await burst(client, calls)
        after = stats(url)
        return {
            "token_state": state,
            "token_requests": after["token_requests"] - before,
            "client_token_fetches": client.token_fetches - fetches,
            # When the server answered the one token request, from the burst's start.
            "token_answered_ms": (after["last_token_at"] - start) * 1000 if refresh else None,
            "first_ms": times[0] * 1000,
            "p50_ms": times[len(times) // 2] * 1000,
            "p99_ms": times[int(len(times) * 0.99) - 1] * 1000,
            "burst_ms": times[-1] * 1000,
        }


def aiohttp_transport() -> Any:
    return sk.AiohttpTransport()


def run(url: str, rounds: int = 3, calls: int = CALLS) -> dict[str, Any]:
    """Measure on each backend/transport, print a table, return the results."""
    combos = {
        "asyncio/httpx": ("asyncio", None),
        "asyncio/aiohttp": ("asyncio", aiohttp_transport),
        "trio/httpx": ("trio", None),
    }
    print(
        f"{calls:,} concurrent calls when the token must be refreshed vs with a fresh token "
        f"(median of {rounds} alternating rounds; times from the burst's start, fresh/refresh)"
    )
    print(
        f"{'backend':>16} {'token reqs':>10} {'token at ms':>11} {'first call ms':>14}"
        f" {'p50 ms':>14} {'burst ms':>14} {'added: first':>13} {'p50':>7} {'burst':>7}"
    )
    out: dict[str, Any] = {"calls": calls, "rounds": rounds, "short_ttl": SHORT_TTL}
    for name, (backend, make) in combos.items():
        fresh: list[dict[str, Any]] = []
        refreshed: list[dict[str, Any]] = []
        for r in range(rounds):
            for refresh in (False, True) if r % 2 == 0 else (True, False):

                async def one(refresh: bool = refresh, make: Any = make) -> dict[str, Any]:
                    return await scenario(url, refresh, calls, make)

                (refreshed if refresh else fresh).append(anyio.run(one, backend=backend))

        def median(rows: list[dict[str, Any]], key: str) -> float:
            return float(statistics.median(row[key] for row in rows))

        result = {
            "fresh": fresh,
            "refresh": refreshed,
            "token_requests_per_refresh_burst": sorted({r["token_requests"] for r in refreshed}),
            "token_requests_per_fresh_burst": sorted({r["token_requests"] for r in fresh}),
            "all_mandatory": all(r["token_state"] == "mandatory" for r in refreshed),
        }
        for key in ("first", "p50", "p99", "burst"):
            result[f"added_{key}_ms"] = statistics.median(
                r[f"{key}_ms"] - f[f"{key}_ms"] for r, f in zip(refreshed, fresh, strict=True)
            )
        result["exactly_one"] = result["token_requests_per_refresh_burst"] == [1] and result[
            "token_requests_per_fresh_burst"
        ] == [0]
        out[name] = result
        reqs = "/".join(str(r["token_requests"]) for r in refreshed)
        cells = " ".join(
            f"{median(fresh, key + '_ms'):>6.1f}/{median(refreshed, key + '_ms'):<7.1f}"
            for key in ("first", "p50", "burst")
        )
        result["token_answered_ms"] = median(refreshed, "token_answered_ms")
        print(
            f"{name:>16} {reqs:>10} {result['token_answered_ms']:>11.1f} {cells}"
            f" {result['added_first_ms']:>13.1f}"
            f" {result['added_p50_ms']:>7.0f} {result['added_burst_ms']:>7.0f}",
            flush=True,
        )
    return out


if __name__ == "__main__":
    from benchmarks.server import running_server

    with running_server() as url:
        run(url)
