"""Fleet mode: throughput and token requests of N worker processes, with and without Redis.

Rows, side by side in one run against one fake Scalekit served from this process:

- ``per process``: every worker fetches and refreshes its own token;
- ``shared token``: the workers share one token through `RedisTokenStore`;
- ``shared token + limiter``: also one `RedisRateLimiter` budget (``--rpm``).

Each worker (tests/fleet_worker.py) runs ``--concurrency`` tasks calling in a
loop for ``--seconds``; tokens live ``--token-ttl`` seconds and are refreshed
once half of that is left, so a run spans several lifetimes. The numbers to
read are ratios and counts: fleet calls/s relative to ``per process`` (the
cost of sharing), token requests per refresh (a refresh: token requests that
arrive together; N without the store, 1 with it) and the limited fleet's rate
against its budget. Needs ``redis-server``.

    python -m benchmarks.fleet --seconds 5
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import redis as redis_sync

from scalekit_async.testing import FakeScalekit

NO_PERSISTENCE = ("--save", "", "--appendonly", "no")
WORKER = Path(__file__).resolve().parent.parent / "tests" / "fleet_worker.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            sys.exit("benchmarks.fleet needs redis-server (Debian: apt-get install redis-server)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", *NO_PERSISTENCE],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with redis_sync.Redis(port=self.port, socket_timeout=1) as client:
                    client.ping()
                return
            except redis_sync.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    sys.exit("redis-server did not answer PING within 10 s")
                time.sleep(0.05)

    def flush(self) -> None:
        with redis_sync.Redis(port=self.port, socket_timeout=2) as client:
            client.flushall()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


class Workers:
    def __init__(self, size: int) -> None:
        self.processes = [
            subprocess.Popen(
                [sys.executable, str(WORKER)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(size)
        ]
        for process in self.processes:
            assert process.stdout is not None
            if process.stdout.readline().strip() != "ready":
                sys.exit("a fleet worker failed to start")

    async def run(self, job: dict[str, Any]) -> list[dict[str, Any]]:
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write(json.dumps(job) + "\n")
            process.stdin.flush()
        results: list[dict[str, Any]] = [{} for _ in self.processes]

        async def read(index: int) -> None:
            stdout = self.processes[index].stdout
            assert stdout is not None
            line = await anyio.to_thread.run_sync(stdout.readline)
            if not line:
                raise RuntimeError(f"fleet worker {index} died")
            results[index] = json.loads(line)

        async with anyio.create_task_group() as tg:
            for index in range(len(self.processes)):
                tg.start_soon(read, index)
        return results

    def close(self) -> None:
        for process in self.processes:
            assert process.stdin is not None
            assert process.stdout is not None
            process.stdin.close()
            process.wait(10)
            process.stdout.close()


ROWS = ("per process", "shared token", "shared token + limiter")


class CountingFake(FakeScalekit):
    """The fake, also noting when it issued each token."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.issued_at: list[float] = []

    def issue_token(self, ttl: float | None = None) -> str:
        self.issued_at.append(time.monotonic())
        return super().issue_token(ttl)

    def refreshes(self, apart: float) -> int:
        """How many separate moments tokens were requested at (requests *apart* s apart)."""
        times = sorted(self.issued_at)
        return sum(1 for i, t in enumerate(times) if i == 0 or t - times[i - 1] > apart)


async def one_row(
    name: str, args: argparse.Namespace, workers: Workers, redis: RedisServer
) -> dict[str, Any]:
    redis.flush()
    fake = CountingFake(token_ttl=args.token_ttl)
    async with fake.serve() as url:
        start = time.time() + 0.5
        job = {
            "url": url,
            "client_id": fake.client_id,
            "client_secret": fake.client_secret,
            "redis": None if name == "per process" else redis.url,
            "rpm": args.rpm if name.endswith("limiter") else None,
            "concurrency": args.concurrency,
            "start_at": start,
            "until": start + args.seconds,
            "cancel_at_until": True,
            "op_timeout": 2.0,
        }
        results = await workers.run(job)
    return {
        "calls_per_s": sum(r["ok"] for r in results) / args.seconds,
        "token_requests": fake.tokens_issued,
        "refreshes": fake.refreshes(apart=args.token_ttl / 8),
        "rejected_tokens": fake.rejected_tokens,
        "errors": sum(sum(r["errors"].values()) for r in results),
        "warnings": sum(1 for r in results for level, _ in r["logs"] if level == "WARNING"),
    }


