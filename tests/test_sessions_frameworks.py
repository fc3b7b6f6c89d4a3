"""Cookie updates reach the browser whatever the route returns, in both integrations.

The official FastAPI adapter loses a refreshed cookie when the route returns
its own `Response`; here the middleware (FastAPI) and the response-prepare
hook (aiohttp) add it to every response: own responses, streamed ones,
raised HTTP exceptions. A bad cookie's removal is the observable stand-in.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from scalekit_async.sessions import SessionConfig
from scalekit_async.sessions.aiohttp import ScalekitAuth as AiohttpAuth
from scalekit_async.sessions.fastapi import ScalekitAuth as FastAPIAuth
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio

CONFIG = SessionConfig(app_url="http://app.test", secrets="s" * 40, cookie_secure=False)
BAD = {"Cookie": "sk_session=tampered"}


def removes_the_session(response: httpx.Response) -> bool:
    return any(
        h.startswith("sk_session=;") and "Max-Age=0" in h
        for h in response.headers.get_list("set-cookie")
    )


async def test_fastapi_sends_cookie_updates_on_any_response() -> None:
    fake = FakeScalekit()
    async with fake.client() as client:
        auth = FastAPIAuth(CONFIG, client=client)
        app = FastAPI()
        auth.install(app)

        @app.get("/own")
        async def own(request: Request) -> JSONResponse:
            await auth.optional_user(request)
            return JSONResponse({"ok": True}, headers={"Cache-Control": "max-age=60"})

        @app.get("/stream")
        async def stream(request: Request) -> StreamingResponse:
            await auth.optional_user(request)

            async def body() -> AsyncIterator[bytes]:
                yield b"chunk"

            return StreamingResponse(body())

        @app.get("/guarded")
        async def guarded(request: Request) -> dict[str, str]:
            user = await auth.user(request)
            return {"id": user.id}

        @app.get("/unguarded")
        async def unguarded() -> dict[str, bool]:
            return {"ok": True}

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app.test") as http:
            own_answer = await http.get("/own", headers=BAD)
            assert removes_the_session(own_answer)
            assert own_answer.headers["cache-control"] == "max-age=60"  # the route's own kept
            streamed = await http.get("/stream", headers=BAD)
            assert (streamed.text, removes_the_session(streamed)) == ("chunk", True)
            assert streamed.headers["cache-control"] == "no-store"
            refused = await http.get("/guarded", headers=BAD)
            assert refused.status_code == 401
            assert removes_the_session(refused)
            untouched = await http.get("/unguarded", headers=BAD)
            assert "set-cookie" not in untouched.headers  # nothing read, nothing written


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_aiohttp_sends_cookie_updates_on_raised_and_streamed_responses() -> None:
    fake = FakeScalekit()
    async with fake.client() as client:
        auth = AiohttpAuth(CONFIG, client=client)
        app = web.Application()
        auth.setup(app)

        async def raising(request: web.Request) -> web.StreamResponse:
            await auth.optional_user(request)
            raise web.HTTPFound("/elsewhere")

        async def streaming(request: web.Request) -> web.StreamResponse:
            await auth.optional_user(request)
            response = web.StreamResponse()
            await response.prepare(request)
            await response.write(b"chunk")
            return response

        async def guarded(request: web.Request) -> web.StreamResponse:
            user = await auth.user(request)
            return web.json_response({"id": user.id})

        app.router.add_get("/raise", raising)
        app.router.add_get("/stream", streaming)
        app.router.add_get("/guarded", guarded)
        async with TestClient(TestServer(app)) as web_client:
            for path, status in (("/raise", 302), ("/stream", 200), ("/guarded", 401)):
                answer = await web_client.get(path, headers=BAD, allow_redirects=False)
                cookies = answer.headers.getall("Set-Cookie", [])
                assert answer.status == status
                assert any(c.startswith("sk_session=;") and "Max-Age=0" in c for c in cookies)
