"""The framework-neutral session core: sealed cookies, the redirect check, single flight, dedupe.

Then the whole login -> session -> refresh -> logout state machine, driven
without any web framework against the in-process fake, on asyncio and trio.
"""

from __future__ import annotations

import base64
import json
import logging
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import attrs
import httpx
import pytest

import scalekit_async as sk
from scalekit_async.sessions import (
    AccessDenied,
    Answer,
    CookieSessionStore,
    MemoryDedupeStore,
    RefreshFlights,
    RefreshOutcome,
    Requirement,
    SessionCipher,
    SessionConfig,
    SessionManager,
    SessionRecord,
    SignedInUser,
    safe_return_path,
)
from scalekit_async.sessions._cookies import (
    CHUNK_LIMIT,
    chunk_cookie,
    read_chunked_cookie,
)
from scalekit_async.testing import FakeScalekit, FakeTransport, oauth

pytestmark = pytest.mark.anyio

NEW = "n" * 20 + "-new-session-secret-0123456789"
OLD = "o" * 20 + "-old-session-secret-0123456789"
OTHER = "x" * 20 + "-unrelated-secret-00000000000"
NOW = 1_700_000_000.0


# -- sealed cookies --------------------------------------------------------------------------------


def test_a_sealed_value_round_trips_and_is_base64url_without_padding() -> None:
    cipher = SessionCipher(NEW)
    sealed = cipher.seal("session", {"a": 1, "b": ["x"]}, expires_at=NOW + 60)
    assert set(sealed) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert cipher.open("session", sealed, now=NOW) == {"a": 1, "b": ["x"]}
    assert sealed != cipher.seal(
        "session", {"a": 1, "b": ["x"]}, expires_at=NOW + 60
    )  # fresh nonce


def test_every_flipped_byte_opens_to_nothing() -> None:
    cipher = SessionCipher(NEW)
    sealed = cipher.seal("session", {"user": "ada"}, expires_at=NOW + 60)
    raw = bytearray(base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4)))
    for index in range(len(raw)):  # version, key id, nonce, ciphertext and tag alike
        tampered = bytearray(raw)
        tampered[index] ^= 0x01
        value = base64.urlsafe_b64encode(bytes(tampered)).rstrip(b"=").decode()
        assert cipher.open("session", value, now=NOW) is None, index


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s[:-1],  # truncated by one character
        lambda s: s[: len(s) // 2],  # cut in half
        lambda s: s[:10],
        lambda s: "",
        lambda s: s + "A",
        lambda s: s + "==",  # padding is not part of the format
        lambda s: s.replace(s[5], "+" if s[5] != "+" else "/", 1),  # not base64url
        lambda s: s + "." + s,
        lambda s: "A" * 70_000,  # oversized: refused before decoding
    ],
    ids=["minus-1", "half", "10-chars", "empty", "plus-1", "padded", "alphabet", "dot", "huge"],
)
def test_truncated_or_malformed_values_open_to_nothing(mangle: Any) -> None:
    cipher = SessionCipher(NEW)
    sealed = cipher.seal("session", {"user": "ada"}, expires_at=NOW + 60)
    assert cipher.open("session", mangle(sealed), now=NOW) is None


def test_non_strings_open_to_nothing() -> None:
    cipher = SessionCipher(NEW)
    for value in (None, b"bytes", 42, ["x"]):
        assert cipher.open("session", value, now=NOW) is None


def test_expiry_and_purpose_are_bound() -> None:
    cipher = SessionCipher(NEW)
    sealed = cipher.seal("login", {"p": []}, expires_at=NOW + 60)
    assert cipher.open("login", sealed, now=NOW + 59.9) == {"p": []}
    assert cipher.open("login", sealed, now=NOW + 60) is None  # expired
    assert cipher.open("session", sealed, now=NOW) is None  # a login cookie is not a session


def test_key_rotation_newest_first() -> None:
    old = SessionCipher(OLD)
    rotating = SessionCipher([NEW, OLD])
    new_only = SessionCipher(NEW)
    from_old = old.seal("session", {"v": "old"}, expires_at=NOW + 60)
    from_rotating = rotating.seal("session", {"v": "new"}, expires_at=NOW + 60)
    assert rotating.open("session", from_old, now=NOW) == {"v": "old"}  # still signed in
    assert new_only.open("session", from_rotating, now=NOW) == {"v": "new"}  # sealed with NEW
    assert new_only.open("session", from_old, now=NOW) is None  # a stale key: signed out
    assert SessionCipher(OTHER).open("session", from_rotating, now=NOW) is None
    assert rotating.key_count == 2
    assert SessionCipher([NEW, NEW]).key_count == 1


