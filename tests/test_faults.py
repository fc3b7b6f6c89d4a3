"""Connection faults over a real loopback socket: each one gives a typed error within the
call's deadline, and idempotent calls recover by retrying when the fault is transient.

Every test runs on asyncio and trio and on both transports (aiohttp on asyncio only).
The faults are injected by the fake's socket server: a reset (TCP RST) before answering,
a clean close before answering, a close half-way through the body, headers then a stall,
invalid or truncated JSON, an HTML 502 from a "proxy", a 10 MB body and a slow trickle.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit, FakeTransport, ServerStats

pytestmark = pytest.mark.anyio

ORGS = "/api/v1/organizations"
FAST = sk.RetryPolicy(backoff_base=0.01, backoff_cap=0.02)
HTML_502 = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
TEN_MB = 10 * 1024 * 1024
# A read timeout short enough to keep the suite fast, long enough for a loaded machine.
SHORT_READ = sk.Timeouts(read=0.2)


@asynccontextmanager
async def served(
    fake: FakeScalekit, kind: str, **options: Any
) -> AsyncIterator[tuple[sk.ScalekitClient, ServerStats]]:
    """A client on *kind*'s transport talking to *fake* on a loopback socket, warmed up."""
    stats = ServerStats()
    if kind == "aiohttp":
        options["transport"] = sk.AiohttpTransport()
    async with (
        fake.serve(stats=stats) as url,
        sk.ScalekitClient(url, fake.client_id, fake.client_secret, **options) as client,
    ):
        await client.organizations.list()  # the token is cached and a connection is open
        yield client, stats


def seed(fake: FakeScalekit) -> str:
    fake.organizations["org_1"] = {
        "id": "org_1",
        "display_name": "Acme",
        "create_time": "2025-01-01T00:00:00Z",
    }
    return "org_1"


# -- the documented typed error, within the deadline ----------------------------------

# fault -> (fail_next options, the error every call must end with)
PERSISTENT: dict[str, tuple[dict[str, Any], type[sk.ScalekitError]]] = {
    "reset-before-answering": ({"drop": "reset"}, sk.APIConnectionError),
    "closed-before-answering": ({"drop": "before"}, sk.APIConnectionError),
    "closed-mid-body": ({"drop": "mid-body"}, sk.APIConnectionError),
    "headers-then-stall": ({"stall_after_headers": 30}, sk.APITimeoutError),
    "truncated-json": (
        {"status": 200, "body": b'{"organization": {"id": "org_1", "disp'},
        sk.ResponseValidationError,
    ),
    "invalid-json": (
        {"status": 200, "body": b"{'organization': None}"},
        sk.ResponseValidationError,
    ),
    "not-utf8": (
        {"status": 200, "body": b'{"organization": "\xff\xfe"}'},
        sk.ResponseValidationError,
    ),
    "html-502": ({"status": 502, "body": HTML_502}, sk.ServerError),
    "empty-503": ({"status": 503, "body": b""}, sk.ServerError),
}


@pytest.mark.parametrize("fault", list(PERSISTENT))
async def test_a_persistent_fault_gives_the_typed_error_within_the_deadline(
    fault: str, transport_kind: str
) -> None:
    options, expected = PERSISTENT[fault]
    fake = FakeScalekit()
    org_id = seed(fake)
    deadline = 1.0
    async with served(
        fake, transport_kind, retry=FAST, max_retries=1, timeout=deadline, timeouts=SHORT_READ
    ) as (
        client,
        _,
    ):
        fake.fail_next(100, path=f"{ORGS}/{org_id}", **options)
        started = anyio.current_time()
        with pytest.raises(sk.ScalekitError) as info:
            await client.organizations.get(org_id)
        elapsed = anyio.current_time() - started
    assert type(info.value) is expected or (
        expected is sk.ServerError and isinstance(info.value, sk.ServerError)
    ), repr(info.value)
    # The deadline bounds the call (plus scheduling slack on a loaded machine).
    assert elapsed < deadline + 1.0
    if fault in {"reset-before-answering", "closed-before-answering", "closed-mid-body"}:
        # Nothing tells the client a request never arrived: the outcome is unknown.
        assert info.value.outcome_unknown  # type: ignore[attr-defined]
        assert isinstance(info.value.__cause__, httpx.HTTPError)
    if isinstance(info.value, sk.APIStatusError):
        assert info.value.status_code in {502, 503}


async def test_a_2xx_that_is_not_json_is_not_retried(transport_kind: str) -> None:
    fake = FakeScalekit()
    org_id = seed(fake)
    async with served(fake, transport_kind, retry=FAST) as (client, _):
        fake.fail_next(1, path=f"{ORGS}/{org_id}", status=200, body=b'{"organization": {"id"')
        with pytest.raises(sk.ResponseValidationError) as info:
            await client.organizations.get(org_id)
        assert info.value.status_code == 200
        assert info.value.body == '{"organization": {"id"'
        # The same call works at once afterwards: a bad body does not poison the connection.
        assert (await client.organizations.get(org_id)).id == org_id
    assert len(fake.api_requests("GET", f"{ORGS}/{org_id}")) == 2


