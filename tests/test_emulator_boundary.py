"""One guarded boundary per request: nothing a request does ends the fake.

Over a socket and in-process alike, a handler's exception is a 500 with
Scalekit's Status body (code 13) and a logged traceback, malformed HTTP is a 400
and a clean close, and strict mode turns the fake's own defects into failures.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import anyio
import httpx
import pytest

from scalekit_async.testing import FakeRequest, FakeScalekit, Reply

pytestmark = pytest.mark.anyio

VERIFY = "/api/v1/connected_accounts/user/verify"
BOOM = "/api/v1/boom"


def boom(request: FakeRequest) -> Reply:
    """A handler with a bug."""
    return Reply.json(200, {"sum": 1 + request.param("n")})  # type: ignore[operator]


def with_bug(*, strict: bool = False) -> FakeScalekit:
    fake = FakeScalekit(strict=strict)
    fake.router.add("GET", BOOM, boom)
    return fake


@asynccontextmanager
async def http(fake: FakeScalekit) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A plain HTTP client to *fake* over a socket, and a bearer token."""
    async with fake.serve() as url, httpx.AsyncClient(base_url=url) as client:
        form = {
            "grant_type": "client_credentials",
            "client_id": fake.client_id,
            "client_secret": fake.client_secret,
        }
        token = (await client.post("/oauth/token", data=form)).json()["access_token"]
        client.headers["authorization"] = f"Bearer {token}"
        yield client, url