async def measure(args: argparse.Namespace, workers: Workers, redis: RedisServer) -> list[Any]:
    """Every row once per round, in rotated order; medians, and ratios paired by round."""
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in ROWS}
    for r in range(args.rounds):
        for name in ROWS[r % len(ROWS) :] + ROWS[: r % len(ROWS)]:
            samples[name].append(await one_row(name, args, workers, redis))
    base = [each["calls_per_s"] for each in samples["per process"]]
    rows = []
    for name in ROWS:
        runs = samples[name]
        rates = [each["calls_per_s"] for each in runs]
        rows.append(
            {
                "row": name,
                "calls_per_s": statistics.median(rates),
                "vs_per_process": statistics.median(
                    [rate / b for rate, b in zip(rates, base, strict=True)]
                ),
                "token_requests": statistics.median([each["token_requests"] for each in runs]),
                "token_requests_per_refresh": statistics.median(
                    [each["token_requests"] / each["refreshes"] for each in runs]
                ),
                "rejected_tokens": sum(each["rejected_tokens"] for each in runs),
                "errors": sum(each["errors"] for each in runs),
                "warnings": sum(each["warnings"] for each in runs),
                "samples": runs,
            }
        )
    return rows


def run(
    seconds: float = 5.0,
    workers: int = 4,
    concurrency: int = 16,
    token_ttl: float = 4.0,
    rpm: float = 6000.0,
    rounds: int = 2,
) -> dict[str, Any]:
    """Print the table and return the rows."""
    args = argparse.Namespace(
        seconds=seconds,
        workers=workers,
        concurrency=concurrency,
        token_ttl=token_ttl,
        rpm=rpm,
        rounds=rounds,
    )
    redis = RedisServer()
    pool = Workers(workers)
    try:
        rows = anyio.run(measure, args, pool, redis, backend="asyncio")
    finally:
        pool.close()
        redis.stop()
    print(
        f"{workers} worker processes x {concurrency} calls in flight, {seconds:g}s per row, "
        f"median of {rounds} rounds; tokens live {token_ttl:g}s (refreshed every "
        f"{token_ttl / 2:g}s); limiter budget {rpm:g}/min = {rpm / 60:g}/s"
    )
    print(
        f"{'':<24} {'calls/s':>9} {'vs per process':>15} {'token requests':>15}"
        f" {'per refresh':>12} {'401s':>5} {'errors':>7} {'warnings':>9}"
    )
    for row in rows:
        print(
            f"{row['row']:<24} {row['calls_per_s']:>9.0f} {row['vs_per_process']:>14.2f}x"
            f" {row['token_requests']:>15g} {row['token_requests_per_refresh']:>12.1f}"
            f" {row['rejected_tokens']:>5} {row['errors']:>7} {row['warnings']:>9}"
        )
    return {"options": vars(args), "rows": rows}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fleet", description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per row (5)")
    parser.add_argument("--workers", type=int, default=4, help="worker processes (4)")
    parser.add_argument("--concurrency", type=int, default=16, help="calls in flight each (16)")
    parser.add_argument("--token-ttl", type=float, default=4.0, help="token lifetime, s (4)")
    parser.add_argument("--rpm", type=float, default=6000.0, help="limiter budget per minute")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of every row (2)")
    args = parser.parse_args(argv)
    run(args.seconds, args.workers, args.concurrency, args.token_ttl, args.rpm, args.rounds)


if __name__ == "__main__":
    main()