async def test_an_html_502_keeps_its_status_and_text(transport_kind: str) -> None:
    fake = FakeScalekit()
    async with served(fake, transport_kind, max_retries=0) as (client, _):
        fake.fail_next(1, method="POST", path=ORGS, status=502, body=HTML_502)
        with pytest.raises(sk.ServerError) as info:
            await client.organizations.create(display_name="Acme")
    assert info.value.status_code == 502
    assert "502 Bad Gateway" in str(info.value.body)
    assert fake.organizations == {}  # the "proxy" answered; the API never saw it


# -- transient faults: idempotent calls recover ---------------------------------------

TRANSIENT: dict[str, dict[str, Any]] = {
    "reset-before-answering": {"drop": "reset"},
    "closed-before-answering": {"drop": "before"},
    "closed-mid-body": {"drop": "mid-body"},
    "headers-then-stall": {"stall_after_headers": 30},
    "html-502": {"status": 502, "body": HTML_502},
    "503": {"status": 503},
    "slow-answer": {"delay": 30},
}


@pytest.mark.parametrize("fault", list(TRANSIENT))
async def test_an_idempotent_call_recovers_from_a_transient_fault(
    fault: str, transport_kind: str
) -> None:
    fake = FakeScalekit()
    org_id = seed(fake)
    async with served(fake, transport_kind, retry=FAST, timeouts=SHORT_READ, timeout=10) as (
        client,
        _,
    ):
        fake.fail_next(1, path=f"{ORGS}/{org_id}", **TRANSIENT[fault])
        started = anyio.current_time()
        org = await client.organizations.get(org_id)
        elapsed = anyio.current_time() - started
    assert org.id == org_id
    assert elapsed < 5  # one short read timeout and one short backoff, not the 30 s fault
    assert len(fake.api_requests("GET", f"{ORGS}/{org_id}")) in {1, 2}


@pytest.mark.parametrize("kind", ["reset", "mid-body"])
async def test_an_idempotent_write_recovers_from_a_dropped_connection(
    kind: str, transport_kind: str
) -> None:
    fake = FakeScalekit()
    org_id = seed(fake)
    async with served(fake, transport_kind, retry=FAST) as (client, _):
        fake.fail_next(1, method="PUT", drop=kind)  # type: ignore[arg-type]
        link = await client.organizations.generate_portal_link(org_id)
    assert link.location


@pytest.mark.parametrize("kind", ["reset", "before"])
async def test_delete_recovers_from_a_connection_dropped_before_processing(
    kind: str, transport_kind: str
) -> None:
    fake = FakeScalekit()
    org_id = seed(fake)
    async with served(fake, transport_kind, retry=FAST) as (client, _):
        fake.fail_next(1, method="DELETE", drop=kind)  # type: ignore[arg-type]
        await client.organizations.delete(org_id)
    assert org_id not in fake.organizations
    assert len(fake.api_requests("DELETE")) == 1


# -- a 10 MB body ------------------------------------------------------------------


async def test_a_10_mb_answer_is_read_whole(transport_kind: str) -> None:
    fake = FakeScalekit()
    name = "x" * TEN_MB
    body = json.dumps({"organization": {"id": "org_big", "display_name": name}}).encode()
    async with served(fake, transport_kind, timeout=30) as (client, _):
        fake.fail_next(1, path=f"{ORGS}/org_big", status=200, body=body)
        org = await client.organizations.get("org_big")
    assert org.display_name == name


