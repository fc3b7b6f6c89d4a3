"""Retry storm control: when the API fails everything, the client-wide retry budget keeps
the load it adds bounded; every form of ``Retry-After`` is handled without a crash or an
unbounded sleep.

The bound. `RetryBudget` starts full at ``cap = max(10, 10 * budget_floor)`` retries,
earns ``budget_ratio`` of a retry per send (API calls and token fetches alike) and
``budget_floor`` retries per second, never holding more than ``cap``; each retry spends
one. So, over a run of ``T`` seconds with ``S`` sends, the requests that reach the API
are at most

    S * (1 + budget_ratio) + max(10, 10 * budget_floor) + budget_floor * T

With the defaults (ratio 0.2, floor 2/s): 100 failing calls cost at most 120 + 20 + 2T
requests, not the 300 that ``max_retries=2`` alone would allow.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import anyio
import pytest
from hypothesis import given, strategies as st

import scalekit_async as sk
from scalekit_async._retry import parse_retry_after
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio

ORGS = "/api/v1/organizations"
CALLS = 100
FAST = {"backoff_base": 0.001, "backoff_cap": 0.002}


@asynccontextmanager
async def served(fake: FakeScalekit, kind: str, **options: Any) -> AsyncIterator[sk.ScalekitClient]:
    if kind == "aiohttp":
        options["transport"] = sk.AiohttpTransport()
    async with (
        fake.serve() as url,
        sk.ScalekitClient(url, fake.client_id, fake.client_secret, **options) as client,
    ):
        yield client


def bound(policy: sk.RetryPolicy, sends: int, seconds: float) -> float:
    """The most requests `sends` sends may cost under *policy*'s budget (module docstring)."""
    cap = max(10.0, 10.0 * policy.budget_floor)
    return sends * (1 + policy.budget_ratio) + cap + policy.budget_floor * seconds


POLICIES = {
    "defaults": sk.RetryPolicy(**FAST),
    "no-ratio-no-floor": sk.RetryPolicy(budget_ratio=0.0, budget_floor=0.0, **FAST),
}


@pytest.mark.parametrize("name", list(POLICIES))
async def test_an_outage_cannot_multiply_the_load(name: str, transport_kind: str) -> None:
    policy = POLICIES[name]
    fake = FakeScalekit()
    fake.fail_next(10**9, path_prefix="/api/", status=503)  # every API call fails; tokens work
    outcomes: Counter[str] = Counter()
    async with served(fake, transport_kind, retry=policy) as client:
        limiter = anyio.CapacityLimiter(20)

        async def call() -> None:
            async with limiter:
                try:
                    await client.organizations.list()
                except sk.ScalekitError as exc:
                    outcomes[type(exc).__name__] += 1

        started = anyio.current_time()
        async with anyio.create_task_group() as tg:
            for _ in range(CALLS):
                tg.start_soon(call)
        seconds = anyio.current_time() - started
    assert outcomes == {"ServerError": CALLS}  # every call ends typed, none crashes
    api = len(fake.api_requests())
    token_requests = len(fake.requests) - api
    sends = CALLS + token_requests
    assert api <= bound(policy, sends, seconds), (api, sends, seconds)
    # Without the budget, max_retries=2 would have sent 3 requests per call.
    assert api < CALLS * (1 + policy.max_retries) * 0.6


async def test_retries_come_back_once_the_outage_is_over(transport_kind: str) -> None:
    policy = sk.RetryPolicy(**FAST)  # floor: 2 retries per second
    fake = FakeScalekit()
    async with served(fake, transport_kind, retry=policy) as client:
        outage = fake.fail_next(10**9, path_prefix="/api/", status=503)
        for _ in range(30):  # drain the budget
            with pytest.raises(sk.ServerError):
                await client.organizations.list()
        outage.times = 0
        await anyio.sleep(1.0 / policy.budget_floor + 0.1)  # the floor refills a retry
        fake.fail_next(1, path=ORGS, status=503)
        await client.organizations.list()  # the one 503 is retried
    assert [r.path for r in fake.requests[-2:]] == [ORGS, ORGS]


# -- Retry-After, in every form ---------------------------------------------------------


