"""What Schemathesis found in the emulator (tests/test_fuzz.py), one regression test each.

Each test runs the fake in strict mode, so an answer outside the spec fails it too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from scalekit_async.testing import FakeScalekit, FakeTransport

pytestmark = pytest.mark.anyio

INT64_MAX = 2**63 - 1


@asynccontextmanager
async def raw(fake: FakeScalekit) -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client to *fake* in-process, with a bearer token."""
    async with httpx.AsyncClient(transport=FakeTransport(fake), base_url="http://f") as http:
        form = {
            "grant_type": "client_credentials",
            "client_id": fake.client_id,
            "client_secret": fake.client_secret,
        }
        token = (await http.post("/oauth/token", data=form)).json()["access_token"]
        http.headers["authorization"] = f"Bearer {token}"
        yield http


def violations(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == 3
    (info,) = body["details"]
    assert info["error_code"] == "INVALID_ARGUMENT"
    found = info["validation_error_info"]["field_violations"]
    return [(v["field"], v.get("constraint", "")) for v in found]


# -- PATCH /api/v1/organizations/{id} echoed a logo_url that is not a URI ---------------------
# Found: {"logo_url": "https://\u0084"} -> 200 whose organization.logo_url violates
# `format: uri` (ST108). Fix: the validator checks `format: uri` (RFC 3986, as
# protovalidate's string.uri), so the request is refused before it is stored.


@pytest.mark.parametrize(
    "logo_url", ["https://\u0084", "https://a b", "https://%zz", "https://x/{y}", "https://[::::]"]
)
async def test_a_logo_url_that_is_not_a_uri_is_refused(logo_url: str) -> None:
    fake = FakeScalekit(strict=True)
    async with raw(fake) as http:
        created = await http.post("/api/v1/organizations", json={"display_name": "Acme"})
        org_id = created.json()["organization"]["id"]
        patched = await http.patch(f"/api/v1/organizations/{org_id}", json={"logo_url": logo_url})
        assert violations(patched) == [("organization.logo_url", "string.uri")]
        again = await http.post(
            "/api/v1/organizations", json={"display_name": "Globex", "logo_url": logo_url}
        )
        assert violations(again) == [("organization.logo_url", "string.uri")]
    assert "logo_url" not in fake.organizations[org_id]
    assert len(fake.organizations) == 1
    assert fake.defects == []


@pytest.mark.parametrize(
    "logo_url", ["https://cdn.example.com/acme-logo.png", "https://[::1]:8443/a%20b.png?s=1#x"]
)
async def test_a_logo_url_that_is_a_uri_is_kept(logo_url: str) -> None:
    fake = FakeScalekit(strict=True)
    async with raw(fake) as http:
        created = await http.post("/api/v1/organizations", json={"display_name": "Acme"})
        org_id = created.json()["organization"]["id"]
        patched = await http.patch(f"/api/v1/organizations/{org_id}", json={"logo_url": logo_url})
    assert patched.status_code == 200, patched.text
    assert patched.json()["organization"]["logo_url"] == logo_url
    assert fake.defects == []


# -- POST /api/v1/passwordless/email/send answered an expires_at beyond int64 ------------------
# Found: {"expires_in": 9223372036854775806} -> expires_at = now + expires_in, outside the
# answer's `format: int64` (a 500 in strict mode, ST101). Fix: an expires_in whose expiry
# would overflow int64 is a 400 on expires_in.


@pytest.mark.parametrize("expires_in", [INT64_MAX, INT64_MAX - 1, INT64_MAX - 10**9])
async def test_an_expiry_beyond_int64_is_refused(expires_in: int) -> None:
    fake = FakeScalekit(strict=True)
    async with raw(fake) as http:
        sent = await http.post(
            "/api/v1/passwordless/email/send",
            json={"email": "john.doe@example.com", "expires_in": expires_in},
        )
    assert violations(sent) == [("expires_in", "")]
    assert fake.passwordless == {}
    assert fake.defects == []


async def test_a_long_expiry_within_int64_is_answered() -> None:
    fake = FakeScalekit(strict=True)
    async with raw(fake) as http:
        sent = await http.post(
            "/api/v1/passwordless/email/send",
            json={"email": "john.doe@example.com", "expires_in": 10**9},
        )
    assert sent.status_code == 200, sent.text
    answer = sent.json()
    assert answer["expires_in"] == 10**9
    assert int(answer["expires_at"]) <= INT64_MAX
    assert fake.defects == []
