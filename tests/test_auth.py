"""The token refresher on its own, with an injected clock and fetch function."""

from __future__ import annotations

import anyio
import pytest

from scalekit_async import APITimeoutError, TokenError
from scalekit_async._auth import TokenGrant, TokenRefresher

pytestmark = pytest.mark.anyio


class FakeTokenEndpoint:
    def __init__(self, lifetime: float = 3600.0) -> None:
        self.lifetime = lifetime
        self.calls = 0
        self.gate: anyio.Event | None = None
        self.fail_with: TokenError | None = None

    async def __call__(self) -> TokenGrant:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_with is not None:
            raise self.fail_with
        return TokenGrant(f"token-{self.calls}", self.lifetime)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_no_fetch_until_first_use() -> None:
    endpoint = FakeTokenEndpoint()
    TokenRefresher(endpoint)
    assert endpoint.calls == 0


async def test_concurrent_first_callers_share_one_fetch() -> None:
    endpoint = FakeTokenEndpoint()
    endpoint.gate = anyio.Event()
    refresher = TokenRefresher(endpoint)
    results: list[str] = []

    async def call() -> None:
        results.append(await refresher.token())

    async with anyio.create_task_group() as tg:
        for _ in range(200):
            tg.start_soon(call)
        await anyio.wait_all_tasks_blocked()
        endpoint.gate.set()
    assert endpoint.calls == 1
    assert results == ["token-1"] * 200


async def test_fresh_token_is_reused() -> None:
    clock, endpoint = Clock(), FakeTokenEndpoint(lifetime=3600)
    refresher = TokenRefresher(endpoint, clock=clock)
    assert await refresher.token() == "token-1"
    clock.now += 3600 - 301  # still more than min(300, L/2) left
    assert await refresher.token() == "token-1"
    assert refresher.state() == "fresh"
    assert endpoint.calls == 1


async def test_advisory_window_one_caller_refreshes_others_keep_the_token() -> None:
    clock, endpoint = Clock(), FakeTokenEndpoint(lifetime=3600)
    refresher = TokenRefresher(endpoint, clock=clock)
    await refresher.token()
    clock.now += 3600 - 200  # advisory: < 300 s left, > 30 s left
    assert refresher.state() == "advisory"
    endpoint.gate = anyio.Event()
    others: list[str] = []

    async with anyio.create_task_group() as tg:
        tg.start_soon(refresher.token)  # this one starts the refresh and waits for it
        await anyio.wait_all_tasks_blocked()
        for _ in range(10):  # these do not wait: they keep the current token
            others.append(await refresher.token())
        assert endpoint.calls == 2
        endpoint.gate.set()
    assert others == ["token-1"] * 10
    assert await refresher.token() == "token-2"
    assert endpoint.calls == 2


async def test_mandatory_window_callers_wait_for_the_new_token() -> None:
    clock, endpoint = Clock(), FakeTokenEndpoint(lifetime=3600)
    refresher = TokenRefresher(endpoint, clock=clock)
    await refresher.token()
    clock.now += 3600 - 10  # < min(30, L/10) left
    assert refresher.state() == "mandatory"
    got = await refresher.token()
    assert got == "token-2"


async def test_short_lifetimes_scale_the_windows() -> None:
    clock, endpoint = Clock(), FakeTokenEndpoint(lifetime=10)
    refresher = TokenRefresher(endpoint, clock=clock)
    await refresher.token()
    clock.now += 4.9
    assert refresher.state() == "fresh"
    clock.now += 0.2  # past L/2
    assert refresher.state() == "advisory"
    clock.now += 4.0  # past L - L/10
    assert refresher.state() == "mandatory"


async def test_expired_token_is_never_returned() -> None:
    clock, endpoint = Clock(), FakeTokenEndpoint(lifetime=60)
    refresher = TokenRefresher(endpoint, clock=clock)
    await refresher.token()
    clock.now += 61
    assert await refresher.token() == "token-2"