def test_secrets_are_checked_and_never_shown() -> None:
    with pytest.raises(sk.ConfigurationError) as caught:
        SessionCipher("short-secret")
    assert "short-secret" not in str(caught.value)
    with pytest.raises(sk.ConfigurationError):
        SessionCipher([])
    with pytest.raises(TypeError):
        SessionCipher([42])  # type: ignore[list-item]
    cipher = SessionCipher([NEW, OLD])
    assert NEW not in repr(cipher)
    assert OLD not in repr(cipher)
    config = SessionConfig(app_url="https://app.example", secrets=NEW)
    assert NEW not in repr(config)
    assert NEW not in repr(SessionManager(config))


def test_large_values_are_chunked_under_the_cookie_limit_and_bounded() -> None:
    cipher = SessionCipher(NEW)
    sealed = cipher.seal("session", {"blob": "z" * 9000}, expires_at=NOW + 60)
    assert chunk_cookie("sk", "short", max_chunks=4) == [("sk", "short")]
    chunks = chunk_cookie("sk", sealed, max_chunks=4)
    assert chunks is not None
    assert [name for name, _ in chunks] == ["sk", "sk.1", "sk.2", "sk.3"][: len(chunks)]
    assert len(chunks) > 1
    assert all(len(value) <= CHUNK_LIMIT for _, value in chunks)
    assert all(len(f"Set-Cookie: {n}={v}; Path=/; Secure; HttpOnly") < 4096 for n, v in chunks)
    jar = dict(chunks)
    joined = read_chunked_cookie("sk", jar, max_chunks=4)
    assert cipher.open("session", joined, now=NOW) == {"blob": "z" * 9000}
    assert chunk_cookie("sk", sealed, max_chunks=2) is None  # too large: refused, never cut
    del jar["sk.1"]
    assert read_chunked_cookie("sk", jar, max_chunks=4) is None  # a missing chunk
    jar = dict(chunks)
    jar["sk.1"], jar["sk.2"] = jar["sk.2"], jar["sk.1"]
    assert cipher.open("session", read_chunked_cookie("sk", jar, max_chunks=4), now=NOW) is None
    assert read_chunked_cookie("sk", {"sk": "99.abc"}, max_chunks=4) is None


# -- the redirect-target check ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    ["/", "/account", "/account?tab=1&x=%2F", "/a/b#frag", "/search?q=a%20b", "/%7Euser"],
)
def test_same_origin_paths_pass(target: str) -> None:
    assert safe_return_path(target) == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "http://evil.example",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\\/evil.example",
        "javascript:alert(1)",
        "data:text/html,hi",
        "JaVaScRiPt:alert(1)",
        "evil.example",
        "relative/path",
        "",
        "/%2F%2Fevil.example",
        "/%2f/evil.example",
        "%2F%2Fevil.example",
        "/%5Cevil.example",
        "/%5cevil.example",
        "/%252F%252Fevil.example",  # double-encoded
        "/%25252F%25252Fevil.example",  # triple-encoded
        "/%2525252F%2525252Fevil.example",  # too many rounds: refused rather than guessed
        "/\t/evil.example",
        "/%09/evil.example",
        "/\r\n/evil.example",
        "/%0d%0aSet-Cookie:x=1",
        "/ /evil.example",
        "/caf\u00e9",
        "/\u2028evil",
        "/%ff",  # not UTF-8
        "/" + "a" * 2048,
    ],
)
def test_anything_else_is_refused(target: str) -> None:
    assert safe_return_path(target) is None


def test_non_strings_are_refused() -> None:
    for value in (None, 42, b"/x", ["/x"]):
        assert safe_return_path(value) is None


# -- single flight ---------------------------------------------------------------------------------


def record(**changes: Any) -> SessionRecord:
    base = SessionRecord(
        id="sid_1",
        user=sk.AuthenticatedUser(id="usr_1", email="ada@example.com"),
        access_token="at-1",
        refresh_token="rt-1",
        id_token="it-1",
        access_expires_at=NOW + 10,
        created_at=NOW,
        expires_at=NOW + 3600,
    )
    return attrs.evolve(base, **changes)


