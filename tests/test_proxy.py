"""connected_accounts.send_request: the AgentKit proxy, against the fake's pretend upstream."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

import scalekit_async as sk
from scalekit_async import ScalekitClient
from scalekit_async.resources.connected_accounts import is_scalekit_error
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio

ADA = "ada@example.com"


@pytest.fixture
async def account(client: ScalekitClient) -> sk.ConnectedAccount:
    return await client.connected_accounts.create(
        connector="gmail",
        identifier=ADA,
        authorization_details=sk.AuthorizationDetails(oauth_token=sk.OauthToken(access_token="at")),
    )


def proxied(fake: FakeScalekit) -> list[object]:
    return [r for r in fake.requests if r.path.startswith("/proxy/")]


async def test_a_get_goes_to_the_proxy_with_the_account_headers(
    client: ScalekitClient, fake: FakeScalekit, account: sk.ConnectedAccount
) -> None:
    response = await client.connected_accounts.send_request(
        "/gmail/v1/users/me/messages",
        connector="gmail",
        identifier=ADA,
        params={"q": "is:unread", "labelIds": ["INBOX", "UNREAD"]},
        headers={"X-Trace": "t1"},
    )
    assert isinstance(response, httpx.Response)
    assert response.status_code == 200
    assert response.headers["x-upstream"] == "fake"
    echo = response.json()
    assert echo["method"] == "GET"
    assert echo["path"] == "/gmail/v1/users/me/messages"
    assert echo["query"] == [["q", "is:unread"], ["labelIds", "INBOX"], ["labelIds", "UNREAD"]]
    assert echo["headers"]["connection_name"] == "gmail"
    assert echo["headers"]["identifier"] == ADA
    assert echo["headers"]["x-trace"] == "t1"
    assert echo["connected_account_id"] == account.id
    # The SDK's bearer token is on the wire but not in the response's request copy.
    assert "authorization" not in response.request.headers
    assert str(response.request.url).startswith("http://fake.scalekit.test/proxy/gmail/")


async def test_json_form_and_raw_bodies(
    client: ScalekitClient, account: sk.ConnectedAccount
) -> None:
    send = client.connected_accounts.send_request
    echo = (
        await send("/a", connector="gmail", identifier=ADA, method="post", json={"k": [1, "é"]})
    ).json()
    assert echo["method"] == "POST"
    assert echo["body"] == '{"k":[1,"é"]}'
    assert echo["headers"]["content-type"] == "application/json"
    echo = (
        await send("/a", connector="gmail", identifier=ADA, method="PUT", form={"a": "1 2"})
    ).json()
    assert echo["body"] == "a=1+2"
    assert echo["headers"]["content-type"] == "application/x-www-form-urlencoded"
    echo = (
        await send(
            "/a",
            connector="gmail",
            identifier=ADA,
            method="PATCH",
            content=b"\x00raw",
            headers={"Content-Type": "application/octet-stream"},
        )
    ).json()
    assert echo["body_size"] == 4
    assert echo["headers"]["content-type"] == "application/octet-stream"


async def test_an_async_iterable_body_is_streamed_not_buffered(
    client: ScalekitClient, account: sk.ConnectedAccount
) -> None:
    produced: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(3):
            produced.append(i)
            yield b"x" * 1000

    body = chunks()
    response = await client.connected_accounts.send_request(
        "/upload", connector="gmail", identifier=ADA, method="POST", content=body
    )
    echo = response.json()
    assert echo["body_size"] == 3000
    # Sent chunked (no Content-Length computed by reading it all first).
    assert echo["headers"].get("transfer-encoding") == "chunked"
    assert "content-length" not in echo["headers"]
    assert produced == [0, 1, 2]


async def test_a_large_answer_is_given_back_whole(
    client: ScalekitClient, account: sk.ConnectedAccount
) -> None:
    response = await client.connected_accounts.send_request(
        "/bytes/3000000", connector="gmail", identifier=ADA
    )
    assert response.status_code == 200
    assert len(response.content) == 3_000_000
    assert response.content[:3] == bytes([0, 1, 2])


@pytest.mark.parametrize("status", [400, 401, 404, 429, 500, 503])
async def test_upstream_errors_are_answers_not_exceptions(
    client: ScalekitClient, fake: FakeScalekit, account: sk.ConnectedAccount, status: int
) -> None:
    issued = fake.tokens_issued
    response = await client.connected_accounts.send_request(
        f"/status/{status}", connector="gmail", identifier=ADA
    )
    assert response.status_code == status
    assert response.json()["error"]["status"] == status
    assert not is_scalekit_error(response)
    assert len(proxied(fake)) == 1  # neither retried nor replayed
    assert fake.tokens_issued == issued  # an upstream 401 does not drop the SDK's token


async def test_scalekit_own_401_refreshes_the_token_and_replays_a_get_once(
    client: ScalekitClient, fake: FakeScalekit, account: sk.ConnectedAccount
) -> None:
    issued = fake.tokens_issued
    fake.expire_tokens()
    response = await client.connected_accounts.send_request(
        "/me", connector="gmail", identifier=ADA
    )
    assert response.status_code == 200
    assert fake.tokens_issued == issued + 1
    assert len(proxied(fake)) == 2


async def test_scalekit_own_401_is_not_replayed_for_a_post(
    client: ScalekitClient, fake: FakeScalekit, account: sk.ConnectedAccount
) -> None:
    fake.expire_tokens()
    with pytest.raises(sk.AuthenticationError):
        await client.connected_accounts.send_request(
            "/send", connector="gmail", identifier=ADA, method="POST", json={"a": 1}
        )
    assert len(proxied(fake)) == 1


async def test_scalekit_own_401_is_not_replayed_for_a_streamed_body(
    client: ScalekitClient, fake: FakeScalekit, account: sk.ConnectedAccount
) -> None:
    async def once() -> AsyncIterator[bytes]:
        yield b"data"

    fake.expire_tokens()
    with pytest.raises(sk.AuthenticationError):
        await client.connected_accounts.send_request(
            "/put", connector="gmail", identifier=ADA, method="PUT", content=once()
        )
    assert len(proxied(fake)) == 1


async def test_scalekit_refusals_raise_typed_errors(
    client: ScalekitClient, fake: FakeScalekit, account: sk.ConnectedAccount
) -> None:
    send = client.connected_accounts.send_request
    with pytest.raises(sk.NotFoundError):
        await send("/me", connector="gmail", identifier="nobody@example.com")
    await client.connected_accounts.create(connector="slack", identifier=ADA)  # not authorized
    with pytest.raises(sk.BadRequestError) as caught:
        await send("/me", connector="slack", identifier=ADA)
    assert caught.value.error_code == "FAILED_PRECONDITION"
    fake.fail_next(path_prefix="/proxy/", status=503)
    with pytest.raises(sk.ServerError):
        await send("/me", connector="gmail", identifier=ADA)
    assert len(proxied(fake)) == 3  # not retried: each was sent once


def answer(status: int, body: bytes, content_type: str = "application/json") -> httpx.Response:
    return httpx.Response(status, content=body, headers={"content-type": content_type})


@pytest.mark.parametrize(
    ("response", "own"),
    [
        (answer(401, b'{"code":16,"message":"Token empty","details":[]}'), True),
        (answer(404, b'{"code":5,"message":"Not Found"}'), True),
        (answer(401, b'{"code":401,"message":"Unauthorized"}'), False),  # upstream's shape
        (answer(401, b'{"code":16,"message":"x","extra":1}'), False),
        (answer(401, b'{"code":16,"message":"x"}', "text/plain"), False),
        (answer(500, b"<html>oops</html>", "text/html"), False),
        (answer(200, b'{"code":0,"message":"ok"}'), False),
        (answer(404, b'{"code":16,"message":"mismatch"}'), False),
    ],
)
async def test_scalekit_errors_are_told_from_upstream_ones(
    response: httpx.Response, own: bool
) -> None:
    assert is_scalekit_error(response) is own


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"path": "no-slash"}, ValueError),
        ({"path": "//evil.example/x"}, ValueError),
        ({"path": "/a/../api/v1/organizations"}, ValueError),
        ({"path": "/a?b=1"}, ValueError),
        ({"path": "/a\n"}, ValueError),
        ({"path": 1}, TypeError),
        ({"method": "TRACE"}, ValueError),
        ({"headers": {"Authorization": "Bearer mine"}}, ValueError),
        ({"headers": {"identifier": "other"}}, ValueError),
        ({"headers": {"x": "a\r\nb"}}, ValueError),
        ({"json": {}, "form": {"a": "b"}}, ValueError),
        ({"content": 3}, TypeError),
        ({"params": {"a": 1}}, TypeError),
        ({"connector": ""}, ValueError),
        ({"timeout": 0}, ValueError),
    ],
)
async def test_bad_arguments_raise_before_sending(
    client: ScalekitClient, fake: FakeScalekit, kwargs: dict[str, object], error: type[Exception]
) -> None:
    call: dict[str, object] = {"path": "/x", "connector": "gmail", "identifier": ADA, **kwargs}
    path = call.pop("path")
    with pytest.raises(error):
        await client.connected_accounts.send_request(path, **call)  # type: ignore[arg-type]
    assert proxied(fake) == []


async def test_a_head_request_and_lowercase_methods(
    client: ScalekitClient, account: sk.ConnectedAccount
) -> None:
    response = await client.connected_accounts.send_request(
        "/me", connector="gmail", identifier=ADA, method="head"
    )
    assert response.status_code == 200
    assert response.request.method == "HEAD"


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # aiohttp runs on asyncio only
async def test_a_streamed_body_goes_through_the_aiohttp_transport_over_a_socket(
    fake: FakeScalekit,
) -> None:
    produced: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(3):
            produced.append(i)
            yield b"y" * 700_000  # 2.1 MB in all: more than aiohttp takes as one bytes body

    transport = sk.AiohttpTransport()
    async with fake.serve() as url:
        try:
            async with ScalekitClient(
                url, fake.client_id, fake.client_secret, transport=transport
            ) as client:
                await client.connected_accounts.create(
                    connector="gmail",
                    identifier=ADA,
                    authorization_details=sk.AuthorizationDetails(
                        oauth_token=sk.OauthToken(access_token="at")
                    ),
                )
                response = await client.connected_accounts.send_request(
                    "/upload", connector="gmail", identifier=ADA, method="POST", content=chunks()
                )
        finally:
            await transport.aclose()
    echo = response.json()
    assert echo["body_size"] == 2_100_000
    assert echo["headers"].get("transfer-encoding") == "chunked"
    assert produced == [0, 1, 2]
