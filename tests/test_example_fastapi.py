"""examples/fastapi_app.py end to end: a real uvicorn, a real HTTP client, the fake on a socket.

The app runs in uvicorn on its own thread (its own asyncio loop); the fake and
the test's HTTP client run on the test's loop (asyncio or trio), so each test
is a true three-party exchange over loopback sockets.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import httpx
import pytest
import uvicorn

import scalekit_async as sk
from scalekit_async.testing import (
    FakeScalekit,
    mint_access_token,
    new_webhook_secret,
    oauth,
    sign_webhook,
)

pytestmark = pytest.mark.anyio

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "fastapi_app.py"
FAST_RETRIES = sk.RetryPolicy(backoff_base=0.01)


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example_fastapi_app", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves the models' annotations through it
    spec.loader.exec_module(module)
    return module


example = load_example()


@asynccontextmanager
async def uvicorn_serving(app: Any) -> AsyncIterator[str]:
    """Serve *app* with uvicorn on a free loopback port in a thread; yield its URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan="on", log_level="warning", loop="asyncio", http="h11", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        with anyio.fail_after(10):
            while not server.started:
                assert thread.is_alive(), "uvicorn stopped during startup (see the log)"
                await anyio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await anyio.to_thread.run_sync(thread.join, 10)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not stop"


class Service:
    """The app under test and what the test needs to talk to it."""

    def __init__(self, fake: FakeScalekit, http: httpx.AsyncClient, secret: str) -> None:
        self.fake = fake
        self.http = http
        self.webhook_secret = secret
        self.clients: list[sk.ScalekitClient] = []

    def token(self, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_access_token(self.fake, **claims)}"}

    async def deliver(self, event: dict[str, Any], *, delivery_id: str) -> httpx.Response:
        body = json.dumps(event).encode()
        headers = sign_webhook(self.webhook_secret, body, msg_id=delivery_id)
        return await self.http.post("/webhooks/scalekit", content=body, headers=headers)


@asynccontextmanager
async def running_service(**client_options: Any) -> AsyncIterator[Service]:
    fake = FakeScalekit()
    secret = new_webhook_secret()
    async with fake.serve() as url:
        oauth(fake).issuer = url  # tokens name the URL the app's client uses
        made: list[sk.ScalekitClient] = []

        def factory() -> sk.ScalekitClient:
            client = sk.ScalekitClient(url, fake.client_id, fake.client_secret, **client_options)
            made.append(client)
            return client

        app = example.create_app(example.Settings(webhook_secret=secret), client_factory=factory)
        async with (
            uvicorn_serving(app) as base_url,
            httpx.AsyncClient(base_url=base_url, timeout=20) as http,
        ):
            service = Service(fake, http, secret)
            service.clients = made
            yield service


def organization_created(org_id: str, name: str) -> dict[str, Any]:
    return {
        "id": "evt_" + org_id,
        "type": "organization.created",
        "spec_version": "1",
        "object": "Organization",
        "environment_id": "env_1",
        "organization_id": org_id,
        "occurred_at": "2025-01-01T00:00:00Z",
        "data": {"id": org_id, "display_name": name},
    }


# -- the client's lifecycle --------------------------------------------------------------


async def test_one_client_per_process_opened_at_startup_closed_at_shutdown() -> None:
    async with running_service() as service:
        assert len(service.clients) == 1  # created by the lifespan, before any request
        headers = service.token(permissions=["organizations:read"])
        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(partial(service.http.get, "/admin/organizations", headers=headers))
        answers = [await service.http.get("/admin/organizations", headers=headers)]
        assert answers[0].status_code == 200
        assert len(service.clients) == 1
        assert service.fake.tokens_issued == 1  # 21 requests, one shared client, one token
        client = service.clients[0]
    with pytest.raises(sk.ClientClosedError):  # the lifespan closed it on shutdown
        await client.organizations.list()


# -- the protected route --------------------------------------------------------------------


