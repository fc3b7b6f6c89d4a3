"""The fake itself: faults, records, the socket server and the command line."""

from __future__ import annotations

import subprocess
import sys

import anyio
import httpx
import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio


async def test_faults_apply_to_the_next_n_matching_requests(fake: FakeScalekit) -> None:
    async with fake.client(max_retries=0) as client:
        fake.fail_next(2, method="GET", status=503)
        for _ in range(2):
            with pytest.raises(sk.ServerError):
                await client.organizations.list()
        await client.organizations.list()
        await client.organizations.create(display_name="unaffected")


async def test_unknown_or_expired_tokens_get_the_scalekit_401(fake: FakeScalekit) -> None:
    async with fake.serve() as url, httpx.AsyncClient(base_url=url) as http:
        response = await http.get("/api/v1/organizations", headers={"Authorization": "Bearer x"})
    assert response.status_code == 401
    assert response.json()["code"] == 16
    assert response.json()["details"][0]["error_code"] == "UNAUTHENTICATED"
    assert fake.rejected_tokens == 1


async def test_token_ttl_is_honoured() -> None:
    now = [0.0]
    fake = FakeScalekit(token_ttl=10, clock=lambda: now[0])
    async with fake.client(max_retries=0) as client:
        await client.organizations.list()
        assert fake.tokens_issued == 1
    token = fake.issue_token(ttl=5)
    now[0] = 6
    async with fake.serve() as url, httpx.AsyncClient(base_url=url) as http:
        response = await http.get(
            "/api/v1/organizations", headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 401


async def test_unknown_route_is_a_404_not_a_crash(fake: FakeScalekit) -> None:
    token = fake.issue_token()
    async with fake.serve() as url, httpx.AsyncClient(base_url=url) as http:
        response = await http.get("/api/v1/nowhere", headers={"Authorization": f"Bearer {token}"})
        wrong_method = await http.post(
            "/api/v1/organizations/org_1", headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 404
    assert wrong_method.status_code == 405


async def test_socket_server_keeps_connections_alive(fake: FakeScalekit) -> None:
    token = fake.issue_token()
    async with fake.serve() as url, httpx.AsyncClient(base_url=url) as http:
        for _ in range(20):
            response = await http.get(
                "/api/v1/organizations", headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 200
    assert len(fake.api_requests()) == 20


def test_command_line_prints_how_to_connect() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "scalekit_async.testing", "--port", "0", "--token-ttl", "60"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = dict(process.stdout.readline().strip().split("=", 1) for _ in range(3))
        assert lines["SCALEKIT_ENVIRONMENT_URL"].startswith("http://127.0.0.1:")

        async def use() -> str:
            async with sk.ScalekitClient(
                lines["SCALEKIT_ENVIRONMENT_URL"],
                lines["SCALEKIT_CLIENT_ID"],
                lines["SCALEKIT_CLIENT_SECRET"],
            ) as client:
                org = await client.organizations.create(display_name="From CLI")
                return (await client.organizations.get(org.id)).display_name

        assert anyio.run(use) == "From CLI"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
