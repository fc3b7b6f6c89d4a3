"""One worker process of a fleet, for tests/test_fleet.py and benchmarks/fleet.py.

Started once and reused: it prints ``ready`` when its imports are done, then reads
one JSON job per line on stdin, runs it on asyncio, and writes one JSON result
line on stdout. It exits when stdin closes.

A job: ``url``, ``client_id``, ``client_secret`` (the fake Scalekit); ``redis``
(a Redis URL, or null for no fleet mode); ``share_token`` (use the
`RedisTokenStore`); ``rpm`` and ``burst`` (use the `RedisRateLimiter`, or null);
``concurrency`` (tasks calling in a loop) and ``think`` (how long each task
sleeps between its calls, on average: 0.5x to 1.5x at random, so the tasks do
not move in lockstep); ``start_at`` and ``until`` (wall-clock
times: every worker starts together; no call starts after ``until``);
``cancel_at_until`` (cut calls still in flight at ``until`` instead of letting
them finish); ``op_timeout``, ``recheck_after``, ``poll_interval``, ``timeout``.

The result: calls that succeeded (``ok``), failures by error type
(``errors``), the client's token requests (``token_fetches``), and every
``scalekit_async`` log record at INFO or above (``logs``, as level and message).
"""

from __future__ import annotations

import json
import logging
import random
import sys
import time
from collections import Counter
from typing import Any

import anyio

import scalekit_async as sk
from scalekit_async.redis import Fleet


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.levelname, record.getMessage()))


async def run(job: dict[str, Any]) -> dict[str, Any]:
    records = Records()
    log = logging.getLogger("scalekit_async")
    log.setLevel(logging.INFO)
    log.addHandler(records)
    fleet = None
    options: dict[str, Any] = {}
    if job.get("redis"):
        fleet = Fleet.from_url(
            job["redis"],
            environment_url=job["url"],
            client_id=job["client_id"],
            requests_per_minute=job.get("rpm"),
            burst=job.get("burst", 1),
            op_timeout=job.get("op_timeout", 0.5),
            recheck_after=job.get("recheck_after", 2.0),
            poll_interval=job.get("poll_interval", 0.05),
        )
        if job.get("share_token", True):
            options["token_store"] = fleet.token_store
        if fleet.rate_limiter is not None:
            options["rate_limiter"] = fleet.rate_limiter
    ok = 0
    errors: Counter[str] = Counter()
    until = job["until"]
    think = job.get("think", 0.0)
    client = sk.ScalekitClient(
        job["url"],
        job["client_id"],
        job["client_secret"],
        timeout=job.get("timeout", 60.0),
        **options,
    )
    try:
        async with client:
            await anyio.sleep(max(0.0, job["start_at"] - time.time()))

            async def calls() -> None:
                nonlocal ok
                while time.time() < until:
                    try:
                        await client.organizations.list(page_size=1)
                    except Exception as exc:  # any failure is counted, none stops the run
                        errors[type(exc).__name__] += 1
                    else:
                        ok += 1
                    if think:
                        await anyio.sleep(think * random.uniform(0.5, 1.5))

            limit = until - time.time() if job.get("cancel_at_until") else float("inf")
            with anyio.move_on_after(max(0.0, limit)):
                async with anyio.create_task_group() as tg:
                    for _ in range(job["concurrency"]):
                        tg.start_soon(calls)
            fetches = client.token_fetches
    finally:
        if fleet is not None:
            await fleet.aclose()
        log.removeHandler(records)
    return {"ok": ok, "errors": dict(errors), "token_fetches": fetches, "logs": records.records}


def main() -> None:
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        result = anyio.run(run, json.loads(line), backend="asyncio")
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