async def alive(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/organizations")
    assert response.status_code == 200


# -- the two requests that killed the emulator --------------------------------------------


async def test_a_nul_body_to_verify_is_a_400_and_the_server_lives_on() -> None:
    fake = FakeScalekit(strict=False)
    async with http(fake) as (client, _):
        response = await client.post(
            VERIFY, content=b"\x00", headers={"content-type": "application/json"}
        )
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == 3
        assert body["details"][0]["error_code"] == "INVALID_ARGUMENT"
        await alive(client)
    assert fake.defects == []


async def test_a_null_metadata_in_a_user_profile_is_not_set() -> None:
    fake = FakeScalekit()
    async with fake.client() as client:
        org = await client.organizations.create(display_name="Acme")
        user = await client.users.create("ada@acme.example", organization_id=org.id)
    async with http(fake) as (raw, _):
        response = await raw.patch(
            f"/api/v1/users/{user.id}", json={"user_profile": {"metadata": None}}
        )
        assert response.status_code == 200, response.text
        await alive(raw)
    assert fake.defects == []


# -- a handler that raises ------------------------------------------------------------------


async def test_a_handler_raising_type_error_is_a_500_over_a_socket(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = with_bug()
    with caplog.at_level(logging.ERROR, logger="scalekit_async.testing"):
        async with http(fake) as (client, _):
            response = await client.get(BOOM, params={"n": "1"})
            assert response.status_code == 500
            assert response.headers["content-type"] == "application/json"
            body = response.json()
            assert body["code"] == 13
            assert body["details"][0]["error_code"] == "INTERNAL"
            assert "TypeError" not in response.text  # no internals leak to the client
            await alive(client)
    assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [TypeError]
    assert "GET /api/v1/boom" in caplog.text
    assert len(fake.defects) == 1
    assert "TypeError" in fake.defects[0]


async def test_a_handler_raising_type_error_is_a_500_in_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = with_bug()
    async with httpx.AsyncClient(transport=fake_transport(fake), base_url="http://f") as client:
        with caplog.at_level(logging.ERROR, logger="scalekit_async.testing"):
            response = await client.get(BOOM, headers=await bearer(client, fake))
    assert response.status_code == 500
    assert response.json()["code"] == 13
    assert any(r.exc_info and r.exc_info[0] is TypeError for r in caplog.records)


async def test_strict_mode_raises_the_handlers_failure_in_process() -> None:
    fake = with_bug(strict=True)
    async with httpx.AsyncClient(transport=fake_transport(fake), base_url="http://f") as client:
        headers = await bearer(client, fake)
        with pytest.raises(AssertionError, match="TypeError") as caught:
            await client.get(BOOM, headers=headers)
    assert isinstance(caught.value.__cause__, TypeError)
    assert len(fake.defects) == 1


async def test_strict_mode_fails_an_sdk_call_with_the_fakes_traceback() -> None:
    fake = FakeScalekit(strict=True)
    async with fake.client() as client:
        org = await client.organizations.create(display_name="Acme")
        fake.organizations[org.id]["slug"] = "Not A DNS Label"  # state the API cannot hold
        with pytest.raises(AssertionError, match="outside the spec") as caught:
            await client.organizations.get(org.id)
    assert "organization.slug" in str(caught.value)
    assert fake.defects


async def test_strict_mode_over_a_socket_answers_500_naming_the_defect() -> None:
    fake = with_bug(strict=True)
    async with http(fake) as (client, _):
        response = await client.get(BOOM)
        assert response.status_code == 500
        assert "fake defect" in response.json()["message"]
        await alive(client)
    assert len(fake.defects) == 1


async def test_without_strict_an_off_spec_answer_is_served_as_is() -> None:
    fake = FakeScalekit(strict=False)
    async with fake.client() as client:
        org = await client.organizations.create(display_name="Acme")
        fake.organizations[org.id]["slug"] = "Not A DNS Label"
        assert (await client.organizations.get(org.id)).slug == "Not A DNS Label"
    assert fake.defects == []


def test_strict_defaults_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCALEKIT_FAKE_STRICT", "1")
    assert FakeScalekit().strict
    assert not FakeScalekit(strict=False).strict
    monkeypatch.setenv("SCALEKIT_FAKE_STRICT", "0")
    assert not FakeScalekit().strict
    monkeypatch.delenv("SCALEKIT_FAKE_STRICT")
    assert not FakeScalekit().strict


# -- malformed HTTP -------------------------------------------------------------------------


MALFORMED = {
    "request line": b"NOT AN HTTP REQUEST\r\n\r\n",
    "header without colon": b"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
    "header name with space": b"GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n",
    "content-length not a number": (
        b"POST /api/v1/organizations HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n"
    ),
    "two content-lengths": (
        b"POST /api/v1/organizations HTTP/1.1\r\nHost: x\r\n"
        b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}"
    ),
    "oversized head": b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n",
    "http/2 preface": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
}


def exchange(url: str, raw: bytes) -> bytes:
    """Send *raw*, half-close, and read until the server closes (blocking: run in a thread)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
async def test_malformed_http_gets_a_400_and_a_clean_close(raw: bytes) -> None:
    fake = FakeScalekit(strict=False)
    async with http(fake) as (client, url):
        answer = await anyio.to_thread.run_sync(exchange, url, raw)  # ends: the server closed
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400 "), answer[:200]
        assert b"connection: close" in head.lower()
        assert json.loads(body)["code"] == 3
        await alive(client)
    assert fake.defects == []


async def test_a_flood_of_bad_requests_leaves_the_server_serving() -> None:
    fake = FakeScalekit(strict=False)
    async with http(fake) as (client, url):
        async with anyio.create_task_group() as tg:
            for raw in [*MALFORMED.values()] * 3:
                tg.start_soon(anyio.to_thread.run_sync, exchange, url, raw)
        for body in (b"\x00", b"{", b"[]", b'"x"', b"\xff\xfe", b'{"a":1,"a":2}', b"NaN"):
            response = await client.post(VERIFY, content=body)
            assert response.status_code == 400, body
        await alive(client)
    assert fake.defects == []


# -- helpers ---------------------------------------------------------------------------------


def fake_transport(fake: FakeScalekit) -> httpx.AsyncBaseTransport:
    from scalekit_async.testing import FakeTransport

    return FakeTransport(fake)


async def bearer(client: httpx.AsyncClient, fake: FakeScalekit) -> dict[str, str]:
    form = {
        "grant_type": "client_credentials",
        "client_id": fake.client_id,
        "client_secret": fake.client_secret,
    }
    token = (await client.post("/oauth/token", data=form)).json()["access_token"]
    return {"authorization": f"Bearer {token}"}


# -- the emulator's --strict, and an App wrapping the fake ------------------------------------


def test_the_cli_strict_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    from scalekit_async.testing.__main__ import build_parser, make_fake

    monkeypatch.delenv("SCALEKIT_FAKE_STRICT", raising=False)
    assert make_fake(build_parser().parse_args(["--strict"])).strict
    assert not make_fake(build_parser().parse_args([])).strict
    monkeypatch.setenv("SCALEKIT_FAKE_STRICT", "1")
    assert make_fake(build_parser().parse_args([])).strict


class Wrapper(FakeScalekit):
    """An App around the fake whose own code fails before the fake's boundary."""

    async def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Reply:
        if target.startswith(BOOM):
            raise KeyError("the wrapper's bug")
        return await super().handle(method, target, headers, body)


async def test_the_transport_guards_an_app_wrapping_the_fake() -> None:
    fake = Wrapper(strict=False)
    async with httpx.AsyncClient(transport=fake_transport(fake), base_url="http://f") as client:
        response = await client.get(BOOM)
        assert response.status_code == 500
        assert response.json()["code"] == 13
        assert (await client.get("/keys")).status_code == 200
    assert "KeyError" in fake.defects[0]
    async with http(Wrapper(strict=False)) as (client, _):
        assert (await client.get(BOOM)).status_code == 500
        await alive(client)
