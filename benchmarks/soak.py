"""A bounded soak run: steady load with injected faults and short-lived tokens.

    python -m benchmarks.soak --seconds 20        # default 60 s; loopback only

The fake Scalekit runs in its own process (so only the client's memory is traced),
injecting a fault into about 1% of API requests (5xx, 429 with Retry-After, resets,
closes before/after processing or mid-body, stalls past the read timeout, slow
answers, HTML and truncated bodies) and now and then into the token endpoint, with
tokens that live a few seconds. ``--concurrency`` workers call list/get/create/
update/delete for ``--seconds``. The report gives calls made, errors by type (an
error that is not a `ScalekitError` is a bug and makes the run fail), token
requests, connections open at the end (before and after `aclose()`), and memory:
`tracemalloc`'s held bytes and the RSS, sampled ten times after a gc, with the
growth from the first sample after warm-up to the last. Memory counts as flat when
that growth stays under 2 MiB and 10% of the warm level.
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
import os
import random
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import anyio
import anyio.abc

import scalekit_async as sk

API = "/api/v1/organizations"
READ_TIMEOUT = 1.0
FLAT_BYTES = 2 * 1024 * 1024
FLAT_RATIO = 0.10
MARKS = 10


# -- the server process ----------------------------------------------------------------


def _fault(rng: random.Random) -> dict[str, Any]:
    """One fault, drawn from the kinds a real network and API produce."""
    return rng.choice(
        [
            {"status": 503},
            {"status": 500},
            {"status": 429, "retry_after": "0.05"},
            {"status": 502, "body": b"<html><h1>502 Bad Gateway</h1></html>"},
            {"status": 200, "body": b'{"organizations": [{"id": "org_'},
            {"drop": "before"},
            {"drop": "reset"},
            {"drop": "after"},
            {"drop": "mid-body"},
            {"stall_after_headers": READ_TIMEOUT * 1.5},
            {"delay": 0.2},
        ]
    )


async def _serve(token_ttl: float, fault_rate: float, seed: int) -> None:
    from scalekit_async.testing import FakeScalekit
    from scalekit_async.testing._server import ServerStats, serve

    fake = FakeScalekit(token_ttl=token_ttl, seed=seed)
    stats = ServerStats()
    rng = random.Random(seed)
    counts = {"requests": 0, "api_requests": 0, "token_requests": 0, "faults": 0}
    budget = 0.0

    async def inject() -> None:
        nonlocal budget
        while True:
            await anyio.sleep(0.01)
            seen = fake.requests[:]
            fake.requests.clear()  # keep the server's own memory flat too
            api = sum(r.path.startswith("/api/") for r in seen)
            counts["requests"] += len(seen)
            counts["api_requests"] += api
            counts["token_requests"] += len(seen) - api
            budget += api * fault_rate
            while budget >= 1:
                budget -= 1
                counts["faults"] += 1
                if rng.random() < 0.1:
                    fake.fail_next(1, path="/oauth/token", status=503)
                else:
                    fake.fail_next(1, path="/api/", **_fault(rng))

    def report() -> str:
        return json.dumps(
            {
                **counts,
                "tokens_issued": fake.tokens_issued,
                "rejected_tokens": fake.rejected_tokens,
                "open_connections": stats.open,
                "connections_opened": stats.opened,
            }
        )

    async with serve(fake, stats=stats) as url, anyio.create_task_group() as tg:
        print(url, flush=True)
        tg.start_soon(inject)
        while True:
            line = await anyio.to_thread.run_sync(sys.stdin.readline)
            if not line:
                break
            await anyio.sleep(0.05)  # let the injector count the last requests
            print(report(), flush=True)
        tg.cancel_scope.cancel()


# -- the client side ----------------------------------------------------------------------


class Server:
    """The fake in its own process: ask it for its counters over stdin/stdout."""

    def __init__(self, token_ttl: float, fault_rate: float, seed: int) -> None:
        root = str(Path(__file__).resolve().parent.parent)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks.soak",
                "--serve",
                "--token-ttl",
                str(token_ttl),
                "--fault-rate",
                str(fault_rate),
                "--seed",
                str(seed),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            raise RuntimeError("the soak server did not start")

    async def stats(self) -> dict[str, Any]:
        def ask() -> str:
            assert self.process.stdin is not None
            assert self.process.stdout is not None
            self.process.stdin.write("stats\n")
            self.process.stdin.flush()
            return self.process.stdout.readline()

        return json.loads(await anyio.to_thread.run_sync(ask))  # type: ignore[no-any-return]

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


def rss_bytes() -> int | None:
    """The resident set size of this process (Linux), or None."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def memory_mark() -> tuple[int, int | None]:
    gc.collect()
    return tracemalloc.get_traced_memory()[0], rss_bytes()


