"""The client end to end against the fake: tokens, retries, deadlines, errors, lifecycle."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import httpx
import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio

FAST = sk.RetryPolicy(backoff_base=0.01, backoff_cap=0.05)


@asynccontextmanager
async def over_socket(
    fake: FakeScalekit, kind: str = "httpx", **options: object
) -> AsyncIterator[sk.ScalekitClient]:
    """A client talking to the fake served on a real loopback socket, on either transport."""
    if kind == "aiohttp":
        options["transport"] = sk.AiohttpTransport()
    async with (
        fake.serve() as url,
        sk.ScalekitClient(url, fake.client_id, fake.client_secret, **options) as client,  # type: ignore[arg-type]
    ):
        yield client


# -- construction -----------------------------------------------------------


def test_constructor_does_no_io_and_reads_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCALEKIT_ENVIRONMENT_URL", "https://acme.scalekit.dev/")
    monkeypatch.setenv("SCALEKIT_CLIENT_ID", "skc_1")
    monkeypatch.setenv("SCALEKIT_CLIENT_SECRET", "s3cr3t-value-of-16-chars")
    client = sk.ScalekitClient()
    assert client.environment_url == "https://acme.scalekit.dev"
    assert client.token_fetches == 0


def test_missing_settings_are_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SCALEKIT_ENVIRONMENT_URL", "SCALEKIT_CLIENT_ID", "SCALEKIT_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(sk.ConfigurationError, match="SCALEKIT_CLIENT_SECRET"):
        sk.ScalekitClient("https://x.test", "id")


@pytest.mark.parametrize("url", ["ftp://x.test", "https://x.test?a=1", "https://"])
def test_bad_environment_url(url: str) -> None:
    with pytest.raises(sk.ConfigurationError):
        sk.ScalekitClient(url, "id", "secret-of-at-least-16-chars")


@pytest.mark.parametrize("options", [{"timeout": 0}, {"max_retries": -1}, {"max_retries": True}])
def test_bad_options(options: dict[str, object]) -> None:
    with pytest.raises(sk.ConfigurationError):
        sk.ScalekitClient("https://x.test", "id", "secret-of-at-least-16-chars", **options)  # type: ignore[arg-type]


def test_secret_is_not_in_repr() -> None:
    client = sk.ScalekitClient("https://x.test", "skc_1", "very-secret-value")
    assert "very-secret-value" not in repr(client)
    assert "very-secret-value" not in str(vars(client))


# -- tokens -------------------------------------------------------------------


async def test_first_call_fetches_the_token_lazily(fake: FakeScalekit) -> None:
    client = fake.client()
    assert fake.requests == []
    await client.organizations.list()
    assert fake.tokens_issued == 1
    assert [r.path for r in fake.requests] == ["/oauth/token", "/api/v1/organizations"]
    await client.aclose()


async def get_200_at_once(client: sk.ScalekitClient) -> None:
    async with anyio.create_task_group() as tg:
        for _ in range(200):
            tg.start_soon(client.organizations.get, "org_1")


async def test_200_concurrent_first_calls_make_one_token_request(fake: FakeScalekit) -> None:
    fake.organizations["org_1"] = {
        "id": "org_1",
        "display_name": "A",
        "create_time": "2025-01-01T00:00:00Z",
    }
    async with fake.client() as client:
        await get_200_at_once(client)
    assert fake.tokens_issued == 1
    assert len(fake.api_requests("GET")) == 200


async def test_200_concurrent_first_calls_over_a_socket_make_one_token_request(
    fake: FakeScalekit, transport_kind: str
) -> None:
    fake.organizations["org_1"] = {
        "id": "org_1",
        "display_name": "A",
        "create_time": "2025-01-01T00:00:00Z",
    }
    async with over_socket(fake, transport_kind) as client:
        await get_200_at_once(client)
    assert fake.tokens_issued == 1
    assert len(fake.api_requests("GET")) == 200


async def test_401_drops_the_token_refreshes_and_replays_once(fake: FakeScalekit) -> None:
    async with fake.client(max_retries=0) as client:
        org = await client.organizations.create(display_name="A")
        fake.expire_tokens()
        again = await client.organizations.get(org.id)
    assert again.id == org.id
    assert fake.tokens_issued == 2
    assert fake.rejected_tokens == 1


async def test_a_second_401_is_an_authentication_error(fake: FakeScalekit) -> None:
    async with fake.client() as client:
        await client.organizations.list()
        fake.fail_next(2, path="/api/v1/organizations", status=401)
        with pytest.raises(sk.AuthenticationError):
            await client.organizations.list()
    assert fake.tokens_issued == 2


async def test_invalid_client_is_a_token_error_and_is_not_retried(fake: FakeScalekit) -> None:
    http = httpx.AsyncClient(transport=sk.testing.FakeTransport(fake))  # type: ignore[attr-defined]
    async with sk.ScalekitClient(
        "http://fake.test", fake.client_id, "wrong-secret-0123456789", http_client=http
    ) as client:
        with pytest.raises(sk.TokenError) as info:
            await client.organizations.list()
    assert info.value.error == "invalid_client"
    assert "wrong-secret-0123456789" not in str(info.value)
    assert len([r for r in fake.requests if r.path == "/oauth/token"]) == 1


async def test_token_endpoint_5xx_is_retried(fake: FakeScalekit) -> None:
    fake.fail_next(1, path="/oauth/token", status=503)
    async with fake.client(retry=FAST) as client:
        await client.organizations.list()
    assert fake.tokens_issued == 1
    assert len([r for r in fake.requests if r.path == "/oauth/token"]) == 2


async def test_refresh_ahead_never_sends_an_expired_token(transport_kind: str) -> None:
    fake = FakeScalekit(token_ttl=1.0)
    async with over_socket(fake, transport_kind) as client:
        with anyio.move_on_after(3.0):
            while True:
                await client.organizations.list()
                await anyio.sleep(0.01)
    assert fake.rejected_tokens == 0
    assert fake.tokens_issued >= 3


# -- retries ------------------------------------------------------------------


async def test_429_with_retry_after_waits_about_that_long(
    fake: FakeScalekit, transport_kind: str
) -> None:
    async with over_socket(fake, transport_kind) as client:
        await client.organizations.list()
        fake.fail_next(1, path="/api/v1/organizations", status=429, retry_after="1")
        started = anyio.current_time()
        await client.organizations.list()
        waited = anyio.current_time() - started
    assert 0.9 <= waited < 10


async def test_retry_after_longer_than_the_cap_raises_at_once(fake: FakeScalekit) -> None:
    async with fake.client() as client:
        fake.fail_next(1, path="/api/v1/organizations", status=429, retry_after="120")
        started = anyio.current_time()
        with pytest.raises(sk.RateLimitError) as info:
            await client.organizations.list()
    assert info.value.retry_after == 120
    assert anyio.current_time() - started < 5


async def test_retry_after_past_the_deadline_raises_at_once(fake: FakeScalekit) -> None:
    async with fake.client(timeout=2) as client:
        fake.fail_next(1, path="/api/v1/organizations", status=429, retry_after="30")
        with pytest.raises(sk.RateLimitError) as info:
            await client.organizations.list()
    assert info.value.retry_after == 30


async def test_503_then_200_on_get_succeeds(fake: FakeScalekit, transport_kind: str) -> None:
    async with over_socket(fake, transport_kind, retry=FAST) as client:
        fake.fail_next(1, method="GET", path="/api/v1/organizations", status=503)
        page = await client.organizations.list()
    assert page.items == ()
    assert len(fake.api_requests("GET")) == 2


async def test_retries_stop_after_max_retries(fake: FakeScalekit) -> None:
    async with fake.client(retry=FAST, max_retries=2) as client:
        fake.fail_next(10, method="GET", path="/api/v1/organizations", status=503)
        with pytest.raises(sk.ServerError):
            await client.organizations.list()
    assert len(fake.api_requests("GET")) == 3


async def test_500_on_post_is_not_retried_by_default(fake: FakeScalekit) -> None:
    async with fake.client(retry=FAST) as client:
        fake.fail_next(1, method="POST", path="/api/v1/organizations", status=500)
        with pytest.raises(sk.ServerError):
            await client.organizations.create(display_name="A")
    assert len(fake.api_requests("POST")) == 1
    assert fake.organizations == {}


async def test_500_on_post_is_retried_when_writes_opt_in(fake: FakeScalekit) -> None:
    policy = sk.RetryPolicy(backoff_base=0.01, retry_writes=True)
    async with fake.client(retry=policy) as client:
        fake.fail_next(1, method="POST", path="/api/v1/organizations", status=500)
        await client.organizations.create(display_name="A")
    assert len(fake.organizations) == 1


async def test_429_on_post_is_retried(fake: FakeScalekit) -> None:
    async with fake.client(retry=FAST) as client:
        fake.fail_next(1, method="POST", path="/api/v1/organizations", status=429)
        await client.organizations.create(display_name="A")
    assert len(fake.organizations) == 1


@pytest.mark.parametrize("status", [400, 403, 404, 409, 501])
async def test_final_statuses_are_not_retried(fake: FakeScalekit, status: int) -> None:
    async with fake.client(retry=FAST) as client:
        fake.fail_next(5, method="GET", path="/api/v1/organizations", status=status)
        with pytest.raises(sk.APIStatusError) as info:
            await client.organizations.list()
    assert info.value.status_code == status
    assert len(fake.api_requests("GET")) == 1


async def test_lost_response_to_a_post_is_not_resent(
    fake: FakeScalekit, transport_kind: str
) -> None:
    async with over_socket(fake, transport_kind, retry=FAST) as client:
        await client.organizations.list()
        fake.fail_next(1, method="POST", path="/api/v1/organizations", drop="after")
        with pytest.raises(sk.APIConnectionError) as info:
            await client.organizations.create(display_name="A")
    assert info.value.outcome_unknown
    assert "outcome unknown" in str(info.value)
    assert len(fake.organizations) == 1
    assert len(fake.api_requests("POST")) == 1


async def test_dropped_get_is_retried(fake: FakeScalekit, transport_kind: str) -> None:
    async with over_socket(fake, transport_kind, retry=FAST) as client:
        fake.fail_next(1, method="GET", path="/api/v1/organizations", drop="before")
        await client.organizations.list()
    assert len(fake.api_requests("GET")) == 1


async def test_connection_refused_is_retried_then_typed(
    fake: FakeScalekit, transport_kind: str
) -> None:
    async with fake.serve() as url:
        pass  # the port is now closed
    events: list[sk.Attempt] = []
    transport = sk.AiohttpTransport() if transport_kind == "aiohttp" else None
    async with sk.ScalekitClient(
        url,
        "id",
        "secret-of-at-least-16-chars",
        retry=FAST,
        on_attempt=(events.append,),
        transport=transport,
    ) as client:
        with pytest.raises(sk.APIConnectionError) as info:
            await client.organizations.create(display_name="A")
    # The same class as any other unreachable call, although the token came first.
    assert type(info.value) is sk.APIConnectionError
    assert not info.value.outcome_unknown
    assert "ConnectError" in str(info.value)
    assert len(events) == 3  # the first attempt and two retries


# -- deadlines and bad answers -------------------------------------------------


async def test_deadline_covers_the_whole_call(fake: FakeScalekit, transport_kind: str) -> None:
    async with over_socket(fake, transport_kind, timeout=0.5) as client:
        fake.fail_next(1, path="/api/v1/organizations", delay=5)
        started = anyio.current_time()
        with pytest.raises(sk.APITimeoutError):
            await client.organizations.list()
    assert anyio.current_time() - started < 3


async def test_deadline_covers_a_slow_token_fetch(fake: FakeScalekit) -> None:
    async with fake.client(timeout=0.3) as client:
        fake.fail_next(1, path="/oauth/token", delay=5)
        with pytest.raises((sk.APITimeoutError, sk.TokenError)):
            await client.organizations.list()


async def test_html_502_becomes_a_server_error(fake: FakeScalekit) -> None:
    html = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    async with fake.client(max_retries=0) as client:
        fake.fail_next(1, path="/api/v1/organizations", status=502, body=html)
        with pytest.raises(sk.ServerError) as info:
            await client.organizations.list()
    assert info.value.status_code == 502
    assert "502 Bad Gateway" in str(info.value.body)


async def test_non_json_success_is_a_response_validation_error(fake: FakeScalekit) -> None:
    async with fake.client() as client:
        fake.fail_next(1, path="/api/v1/organizations", status=200, body=b"<html>ok</html>")
        with pytest.raises(sk.ResponseValidationError) as info:
            await client.organizations.list()
    assert info.value.status_code == 200


@pytest.mark.parametrize(
    "encoded",
    [
        '{"organizations": [{"id": "org_1", "display_name": "Café"}]}'.encode(),
        b"\xef\xbb\xbf" + '{"organizations": [{"id": "org_1", "display_name": "Café"}]}'.encode(),
        '{"organizations": [{"id": "org_1", "display_name": "Café"}]}'.encode("utf-16"),
        ' \r\n{"organizations": [{"id": "org_1", "display_name": "Café"}]}\n\t'.encode(),
    ],
    ids=["utf-8", "utf-8 with a byte-order mark", "utf-16", "whitespace around the value"],
)
async def test_a_json_answer_decodes_in_any_encoding_json_allows(
    fake: FakeScalekit, encoded: bytes
) -> None:
    # UTF-8 is decoded first (the fast path); the others fall back to sniffing.
    async with fake.client() as client:
        fake.fail_next(1, path="/api/v1/organizations", status=200, body=encoded)
        page = await client.organizations.list()
    assert [org.display_name for org in page.items] == ["Café"]


@pytest.mark.parametrize(
    "body", [b'{"organizations": []} {"organizations": []}', b'{"organizations": []}\x0c']
)
async def test_data_after_the_json_value_is_a_response_validation_error(
    fake: FakeScalekit, body: bytes
) -> None:
    # A form feed is whitespace to Python, not to JSON.
    async with fake.client() as client:
        fake.fail_next(1, path="/api/v1/organizations", status=200, body=body)
        with pytest.raises(sk.ResponseValidationError, match="not JSON"):
            await client.organizations.list()


async def test_a_list_answer_that_is_not_an_object_is_not_an_empty_page(
    fake: FakeScalekit,
) -> None:
    async with fake.client() as client:
        fake.fail_next(1, path="/api/v1/organizations", status=200, body=b"[1, 2]")
        with pytest.raises(sk.ResponseValidationError, match="not an object"):
            await client.organizations.list()


async def test_wrong_shape_is_a_response_validation_error(fake: FakeScalekit) -> None:
    async with fake.client() as client:
        fake.fail_next(1, path="/api/v1/organizations/org_x", status=200, body=b'{"x": 1}')
        with pytest.raises(sk.ResponseValidationError):
            await client.organizations.get("org_x")


# -- the wire -----------------------------------------------------------------


async def test_every_request_carries_the_standard_headers() -> None:
    seen: list[httpx.Request] = []
    fake = FakeScalekit()
    inner = sk.testing.FakeTransport(fake)  # type: ignore[attr-defined]

    async def spy(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return await inner.handle_async_request(request)

    http = httpx.AsyncClient(transport=httpx.MockTransport(spy))
    async with sk.ScalekitClient(
        "http://fake.test", fake.client_id, fake.client_secret, http_client=http
    ) as client:
        await client.organizations.create(display_name="A")
    token_request, api_request = seen
    assert token_request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert api_request.headers["authorization"].startswith("Bearer fake_at_")
    assert api_request.headers["accept"] == "application/json"
    assert api_request.headers["content-type"] == "application/json"
    assert api_request.headers["user-agent"].startswith(f"scalekit-async/{sk.__version__}")
    assert not http.is_closed  # a given http_client is left open
    await http.aclose()


async def test_secrets_never_reach_logs_or_errors(
    fake: FakeScalekit, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="scalekit_async")
    async with fake.client(retry=FAST) as client:
        fake.fail_next(1, method="GET", status=503)
        await client.organizations.list()
        fake.expire_tokens()
        await client.organizations.list()
        fake.fail_next(1, method="GET", status=404)
        with pytest.raises(sk.NotFoundError) as info:
            await client.organizations.list()
        tokens = {r.token for r in fake.requests if r.token}
        text = caplog.text + str(info.value) + repr(info.value) + repr(client)
    assert "retrying GET /api/v1/organizations" in caplog.text
    assert fake.client_secret not in text
    assert tokens
    for token in tokens:
        assert token not in text


# -- lifecycle ----------------------------------------------------------------


async def test_closed_client_raises_a_clear_error(fake: FakeScalekit) -> None:
    client = fake.client()
    await client.aclose()
    await client.aclose()  # idempotent
    with pytest.raises(sk.ClientClosedError):
        await client.organizations.list()


async def test_owned_http_client_is_closed(fake: FakeScalekit) -> None:
    async with fake.serve() as url:
        client = sk.ScalekitClient(url, fake.client_id, fake.client_secret)
        await client.organizations.list()
        await client.aclose()
    with pytest.raises(sk.ClientClosedError):
        await client.organizations.list()


async def test_unclosed_client_warns_instead_of_crashing(fake: FakeScalekit) -> None:
    clients = [fake.client()]
    await clients[0].organizations.list()
    with pytest.warns(ResourceWarning, match="was not closed") as caught:
        clients.clear()  # no reference cycle: the warning comes at once, not at a gc pass
    # It names where the user created the client, not a line of the SDK.
    assert f"{__file__}:" in str(caught[0].message)


async def test_http_client_and_transport_are_exclusive() -> None:
    with pytest.raises(sk.ConfigurationError):
        sk.ScalekitClient(
            "https://x.test",
            "id",
            "secret",
            http_client=httpx.AsyncClient(),
            transport=httpx.MockTransport(lambda r: httpx.Response(200)),
        )


def test_a_client_used_on_two_event_loops_says_so() -> None:
    fake = FakeScalekit()
    client = fake.client()
    anyio.run(client.organizations.list)
    with pytest.raises(sk.WrongEventLoopError, match="one client per event loop"):
        anyio.run(client.organizations.list)
    with pytest.warns(ResourceWarning, match="another event loop"):
        anyio.run(client.aclose)


async def test_attempt_hooks_see_routes_not_ids(fake: FakeScalekit) -> None:
    events: list[sk.Attempt] = []
    async with fake.client(retry=FAST, on_attempt=(events.append,)) as client:
        org = await client.organizations.create(display_name="A")
        fake.fail_next(1, method="GET", status=503)
        await client.organizations.get(org.id)
    api = [e for e in events if e.route.startswith("/api")]
    assert [(e.method, e.route, e.status, e.attempt) for e in api] == [
        ("POST", "/api/v1/organizations", 201, 0),
        ("GET", "/api/v1/organizations/{id}", 503, 0),
        ("GET", "/api/v1/organizations/{id}", 200, 1),
    ]
