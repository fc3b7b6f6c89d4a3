"""Token endpoint faults: 500s, timeouts, invalid_client, malformed answers, odd lifetimes;
a cancelled caller never poisons the refresh for the others; and jumps of the wall clock
do not matter, because token lifetimes are measured on a monotonic clock.

Socket tests run on asyncio and trio and on both transports.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest

import scalekit_async as sk
from scalekit_async._auth import TokenRefresher
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio

TOKEN = "/oauth/token"
FAST = sk.RetryPolicy(backoff_base=0.01, backoff_cap=0.02)


@asynccontextmanager
async def served(
    fake: FakeScalekit, kind: str, secret: str | None = None, **options: Any
) -> AsyncIterator[sk.ScalekitClient]:
    if kind == "aiohttp":
        options["transport"] = sk.AiohttpTransport()
    async with (
        fake.serve() as url,
        sk.ScalekitClient(url, fake.client_id, secret or fake.client_secret, **options) as client,
    ):
        yield client


def token_requests(fake: FakeScalekit) -> int:
    return sum(r.path == TOKEN for r in fake.requests)


def grant(token: str, **fields: Any) -> bytes:
    """A token answer carrying *token*, with *fields* set (or removed when ``...``)."""
    body: dict[str, Any] = {"access_token": token, "token_type": "Bearer"}
    body.update(fields)
    return json.dumps({k: v for k, v in body.items() if v is not ...}).encode()


# -- endpoint failures ---------------------------------------------------------------


async def test_a_500_is_retried_then_a_server_error(transport_kind: str) -> None:
    fake = FakeScalekit()
    async with served(fake, transport_kind, retry=FAST) as client:
        fake.fail_next(1, path=TOKEN, status=500)
        await client.organizations.list()  # one 500, then a token
        assert token_requests(fake) == 2
        fake.expire_tokens()
        fake.fail_next(10, path=TOKEN, status=500)
        with pytest.raises(sk.ServerError) as info:
            await client.organizations.list()
    assert info.value.status_code == 500  # the class of any failing call, token or not
    assert token_requests(fake) == 2 + 3  # the first attempt and two retries
    assert client.token_state == "empty"


async def test_a_token_endpoint_timeout(transport_kind: str) -> None:
    fake = FakeScalekit()
    options = {"retry": FAST, "timeouts": sk.Timeouts(read=0.2), "timeout": 0.7}
    async with served(fake, transport_kind, **options) as client:
        # Once: the read times out, the token request is retried (it has no side effect).
        fake.fail_next(1, path=TOKEN, stall_after_headers=10)
        await client.organizations.list()
        assert token_requests(fake) == 2
        # Always: the call ends, typed, within its deadline, and no API request is sent.
        fake.expire_tokens()
        fake.fail_next(100, path=TOKEN, delay=10)
        started = anyio.current_time()
        with pytest.raises((sk.TokenError, sk.APITimeoutError)):
            await client.organizations.list()
        assert anyio.current_time() - started < 0.7 + 1.0
    assert len(fake.api_requests()) == 2  # the first call and the 401 that expired it


async def test_invalid_client_is_final_and_keeps_the_secret_out(transport_kind: str) -> None:
    fake = FakeScalekit()
    wrong = "wrong-secret-7f3a9c"
    async with served(fake, transport_kind, secret=wrong, retry=FAST) as client:
        with pytest.raises(sk.TokenError) as info:
            await client.organizations.list()
    assert info.value.error == "invalid_client"
    assert token_requests(fake) == 1
    assert fake.api_requests() == []
    for text in (str(info.value), repr(info.value)):
        assert wrong not in text
        assert fake.client_secret not in text


# -- malformed answers ---------------------------------------------------------------------

# name -> the token endpoint's answer, made from a token the fake would accept
MALFORMED: dict[str, Any] = {
    "truncated-json": lambda token: b'{"access_token": "' + token.encode(),
    "html": lambda token: b"<html><body>Service Unavailable</body></html>",
    "json-array": lambda token: json.dumps(["access_token", token]).encode(),
    "no-access-token": lambda token: b'{"token_type": "Bearer", "expires_in": 3600}',
    "empty-access-token": lambda token: b'{"access_token": "", "expires_in": 3600}',
    "access-token-not-a-string": lambda token: b'{"access_token": 42, "expires_in": 3600}',
}


async def test_malformed_token_answers_are_token_errors(transport_kind: str) -> None:
    fake = FakeScalekit()
    async with served(fake, transport_kind, retry=FAST) as client:
        for name, make in MALFORMED.items():
            token = fake.issue_token()
            fake.fail_next(1, path=TOKEN, status=200, body=make(token))
            with pytest.raises(sk.TokenError) as info:
                await client.organizations.list()
            assert client.token_state == "empty", name
            assert token not in str(info.value), name
            assert token not in repr(info.value), name
        assert fake.api_requests() == []  # no call went out without a valid token
        await client.organizations.list()  # and the client recovers at once
    assert token_requests(fake) == len(MALFORMED) + 1


@pytest.mark.parametrize("expires_in", [0, -30])
async def test_a_spent_lifetime_serves_its_call_and_the_next_call_refetches(
    expires_in: int, transport_kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeScalekit()
    async with served(fake, transport_kind) as client:
        for _ in range(3):
            fake.fail_next(
                1, path=TOKEN, status=200, body=grant(fake.issue_token(), expires_in=expires_in)
            )
            await client.organizations.list()  # never a TokenError: the service keeps working
        assert token_requests(fake) == 3  # one fetch per call while the lifetime is odd
        await client.organizations.list()  # the fake's own answer: a sane lifetime
        await client.organizations.list()
        assert token_requests(fake) == 4
    assert len(fake.api_requests()) == 5
    assert sum("expires_in" in r.getMessage() for r in caplog.records) == 1  # one warning


@pytest.mark.parametrize("expires_in", ["NaN", "soon", None, True, "Infinity", 1e400])
async def test_an_unreadable_lifetime_means_the_default(
    expires_in: Any, transport_kind: str
) -> None:
    fake = FakeScalekit()
    async with served(fake, transport_kind) as client:
        fake.fail_next(
            1, path=TOKEN, status=200, body=grant(fake.issue_token(), expires_in=expires_in)
        )
        for _ in range(3):
            await client.organizations.list()
        assert client.token_state == "fresh"
    assert token_requests(fake) == 1


async def test_a_missing_expires_in_means_a_default_lifetime(transport_kind: str) -> None:
    fake = FakeScalekit()
    async with served(fake, transport_kind) as client:
        fake.fail_next(1, path=TOKEN, status=200, body=grant(fake.issue_token(), expires_in=...))
        for _ in range(5):
            await client.organizations.list()
        assert client.token_state == "fresh"
    assert token_requests(fake) == 1


# -- cancellation during a refresh -----------------------------------------------------


async def test_a_cancelled_caller_does_not_poison_the_refresh(transport_kind: str) -> None:
    fake = FakeScalekit()
    async with served(fake, transport_kind, retry=FAST) as client:
        got: list[str] = []

        async def cancelled() -> None:
            with anyio.move_on_after(0.1):
                try:
                    await client.organizations.list()
                except sk.ServerError:
                    return  # the fetch it started ran on, shielded, and failed
                got.append("cancelled caller")  # never reached

        async def patient() -> None:
            await anyio.sleep(0.05)
            await client.organizations.list()
            got.append("patient caller")

        # A successful fetch started by a caller that is then cancelled.
        fake.fail_next(1, path=TOKEN, delay=0.3)
        async with anyio.create_task_group() as tg:
            tg.start_soon(cancelled)
            tg.start_soon(patient)
        assert got == ["patient caller"]
        assert fake.tokens_issued == 1
        assert token_requests(fake) == 1

        # A failing refresh started by a caller that is then cancelled: the others see
        # the failure, and the next call starts a fresh fetch instead of waiting forever.
        fake.expire_tokens()
        failing = fake.fail_next(3, path=TOKEN, status=503, delay=0.1)
        async with anyio.create_task_group() as tg:
            tg.start_soon(cancelled)
            with pytest.raises(sk.ServerError):
                await client.organizations.list()
        assert failing.times == 0
        with anyio.fail_after(5):
            await client.organizations.list()
        assert fake.tokens_issued == 2


# -- clocks ------------------------------------------------------------------------------


async def test_wall_clock_jumps_do_not_expire_or_extend_tokens(
    transport_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = time.time
    fake = FakeScalekit(token_ttl=0.8)  # fresh for 0.4 s, then refreshed ahead
    async with served(fake, transport_kind) as client:
        await client.organizations.list()
        for jump in (+10 * 86400.0, -10 * 86400.0):  # NTP steps, VM resumes, bad RTCs
            monkeypatch.setattr(time, "time", lambda jump=jump: real() + jump)
            await client.organizations.list()
            assert token_requests(fake) == 1  # a jump forward does not expire the token
        # ... and a jump backward does not keep a token past its real lifetime.
        with anyio.move_on_after(0.6):
            while True:
                await client.organizations.list()
                await anyio.sleep(0.02)
    assert fake.tokens_issued >= 2
    assert fake.rejected_tokens == 0  # an expired token was never sent


async def test_lifetimes_follow_the_injected_monotonic_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1000.0]
    issued: list[str] = []

    async def fetch() -> sk.TokenGrant:
        issued.append(f"token-{len(issued)}")
        return sk.TokenGrant(issued[-1], 100.0)

    refresher = TokenRefresher(fetch, clock=lambda: now[0])
    assert await refresher.token() == "token-0"
    monkeypatch.setattr(time, "time", lambda: 4e9)  # the wall clock leaps 80 years ahead
    now[0] += 49  # fresh until half the lifetime is left
    assert await refresher.token() == "token-0"
    assert refresher.state() == "fresh"
    now[0] += 2  # advisory: one caller refreshes
    assert refresher.state() == "advisory"
    assert await refresher.token() == "token-1"
    monkeypatch.setattr(time, "time", lambda: 0.0)  # ... and back to 1970
    now[0] += 45
    assert refresher.state() == "fresh"
    assert await refresher.token() == "token-1"
    now[0] += 50  # 5 s left of 100: mandatory, callers wait for a new one
    assert refresher.state() == "mandatory"
    assert await refresher.token() == "token-2"
    assert len(issued) == 3
