"""The TokenStore and RateLimiter seams, with in-memory implementations."""

from __future__ import annotations

import anyio
import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio


class SharedStore:
    """A store shared by several clients in one process (what Redis does across processes)."""

    def __init__(self) -> None:
        self.grant: sk.TokenGrant | None = None
        self.stored_at = 0.0
        self.lock = anyio.Lock()

    async def obtain(self, fetch: object, stale: str | None) -> sk.TokenGrant:
        async with self.lock:
            now = anyio.current_time()
            grant = self.grant
            if grant is not None and grant.access_token != stale:
                remaining = grant.expires_in - (now - self.stored_at)
                if remaining > 0:
                    return sk.TokenGrant(grant.access_token, remaining, grant.expires_in)
            self.grant = await fetch()  # type: ignore[operator]
            self.stored_at = now
            return self.grant


async def test_clients_sharing_a_store_make_one_token_request(fake: FakeScalekit) -> None:
    store = SharedStore()
    assert isinstance(store, sk.TokenStore)
    clients = [fake.client(token_store=store) for _ in range(5)]

    async def list_once(client: sk.ScalekitClient) -> None:
        await client.organizations.list()

    async with anyio.create_task_group() as tg:
        for client in clients:
            for _ in range(20):
                tg.start_soon(list_once, client)
    assert fake.tokens_issued == 1
    assert sum(c.token_fetches for c in clients) == 1
    for client in clients:
        await client.aclose()


async def test_a_rejected_shared_token_is_replaced_not_reused(fake: FakeScalekit) -> None:
    store = SharedStore()
    async with fake.client(token_store=store) as first, fake.client(token_store=store) as second:
        await first.organizations.list()
        await second.organizations.list()
        fake.expire_tokens()
        await (
            first.organizations.list()
        )  # 401 -> the store is asked for a token other than the rejected one
        await second.organizations.list()
    assert fake.tokens_issued == 2
    assert fake.rejected_tokens == 2


async def test_a_store_grant_keeps_its_original_lifetime(fake: FakeScalekit) -> None:
    class Old:
        async def obtain(self, fetch: object, stale: str | None) -> sk.TokenGrant:
            token = fake.issue_token(ttl=100)
            return sk.TokenGrant(token, expires_in=100, lifetime=3600)

    async with fake.client(token_store=Old()) as client:
        await client.organizations.list()
        # 100 s left of 3600: already inside the advisory window (< 300 s left)
        assert client.token_state == "advisory"


class RecordingLimiter:
    def __init__(self) -> None:
        self.acquired = 0
        self.paused: list[float] = []

    async def acquire(self, deadline: float) -> None:
        self.acquired += 1

    async def pause(self, seconds: float) -> None:
        self.paused.append(seconds)


async def test_the_limiter_sees_every_attempt_and_every_retry_after(fake: FakeScalekit) -> None:
    limiter = RecordingLimiter()
    assert isinstance(limiter, sk.RateLimiter)
    async with fake.client(rate_limiter=limiter) as client:
        fake.fail_next(1, method="GET", status=429, retry_after="0.05")
        await client.organizations.list()
    assert limiter.paused == [0.05]
    assert limiter.acquired == 3  # token request, the 429, the retry


class SlowLimiter:
    """Holds the third attempt for longer than the token lives."""

    def __init__(self) -> None:
        self.calls = 0

    async def acquire(self, deadline: float) -> None:
        self.calls += 1
        if self.calls == 3:
            await anyio.sleep(1.2)

    async def pause(self, seconds: float) -> None:
        pass


async def test_the_token_is_taken_after_the_limiter_wait() -> None:
    fake = FakeScalekit(token_ttl=1)
    async with fake.client(rate_limiter=SlowLimiter()) as client:
        await client.organizations.list()
        await client.organizations.list()  # waits 1.2 s in the limiter, past the token's life
    assert fake.rejected_tokens == 0
