"""examples/aiohttp_app.py end to end: a real aiohttp server, the fake on its own socket.

aiohttp runs on asyncio only, so these tests do too.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import scalekit_async as sk
from scalekit_async.testing import (
    FakeScalekit,
    mint_access_token,
    new_webhook_secret,
    oauth,
    sign_webhook,
)

pytestmark = pytest.mark.anyio

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "aiohttp_app.py"
FAST_RETRIES = sk.RetryPolicy(backoff_base=0.01)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # aiohttp does not run on trio


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example_aiohttp_app", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


example = load_example()


class Service:
    """The running app, the fake behind it, and what went through the app's session."""

    http: aiohttp.ClientSession  # the test's own client, to call the app

    def __init__(self, fake: FakeScalekit, secret: str) -> None:
        self.fake = fake
        self.webhook_secret = secret
        self.sent_through_app_session: list[str] = []
        self.sessions: list[aiohttp.ClientSession] = []
        self.clients: list[sk.ScalekitClient] = []

    def token(self, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_access_token(self.fake, **claims)}"}

    async def deliver(self, event: dict[str, Any], *, delivery_id: str) -> aiohttp.ClientResponse:
        body = json.dumps(event).encode()
        headers = sign_webhook(self.webhook_secret, body, msg_id=delivery_id)
        async with self.http.post("/webhooks/scalekit", data=body, headers=headers) as answer:
            await answer.read()
            return answer


@asynccontextmanager
async def running_service(**client_options: Any) -> AsyncIterator[Service]:
    fake = FakeScalekit()
    secret = new_webhook_secret()
    async with fake.serve() as url:
        oauth(fake).issuer = url
        trace = aiohttp.TraceConfig()
        service = Service(fake, secret)

        async def on_request_start(
            session: aiohttp.ClientSession, context: SimpleNamespace, params: Any
        ) -> None:
            service.sent_through_app_session.append(f"{params.method} {params.url.path}")

        trace.on_request_start.append(on_request_start)

        def session_factory() -> aiohttp.ClientSession:
            session = aiohttp.ClientSession(trace_configs=[trace])
            service.sessions.append(session)
            return session

        def client_factory(session: aiohttp.ClientSession) -> sk.ScalekitClient:
            transport = sk.AiohttpTransport(session=session)
            client = sk.ScalekitClient(
                url, fake.client_id, fake.client_secret, transport=transport, **client_options
            )
            service.clients.append(client)
            return client

        app = example.create_app(
            example.Settings(webhook_secret=secret),
            client_factory=client_factory,
            session_factory=session_factory,
        )
        runner = web.AppRunner(app)
        await runner.setup()
        try:
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as service.http:
                yield service
        finally:
            await runner.cleanup()


async def get(service: Service, path: str, **options: Any) -> tuple[int, Any, Any]:
    async with service.http.get(path, **options) as answer:
        body = await answer.json() if answer.content_type == "application/json" else None
        return answer.status, body, answer.headers


def organization_created(org_id: str) -> dict[str, Any]:
    return {
        "id": "evt_" + org_id,
        "type": "organization.created",
        "environment_id": "env_1",
        "organization_id": org_id,
        "data": {"id": org_id, "display_name": "Acme"},
    }


async def test_the_sdk_sends_through_the_apps_session_and_both_close_at_cleanup() -> None:
    async with running_service() as service:
        assert len(service.sessions) == len(service.clients) == 1
        admin = service.token(permissions=["organizations:read"])
        for _ in range(3):
            status, _, _ = await get(service, "/admin/organizations", headers=admin)
            assert status == 200
        # One pool for the service: the token, keys and API calls all went through its session.
        assert service.sent_through_app_session == [
            "GET /keys",
            "POST /oauth/token",
            *["GET /api/v1/organizations"] * 3,
        ]
        session, client = service.sessions[0], service.clients[0]
        assert not session.closed
    assert session.closed
    with pytest.raises(sk.ClientClosedError):
        await client.organizations.list()


async def test_me_needs_a_valid_token_and_gets_its_claims() -> None:
    async with running_service() as service:
        status, _, headers = await get(service, "/me")
        assert (status, headers["WWW-Authenticate"]) == (401, "Bearer")
        for bad, reason in [
            ({"Authorization": "Bearer not-a-jwt"}, "malformed"),
            ({"Authorization": "Basic dXNlcjpwdw=="}, None),
            (service.token(expires_in=-3600), "expired"),
            (service.token(issuer="https://evil.example"), "issuer"),
        ]:
            status, _, headers = await get(service, "/me", headers=bad)
            assert status == 401
            if reason is not None:
                assert f'error_description="{reason}"' in headers["WWW-Authenticate"]
        good = service.token(subject="usr_42", organization_id="org_7", roles=["admin"])
        status, body, _ = await get(service, "/me", headers=good)
        assert status == 200
        assert body["user_id"] == "usr_42"
        assert body["organization_id"] == "org_7"
        assert body["roles"] == ["admin"]
        assert oauth(service.fake).jwks_requests == 1