async def test_me_needs_a_valid_token_and_gets_its_claims() -> None:
    async with running_service() as service:
        http, fake = service.http, service.fake
        missing = await http.get("/me")
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"] == "Bearer"

        for bad, reason in [
            ({"Authorization": "Bearer not-a-jwt"}, "malformed"),
            (service.token(expires_in=-3600), "expired"),
            (service.token(issuer="https://evil.example"), "issuer"),
        ]:
            answer = await http.get("/me", headers=bad)
            assert answer.status_code == 401, reason
            assert f'error_description="{reason}"' in answer.headers["www-authenticate"]

        good = service.token(
            subject="usr_42",
            organization_id="org_7",
            session_id="ses_9",
            roles=["admin"],
            permissions=["organizations:read"],
        )
        for _ in range(3):
            answer = await http.get("/me", headers=good)
            assert answer.status_code == 200
            assert answer.json() == {
                "user_id": "usr_42",
                "organization_id": "org_7",
                "session_id": "ses_9",
                "roles": ["admin"],
                "permissions": ["organizations:read"],
            }
        assert oauth(fake).jwks_requests == 1  # keys fetched once, then validation is local
        assert fake.tokens_issued == 0  # validating callers needs no API token


async def test_keys_unavailable_is_503_not_401() -> None:
    async with running_service(max_retries=0) as service:
        service.fake.fail_next(1, path="/keys", status=503)
        answer = await service.http.get("/me", headers=service.token())
        assert answer.status_code == 503
        assert answer.headers["retry-after"] == "5"
        assert oauth(service.fake).jwks_requests == 1


# -- the admin route ---------------------------------------------------------------------------


async def test_admin_lists_every_organization_page_by_page() -> None:
    async with running_service() as service:
        async with service.fake.client() as direct:
            created = [
                (await direct.organizations.create(display_name=f"Org {n}")).id for n in range(25)
            ]
        admin = service.token(permissions=["organizations:read"])
        seen: list[str] = []
        pages = 0
        token: str | None = None
        while True:
            params: dict[str, Any] = {"page_size": 10}
            if token:
                params["page_token"] = token
            answer = await service.http.get("/admin/organizations", params=params, headers=admin)
            assert answer.status_code == 200
            page = answer.json()
            assert page["total_size"] == 25
            seen += [org["id"] for org in page["organizations"]]
            pages += 1
            token = page["next_page_token"]
            if token is None:
                break
        assert (seen, pages) == (created, 3)

        one = await service.http.get(f"/admin/organizations/{created[3]}", headers=admin)
        assert one.json() == {"id": created[3], "display_name": "Org 3", "external_id": None}

        not_admin = await service.http.get("/admin/organizations", headers=service.token())
        assert not_admin.status_code == 403
        too_big = await service.http.get(
            "/admin/organizations", params={"page_size": 1000}, headers=admin
        )
        assert too_big.status_code == 422  # checked by FastAPI, never sent to Scalekit
        listed = len(service.fake.api_requests("GET", "/api/v1/organizations"))
        assert listed == 3


# -- errors ------------------------------------------------------------------------------------


async def test_scalekit_errors_become_http_answers() -> None:
    async with running_service(retry=FAST_RETRIES) as service:
        http, fake = service.http, service.fake
        admin = service.token(permissions=["organizations:read"])

        missing = await http.get("/admin/organizations/org_missing", headers=admin)
        assert missing.status_code == 404
        assert "org_missing" in missing.json()["detail"]

        bad = await http.get("/admin/organizations", params={"page_token": "x"}, headers=admin)
        assert bad.status_code == 400

        fake.fail_next(1, path="/api/v1/organizations", status=429, retry_after="120")
        limited = await http.get("/admin/organizations", headers=admin)
        assert limited.status_code == 503
        assert limited.headers["retry-after"] == "120"

        fake.fail_next(3, path="/api/v1/organizations", status=503)
        down = await http.get("/admin/organizations", headers=admin)
        assert down.status_code == 502  # after the SDK's own retries (3 attempts)
        assert down.json() == {"detail": "identity provider unavailable"}
        assert (await http.get("/admin/organizations", headers=admin)).status_code == 200


async def test_refused_credentials_are_502_without_the_secret() -> None:
    fake = FakeScalekit()
    async with fake.serve() as url:
        oauth(fake).issuer = url
        app = example.create_app(
            example.Settings(),
            client_factory=lambda: sk.ScalekitClient(url, fake.client_id, "wrong-secret-value"),
        )
        async with uvicorn_serving(app) as base_url, httpx.AsyncClient(base_url=base_url) as http:
            token = mint_access_token(fake, permissions=["organizations:read"])
            answer = await http.get(
                "/admin/organizations", headers={"Authorization": f"Bearer {token}"}
            )
    assert answer.status_code == 502
    assert "wrong-secret-value" not in answer.text