async def test_a_10_mb_error_page_becomes_a_short_error(transport_kind: str) -> None:
    fake = FakeScalekit()
    page = b"<html>" + b"oops " * (TEN_MB // 5) + b"</html>"
    async with served(fake, transport_kind, max_retries=0, timeout=30) as (client, _):
        fake.fail_next(1, path=ORGS, status=503, body=page)
        with pytest.raises(sk.ServerError) as info:
            await client.organizations.list()
        fake.fail_next(1, path=f"{ORGS}/org_1", status=200, body=page)
        with pytest.raises(sk.ResponseValidationError) as invalid:
            await client.organizations.get("org_1")
    # The error keeps a bounded excerpt, not 10 MB of text in every log line and repr.
    for error in (info.value, invalid.value):
        assert len(str(error)) < 1_000
        assert len(repr(error)) < 1_000
        assert isinstance(error.body, str)
        assert 0 < len(error.body) <= 501


# -- a slow trickle ------------------------------------------------------------------


async def test_a_trickle_within_the_deadline_succeeds(transport_kind: str) -> None:
    fake = FakeScalekit()
    org_id = seed(fake)
    async with served(fake, transport_kind, timeouts=SHORT_READ, timeout=10) as (client, _):
        # ~100 bytes arrive every 50 ms: every read gets data well within its 0.3 s limit.
        fake.fail_next(1, path=f"{ORGS}/{org_id}", trickle=2_000)
        org = await client.organizations.get(org_id)
    assert org.id == org_id


async def test_a_trickle_cannot_outlive_the_call_deadline(transport_kind: str) -> None:
    fake = FakeScalekit()
    org_id = seed(fake)
    async with served(fake, transport_kind, timeouts=SHORT_READ, timeout=0.3) as (client, _):
        # The token first, unhurried: a loaded machine may take longer than 0.3 s for it.
        await client.with_options(timeout=30).organizations.get(org_id)
        # 10 bytes/s: each byte beats the read timeout, but the answer takes many seconds.
        fake.fail_next(1, path=f"{ORGS}/{org_id}", trickle=10)
        started = anyio.current_time()
        # On aiohttp the read limit bounds the whole answer, so it may end it first.
        with pytest.raises(sk.APITimeoutError, match=r"deadline|read timeout"):
            await client.organizations.get(org_id)
    assert anyio.current_time() - started < 0.3 + 1.0


async def test_headers_then_stall_is_bounded_by_the_deadline(transport_kind: str) -> None:
    fake = FakeScalekit()
    org_id = seed(fake)
    # The read timeout (30 s by default) is longer than the call: the deadline decides.
    async with served(fake, transport_kind, timeout=0.3) as (client, _):
        await client.with_options(timeout=30).organizations.get(org_id)  # the token, unhurried
        fake.fail_next(1, path=f"{ORGS}/{org_id}", stall_after_headers=30)
        started = anyio.current_time()
        with pytest.raises(sk.APITimeoutError, match="deadline"):
            await client.organizations.get(org_id)
        assert anyio.current_time() - started < 0.3 + 1.0
        # The stalled connection is not reused: the next call works at once.
        assert (await client.organizations.get(org_id)).id == org_id


# -- connections are not left behind ---------------------------------------------------


async def test_faulted_connections_are_all_closed(transport_kind: str) -> None:
    fake = FakeScalekit()
    org_id = seed(fake)
    # Faults whose server side ends soon after the client gives up on them.
    faults: list[dict[str, Any]] = [
        {"drop": "reset"},
        {"drop": "before"},
        {"drop": "mid-body"},
        {"stall_after_headers": 0.3},
        {"delay": 0.3},
        {"status": 502, "body": HTML_502},
    ]
    async with served(fake, transport_kind, retry=FAST, timeouts=SHORT_READ) as (client, stats):
        for options in faults:
            fake.fail_next(1, path=f"{ORGS}/{org_id}", **options)
            await client.organizations.get(org_id)
        await client.aclose()
        with anyio.fail_after(5):
            while stats.open:  # noqa: ASYNC110 - polling the server's count
                await anyio.sleep(0.01)
    assert stats.opened >= 2


# -- in-process, the same faults raise what a socket would ----------------------------

IN_PROCESS: dict[str, tuple[dict[str, Any], type[httpx.HTTPError]]] = {
    "reset": ({"drop": "reset"}, httpx.ReadError),
    "before": ({"drop": "before"}, httpx.RemoteProtocolError),
    "after": ({"drop": "after"}, httpx.RemoteProtocolError),
    "mid-body": ({"drop": "mid-body"}, httpx.RemoteProtocolError),
    "stall": ({"stall_after_headers": 5}, httpx.ReadTimeout),
    "trickle": ({"trickle": 1}, httpx.ReadTimeout),
}


@pytest.mark.parametrize("fault", list(IN_PROCESS))
async def test_fake_transport_raises_the_matching_httpx_exception(fault: str) -> None:
    options, expected = IN_PROCESS[fault]
    fake = FakeScalekit()
    transport = FakeTransport(fake)
    fake.fail_next(1, path="/oauth/token", **options)
    request = httpx.Request(
        "POST",
        "http://fake.test/oauth/token",
        content=b"grant_type=client_credentials",
        extensions={"timeout": {"connect": 1.0, "read": 0.05, "write": 1.0, "pool": 1.0}},
    )
    with pytest.raises(expected):
        await transport.handle_async_request(request)
    processed = fault not in {"reset", "before"}
    assert len(fake.requests) == (1 if processed else 0)


async def test_fake_transport_acts_out_a_short_stall_and_trickle() -> None:
    fake = FakeScalekit()
    async with fake.client(timeouts=sk.Timeouts(read=2.0)) as client:
        await client.organizations.list()
        fake.fail_next(1, path=ORGS, stall_after_headers=0.1)
        started = anyio.current_time()
        await client.organizations.list()
        assert anyio.current_time() - started >= 0.1
        fake.fail_next(1, path=ORGS, trickle=1_000)
        started = anyio.current_time()
        await client.organizations.list()
        assert anyio.current_time() - started >= 0.03  # 60-odd bytes at 1 kB/s