async def test_admin_lists_every_organization_page_by_page() -> None:
    async with running_service() as service:
        async with service.fake.client() as direct:
            created = [
                (await direct.organizations.create(display_name=f"Org {n}")).id for n in range(23)
            ]
        admin = service.token(permissions=["organizations:read"])
        seen: list[str] = []
        params: dict[str, Any] = {"page_size": "10"}
        while True:
            status, page, _ = await get(
                service, "/admin/organizations", params=params, headers=admin
            )
            assert status == 200
            seen += [org["id"] for org in page["organizations"]]
            if page["next_page_token"] is None:
                break
            params["page_token"] = page["next_page_token"]
        assert seen == created

        status, one, _ = await get(service, f"/admin/organizations/{created[0]}", headers=admin)
        assert (status, one["display_name"]) == (200, "Org 0")
        status, _, _ = await get(service, "/admin/organizations", headers=service.token())
        assert status == 403
        for size in ("0", "101", "ten"):
            status, _, _ = await get(
                service, "/admin/organizations", params={"page_size": size}, headers=admin
            )
            assert status == 422
        assert len(service.fake.api_requests("GET", "/api/v1/organizations")) == 3


async def test_scalekit_errors_become_http_answers() -> None:
    async with running_service(retry=FAST_RETRIES) as service:
        fake = service.fake
        admin = service.token(permissions=["organizations:read"])
        status, body, _ = await get(service, "/admin/organizations/org_missing", headers=admin)
        assert status == 404
        assert "org_missing" in body["detail"]
        status, _, _ = await get(
            service, "/admin/organizations", params={"page_token": "x"}, headers=admin
        )
        assert status == 400
        fake.fail_next(1, path="/api/v1/organizations", status=429, retry_after="90")
        status, _, headers = await get(service, "/admin/organizations", headers=admin)
        assert (status, headers["Retry-After"]) == (503, "90")
        fake.fail_next(3, path="/api/v1/organizations", status=502)
        status, body, _ = await get(service, "/admin/organizations", headers=admin)
        assert (status, body) == (502, {"detail": "identity provider unavailable"})


async def test_webhook_verifies_the_raw_body_and_acts_once_per_delivery() -> None:
    async with running_service(retry=FAST_RETRIES) as service:
        fake = service.fake
        async with fake.client() as direct:
            org = await direct.organizations.create(display_name="Acme")
        event = organization_created(org.id)

        def patches() -> int:
            return len(fake.api_requests("PATCH", f"/api/v1/organizations/{org.id}"))

        fake.fail_next(1, method="PATCH", status=429, retry_after="120")
        answer = await service.deliver(event, delivery_id="msg_1")
        assert (answer.status, answer.headers["Retry-After"]) == (503, "120")
        assert fake.organizations[org.id]["metadata"] == {}

        for _ in range(2):  # the redelivery is handled, a third copy is skipped
            assert (await service.deliver(event, delivery_id="msg_1")).status == 204
        assert fake.organizations[org.id]["metadata"] == {"onboarding": "started"}
        assert patches() == 2  # the refused one and the one that worked

        body = json.dumps(event).encode()
        stale = sign_webhook(service.webhook_secret, body, timestamp=int(time.time()) - 3600)
        forged = sign_webhook(new_webhook_secret(), body)
        for content, headers in [
            (body.replace(b"Acme", b"Evil"), sign_webhook(service.webhook_secret, body)),
            (body, forged),
            (body, stale),
            (body, {}),
        ]:
            async with service.http.post(
                "/webhooks/scalekit", data=content, headers=headers
            ) as refused:
                assert refused.status == 400
        assert patches() == 2


@pytest.mark.parametrize(
    ("error", "status", "headers"),
    [
        (sk.NotFoundError("gone", status_code=404), 404, {}),
        (sk.ConflictError("taken", status_code=409), 409, {}),
        (sk.RateLimitError("slow", status_code=429, retry_after=0.2), 503, {"Retry-After": "1"}),
        (sk.APITimeoutError("late"), 504, {}),
        (sk.PermissionDeniedError("no", status_code=403), 502, {}),
        (sk.TokenError("invalid_client"), 502, {}),
    ],
)
def test_error_mapping(error: sk.ScalekitError, status: int, headers: dict[str, str]) -> None:
    got_status, _, got_headers = example.error_answer(error)
    assert (got_status, got_headers) == (status, headers)
