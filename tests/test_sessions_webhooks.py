"""The webhook receiver: verified, deduplicated by webhook-id, dispatched per event type.

First the framework-neutral core (asyncio and trio), then the example apps'
routes on real servers (FastAPI and aiohttp).
"""

from __future__ import annotations

import json
import time
from typing import Any

import anyio
import pytest
from sessions_servers import running

import scalekit_async as sk
from scalekit_async.sessions import WebhookReceiver
from scalekit_async.testing import new_webhook_secret, sign_webhook

pytestmark = pytest.mark.anyio


def event(kind: str = "organization.created", org_id: str = "org_1") -> bytes:
    return json.dumps(
        {
            "id": "evt_" + org_id,
            "type": kind,
            "spec_version": "1",
            "object": "Organization",
            "environment_id": "env_1",
            "organization_id": org_id,
            "occurred_at": "2025-01-01T00:00:00Z",
            "data": {"id": org_id, "display_name": "Acme"},
        }
    ).encode()


class Recorder:
    def __init__(self) -> None:
        self.seen: list[str] = []
        self.fail_next = 0
        self.gate: anyio.Event | None = None

    async def __call__(self, received: sk.WebhookEvent) -> None:
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_next:
            self.fail_next -= 1
            raise RuntimeError("the database is down")
        self.seen.append(received.type)


async def test_a_delivery_sent_twice_runs_its_handler_once() -> None:
    secret = new_webhook_secret()
    receiver = WebhookReceiver(secret)
    recorder = Recorder()
    receiver.on("organization.created")(recorder)
    body = event()
    headers = sign_webhook(secret, body, msg_id="msg_1")
    first = await receiver.receive(headers, body)
    again = await receiver.receive(headers, body)
    assert (first.status, again.status) == (204, 204)
    assert recorder.seen == ["organization.created"]
    other = await receiver.receive(sign_webhook(secret, body, msg_id="msg_2"), body)
    assert other.status == 204
    assert len(recorder.seen) == 2  # another delivery id is another delivery


async def test_bad_deliveries_get_4xx_and_run_nothing() -> None:
    secret = new_webhook_secret()
    receiver = WebhookReceiver(secret)
    recorder = Recorder()
    receiver.on("*")(recorder)
    body = event()
    forged = sign_webhook(new_webhook_secret(), body)
    assert (await receiver.receive(forged, body)).status == 401
    assert (await receiver.receive({}, body)).status == 400
    tampered = sign_webhook(secret, body)
    assert (await receiver.receive(tampered, body.replace(b"Acme", b"Evil"))).status == 401
    stale = sign_webhook(secret, body, timestamp=int(time.time()) - 3600)
    assert (await receiver.receive(stale, body)).status == 401  # a replay of an old delivery
    garbage = b'["not an event"]'
    answer = await receiver.receive(sign_webhook(secret, garbage), garbage)
    assert answer.status == 400
    assert json.loads(answer.body)["error"] == "invalid_delivery"
    assert recorder.seen == []


async def test_a_failed_handler_answers_500_and_the_redelivery_runs_it_again() -> None:
    secret = new_webhook_secret()
    receiver = WebhookReceiver(secret)
    recorder = Recorder()
    recorder.fail_next = 1
    receiver.on("organization.created")(recorder)
    body = event()
    headers = sign_webhook(secret, body, msg_id="msg_retry")
    assert (await receiver.receive(headers, body)).status == 500
    assert (await receiver.receive(headers, body)).status == 204
    assert (await receiver.receive(headers, body)).status == 204
    assert recorder.seen == ["organization.created"]


async def test_a_duplicate_that_arrives_while_the_first_runs_is_told_to_retry() -> None:
    secret = new_webhook_secret()
    receiver = WebhookReceiver(secret, lease=30)
    recorder = Recorder()
    recorder.gate = anyio.Event()
    receiver.on("organization.created")(recorder)
    body = event()
    headers = sign_webhook(secret, body, msg_id="msg_race")
    statuses: list[int] = []

    async def deliver() -> None:
        statuses.append((await receiver.receive(headers, body)).status)

    async with anyio.create_task_group() as tg:
        tg.start_soon(deliver)
        await anyio.sleep(0.01)
        duplicate = await receiver.receive(headers, body)
        assert duplicate.status == 409
        assert duplicate.header("retry-after") == "30"
        recorder.gate.set()
    assert statuses == [204]
    assert recorder.seen == ["organization.created"]


async def test_dispatch_by_type_and_secret_rotation() -> None:
    old, new = new_webhook_secret(), new_webhook_secret()
    receiver = WebhookReceiver([new, old])
    created, every = Recorder(), Recorder()
    receiver.on("organization.created")(created)
    receiver.on("*")(every)
    for kind, secret in (("organization.created", old), ("user.signup", new), ("x.y", new)):
        body = event(kind)
        assert (await receiver.receive(sign_webhook(secret, body), body)).status == 204
    assert created.seen == ["organization.created"]
    assert every.seen == ["organization.created", "user.signup", "x.y"]
    assert new not in repr(receiver)
    for bad in ("", "secret", "whsec_", "whsec_!!!"):
        with pytest.raises(sk.ConfigurationError):
            WebhookReceiver(bad)
    with pytest.raises(ValueError):
        receiver.on()


# -- through the example apps ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("anyio_backend", "framework"),
    [("asyncio", "fastapi"), ("trio", "fastapi"), ("asyncio", "aiohttp")],
)
async def test_the_example_routes_dedupe_and_refuse_bad_signatures(framework: str) -> None:
    secret = new_webhook_secret()
    async with running(framework, webhook_secret=secret) as service:
        recorder = Recorder()
        service.webhooks.on("organization.created")(recorder)
        body = event()
        headers: dict[str, Any] = sign_webhook(secret, body, msg_id="msg_twice")
        async with service.client() as scalekit:
            first = await scalekit.post("/webhooks/scalekit", content=body, headers=headers)
            second = await scalekit.post("/webhooks/scalekit", content=body, headers=headers)
            assert (first.status_code, second.status_code) == (204, 204)
            assert recorder.seen == ["organization.created"]
            forged = sign_webhook(new_webhook_secret(), body)
            refused = await scalekit.post("/webhooks/scalekit", content=body, headers=forged)
            assert refused.status_code == 401
            unsigned = await scalekit.post("/webhooks/scalekit", content=body)
            assert unsigned.status_code == 400
        assert recorder.seen == ["organization.created"]