class Latency:
    """A fixed-size histogram (1 ms buckets up to 10 s): percentiles in constant memory."""

    def __init__(self) -> None:
        self.buckets = [0] * 10_001
        self.count = 0

    def add(self, seconds: float) -> None:
        self.buckets[min(int(seconds * 1000), 10_000)] += 1
        self.count += 1

    def percentile(self, p: float) -> float:
        rank = p * self.count
        seen = 0
        for ms, n in enumerate(self.buckets):
            seen += n
            if seen >= rank and n:
                return ms / 1000
        return 0.0


async def soak(args: argparse.Namespace) -> dict[str, Any]:
    server = Server(args.token_ttl, args.fault_rate, args.seed)
    try:
        return await _drive(args, server)
    finally:
        server.close()


async def _drive(args: argparse.Namespace, server: Server) -> dict[str, Any]:
    rng = random.Random(args.seed)
    errors: collections.Counter[str] = collections.Counter()
    untyped: collections.Counter[str] = collections.Counter()
    calls = collections.Counter[str]()
    latency = Latency()
    options: dict[str, Any] = {
        "timeout": 10.0,
        "timeouts": sk.Timeouts(read=READ_TIMEOUT, connect=2.0, pool=5.0),
        "retry": sk.RetryPolicy(backoff_base=0.05, backoff_cap=0.5),
    }
    if args.transport == "aiohttp":
        options["transport"] = sk.AiohttpTransport()
    client = sk.ScalekitClient(server.url, "skc_fake_client", "fake-secret-do-not-use", **options)
    samples: list[dict[str, Any]] = []
    started = anyio.current_time()
    stop_at = started + args.seconds

    async def one(ids: collections.deque[str]) -> None:
        op = rng.choices(["list", "get", "create", "update", "delete"], [4, 3, 1, 1, 1])[0]
        calls[op] += 1
        t0 = anyio.current_time()
        try:
            if op == "list":
                await client.organizations.list(page_size=10)
            elif op == "create" or not ids:
                ids.append((await client.organizations.create(display_name="Soak")).id)
            elif op == "get":
                await client.organizations.get(rng.choice(ids))
            elif op == "update":
                await client.organizations.update(rng.choice(ids), display_name="Soak 2")
            else:
                await client.organizations.delete(ids.popleft())
        except sk.ScalekitError as exc:
            errors[type(exc).__name__] += 1
        except Exception as exc:  # anything else is a reliability bug: count it
            untyped[type(exc).__name__] += 1
        latency.add(anyio.current_time() - t0)

    async def worker() -> None:
        ids: collections.deque[str] = collections.deque(maxlen=10)  # this worker's own
        while anyio.current_time() < stop_at:
            await one(ids)

    async def sampler() -> None:
        for mark in range(1, MARKS + 1):
            await anyio.sleep_until(started + args.seconds * mark / MARKS)
            traced, rss = memory_mark()
            samples.append(
                {
                    "at_s": round(anyio.current_time() - started, 1),
                    "calls": sum(calls.values()),
                    "traced_bytes": traced,
                    "rss_bytes": rss,
                }
            )
            print(
                f"  {samples[-1]['at_s']:>6.1f}s  calls {samples[-1]['calls']:>8}  "
                f"traced {traced / 1024:>9.0f} KiB  rss {(rss or 0) / 2**20:>7.1f} MiB",
                flush=True,
            )

    tracemalloc.start()
    async with anyio.create_task_group() as tg:
        tg.start_soon(sampler)
        for _ in range(args.concurrency):
            tg.start_soon(worker)
    elapsed = anyio.current_time() - started
    before_close = await server.stats()
    await client.aclose()
    await anyio.sleep(0.2)
    after_close = await server.stats()
    tracemalloc.stop()

    warm = samples[1] if len(samples) > 2 else samples[0]
    last = samples[-1]
    growth = last["traced_bytes"] - warm["traced_bytes"]
    flat = growth < FLAT_BYTES and growth < FLAT_RATIO * max(warm["traced_bytes"], 1)
    rss_growth = (
        last["rss_bytes"] - warm["rss_bytes"]
        if last["rss_bytes"] is not None and warm["rss_bytes"] is not None
        else None
    )
    total = sum(calls.values())
    return {
        "options": {k: v for k, v in vars(args).items() if k != "serve"},
        "seconds": round(elapsed, 1),
        "calls": total,
        "calls_per_s": round(total / elapsed, 1),
        "calls_by_operation": dict(calls),
        "ok": total - sum(errors.values()) - sum(untyped.values()),
        "errors_by_type": dict(errors.most_common()),
        "untyped_errors": dict(untyped),
        "latency_p50_s": latency.percentile(0.50),
        "latency_p99_s": latency.percentile(0.99),
        "token_requests_by_client": client.token_fetches,
        "server": before_close,
        "open_connections_before_close": before_close["open_connections"],
        "open_connections_after_close": after_close["open_connections"],
        "memory_samples": samples,
        "traced_growth_bytes": growth,
        "rss_growth_bytes": rss_growth,
        "memory_flat": flat,
    }


