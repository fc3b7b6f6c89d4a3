"""Cancellation safety: calls cancelled at any point leave the client fully usable.

A call can be cancelled while it connects, while it waits for a pooled connection,
mid-response, during a backoff sleep or during a token fetch. Afterwards the same
client must serve 100 concurrent calls with a short pool timeout (a poisoned pool
fails them), and closing it must close every connection it opened.

httpx 0.28's pool (httpcore 1.0) strands a connection for good when a request that
was just handed a new connection is cancelled before it starts connecting
(encode/httpcore#1093); once all slots are stranded, every request fails with
`PoolTimeout`. `test_upstream_httpcore_1093_*` reproduces that on raw httpx, so the
SDK's workaround (its default transport swaps in a fresh pool after 25 cancelled
sends and closes the old one once idle) can be dropped when upstream is fixed.
"""

from __future__ import annotations

import logging
import random
import socket
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

import anyio
import httpx
import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit, Fault, ServerStats

pytestmark = pytest.mark.anyio

ORG = "org_1"
SLOW = "org_slow"  # faults are injected on this id only; ORG stays healthy
SLOW_PATH = f"/api/v1/organizations/{SLOW}"  # fail_next matches whole paths
POOL_LIMIT = 100  # the SDK's default transport and AiohttpTransport both hold at most 100
FAST = sk.RetryPolicy(backoff_base=0.01, backoff_cap=0.05)
# A poisoned pool shows up as a pool timeout: keep it short so the test fails fast.
SHORT_POOL = sk.Timeouts(pool=2.0)
ROTATED = "rotating the connection pool"


def new_fake(**options: Any) -> FakeScalekit:
    fake = FakeScalekit(**options)
    fake.organizations[ORG] = {
        "id": ORG,
        "display_name": "Acme",
        "create_time": "2025-01-01T00:00:00Z",
    }
    return fake


@asynccontextmanager
async def served(
    fake: FakeScalekit, kind: str, **options: Any
) -> AsyncIterator[tuple[sk.ScalekitClient, ServerStats]]:
    """A client on *kind*'s transport (the SDK's own default one for "httpx")."""
    stats = ServerStats()
    if kind == "aiohttp":
        options["transport"] = sk.AiohttpTransport()
    options.setdefault("timeouts", SHORT_POOL)
    options.setdefault("retry", FAST)
    async with fake.serve(stats=stats) as url:
        client = sk.ScalekitClient(url, fake.client_id, fake.client_secret, **options)
        try:
            yield client, stats
        finally:
            await client.aclose()


async def assert_fully_usable(client: sk.ScalekitClient, stats: ServerStats) -> None:
    """100 concurrent calls succeed, and no more connections stay open than a pool holds."""
    done: list[str] = []

    async def call() -> None:
        done.append((await client.organizations.get(ORG)).id)

    with anyio.fail_after(30):
        async with anyio.create_task_group() as tg:
            for _ in range(100):
                tg.start_soon(call)
    assert done == [ORG] * 100
    # The server notices a closed connection when it next reads or writes on it, so a
    # handler still stalling on a cancelled call counts as open for a moment.
    with anyio.fail_after(10):
        while stats.open > POOL_LIMIT:  # noqa: ASYNC110 - polling the server's count
            await anyio.sleep(0.01)


async def assert_all_closed(client: sk.ScalekitClient, stats: ServerStats) -> None:
    """After `aclose()`, the server sees every connection the client opened closed."""
    await client.aclose()
    with anyio.fail_after(10):
        while stats.open:  # noqa: ASYNC110 - polling the server's count
            await anyio.sleep(0.01)


async def storm(
    call: Callable[[], Awaitable[object]],
    *,
    concurrency: int,
    seconds: float,
    enough: Callable[[Counter[str]], bool] = lambda _: False,
    seed: int = 1093,
) -> Counter[str]:
    """Run *call* *concurrency* at a time, each cancelled after a random 0-20 ms.

    Stops after *seconds* or once *enough*(outcomes) says so. Returns how calls ended: "done",
    "cancelled", or the name of the SDK error; anything else escapes and fails the test.
    """
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    limiter = anyio.CapacityLimiter(concurrency)

    async def one(after: float) -> None:
        async with limiter:
            with anyio.move_on_after(after) as scope:
                try:
                    await call()
                except sk.ScalekitError as exc:
                    outcomes[type(exc).__name__] += 1
                    return
            outcomes["cancelled" if scope.cancelled_caught else "done"] += 1

    stop_at = anyio.current_time() + seconds
    while anyio.current_time() < stop_at and not enough(outcomes):
        async with anyio.create_task_group() as tg:
            for _ in range(concurrency):
                tg.start_soon(one, rng.uniform(0.0, 0.02))
    return outcomes


