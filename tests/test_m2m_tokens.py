"""client.auth.get_client_token: M2M tokens for this or another API client, the whole answer."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

import httpx
import pytest

import scalekit_async as sk
from scalekit_async import ScalekitClient
from scalekit_async._oidc import ClientToken
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio

OTHER_SECRET = "other-client-secret-1234567890"


async def test_own_token_is_fresh_and_carries_the_whole_answer(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    await client.organizations.create(display_name="Warm")  # the client's own token is cached
    issued = fake.tokens_issued
    token = await client.auth.get_client_token()
    again = await client.auth.get_client_token()
    assert isinstance(token, ClientToken)
    assert token.access_token
    assert token.access_token != again.access_token
    assert token.token_type == "Bearer"
    assert token.expires_in == 3600
    assert token.scope == "openid"
    assert token.scopes == ("openid",)
    assert fake.tokens_issued == issued + 2
    assert token.access_token not in repr(token)
    # The client's own cached token is untouched: the next call fetches none.
    await client.organizations.create(display_name="Still warm")
    assert fake.tokens_issued == issued + 2


def recording(handler_status: int, body: dict[str, object] | None = None) -> tuple[
    list[dict[str, list[str]]], httpx.MockTransport
]:  # fmt: skip
    forms: list[dict[str, list[str]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode())
        forms.append(form)
        if handler_status != 200:
            # A server that echoes the form it got, secret included, in its error.
            echo = {k: v[0] for k, v in form.items()}
            return httpx.Response(
                handler_status,
                json={"error": "invalid_client", "error_description": f"bad form {echo}"},
            )
        return httpx.Response(200, json=body or {})

    return forms, httpx.MockTransport(handler)


async def test_another_clients_token_with_scopes() -> None:
    answer = {
        "access_token": "at-other",
        "token_type": "Bearer",
        "expires_in": "86399",
        "scope": "read write",
        "issued_token_type": "urn:x",
    }
    forms, transport = recording(200, answer)
    async with sk.ScalekitClient(
        "https://x.test", "own", "own-secret-of-16-chars", transport=transport
    ) as client:
        token = await client.auth.get_client_token(
            client_id="m2m_other", client_secret=OTHER_SECRET, scopes=["read", "write"]
        )
    assert forms == [
        {
            "grant_type": ["client_credentials"],
            "scope": ["read write"],
            "client_id": ["m2m_other"],
            "client_secret": [OTHER_SECRET],
        }
    ]
    assert token == ClientToken(
        access_token="at-other",
        expires_in=86399,
        scope="read write",
        extra={"issued_token_type": "urn:x"},
    )
    assert token.scopes == ("read", "write")


@pytest.mark.parametrize("status", [400, 401, 500])
async def test_the_other_clients_secret_never_leaks_from_an_echoing_server(
    status: int, caplog: pytest.LogCaptureFixture
) -> None:
    _, transport = recording(status)
    caplog.set_level(logging.DEBUG, logger="scalekit_async")
    async with sk.ScalekitClient(
        "https://x.test", "own", "own-secret-of-16-chars", transport=transport, max_retries=0
    ) as client:
        with pytest.raises(sk.ScalekitError) as caught:
            await client.auth.get_client_token(client_id="m2m_other", client_secret=OTHER_SECRET)
    error = caught.value
    assert isinstance(error, sk.TokenError if status < 500 else sk.ServerError)
    seen = [str(error), repr(error), repr(vars(error)), caplog.text]
    # The echo itself got through (so the test can see a leak), with the secret removed.
    assert "m2m_other" in str(error) + repr(vars(error))
    for text in seen:
        assert OTHER_SECRET not in text


async def test_a_wrong_secret_is_a_token_error(client: ScalekitClient) -> None:
    with pytest.raises(sk.TokenError) as caught:
        await client.auth.get_client_token(client_id="m2m_nobody", client_secret=OTHER_SECRET)
    assert caught.value.error == "invalid_client"
    assert OTHER_SECRET not in str(caught.value)


async def test_an_answer_without_a_token_is_refused() -> None:
    _, transport = recording(200, {"token_type": "Bearer"})
    async with sk.ScalekitClient(
        "https://x.test", "own", "own-secret-of-16-chars", transport=transport
    ) as client:
        with pytest.raises(sk.ResponseValidationError):
            await client.auth.get_client_token()


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"client_id": "m2m_x"}, ValueError),
        ({"client_secret": "s"}, ValueError),
        ({"client_id": "", "client_secret": "s"}, ValueError),
        ({"client_id": 1, "client_secret": "s"}, TypeError),
        ({"scopes": []}, ValueError),
        ({"scopes": [""]}, ValueError),
        ({"scopes": 5}, TypeError),
    ],
)
async def test_bad_arguments_raise_before_sending(
    client: ScalekitClient, fake: FakeScalekit, kwargs: dict[str, object], error: type[Exception]
) -> None:
    before = len(fake.requests)
    with pytest.raises(error):
        await client.auth.get_client_token(**kwargs)  # type: ignore[arg-type]
    assert len(fake.requests) == before