async def test_concurrent_refreshes_of_one_session_run_once() -> None:
    store = CookieSessionStore()
    calls: list[str] = []

    async def perform(current: SessionRecord) -> RefreshOutcome:
        calls.append(current.refresh_token or "")
        await anyio.sleep(0.05)
        return RefreshOutcome("refreshed", attrs.evolve(current, refresh_token="rt-2"))

    outcomes: list[RefreshOutcome] = []

    async def one() -> None:
        outcomes.append(await store.refresh(record(), perform))

    async with anyio.create_task_group() as tg:
        for _ in range(50):
            tg.start_soon(one)
    assert calls == ["rt-1"]
    assert {o.record.refresh_token for o in outcomes if o.record} == {"rt-2"}
    assert len(outcomes) == 50
    # Just after, a request still carrying the old cookie gets the same new session.
    late = await store.refresh(record(), perform)
    assert late.record is not None
    assert late.record.refresh_token == "rt-2"
    assert calls == ["rt-1"]
    # Another session refreshes on its own.
    await store.refresh(record(id="sid_2"), perform)
    assert calls == ["rt-1", "rt-1"]


async def test_a_cancelled_starter_does_not_break_the_flight_for_the_others() -> None:
    flights = RefreshFlights()
    started = anyio.Event()
    release = anyio.Event()

    async def perform() -> RefreshOutcome:
        started.set()
        await release.wait()
        return RefreshOutcome("refreshed", record(refresh_token="rt-2"))

    results: list[RefreshOutcome] = []
    starter = anyio.CancelScope()

    async def start() -> None:
        with starter:
            await flights.run("k", perform)

    async def wait() -> None:
        results.append(await flights.run("k", perform))

    async with anyio.create_task_group() as tg:
        tg.start_soon(start)
        await started.wait()
        tg.start_soon(wait)
        await anyio.sleep(0.01)
        starter.cancel()  # the browser that started the refresh went away
        await anyio.sleep(0.01)
        release.set()
    assert [r.kind for r in results] == ["refreshed"]
    assert flights.started == 1


async def test_transient_failures_are_shared_but_not_remembered_refusals_are() -> None:
    flights = RefreshFlights(timeout=0.2)
    calls = 0

    async def flaky() -> RefreshOutcome:
        nonlocal calls
        calls += 1
        return RefreshOutcome("unavailable")

    assert (await flights.run("k", flaky)).kind == "unavailable"
    assert (await flights.run("k", flaky)).kind == "unavailable"
    assert calls == 2  # tried again

    async def refused() -> RefreshOutcome:
        nonlocal calls
        calls += 1
        return RefreshOutcome("refused")

    assert (await flights.run("r", refused)).kind == "refused"
    assert (await flights.run("r", refused)).kind == "refused"
    assert calls == 3  # a refused refresh token is not spent again

    async def stuck() -> RefreshOutcome:
        await anyio.sleep(10)
        raise AssertionError("unreachable")

    with anyio.fail_after(2):
        assert (await flights.run("s", stuck)).kind == "unavailable"  # bounded by the timeout

    async def broken() -> RefreshOutcome:
        raise KeyError("a bug")

    assert (await flights.run("b", broken)).kind == "unavailable"


async def test_memory_dedupe_store_claims_once_and_releases_on_failure() -> None:
    store = MemoryDedupeStore(max_entries=2)
    assert await store.begin("a", 10) == "new"
    assert await store.begin("a", 10) == "running"
    await store.abandon("a")
    assert await store.begin("a", 10) == "new"
    await store.finish("a", 10)
    assert await store.begin("a", 10) == "done"
    await store.abandon("a")  # a finished key stays finished
    assert await store.begin("a", 10) == "done"
    assert await store.begin("b", 0.01) == "new"
    await anyio.sleep(0.02)
    assert await store.begin("b", 10) == "new"  # the lease ran out
    await store.begin("c", 10)
    await store.begin("d", 10)
    assert await store.begin("a", 10) == "new"  # bounded: the oldest was dropped


def test_session_records_round_trip_and_refuse_malformed_data() -> None:
    original = record()
    assert SessionRecord.from_json(original.to_json()) == original
    assert SessionRecord.from_json(json.loads(json.dumps(original.to_json()))) == original
    for broken in (
        {},
        {"sid": "x"},
        {**original.to_json(), "ate": "soon"},
        {**original.to_json(), "u": {"email": 5}},
        {**original.to_json(), "u": {"email": "no-id@example.com"}},
    ):
        assert SessionRecord.from_json(broken) is None
    text = repr(original)
    assert "at-1" not in text
    assert "rt-1" not in text
    assert "sid_1" not in text