def in_a_second() -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=1), usegmt=True)


# name -> (fault options, expected: "ok" or "rate-limited", the shortest wait if "ok")
RETRY_AFTER: dict[str, tuple[dict[str, Any], str, float]] = {
    "seconds": ({"retry_after": "0.3"}, "ok", 0.25),
    "zero-seconds": ({"retry_after": "0"}, "ok", 0.0),
    "http-date": ({"retry_after": in_a_second}, "ok", 0.0),
    "http-date-in-the-past": ({"retry_after": "Wed, 21 Oct 2015 07:28:00 GMT"}, "ok", 0.0),
    "milliseconds": ({"headers": {"retry-after-ms": "300"}}, "ok", 0.25),
    "milliseconds-win": (
        {"retry_after": "30", "headers": {"retry-after-ms": "50"}},
        "ok",
        0.04,
    ),
    "negative": ({"retry_after": "-5"}, "ok", 0.0),
    "negative-ms": ({"headers": {"retry-after-ms": "-100"}}, "ok", 0.0),
    "garbage": ({"retry_after": "soon"}, "ok", 0.0),
    "empty": ({"retry_after": ""}, "ok", 0.0),
    "nan": ({"retry_after": "nan"}, "ok", 0.0),
    "overflow": ({"retry_after": "1e999"}, "ok", 0.0),
    "bad-date": ({"retry_after": "Mon, 99 Foo 2024 25:61:61 GMT"}, "ok", 0.0),
    "huge": ({"retry_after": "1000000"}, "rate-limited", 0.0),
    "huge-ms": ({"headers": {"retry-after-ms": "999999999"}}, "rate-limited", 0.0),
    "huge-date": ({"retry_after": "Fri, 31 Dec 9999 23:59:59 GMT"}, "rate-limited", 0.0),
    "past-the-deadline": ({"retry_after": "50"}, "rate-limited", 0.0),
}


async def test_every_retry_after_is_handled_without_a_crash_or_an_unbounded_sleep(
    transport_kind: str,
) -> None:
    """Every variant in one client (one server): the table names the failing one."""
    fake = FakeScalekit()
    policy = sk.RetryPolicy(backoff_base=0.01, backoff_cap=0.02)
    async with served(fake, transport_kind, retry=policy, timeout=5) as client:
        await client.organizations.list()
        for variant, (options, expected, shortest) in RETRY_AFTER.items():
            options = {k: v() if callable(v) else v for k, v in options.items()}
            sent = len(fake.api_requests("GET", ORGS))
            fake.fail_next(1, path=ORGS, status=429, **options)
            started = anyio.current_time()
            if expected == "ok":
                await client.organizations.list()
            else:
                with pytest.raises(sk.RateLimitError) as info:
                    await client.organizations.list()
                # Longer than the call may wait: said at once, with the wait asked for.
                assert info.value.retry_after is not None, variant
                assert info.value.retry_after > 5, variant
            waited = anyio.current_time() - started
            assert shortest <= waited < 2.5, (variant, waited)
            resent = len(fake.api_requests("GET", ORGS)) - sent
            assert resent == (2 if expected == "ok" else 1), variant


async def test_a_huge_retry_after_on_a_503_ends_at_once(transport_kind: str) -> None:
    fake = FakeScalekit()
    async with served(fake, transport_kind) as client:
        await client.organizations.list()
        fake.fail_next(1, path=ORGS, status=503, retry_after="86400")
        started = anyio.current_time()
        with pytest.raises(sk.ServerError):
            await client.organizations.list()
    assert anyio.current_time() - started < 1


@given(
    seconds=st.one_of(st.none(), st.text(max_size=40)),
    millis=st.one_of(st.none(), st.text(max_size=40)),
)
def test_parse_retry_after_never_raises_and_never_returns_a_bad_wait(
    seconds: str | None, millis: str | None
) -> None:
    headers = {}
    if seconds is not None:
        headers["retry-after"] = seconds
    if millis is not None:
        headers["retry-after-ms"] = millis
    wait = parse_retry_after(headers)
    assert wait is None or (math.isfinite(wait) and wait >= 0)
