"""No duplicate writes: a POST or PATCH whose answer is lost after the server processed it
is not sent again (unless the caller opts in), and the error says the outcome is unknown.

Over a real loopback socket, on asyncio and trio and on both transports. The answer is
lost three ways: the connection closes right after processing, it closes half-way
through the answer's body, or the answer's body never comes (read timeout).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio

ORGS = "/api/v1/organizations"
FAST = sk.RetryPolicy(backoff_base=0.01, backoff_cap=0.02)
LOST_AFTER_PROCESSING: dict[str, dict[str, Any]] = {
    "closed-after-processing": {"drop": "after"},
    "closed-mid-body": {"drop": "mid-body"},
    "read-timeout": {"stall_after_headers": 10},
}


@asynccontextmanager
async def served(
    fake: FakeScalekit, kind: str, **options: Any
) -> AsyncIterator[tuple[sk.ScalekitClient, list[sk.Attempt]]]:
    """A warmed-up client on *kind*'s transport, and the attempts it makes from now on."""
    attempts: list[sk.Attempt] = []
    if kind == "aiohttp":
        options["transport"] = sk.AiohttpTransport()
    options.setdefault("timeouts", sk.Timeouts(read=0.2))
    async with (
        fake.serve() as url,
        sk.ScalekitClient(
            url, fake.client_id, fake.client_secret, on_attempt=(attempts.append,), **options
        ) as client,
    ):
        await client.organizations.list()
        attempts.clear()
        yield client, attempts


@pytest.mark.parametrize("loss", list(LOST_AFTER_PROCESSING))
async def test_a_post_whose_answer_is_lost_is_not_resent(loss: str, transport_kind: str) -> None:
    fake = FakeScalekit()
    async with served(fake, transport_kind, retry=FAST) as (client, attempts):
        fake.fail_next(1, method="POST", path=ORGS, **LOST_AFTER_PROCESSING[loss])
        with pytest.raises(sk.APIConnectionError) as info:
            await client.organizations.create(display_name="Acme", external_id="acme-1")
    assert info.value.outcome_unknown
    assert "outcome unknown" in str(info.value)
    assert "may have been processed" in str(info.value)
    # The server created it once, and the SDK did not try again.
    assert [o["external_id"] for o in fake.organizations.values()] == ["acme-1"]
    assert len(fake.api_requests("POST", ORGS)) == 1
    assert [(a.method, a.attempt) for a in attempts] == [("POST", 0)]


async def test_a_patch_whose_answer_is_lost_is_not_resent(transport_kind: str) -> None:
    fake = FakeScalekit()
    fake.organizations["org_1"] = {
        "id": "org_1",
        "display_name": "Acme",
        "create_time": "2025-01-01T00:00:00Z",
    }
    async with served(fake, transport_kind, retry=FAST) as (client, attempts):
        fake.fail_next(1, method="PATCH", drop="after")
        with pytest.raises(sk.APIConnectionError) as info:
            await client.organizations.update("org_1", display_name="Acme Inc")
    assert info.value.outcome_unknown
    assert fake.organizations["org_1"]["display_name"] == "Acme Inc"
    assert len(fake.api_requests("PATCH")) == 1
    assert len(attempts) == 1


@pytest.mark.parametrize("cut", ["before", "reset"])
async def test_a_post_cut_before_processing_is_not_resent_either(
    cut: str, transport_kind: str
) -> None:
    """The client cannot tell "before" from "after": it reports the outcome as unknown."""
    fake = FakeScalekit()
    async with served(fake, transport_kind, retry=FAST) as (client, attempts):
        fake.fail_next(1, method="POST", path=ORGS, drop=cut)  # type: ignore[arg-type]
        with pytest.raises(sk.APIConnectionError) as info:
            await client.organizations.create(display_name="Acme")
    assert info.value.outcome_unknown
    assert fake.organizations == {}
    assert len(attempts) == 1


@pytest.mark.parametrize("loss", list(LOST_AFTER_PROCESSING))
async def test_retry_writes_resends_a_post_whose_answer_was_lost(
    loss: str, transport_kind: str
) -> None:
    """Opting in trades duplicates for availability: the fake shows the duplicate."""
    policy = sk.RetryPolicy(backoff_base=0.01, backoff_cap=0.02, retry_writes=True)
    fake = FakeScalekit()
    async with served(fake, transport_kind, retry=policy) as (client, attempts):
        fake.fail_next(1, method="POST", path=ORGS, **LOST_AFTER_PROCESSING[loss])
        org = await client.organizations.create(display_name="Acme")
    assert org.id in fake.organizations
    assert len(fake.api_requests("POST", ORGS)) == 2
    assert [o["display_name"] for o in fake.organizations.values()] == ["Acme", "Acme"]
    assert [a.attempt for a in attempts] == [0, 1]


async def test_a_post_refused_with_429_is_retried_and_created_once(transport_kind: str) -> None:
    """A 429 means the request was not processed: retrying a POST is safe."""
    fake = FakeScalekit()
    async with served(fake, transport_kind, retry=FAST) as (client, _):
        fake.fail_next(1, method="POST", path=ORGS, status=429, retry_after="0")
        await client.organizations.create(display_name="Acme")
    assert len(fake.organizations) == 1
    assert len(fake.api_requests("POST", ORGS)) == 2


async def test_a_post_cut_short_by_the_deadline_says_the_outcome_is_unknown(
    transport_kind: str,
) -> None:
    fake = FakeScalekit()
    # The read timeout (30 s) is longer than the call: the call's deadline ends it.
    async with served(fake, transport_kind, timeout=0.3, timeouts=sk.Timeouts()) as (client, _):
        fake.fail_next(1, method="POST", path=ORGS, stall_after_headers=10)
        with pytest.raises(sk.APITimeoutError) as info:
            await client.organizations.create(display_name="Acme")
    assert len(fake.organizations) == 1  # it was created
    assert info.value.outcome_unknown  # ... so the error must not say it was not
    assert "outcome unknown" in str(info.value)
    assert len(fake.api_requests("POST", ORGS)) == 1  # and it was not sent again
