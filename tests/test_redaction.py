"""Every credential is scrubbed on every token-endpoint path, by construction.

A token endpoint (or a proxy in front of it) that quotes the form it received
in its error answer must not make the client secret, an authorization code, a
PKCE verifier or a refresh token appear in any error's str, repr, attributes or
causes, in a DEBUG log line, or in a hook event.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

import httpx
import pytest

import scalekit_async as sk
from scalekit_async._config import Credentials, Secret
from scalekit_async._converter import make_converter
from scalekit_async._engine import CallOptions, Engine
from scalekit_async._pool import OwnedPool
from scalekit_async._redact import REDACTED, Redactor
from scalekit_async._sender import RetryingSender

pytestmark = pytest.mark.anyio

URL = "https://acme.scalekit.test"
CLIENT_SECRET = "sk-secret-Zm9vYmFyYmF6cXV4cXV1eA"
CODE = "code-2b7e151628aed2a6abf7158809cf4f3c"
VERIFIER = "verifier-" + "v" * 50
REFRESH = "rt-3243f6a8885a308d313198a2e0370734"
NEW_GRANT_SECRET = "subject-token-6a09e667f3bcc908b2fb"
SECRETS = (CLIENT_SECRET, CODE, VERIFIER, REFRESH, NEW_GRANT_SECRET)


def echoing(status: int, shape: str) -> httpx.MockTransport:
    """A token endpoint that answers *status* quoting the whole form it received."""

    def handle(request: httpx.Request) -> httpx.Response:
        form = request.content.decode()
        pairs = dict(parse_qsl(form))
        if shape == "oauth":
            body = {"error": "invalid_grant", "error_description": f"rejected form: {form}"}
        elif shape == "status":
            body = {"code": 3, "message": f"bad request {pairs}", "details": [pairs]}
        else:  # a proxy's text page
            return httpx.Response(status, text=f"<html>upstream said no to {form}</html>")
        return httpx.Response(status, json=body)

    return httpx.MockTransport(handle)


def every_text(error: BaseException) -> list[str]:
    """Everything an error shows: str, repr, args, attributes, the formatted chain."""
    texts = ["".join(traceback.format_exception(error))]
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current), repr(current.args), repr(vars(current))]
        current = current.__cause__ or current.__context__
    return texts


def assert_clean(texts: list[str]) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


CASES = [(400, "oauth"), (401, "status"), (403, "text"), (503, "oauth"), (502, "text")]


async def user_grants(client: sk.ScalekitClient) -> list[Callable[[], Awaitable[Any]]]:
    return [
        client.organizations.list,  # the client-credentials token
        lambda: client.auth.exchange_code(
            CODE, "https://app.test/callback", code_verifier=VERIFIER
        ),
        lambda: client.auth.refresh_access_token(REFRESH),
    ]


@pytest.mark.parametrize(("status", "shape"), CASES)
async def test_no_token_endpoint_path_shows_a_credential(
    status: int, shape: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    attempts: list[object] = []
    retries: list[object] = []
    hooks = sk.Hooks(on_response=(attempts.append,), on_retry=(retries.append,))
    policy = sk.RetryPolicy(backoff_base=0, backoff_cap=0)
    async with sk.ScalekitClient(
        URL, "skc_1", CLIENT_SECRET, transport=echoing(status, shape), retry=policy, hooks=hooks
    ) as client:
        for call in await user_grants(client):
            with pytest.raises(sk.ScalekitError) as info:
                await call()
            assert_clean(every_text(info.value))
            if status < 500:
                assert isinstance(info.value, sk.TokenError)
            else:
                assert isinstance(info.value, sk.ServerError)
    assert attempts
    assert_clean([repr(e) for e in [*attempts, *retries]])
    assert_clean([caplog.text])


async def test_a_new_grant_is_scrubbed_without_listing_its_fields() -> None:
    """Every form field but the public ones counts as a credential, whatever the grant."""
    transport = echoing(400, "oauth")
    sender = RetryingSender(OwnedPool(lambda: transport), policy=sk.RetryPolicy(max_retries=0),
                            timeouts=sk.Timeouts())  # fmt: skip
    engine = Engine(
        Credentials(URL, "skc_1", Secret(CLIENT_SECRET)),
        connect=lambda: sender,
        converter=make_converter(),
        options=CallOptions(),
    )
    form = {"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token": NEW_GRANT_SECRET}  # fmt: skip
    with pytest.raises(sk.TokenError) as info:
        await engine.grant(form)
    assert_clean(every_text(info.value))
    assert "token-exchange" in str(info.value)  # public fields stay readable
    await sender.aclose()


async def test_an_echoed_bearer_token_is_scrubbed_from_api_errors(fake: Any) -> None:
    async with fake.client(max_retries=0) as client:
        await client.organizations.list()
        token = next(r.token for r in fake.requests if r.token)
        echoed = {"code": 7, "message": f"denied: Authorization: Bearer {token}"}
        fake.fail_next(
            1, path="/api/v1/organizations", status=403, body=json.dumps(echoed).encode()
        )
        with pytest.raises(sk.PermissionDeniedError) as info:
            await client.organizations.list()
    assert all(token not in text for text in every_text(info.value))
    assert "Bearer ***" in str(info.value)


# -- the redactor on its own -------------------------------------------------------------


def test_only_whole_values_are_redacted() -> None:
    redactor = Redactor()
    secret = "client-secret-value-0123"
    assert redactor.text(f"client_secret={secret}&x=1", [secret]) == "client_secret=***&x=1"
    assert redactor.text(f'{{"secret": "{secret}"}}', [secret]) == '{"secret": "***"}'
    assert redactor.text(f"Bearer {secret}", [secret]) == "Bearer ***"
    # part of a longer value is another value; prose around it stays intact
    assert redactor.text(f"{secret}XYZ", [secret]) == f"{secret}XYZ"
    # a token inside a longer word is not the value: no garbled messages
    assert redactor.text("invalid clientele credentials", ["client"]) == (
        "invalid clientele credentials"
    )


def test_encoded_spellings_are_redacted() -> None:
    redactor = Redactor()
    secret = "s3cr3t/with+plus&amp=and space"
    form = httpx.QueryParams({"client_secret": secret})
    assert secret not in redactor.text(str(form), [secret])
    assert "s3cr3t" not in redactor.text(str(form), [secret])
    assert "s3cr3t" not in redactor.text(json.dumps({"v": secret + '"'}), [secret + '"'])


def test_the_cause_chain_is_scrubbed_and_odd_arguments_survive() -> None:
    class Key(NamedTuple):
        host: str
        port: int

    secret = "abcdefghijklmnop-secret"

    def fail() -> None:
        try:
            raise OSError(Key("h", 1), f"failed with {secret}")
        except OSError as inner:
            raise sk.APIConnectionError(f"outer {secret}") from inner

    with pytest.raises(sk.APIConnectionError) as info:
        fail()
    Redactor().scrub(info.value, [secret])
    assert all(secret not in text for text in every_text(info.value))
    assert REDACTED in str(info.value)
    assert isinstance(info.value.__cause__, OSError)
    assert info.value.__cause__.args[0] == Key("h", 1)


async def test_an_unreachable_token_endpoint_names_no_secret() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"refused while sending {request.content.decode()}")

    async with sk.ScalekitClient(
        URL, "skc_1", CLIENT_SECRET, transport=httpx.MockTransport(refuse), max_retries=0
    ) as client:
        with pytest.raises(sk.APIConnectionError) as info:
            await client.organizations.list()
    assert type(info.value) is sk.APIConnectionError  # not a TokenError: nothing refused
    assert_clean(every_text(info.value))