# -- the upstream defect, on raw httpx ------------------------------------------------


@pytest.mark.parametrize("anyio_backend", [pytest.param(("asyncio", {}), id="asyncio")])
async def test_upstream_httpcore_1093_raw_httpx_pool_is_poisoned_by_cancellations() -> None:
    """Documents encode/httpcore#1093 (open in httpx 0.28.1): this test PASSES while the bug
    exists. When it fails, upstream fixed the pool: drop `OwnedPool(rotate_after=...)`.

    Raw httpx on asyncio, with a small pool so the storm stays short: requests cancelled
    after a random 0-20 ms strand the pool's connections until a plain request times
    out waiting for one. (The SDK never uses a pool like this; see the next test.)
    """
    fake = new_fake()
    async with (
        fake.serve() as url,
        httpx.AsyncClient(limits=httpx.Limits(max_connections=10)) as http,
    ):
        target = f"{url}/api/v1/organizations/{ORG}"
        probe = httpx.Timeout(5.0, pool=0.3)

        async def poisoned() -> bool:
            try:
                await http.get(target, timeout=probe)
            except httpx.PoolTimeout:
                return True
            return False

        seen = False

        async def cancelled_get() -> None:
            await http.get(target)

        stop_at = anyio.current_time() + 15
        while not seen and anyio.current_time() < stop_at:
            await storm(cancelled_get, concurrency=50, seconds=0.3)
            seen = await poisoned()
        assert seen, "no pool poisoning: has encode/httpcore#1093 been fixed upstream?"
        # Poisoned for good: a plain request still fails, nothing is in flight any more.
        with pytest.raises(httpx.PoolTimeout):
            await http.get(target, timeout=httpx.Timeout(5.0, pool=0.5))


# -- the same storm, and worse, through the SDK ------------------------------------------


