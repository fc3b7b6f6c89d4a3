"""What a new user trips on first: configuration mistakes, errors that say where, raw answers,
collecting a list, and per-call options."""

from __future__ import annotations

import httpx
import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio

SECRET = "secret-of-at-least-16-chars"


# -- configuration -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["environment_url", "client_id", "client_secret"])
def test_an_explicit_empty_value_is_an_error_not_a_fallback(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCALEKIT_ENVIRONMENT_URL", "https://env.scalekit.test")
    monkeypatch.setenv("SCALEKIT_CLIENT_ID", "skc_env")
    monkeypatch.setenv("SCALEKIT_CLIENT_SECRET", "env-secret-of-16-chars-or-more")
    with pytest.raises(sk.ConfigurationError, match=f"{name} is empty"):
        sk.ScalekitClient(**{name: ""})  # type: ignore[arg-type]
    with pytest.raises(sk.ConfigurationError, match=f"{name} is empty"):
        sk.ScalekitClient(**{name: "   "})  # type: ignore[arg-type]
    assert sk.ScalekitClient().environment_url == "https://env.scalekit.test"  # not given: env


@pytest.mark.parametrize("url", ["127.0.0.1:8765", "acme.scalekit.dev", "localhost"])
def test_a_url_without_a_scheme_is_refused_and_the_message_says_which(url: str) -> None:
    with pytest.raises(sk.ConfigurationError, match="https://") as info:
        sk.ScalekitClient(url, "skc_1", SECRET)
    assert url in str(info.value)


async def test_a_refused_connection_names_the_host_and_the_cause() -> None:
    fake = FakeScalekit()
    async with fake.serve() as url:
        pass  # the port is closed now
    host = url.removeprefix("http://")
    async with sk.ScalekitClient(url, "skc_1", SECRET, max_retries=0) as client:
        with pytest.raises(sk.APIConnectionError) as info:
            await client.organizations.get("org_1")
    message = str(info.value)
    assert host in message
    assert "ConnectError" in message
    assert "org_1" not in message  # the path (with its ids) is never named
    assert SECRET not in message


# -- errors and warnings ---------------------------------------------------------------------


async def test_an_unreachable_token_endpoint_is_the_same_class_as_an_unreachable_api() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    transport = httpx.MockTransport(refuse)
    async with sk.ScalekitClient("https://x.test", "skc_1", SECRET, transport=transport) as c:
        with pytest.raises(sk.APIConnectionError) as info:
            await c.organizations.get("org_1")  # the first call: the token comes first
    assert not isinstance(info.value, sk.TokenError)
    assert "/oauth/token" in str(info.value)


# -- raw answers, collecting, per-call options -----------------------------------------------


async def test_the_raw_answer_of_a_call_carries_the_request_id_and_headers() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return httpx.Response(200, json={"access_token": "at", "expires_in": 3600})
        headers = {"x-request-id": "req_42", "x-ratelimit-remaining": "99"}
        return httpx.Response(200, headers=headers, json={"organization": {"id": "org_1"}})

    transport = httpx.MockTransport(answer)
    async with sk.ScalekitClient("https://x.test", "skc_1", SECRET, transport=transport) as c:
        assert c.last_response is None
        raw = c.with_raw_response()
        org = await raw.organizations.get("org_1")
        assert org.id == "org_1"
        assert raw.last_response is not None
        assert raw.last_response.request_id == "req_42"
        assert raw.last_response.headers["x-ratelimit-remaining"] == "99"
        assert raw.last_response.status_code == 200
        await c.organizations.get("org_1")
        assert c.last_response is None  # only the view records
        assert "req_42" not in repr(org)


async def test_collect_returns_every_item_within_the_limit_and_refuses_more(
    fake: FakeScalekit,
) -> None:
    async with fake.client() as client:
        for n in range(7):
            await client.organizations.create(display_name=f"Org {n}")
        orgs = await client.organizations.list(page_size=3).collect(limit=7)
        assert sorted(o.display_name for o in orgs) == [f"Org {n}" for n in range(7)]
        with pytest.raises(sk.TooManyItemsError) as info:
            await client.organizations.list(page_size=3).collect(limit=6)
        assert info.value.limit == 6
        with pytest.raises(ValueError, match="at least 1"):
            await client.organizations.list().collect(limit=0)
        with pytest.raises(TypeError):
            await client.organizations.list().collect(limit="10")  # type: ignore[arg-type]


async def test_a_view_shares_the_jwks_cache_of_its_client(fake: FakeScalekit) -> None:
    async with fake.client() as client:
        view = client.with_options(timeout=5)
        assert view.auth.jwks is client.auth.jwks


@pytest.mark.parametrize("secret", ["s3cr3t", "x7Kq", "fifteen-chars!!"])
def test_a_secret_too_short_to_be_real_is_refused_without_showing_it(secret: str) -> None:
    with pytest.raises(sk.ConfigurationError, match="at least 16") as info:
        sk.ScalekitClient("https://x.test", "skc_1", secret)
    assert secret not in str(info.value)


def test_the_emulators_default_credentials_meet_the_bar() -> None:
    fake = FakeScalekit()
    assert len(fake.client_secret) >= 16
    sk.ScalekitClient("https://x.test", fake.client_id, fake.client_secret)  # accepted