def print_report(r: dict[str, Any]) -> None:
    server = r["server"]
    print(f"\ncalls made           {r['calls']} in {r['seconds']}s ({r['calls_per_s']}/s)")
    print(f"  by operation       {r['calls_by_operation']}")
    print(f"  succeeded          {r['ok']}")
    p50, p99 = r["latency_p50_s"] * 1000, r["latency_p99_s"] * 1000
    print(f"  latency p50 / p99  {p50:.0f} ms / {p99:.0f} ms")
    print(f"faults injected      {server['faults']} of {server['api_requests']} API requests")
    print(
        "errors by type       "
        + (", ".join(f"{k} {v}" for k, v in r["errors_by_type"].items()) or "none")
    )
    print(f"untyped errors       {r['untyped_errors'] or 'none'}")
    print(
        f"token requests       {r['token_requests_by_client']} by the client, "
        f"{server['tokens_issued']} tokens issued, {server['rejected_tokens']} API requests "
        "with an expired/unknown token"
    )
    print(
        f"open connections     {r['open_connections_before_close']} at the end, "
        f"{r['open_connections_after_close']} after aclose() "
        f"({server['connections_opened']} opened in all)"
    )
    rss = r["rss_growth_bytes"]
    since = r["memory_samples"][1 if len(r["memory_samples"]) > 2 else 0]["at_s"]
    print(
        f"memory growth        traced {r['traced_growth_bytes'] / 1024:+.0f} KiB, "
        f"rss {'n/a' if rss is None else f'{rss / 2**20:+.1f} MiB'} (from {since}s to the end)"
    )
    print(f"memory flat          {'yes' if r['memory_flat'] else 'NO'}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.soak", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to run (default 60)")
    parser.add_argument("--concurrency", type=int, default=32, help="calls in flight (default 32)")
    parser.add_argument("--fault-rate", type=float, default=0.01, help="faults per API request")
    parser.add_argument("--token-ttl", type=float, default=5.0, help="token lifetime in seconds")
    parser.add_argument("--transport", choices=["httpx", "aiohttp"], default="httpx")
    parser.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the report here as JSON")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 3600:
        parser.error("--seconds must be in (0, 3600]: a soak run is bounded")
    if args.transport == "aiohttp" and args.backend == "trio":
        parser.error("the aiohttp transport runs on asyncio only")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve:
        anyio.run(_serve, args.token_ttl, args.fault_rate, args.seed)
        return 0
    print(
        f"soak: {args.seconds:g}s, {args.concurrency} in flight, {args.fault_rate:.1%} faults, "
        f"{args.token_ttl:g}s tokens, {args.transport} on {args.backend}",
        flush=True,
    )
    result = anyio.run(soak, args, backend=args.backend)
    print_report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    healthy = (
        result["memory_flat"]
        and not result["untyped_errors"]
        and result["open_connections_after_close"] == 0
    )
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