async def test_a_cancellation_storm_leaves_the_client_fully_usable(
    transport_kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """200 calls at a time on the SDK's own pool of 100, each cancelled after 0-20 ms, with
    tokens expiring every second and some answers failing (so cancellations also land in
    token fetches and backoff sleeps). The default transport must rotate its pool."""
    caplog.set_level(logging.DEBUG, logger="scalekit_async")
    fake = new_fake(token_ttl=1.0)
    async with served(fake, transport_kind) as (client, stats):

        def rotations() -> int:
            return sum(ROTATED in r.getMessage() for r in caplog.records)

        injected: list[Fault] = []

        async def call() -> None:
            if random.random() < 0.02:
                injected.append(fake.fail_next(1, path=f"/api/v1/organizations/{ORG}", status=503))
            await client.organizations.get(ORG)

        began = anyio.current_time()
        outcomes = await storm(
            call,
            concurrency=2 * POOL_LIMIT,
            seconds=1.5,
            # At least one token lifetime, so cancellations also land in refreshes.
            enough=lambda seen: (
                rotations() >= 2
                and seen["cancelled"] >= 200
                and anyio.current_time() - began >= 1.2
            ),
        )
        for fault in injected:  # faults no storm call reached must not hit what follows
            fault.times = 0
        assert outcomes["cancelled"] >= 100, outcomes
        if transport_kind == "httpx":
            # The workaround engaged: fresh pools were swapped in after cancelled sends.
            assert rotations() >= 1
        await assert_fully_usable(client, stats)
        assert fake.tokens_issued >= 2  # tokens were refreshed during the storm
        await assert_all_closed(client, stats)


# -- each point of cancellation ----------------------------------------------------------


async def test_calls_cancelled_while_waiting_on_the_pool(transport_kind: str) -> None:
    fake = new_fake()
    async with served(fake, transport_kind) as (client, stats):
        await client.organizations.get(ORG)
        # 150 slow calls: 100 hold every connection, 50 wait for one.
        fake.fail_next(150, path=SLOW_PATH, delay=0.4)
        with anyio.move_on_after(0.2) as scope:
            async with anyio.create_task_group() as tg:
                for _ in range(150):
                    tg.start_soon(client.organizations.get, SLOW)
        assert scope.cancelled_caught
        await assert_fully_usable(client, stats)
        await assert_all_closed(client, stats)


async def test_calls_cancelled_mid_response(transport_kind: str) -> None:
    fake = new_fake()
    async with served(fake, transport_kind) as (client, stats):
        await client.organizations.get(ORG)
        # Headers arrive, the body does not (10 calls), or arrives a byte at a time (10).
        fake.fail_next(10, path=SLOW_PATH, stall_after_headers=0.4)
        fake.fail_next(10, path=SLOW_PATH, trickle=10)
        with anyio.move_on_after(0.2) as scope:
            async with anyio.create_task_group() as tg:
                for _ in range(20):
                    tg.start_soon(client.organizations.get, SLOW)
        assert scope.cancelled_caught
        await assert_fully_usable(client, stats)
        await assert_all_closed(client, stats)


async def test_calls_cancelled_during_a_backoff_sleep(transport_kind: str) -> None:
    fake = new_fake()
    async with served(fake, transport_kind) as (client, stats):
        await client.organizations.get(ORG)
        # Each call is told to come back in 10 s, and sleeps; it is cancelled meanwhile.
        fake.fail_next(5, path=SLOW_PATH, status=503, retry_after="10")
        answered = f"/api/v1/organizations/{SLOW}"
        async with anyio.create_task_group() as tg:
            for _ in range(5):
                tg.start_soon(client.organizations.get, SLOW)
            # Wait (however slow the machine) until every call got its 503 and sleeps...
            with anyio.fail_after(30):
                while len(fake.api_requests("GET", answered)) < 5:  # noqa: ASYNC110 - polls the fake
                    await anyio.sleep(0.01)
            cancelled = anyio.current_time()
            tg.cancel_scope.cancel()  # ...then cancel them in their 10 s backoff
        assert anyio.current_time() - cancelled < 5  # not after the 10 s sleep
        assert len(fake.api_requests("GET", answered)) == 5
        await assert_fully_usable(client, stats)
        await assert_all_closed(client, stats)


def fill_accept_queue(port: int) -> list[socket.socket]:
    """Connect until a listener that never accepts has a full queue: new connects hang."""
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        with suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    return fillers


async def test_calls_cancelled_while_connecting(transport_kind: str) -> None:
    fake = new_fake()
    stats = ServerStats()
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen(0)
    port = listening.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    options: dict[str, Any] = {"timeouts": SHORT_POOL, "retry": FAST}
    if transport_kind == "aiohttp":
        options["transport"] = sk.AiohttpTransport()
    client = sk.ScalekitClient(url, fake.client_id, fake.client_secret, **options)
    fillers: list[socket.socket] = []
    try:
        async with fake.serve(stats=stats, sock=listening.dup()):
            await client.organizations.get(ORG)  # the token is cached
        # Nobody accepts now (the server closed its connections): new connects hang.
        fillers = fill_accept_queue(port)
        before = stats.opened
        with anyio.move_on_after(0.3) as scope:
            async with anyio.create_task_group() as tg:
                for _ in range(10):
                    tg.start_soon(client.organizations.get, ORG)
        assert scope.cancelled_caught
        assert stats.opened == before  # none of them got a connection
        for filler in fillers:
            filler.close()
        listening.listen(256)  # room for the burst of new connections that follows
        async with fake.serve(stats=stats, sock=listening.dup()):
            await assert_fully_usable(client, stats)
            await assert_all_closed(client, stats)
    finally:
        for filler in fillers:
            filler.close()
        listening.close()
        await client.aclose()


async def test_a_call_cancelled_during_a_token_fetch(transport_kind: str) -> None:
    fake = new_fake()
    async with served(fake, transport_kind) as (client, stats):
        fake.fail_next(1, path="/oauth/token", delay=0.3)
        got: list[str] = []

        async def cancelled_caller() -> None:
            with anyio.move_on_after(0.1):
                await client.organizations.get(ORG)
                got.append("first")  # never: it was cancelled

        async def patient_caller() -> None:
            await anyio.sleep(0.05)
            got.append((await client.organizations.get(ORG)).id)

        started = anyio.current_time()
        async with anyio.create_task_group() as tg:
            tg.start_soon(cancelled_caller)
            tg.start_soon(patient_caller)
        # The fetch runs shielded for everyone, so the cancelled caller leaves when it
        # ends (bounded by the fetch's own timeout), and nobody fetches twice.
        assert anyio.current_time() - started < 5
        assert got == [ORG]
        assert fake.tokens_issued == 1
        await assert_fully_usable(client, stats)
        assert fake.tokens_issued == 1
        await assert_all_closed(client, stats)