def test_the_core_imports_no_framework_and_exports_what_it_lists() -> None:
    code = (
        "import sys, scalekit_async.sessions as s\n"
        "assert all(getattr(s, n) is not None for n in s.__all__)\n"
        "print(sorted(m for m in ('fastapi', 'starlette', 'aiohttp', 'redis') if m in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert found.strip() == "[]"


# -- configuration and guards ----------------------------------------------------------------------


def test_config_defaults_and_checks() -> None:
    config = SessionConfig(app_url="https://App.Example/", secrets=NEW)
    assert config.app_url == "https://app.example"
    assert config.redirect_uri == "https://app.example/auth/callback"
    assert (config.session_cookie, config.login_cookie) == ("__Host-sk_session", "__Host-sk_login")
    dev = SessionConfig(app_url="http://localhost:8000", secrets=NEW, cookie_secure=False)
    assert dev.session_cookie == "sk_session"
    for bad in (
        {"app_url": "https://app.example/base"},
        {"app_url": "ftp://app.example"},
        {"app_url": "https://app.example?x=1"},
        {"prefix": "auth"},
        {"prefix": "/auth/"},
        {"post_login_path": "https://evil.example"},
        {"post_logout_path": "//evil.example"},
        {"cookie_name": "__Host-x", "cookie_secure": False},
        {"cookie_secure": False},  # an https app_url
        {"cookie_name": "bad name"},
        {"scopes": ("profile",)},
        {"refresh_window": 0},
        {"max_cookie_chunks": 0},
    ):
        with pytest.raises((sk.ConfigurationError, TypeError)):
            SessionConfig(**{"app_url": "https://app.example", "secrets": NEW, **bad})
    with pytest.raises(sk.ConfigurationError):
        SessionManager(SessionConfig(app_url="https://app.example", secrets="too-short"))


def signed_in(**claims: Any) -> SignedInUser:
    return SignedInUser(
        user=sk.AuthenticatedUser(id="usr_1"),
        claims=sk.AccessTokenClaims(subject="usr_1", **claims),
        organization_id=claims.get("organization_id", ""),
    )


def test_requirements() -> None:
    user = signed_in(
        roles=("admin",), permissions=("org:read",), scopes=("read",), organization_id="org_1"
    )
    assert Requirement().check(user) is None
    assert Requirement(roles=["admin"], permissions="org:read", scopes=["read"]).check(user) is None
    assert Requirement(organization=True).check(user) is None
    assert Requirement(organization="org_1").check(user) is None
    assert Requirement(organization="").check(signed_in()) is None  # "" names no organization
    denied = [
        Requirement(roles=["owner"]).check(user),
        Requirement(permissions=["org:write"]).check(user),
        Requirement(scopes=["write"]).check(user),
        Requirement(organization="org_2").check(user),
        Requirement(organization=True).check(signed_in()),
    ]
    assert all(isinstance(d, AccessDenied) and d.status == 403 for d in denied)
    assert denied[2] is not None
    assert denied[2].error == "insufficient_scope"


# -- the state machine, without a web framework ----------------------------------------------------


class Browser:
    """A cookie jar that reads Set-Cookie headers of core answers."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def take(self, headers: Any) -> None:
        for name, value in headers:
            if name.lower() != "set-cookie":
                continue
            cookie = SimpleCookie()
            cookie.load(value)
            for key, morsel in cookie.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


async def sign_in(
    manager: SessionManager, client: sk.ScalekitClient, fake: FakeScalekit, browser: Browser
) -> Answer:
    login = await manager.login(client, query={"return_to": "/home"}, cookies=browser.cookies)
    browser.take(login.headers)
    async with httpx.AsyncClient(transport=FakeTransport(fake)) as idp:
        redirect = await idp.get(login.header("location") or "")
    query = {k: v[0] for k, v in parse_qs(urlsplit(redirect.headers["location"]).query).items()}
    answer = await manager.callback(client, query=query, cookies=browser.cookies)
    browser.take(answer.headers)
    return answer


def refresh_grants(fake: FakeScalekit) -> int:
    return sum(1 for r in fake.requests if r.path == "/oauth/token" and b"refresh_token" in r.body)


async def test_the_whole_state_machine_in_process(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake = FakeScalekit()
    clock = Clock()
    config = SessionConfig(app_url="https://app.example", secrets=NEW, revoke_on_logout=True)
    manager = SessionManager(config, clock=clock)
    browser = Browser()
    async with fake.client() as client:
        answer = await sign_in(manager, client, fake, browser)
        assert (answer.status, answer.header("location")) == (303, "https://app.example/home")
        assert set(browser.cookies) == {"__Host-sk_session"}  # the login cookie is gone

        session = manager.request(cookies=browser.cookies, authorization=None)
        user = await session.user(client)
        assert user is not None
        assert (user.email, user.via) == ("user@example.com", "session")
        assert session.set_cookie_headers == []
        assert await session.user(client) is user  # resolved once per request

        # At refresh time: one refresh, a new cookie, a rotated refresh token.
        clock.offset = oauth(fake).token_ttl - 30
        session = manager.request(cookies=browser.cookies, authorization=None)
        assert await session.user(client) is not None
        assert refresh_grants(fake) == 1
        old_cookies = dict(browser.cookies)
        browser.take(session.set_cookie_headers)
        assert browser.cookies != old_cookies

        # The old cookie, replayed within the grace period, gets the new session.
        replay = manager.request(cookies=old_cookies, authorization=None)
        assert await replay.user(client) is not None
        assert refresh_grants(fake) == 1

        # Logout: cookie cleared, Scalekit logout URL, session revoked through the API.
        answer = await manager.logout(client, cookies=browser.cookies)
        location = answer.header("location") or ""
        assert answer.status == 303
        assert location.startswith(f"{client.environment_url}/oidc/logout?id_token_hint=")
        assert "post_logout_redirect_uri=https%3A%2F%2Fapp.example%2F" in location
        assert fake.api_requests("POST")[-1].path.startswith("/api/v1/sessions/")
        browser.take(answer.headers)
        assert browser.cookies == {}
    text = caplog.text
    for secret in (NEW, old_cookies["__Host-sk_session"][:40]):
        assert secret not in text


async def test_pending_logins_stay_few_and_fit_one_cookie() -> None:
    fake = FakeScalekit()
    manager = SessionManager(SessionConfig(app_url="https://a.example", secrets=NEW))
    browser = Browser()
    async with fake.client() as client:
        for index in range(6):
            target = f"/{index}" + "x" * 500  # near the stored-target bound
            answer = await manager.login(
                client, query={"return_to": target}, cookies=browser.cookies
            )
            browser.take(answer.headers)
        sealed = browser.cookies["__Host-sk_login"]
        assert len(sealed) <= CHUNK_LIMIT
        payload = SessionCipher(NEW).open("login", sealed, now=time.time())
        assert payload is not None
        assert [e["r"][:2] for e in payload["p"]] == ["/3", "/4", "/5"]  # the newest three
        too_long = await manager.login(client, query={"return_to": "/" + "y" * 600}, cookies={})
        browser.take(too_long.headers)
        payload = SessionCipher(NEW).open(
            "login", browser.cookies["__Host-sk_login"], now=time.time()
        )
        assert payload is not None
        assert payload["p"][-1]["r"] == "/"


async def test_a_refused_refresh_ends_the_session_and_a_transient_one_keeps_it() -> None:
    fake = FakeScalekit()
    clock = Clock()
    manager = SessionManager(SessionConfig(app_url="https://a.example", secrets=NEW), clock=clock)
    browser = Browser()
    async with fake.client(retry=sk.RetryPolicy(max_retries=0)) as client:
        await sign_in(manager, client, fake, browser)
        clock.offset = oauth(fake).token_ttl - 30  # in the refresh window, token still valid
        fake.fail_next(1, path="/oauth/token", status=503)
        session = manager.request(cookies=browser.cookies, authorization=None)
        assert await session.user(client) is not None  # served with the old token
        assert session.set_cookie_headers == []  # and the session is kept

        clock.offset = oauth(fake).token_ttl + 60  # expired, and Scalekit is down
        fake.fail_next(1, path="/oauth/token", status=503)
        with pytest.raises(AccessDenied) as caught:
            await manager.request(cookies=browser.cookies, authorization=None).user(client)
        assert caught.value.status == 503

        oauth(fake).refresh_tokens.clear()  # Scalekit ends the session: invalid_grant
        session = manager.request(cookies=browser.cookies, authorization=None)
        assert await session.user(client) is None
        browser.take(session.set_cookie_headers)
        assert browser.cookies == {}


async def test_bearer_tokens_need_a_pinned_audience() -> None:
    fake = FakeScalekit()
    config = SessionConfig(app_url="https://a.example", secrets=NEW)
    pinned = SessionManager(attrs.evolve(config, bearer_audience="api://orders"))
    async with fake.client() as client:
        token = oauth(fake).mint_access_token(audience="api://orders", permissions=["o:read"])
        header = f"Bearer {token}"
        user = await pinned.request(cookies={}, authorization=header).user(client)
        assert user is not None
        assert (user.via, user.has_permissions("o:read")) == ("bearer", True)
        assert (
            await SessionManager(config).request(cookies={}, authorization=header).user(client)
            is None
        )  # not accepted unless configured
        other = oauth(fake).mint_access_token(audience="api://billing")
        with pytest.raises(AccessDenied) as caught:
            await pinned.request(cookies={}, authorization=f"Bearer {other}").user(client)
        assert (caught.value.status, caught.value.error) == (401, "invalid_token")
