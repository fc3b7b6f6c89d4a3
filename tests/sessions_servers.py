"""Helpers for the session tests: the example apps served for real, and a browser-like client.

FastAPI apps run in uvicorn on a thread of their own (their own asyncio
loop), so the test side (the fake Scalekit on a socket, the HTTP client)
runs on asyncio or trio. aiohttp apps run on the test's own asyncio loop.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock

import anyio
import anyio.to_thread
import httpx

import scalekit_async as sk
from scalekit_async.sessions import SessionCipher, SessionConfig
from scalekit_async.testing import FakeScalekit, oauth

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SECRET = "test-session-secret-0123456789-abcdefghij"
OLD_SECRET = "old-session-secret-0123456789-abcdefghijk"
NEW_SECRET = "new-session-secret-0123456789-abcdefghijk"
PLACEHOLDER_ENV = {"APP_URL": "http://127.0.0.1:9", "SESSION_SECRET": SECRET}


_LOADED: dict[str, ModuleType] = {}


def load_example(name: str, env: dict[str, str] | None = None) -> ModuleType:
    """Import examples/{name}.py (its module-level ``app`` reads the environment).

    With *env*, afresh under that environment; without, once, under placeholders
    (for its ``create_app``).
    """
    if env is None:
        if name not in _LOADED:
            _LOADED[name] = _load(name, PLACEHOLDER_ENV)
        return _LOADED[name]
    return _load(name, env)


def _load(name: str, env: dict[str, str]) -> ModuleType:
    path = EXAMPLES / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"example_{name}_{time.monotonic_ns()}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves annotations through it
    with mock.patch.dict(os.environ, env):
        spec.loader.exec_module(module)
    return module


class Clock:
    """The apps' clock: real time plus an offset the test moves (to reach refresh time)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def bound_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


@asynccontextmanager
async def uvicorn_serving(app: Any, sock: socket.socket) -> AsyncIterator[None]:
    import uvicorn

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
        yield
    finally:
        server.should_exit = True
        await anyio.to_thread.run_sync(thread.join, 10)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not stop"


@asynccontextmanager
async def aiohttp_serving(app: Any, sock: socket.socket) -> AsyncIterator[None]:
    from aiohttp import web

    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.SockSite(runner, sock)
        await site.start()
        yield
    finally:
        await runner.cleanup()
        sock.close()


@asynccontextmanager
async def serving(framework: str, app: Any, sock: socket.socket) -> AsyncIterator[None]:
    server = uvicorn_serving if framework == "fastapi" else aiohttp_serving
    async with server(app, sock):
        yield


@asynccontextmanager
async def emulator() -> AsyncIterator[tuple[FakeScalekit, str]]:
    """The fake Scalekit on a loopback socket, issuing tokens that name its URL."""
    fake = FakeScalekit()
    async with fake.serve() as url:
        oauth(fake).issuer = url
        yield fake, url


class Service:
    """A running example app, the fake behind it, and a browser that follows redirects."""

    def __init__(
        self,
        framework: str,
        module: ModuleType,
        fake: FakeScalekit,
        fake_url: str,
        url: str,
        app: Any,
        config: SessionConfig,
        clock: Clock,
        http: httpx.AsyncClient,
    ) -> None:
        self.framework = framework
        self.module = module
        self.fake = fake
        self.fake_url = fake_url
        self.url = url
        self.app = app
        self.config = config
        self.clock = clock
        self.http = http

    @property
    def auth(self) -> Any:
        """The app's `ScalekitAuth`."""
        if self.framework == "fastapi":
            return self.app.state.auth
        return self.app[self.module.AUTH]

    @property
    def webhooks(self) -> Any:
        """The app's `WebhookReceiver`."""
        if self.framework == "fastapi":
            return self.app.state.webhooks
        return self.app[self.module.WEBHOOKS]

    def refreshes(self) -> int:
        """How many refresh-token grants reached Scalekit."""
        return sum(
            1 for r in self.fake.requests if r.path == "/oauth/token" and b"refresh_token" in r.body
        )

    def code_exchanges(self) -> int:
        return sum(
            1
            for r in self.fake.requests
            if r.path == "/oauth/token" and b"authorization_code" in r.body
        )

    @property
    def session_cookie(self) -> str | None:
        return self.http.cookies.get(self.config.session_cookie)

    def at_refresh_time(self) -> None:
        """Move the apps' clock into the access token's refresh window (still valid)."""
        self.clock.offset = oauth(self.fake).token_ttl - self.config.refresh_window / 2

    async def sign_in(self, return_to: str = "/me") -> httpx.Response:
        answer = await self.http.get("/auth/login", params={"return_to": return_to})
        assert answer.status_code == 200, answer.text
        assert self.session_cookie is not None
        return answer

    def client(self, **options: Any) -> httpx.AsyncClient:
        """Another browser, sharing nothing with `http`."""
        return httpx.AsyncClient(base_url=self.url, timeout=20, **options)


@asynccontextmanager
async def running(
    framework: str,
    *,
    fake: FakeScalekit | None = None,
    fake_url: str | None = None,
    secrets: tuple[str, ...] = (SECRET,),
    webhook_secret: str | None = None,
    app_url: str | None = None,
    app_options: dict[str, Any] | None = None,
    **config_options: Any,
) -> AsyncIterator[Service]:
    """An example app (``framework``) served on a loopback port, against the fake.

    *app_url* overrides the app's configured origin (a fleet shares one);
    *app_options* go to `ScalekitAuth` (``store=``, ``dedupe=``).
    """
    async with _fake(fake, fake_url) as (fake, fake_url):
        sock = bound_socket()
        own_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        app_url = app_url or own_url
        clock = Clock()
        config = SessionConfig(
            app_url=app_url,
            secrets=secrets,
            cookie_secure=False,  # plain http on loopback
            bearer_audience=fake.client_id,
            **config_options,
        )
        module = load_example(f"{framework}_sessions")

        def client_factory() -> sk.ScalekitClient:
            return sk.ScalekitClient(fake_url, fake.client_id, fake.client_secret)

        app = module.create_app(
            config,
            client_factory=client_factory,
            webhook_secret=webhook_secret,
            clock=clock,
            **(app_options or {}),
        )
        async with (
            serving(framework, app, sock),
            httpx.AsyncClient(base_url=own_url, follow_redirects=True, timeout=20) as http,
        ):
            yield Service(framework, module, fake, fake_url, own_url, app, config, clock, http)


@asynccontextmanager
async def _fake(
    fake: FakeScalekit | None, url: str | None
) -> AsyncIterator[tuple[FakeScalekit, str]]:
    if fake is not None and url is not None:
        yield fake, url
        return
    async with emulator() as served:
        yield served


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    with mock.patch.dict(os.environ, values):
        yield


def reseal(value: str, *, opened_with: list[str], sealed_with: list[str], **changes: Any) -> str:
    """A session cookie re-sealed under other keys (a cookie from another deploy)."""
    payload = SessionCipher(opened_with).open("session", value, now=time.time())
    assert payload is not None
    expires_at = changes.pop("expires_at", payload["exp"])
    return SessionCipher(sealed_with).seal("session", {**payload, **changes}, expires_at=expires_at)
