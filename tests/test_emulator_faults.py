"""`fail_next`'s path rule (exact, route template, prefix) and `fake.client(fast_retries=True)`."""

from __future__ import annotations

import inspect
import time

import pytest

import scalekit_async as sk
from scalekit_async import ScalekitClient
from scalekit_async.testing import FakeScalekit, Fault

pytestmark = pytest.mark.anyio

ORGS = "/api/v1/organizations"


async def statuses(fake: FakeScalekit, client: ScalekitClient, org_id: str) -> dict[str, int]:
    """Which of five organization calls an injected 409 hit (sent once each, no retry)."""
    calls = {
        "list": client.organizations.list(),
        "get": client.organizations.get(org_id),
        "external": client.organizations.get_by_external_id("acme"),
        "users": client.users.list(organization_id=org_id),
        "policy": client.organizations.get_session_policy(org_id),
    }
    out = {}
    for name, call in calls.items():
        try:
            await call
            out[name] = 200
        except sk.ConflictError:
            out[name] = 409
    return out


async def test_a_path_matches_exactly(fake: FakeScalekit) -> None:
    async with fake.client() as client:
        org = await client.organizations.create(display_name="Acme", external_id="acme")
        fake.fail_next(10, path=ORGS, status=409)
        hit = await statuses(fake, client, org.id)
    assert hit == {"list": 409, "get": 200, "external": 200, "users": 200, "policy": 200}


async def test_a_route_template_matches_any_value_of_its_segment(fake: FakeScalekit) -> None:
    async with fake.client() as client:
        org = await client.organizations.create(display_name="Acme", external_id="acme")
        fake.fail_next(10, path=ORGS + "/{id}", status=409)
        hit = await statuses(fake, client, org.id)
    assert hit == {"list": 200, "get": 409, "external": 200, "users": 200, "policy": 200}


async def test_a_prefix_is_an_explicit_choice(fake: FakeScalekit) -> None:
    async with fake.client() as client:
        org = await client.organizations.create(display_name="Acme", external_id="acme")
        fault = fake.fail_next(10, path_prefix=ORGS + "/", status=409)
        hit = await statuses(fake, client, org.id)
    assert hit == {"list": 200, "get": 409, "external": 200, "users": 409, "policy": 409}
    assert fault.times == 7


def test_the_rule_is_documented() -> None:
    doc = inspect.getdoc(FakeScalekit.fail_next) or ""
    for word in ("exactly", "template", "path_prefix"):
        assert word in doc
    assert Fault(path="/a/{id}/b").matches("GET", "/a/x/b")
    assert not Fault(path="/a/{id}/b").matches("GET", "/a/x/y/b")
    assert not Fault(path="/a/{id}").matches("GET", "/a:external/x")
    assert not Fault(path="/a").matches("GET", "/a/b")
    assert Fault(path_prefix="/a").matches("GET", "/a/b")
    assert Fault().matches("POST", "/oauth/token")


async def test_fast_retries_keep_the_retries_but_not_the_waits(fake: FakeScalekit) -> None:
    fake.fail_next(2, method="GET", path=ORGS, status=503)
    started = time.perf_counter()
    async with fake.client(fast_retries=True) as client:
        await client.organizations.list()  # two 503s, then an answer
        fake.fail_next(5, method="GET", path=ORGS, status=503)
        with pytest.raises(sk.ServerError):
            await client.organizations.list()  # three attempts, then the error
    assert time.perf_counter() - started < 0.5  # real backoff would sleep ~1.5 s
    assert len(fake.api_requests("GET", ORGS)) == 6


async def test_fast_retries_keep_the_given_policy(fake: FakeScalekit) -> None:
    fake.fail_next(4, method="POST", path=ORGS, status=503)
    policy = sk.RetryPolicy(max_retries=4, retry_writes=True)
    async with fake.client(fast_retries=True, retry=policy) as client:
        await client.organizations.create(display_name="Acme")
    assert len(fake.api_requests("POST", ORGS)) == 5


def test_client_options_are_typed_keywords(fake: FakeScalekit) -> None:
    parameters = inspect.signature(fake.client).parameters
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values())
    mirrored = set(inspect.signature(ScalekitClient).parameters) - {
        "environment_url", "client_id", "client_secret", "transport", "http_client"
    }  # fmt: skip
    assert mirrored <= set(parameters)
    with pytest.raises(TypeError):
        fake.client(tiemout=1)  # type: ignore[call-arg]


async def test_fast_retries_do_not_sleep_through_retry_after(fake: FakeScalekit) -> None:
    fake.fail_next(2, method="GET", path=ORGS, status=429, retry_after="30")
    scheduled: list[float] = []
    hooks = sk.Hooks(on_retry=(lambda event: scheduled.append(event.delay),))
    started = time.perf_counter()
    async with fake.client(fast_retries=True, hooks=hooks) as client:
        await client.organizations.list()  # two 429s asking for 30 s each, then an answer
    assert time.perf_counter() - started < 20  # honouring them would take 60 s
    assert scheduled == [0.0, 0.0]
    assert len(fake.api_requests("GET", ORGS)) == 3


async def test_fast_retries_still_refuse_a_wait_longer_than_the_policy_allows(
    fake: FakeScalekit,
) -> None:
    fake.fail_next(1, method="GET", path=ORGS, status=429, retry_after="600")
    async with fake.client(fast_retries=True) as client:
        with pytest.raises(sk.RateLimitError) as caught:
            await client.organizations.list()
    assert caught.value.retry_after == 600
    assert len(fake.api_requests("GET", ORGS)) == 1