@pytest.mark.parametrize(
    ("error", "status", "headers"),
    [
        (sk.NotFoundError("gone", status_code=404), 404, {}),
        (sk.ConflictError("taken", status_code=409), 409, {}),
        (sk.BadRequestError("bad", status_code=400), 400, {}),
        (
            sk.RateLimitError("slow down", status_code=429, retry_after=2.5),
            503,
            {"Retry-After": "3"},
        ),
        (sk.RateLimitError("slow down", status_code=429), 503, {"Retry-After": "1"}),
        (sk.APITimeoutError("late"), 504, {}),
        (sk.APIConnectionError("refused"), 502, {}),
        (sk.AuthenticationError("no", status_code=401), 502, {}),
        (sk.ServerError("boom", status_code=500), 502, {}),
        (sk.TokenError("invalid_client"), 502, {}),
    ],
)
def test_error_mapping(error: sk.ScalekitError, status: int, headers: dict[str, str]) -> None:
    got_status, _, got_headers = example.error_answer(error)
    assert (got_status, got_headers) == (status, headers)


# -- the webhook --------------------------------------------------------------------------------


async def test_webhook_verifies_the_raw_body_and_acts_once_per_delivery() -> None:
    async with running_service(retry=FAST_RETRIES) as service:
        fake = service.fake
        async with fake.client() as direct:
            org = await direct.organizations.create(display_name="Acme", metadata={"plan": "pro"})
        event = organization_created(org.id, "Acme")

        answer = await service.deliver(event, delivery_id="msg_1")
        assert answer.status_code == 204
        assert fake.organizations[org.id]["metadata"] == {"plan": "pro", "onboarding": "started"}
        patches = lambda: len(fake.api_requests("PATCH", f"/api/v1/organizations/{org.id}"))  # noqa: E731
        assert patches() == 1

        again = await service.deliver(event, delivery_id="msg_1")  # a redelivery
        assert again.status_code == 204
        assert patches() == 1

        body = json.dumps(event).encode()
        headers = sign_webhook(service.webhook_secret, body, msg_id="msg_2")
        tampered = body.replace(b"Acme", b"Evil")
        for content, sent in [
            (tampered, headers),
            (body, sign_webhook(new_webhook_secret(), body, msg_id="msg_2")),
            (body, {k: v for k, v in headers.items() if k != "webhook-signature"}),
            (body, sign_webhook(service.webhook_secret, body, timestamp=int(time.time()) - 3600)),
        ]:
            refused = await service.http.post("/webhooks/scalekit", content=content, headers=sent)
            assert refused.status_code == 400
        assert patches() == 1

        other = {**event, "type": "organization.updated"}
        assert (await service.deliver(other, delivery_id="msg_3")).status_code == 204
        assert patches() == 1  # an event it does not act on


async def test_a_webhook_that_fails_is_redelivered_and_then_handled() -> None:
    async with running_service(retry=FAST_RETRIES) as service:
        fake = service.fake
        async with fake.client() as direct:
            org = await direct.organizations.create(display_name="Acme")
        event = organization_created(org.id, "Acme")
        fake.fail_next(1, method="PATCH", status=429, retry_after="120")
        first = await service.deliver(event, delivery_id="msg_1")
        assert first.status_code == 503  # Scalekit will send it again later
        assert first.headers["retry-after"] == "120"
        assert "onboarding" not in fake.organizations[org.id]["metadata"]
        second = await service.deliver(event, delivery_id="msg_1")
        assert second.status_code == 204
        assert fake.organizations[org.id]["metadata"] == {"onboarding": "started"}

        deleted = organization_created("org_gone", "Gone")
        assert (await service.deliver(deleted, delivery_id="msg_2")).status_code == 204


def test_app_builds_without_environment_or_io(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SCALEKIT_ENVIRONMENT_URL", "SCALEKIT_CLIENT_ID", "SCALEKIT_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    factory_calls: list[int] = []

    def factory() -> sk.ScalekitClient:
        factory_calls.append(1)
        raise AssertionError("not at import or construction time")

    example.create_app(client_factory=factory)
    assert factory_calls == []
    assert isinstance(example.app, example.FastAPI)
