"""examples/fastapi_sessions.py and examples/aiohttp_sessions.py end to end.

Real servers (uvicorn; aiohttp's own), the fake Scalekit on a loopback
socket, and httpx as the browser: it follows redirects and keeps cookies.
Every scenario runs on both frameworks; the test side runs on asyncio and
trio for FastAPI (uvicorn runs the app on its own thread), on asyncio for
aiohttp (it runs on the test's loop).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import httpx
import pytest
from sessions_servers import (
    NEW_SECRET,
    OLD_SECRET,
    SECRET,
    bound_socket,
    emulator,
    load_example,
    reseal,
    running,
    serving,
)

from scalekit_async.sessions import SessionCipher
from scalekit_async.testing import mint_access_token, oauth

pytestmark = pytest.mark.anyio

BOTH = pytest.mark.parametrize(
    ("anyio_backend", "framework"),
    [("asyncio", "fastapi"), ("trio", "fastapi"), ("asyncio", "aiohttp")],
)


def cleared(response: httpx.Response, name: str) -> bool:
    """Whether *response* removes cookie *name*."""
    return any(
        h.startswith(f"{name}=;") and "Max-Age=0" in h
        for h in response.headers.get_list("set-cookie")
    )


# -- the contract: `app` configured from the environment -------------------------------------------


@BOTH
async def test_the_contract_login_me_logout_then_401(framework: str) -> None:
    async with emulator() as (fake, fake_url):
        sock = bound_socket()
        app_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        env = {
            "SCALEKIT_ENVIRONMENT_URL": fake_url,
            "SCALEKIT_CLIENT_ID": fake.client_id,
            "SCALEKIT_CLIENT_SECRET": fake.client_secret,
            "APP_URL": app_url,
            "SESSION_SECRET": SECRET,
        }
        module = load_example(f"{framework}_sessions", env)
        with pytest.MonkeyPatch.context() as patch:
            for name, value in env.items():
                patch.setenv(name, value)  # the lifespan's client reads SCALEKIT_*
            async with (
                serving(framework, module.app, sock),
                httpx.AsyncClient(base_url=app_url, follow_redirects=True) as browser,
            ):
                signed_out = await browser.get("/me")
                assert signed_out.status_code == 401
                assert signed_out.json()["error"] == "not_signed_in"

                answer = await browser.get("/auth/login", params={"return_to": "/me"})
                assert answer.status_code == 200
                assert str(answer.url) == f"{app_url}/me"
                me = answer.json()
                assert me["email"] == "user@example.com"
                assert me["organization_id"].startswith("org_")
                assert (await browser.get("/me")).json() == me
                callback = next(r for r in answer.history if r.url.path == "/auth/callback")
                cookie = next(
                    h
                    for h in callback.headers.get_list("set-cookie")
                    if h.startswith("sk_session=")
                )
                assert "HttpOnly" in cookie
                assert "SameSite=Lax" in cookie
                assert "Path=/" in cookie

                answer = await browser.post("/auth/logout")
                assert [r.status_code for r in answer.history] == [303, 302]
                assert answer.history[1].url.path == "/oidc/logout"
                assert str(answer.url) == f"{app_url}/"
                assert (await browser.get("/me")).status_code == 401
        assert oauth(fake).refresh_tokens == {}  # Scalekit's logout ended its session too


# -- refresh ---------------------------------------------------------------------------------------


@BOTH
async def test_fifty_parallel_requests_at_refresh_time_cause_one_refresh(framework: str) -> None:
    async with running(framework) as service:
        await service.sign_in()
        before = service.session_cookie
        assert before is not None
        service.at_refresh_time()
        service.fake.fail_next(1, path="/oauth/token", delay=0.2)  # a slow token endpoint
        name = service.config.session_cookie
        async with service.client(headers={"Cookie": f"{name}={before}"}) as tab:
            answers = await gather(lambda: tab.get("/me"), 50)
        assert [a.status_code for a in answers] == [200] * 50
        assert service.refreshes() == 1
        # Every answer carries the refreshed session: the same new refresh token.
        cipher = SessionCipher(SECRET)
        tokens = set()
        for answer in answers:
            value = answer.cookies.get(name)
            assert value is not None
            payload = cipher.open("session", value, now=service.clock())
            assert payload is not None
            tokens.add(payload["rt"])
        old = cipher.open("session", before, now=service.clock())
        assert old is not None
        assert len(tokens) == 1
        assert old["rt"] not in tokens


async def gather(request: Any, count: int) -> list[httpx.Response]:
    answers: list[httpx.Response] = []

    async def one() -> None:
        answers.append(await request())

    async with anyio.create_task_group() as tg:
        for _ in range(count):
            tg.start_soon(one)
    return answers


@BOTH
async def test_a_refused_refresh_ends_the_session_cleanly(framework: str) -> None:
    async with running(framework) as service:
        await service.sign_in()
        oauth(service.fake).refresh_tokens.clear()  # revoked at Scalekit: invalid_grant
        service.at_refresh_time()
        answer = await service.http.get("/me")
        assert answer.status_code == 401
        assert answer.json()["error"] == "not_signed_in"
        assert cleared(answer, service.config.session_cookie)
        assert service.session_cookie is None
        assert (await service.http.get("/me")).status_code == 401
        assert service.refreshes() == 1  # the dead refresh token is not tried again


# -- bad cookies -----------------------------------------------------------------------------------


@BOTH
async def test_tampered_truncated_and_expired_cookies_sign_out(framework: str) -> None:
    async with running(framework) as service:
        await service.sign_in()
        name = service.config.session_cookie
        good = service.session_cookie
        assert good is not None
        middle = len(good) // 2
        flipped = good[:middle] + ("A" if good[middle] != "A" else "B") + good[middle + 1 :]
        expired = reseal(
            good, opened_with=[SECRET], sealed_with=[SECRET], expires_at=service.clock() - 1
        )
        for bad in (flipped, good[:-5], good[: len(good) // 3], "garbage", expired):
            async with service.client(headers={"Cookie": f"{name}={bad}"}) as other:
                answer = await other.get("/me")
            assert answer.status_code == 401
            assert cleared(answer, name)
        async with service.client(headers={"Cookie": f"{name}={good}"}) as other:
            assert (await other.get("/me")).status_code == 200
        # The absolute session lifetime ends a session even with a live refresh token.
        service.clock.offset = service.config.session_lifetime + 1
        answer = await service.http.get("/me")
        assert answer.status_code == 401
        assert cleared(answer, name)


@BOTH
async def test_secret_rotation_keeps_sessions_and_a_dropped_key_signs_out(framework: str) -> None:
    async with emulator() as (fake, fake_url):
        async with running(framework, fake=fake, fake_url=fake_url, secrets=(OLD_SECRET,)) as one:
            await one.sign_in()
            cookie = f"{one.config.session_cookie}={one.session_cookie}"
        rotating = (NEW_SECRET, OLD_SECRET)
        async with running(framework, fake=fake, fake_url=fake_url, secrets=rotating) as two:
            async with two.client(headers={"Cookie": cookie}) as browser:
                answer = await browser.get("/me")
            assert answer.status_code == 200  # nobody is signed out by the rollout
            assert answer.json()["email"] == "user@example.com"
        async with running(framework, fake=fake, fake_url=fake_url, secrets=(NEW_SECRET,)) as three:
            async with three.client(headers={"Cookie": cookie}) as browser:
                answer = await browser.get("/me")
            assert answer.status_code == 401  # the old key is gone: a stale cookie
            assert cleared(answer, three.config.session_cookie)


# -- login state -----------------------------------------------------------------------------------


@BOTH
async def test_a_replayed_state_is_refused_and_two_tabs_may_sign_in(framework: str) -> None:
    async with running(framework) as service:
        http = service.http
        login = await http.get("/auth/login", follow_redirects=False)
        assert login.status_code == 302
        login_cookie = login.cookies[service.config.login_cookie]
        authorize = await http.get(login.headers["location"], follow_redirects=False)
        callback_url = authorize.headers["location"]
        first = await http.get(callback_url)
        assert first.status_code == 200
        assert service.code_exchanges() == 1

        again = await http.get(callback_url, follow_redirects=False)  # the browser's back button
        assert again.status_code == 400
        assert again.json()["error"] == "invalid_state"
        # An attacker replaying the whole exchange, the pre-callback cookie included.
        cookies = f"{service.config.login_cookie}={login_cookie}"
        async with service.client(headers={"Cookie": cookies}) as attacker:
            replay = await attacker.get(callback_url)
        assert replay.status_code == 400
        assert replay.json()["error"] == "invalid_state"
        assert service.code_exchanges() == 1  # the code never reached Scalekit again
        async with service.client() as stranger:  # no login cookie at all
            assert (await stranger.get(callback_url)).status_code == 400

        # Two tabs start a login each; the first to start finishes last, and still works.
        first = await http.get("/auth/login", params={"return_to": "/me"}, follow_redirects=False)
        second = await http.get("/auth/login", follow_redirects=False)
        assert second.status_code == 302
        answer = await http.get(first.headers["location"])  # the first tab finishes last
        assert answer.status_code == 200
        assert str(answer.url) == f"{service.url}/me"


OPEN_REDIRECTS = [
    "https://evil.example/steal",
    "//evil.example",
    "/\\evil.example",
    "/%2F%2Fevil.example",
    "/%5Cevil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
]


@BOTH
async def test_open_redirects_land_home_and_idp_errors_are_clear_400s(framework: str) -> None:
    async with running(framework) as service:
        for target in OPEN_REDIRECTS:
            answer = await service.http.get("/auth/login", params={"return_to": target})
            assert answer.status_code == 200, target
            assert str(answer.url) == f"{service.url}/", target
            callback = next(r for r in answer.history if r.url.path == "/auth/callback")
            assert callback.headers["location"] == f"{service.url}/"
            hosts = {urlsplit(r.headers["location"]).netloc for r in answer.history}
            assert hosts <= {urlsplit(service.url).netloc, urlsplit(service.fake_url).netloc}

        # An IdP error in the callback: a clear 400, never a 500 nor a redirect loop.
        http = service.http
        http.cookies.clear()
        login = await http.get("/auth/login", follow_redirects=False)
        state = parse_qs(urlsplit(login.headers["location"]).query)["state"][0]
        params = {
            "error": "access_denied",
            "error_description": "<script>alert(1)</script>",
            "state": state,
        }
        answer = await http.get("/auth/callback", params=params)
        assert answer.status_code == 400
        assert answer.json() == {"error": "access_denied", "detail": "Sign-in was not completed."}
        page = await http.get("/auth/callback", params=params, headers={"Accept": "text/html"})
        assert page.status_code == 400
        assert page.headers["content-type"].startswith("text/html")
        assert "<script>" not in page.text
        assert 'href="/auth/login"' in page.text
        odd = await http.get("/auth/callback", params={"error": "made_up_error"})
        assert (odd.status_code, odd.json()["error"]) == (400, "login_failed")
        bare = await http.get("/auth/callback")
        assert (bare.status_code, bare.json()["error"]) == (400, "invalid_callback")
        assert (await http.get("/me")).status_code == 401


# -- guards, bearer tokens, logout -----------------------------------------------------------------


@BOTH
async def test_guards_page_redirects_bearer_tokens_and_same_origin_logout(framework: str) -> None:
    async with running(framework) as service:
        first = await service.http.get("/account?tab=2", follow_redirects=False)
        assert first.status_code == 303
        assert (
            first.headers["location"] == f"{service.url}/auth/login?return_to=%2Faccount%3Ftab%3D2"
        )
        answer = await service.http.get("/account?tab=2")
        assert answer.status_code == 200
        assert str(answer.url) == f"{service.url}/account?tab=2"
        assert "user@example.com" in answer.text

        # Bearer access tokens work beside the cookie (pinned to this client's audience).
        token = mint_access_token(
            service.fake, organization_id="org_9", claims={"email": "m2m@example.com"}
        )
        async with service.client() as api:
            answer = await api.get("/me", headers={"Authorization": f"Bearer {token}"})
            assert answer.json() == {"email": "m2m@example.com", "organization_id": "org_9"}
            other = mint_access_token(service.fake, audience="res_other")
            refused = await api.get("/me", headers={"Authorization": f"Bearer {other}"})
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"] == 'Bearer error="invalid_token"'
            assert refused.json()["error"] == "invalid_token"

        # Logout is a same-origin POST.
        for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
            answer = await service.http.post("/auth/logout", headers=headers)
            assert answer.status_code == 403
            assert (await service.http.get("/me")).status_code == 200
        same = await service.http.post("/auth/logout", headers={"Origin": service.url})
        assert same.status_code == 200
        assert (await service.http.get("/me")).status_code == 401
        assert (await service.http.get("/auth/logout")).status_code == 405  # POST only