async def test_cancelled_caller_does_not_break_the_refresh_for_others() -> None:
    endpoint = FakeTokenEndpoint()
    endpoint.gate = anyio.Event()
    refresher = TokenRefresher(endpoint)
    got: list[str] = []
    starter_scope = anyio.CancelScope()

    async def starter() -> None:
        with starter_scope:
            await refresher.token()  # starts the one fetch, then is cancelled mid-fetch

    async with anyio.create_task_group() as tg:
        tg.start_soon(starter)
        await anyio.wait_all_tasks_blocked()
        for _ in range(5):
            tg.start_soon(_append, got, refresher)
        await anyio.wait_all_tasks_blocked()
        starter_scope.cancel()
        await anyio.wait_all_tasks_blocked()
        endpoint.gate.set()
    assert endpoint.calls == 1
    assert got == ["token-1"] * 5
    assert starter_scope.cancelled_caught


async def _append(into: list[str], refresher: TokenRefresher) -> None:
    into.append(await refresher.token())


async def test_failed_refresh_raises_to_all_waiters_and_next_call_retries() -> None:
    endpoint = FakeTokenEndpoint()
    endpoint.gate = anyio.Event()
    endpoint.fail_with = TokenError("token request failed: HTTP 503", status_code=503)
    refresher = TokenRefresher(endpoint)
    errors: list[BaseException] = []

    async def call() -> None:
        try:
            await refresher.token()
        except TokenError as exc:
            errors.append(exc)

    async with anyio.create_task_group() as tg:
        for _ in range(20):
            tg.start_soon(call)
        await anyio.wait_all_tasks_blocked()
        endpoint.gate.set()
    assert len(errors) == 20
    assert endpoint.calls == 1
    endpoint.fail_with = None
    endpoint.gate = None
    assert await refresher.token() == "token-2"


async def test_failed_advisory_refresh_keeps_the_current_token_and_cools_down() -> None:
    clock, endpoint = Clock(), FakeTokenEndpoint(lifetime=3600)
    refresher = TokenRefresher(endpoint, clock=clock, cooldown=5.0)
    await refresher.token()
    clock.now += 3600 - 200
    endpoint.fail_with = TokenError("boom")
    assert await refresher.token() == "token-1"
    assert endpoint.calls == 2
    assert await refresher.token() == "token-1"  # cooling down: no new attempt
    assert endpoint.calls == 2
    clock.now += 6
    endpoint.fail_with = None
    assert await refresher.token() == "token-3"


async def test_invalidate_is_compare_and_clear() -> None:
    endpoint = FakeTokenEndpoint()
    refresher = TokenRefresher(endpoint)
    first = await refresher.token()
    refresher.invalidate("some-other-token")
    assert await refresher.token() == first
    refresher.invalidate(first)
    assert await refresher.token() == "token-2"


@pytest.mark.parametrize("lifetime", [0, -5])
async def test_an_unusable_lifetime_serves_one_call_then_refetches(
    lifetime: float, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint = FakeTokenEndpoint(lifetime=lifetime)
    refresher = TokenRefresher(endpoint)
    assert await refresher.token() == "token-1"  # the call that fetched it uses it
    assert refresher.peek() is None
    assert await refresher.token() == "token-2"  # the next call fetches again
    assert await refresher.token() == "token-3"
    warnings = [r for r in caplog.records if "expires_in" in r.getMessage()]
    assert len(warnings) == 1  # one warning per client, not per call
    endpoint.lifetime = 3600
    assert await refresher.token() == "token-4"
    assert await refresher.token() == "token-4"  # a sane lifetime is cached again


async def test_a_hung_token_endpoint_times_out() -> None:
    endpoint = FakeTokenEndpoint()
    endpoint.gate = anyio.Event()  # never set
    refresher = TokenRefresher(endpoint, fetch_timeout=0.05)
    with pytest.raises(APITimeoutError, match="timed out"):
        await refresher.token()


async def test_repr_has_no_token() -> None:
    refresher = TokenRefresher(FakeTokenEndpoint())
    token = await refresher.token()
    assert token not in repr(refresher)
