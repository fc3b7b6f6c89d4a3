"""Hooks, OpenTelemetry spans and logging: route templates, never ids or secrets."""

from __future__ import annotations

import logging

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio

FAST = sk.RetryPolicy(backoff_base=0.01, backoff_cap=0.02)


async def test_hooks_see_requests_responses_and_retries(fake: FakeScalekit) -> None:
    requests: list[sk.RequestStarted] = []
    responses: list[sk.Attempt] = []
    retries: list[sk.RetryScheduled] = []
    hooks = sk.Hooks(
        on_request=(requests.append,), on_response=(responses.append,), on_retry=(retries.append,)
    )
    async with fake.client(hooks=hooks, retry=FAST) as client:
        org = await client.organizations.create(display_name="A")
        fake.fail_next(1, method="GET", status=503)
        await client.organizations.get(org.id)
    api = [r for r in requests if r.route.startswith("/api")]
    assert [(r.method, r.route, r.attempt) for r in api] == [
        ("POST", "/api/v1/organizations", 0),
        ("GET", "/api/v1/organizations/{id}", 0),
        ("GET", "/api/v1/organizations/{id}", 1),
    ]
    assert [(r.route, r.retry, r.reason) for r in retries] == [
        ("/api/v1/organizations/{id}", 1, "HTTP 503")
    ]
    assert retries[0].delay > 0
    assert all(org.id not in repr(e) for e in [*requests, *responses, *retries])
    assert [e.status for e in responses if e.route.startswith("/api")] == [201, 503, 200]


async def test_a_raising_hook_never_breaks_a_call(
    fake: FakeScalekit, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: object) -> None:
        raise RuntimeError("metrics backend down")

    async with fake.client(hooks=sk.Hooks(on_request=(broken,), on_response=(broken,))) as client:
        await client.organizations.create(display_name="A")
    assert "hook raised" in caplog.text


async def test_spans_are_named_by_route_template(fake: FakeScalekit) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test")
    async with fake.client(tracer=tracer, max_retries=0) as client:
        org = await client.organizations.create(display_name="A")
        await client.organizations.get(org.id)
        with pytest.raises(sk.NotFoundError):
            await client.organizations.get("org_missing")
    spans = exporter.get_finished_spans()
    assert [s.name for s in spans] == [
        "POST /oauth/token",  # the token fetch takes the same path as every call
        "POST /api/v1/organizations",
        "GET /api/v1/organizations/{id}",
        "GET /api/v1/organizations/{id}",
    ]
    failed = spans[-1]
    assert failed.status.status_code is StatusCode.ERROR
    assert failed.attributes is not None
    assert failed.attributes["error.type"] == "NotFoundError"
    assert failed.attributes["http.response.status_code"] == 404
    for span in spans:
        assert span.attributes is not None
        assert org.id not in str(dict(span.attributes))
        assert span.attributes["url.template"].startswith(("/oauth/token", "/api/v1/organizations"))


async def test_one_info_line_per_retry_and_debug_details(
    fake: FakeScalekit, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="scalekit_async")
    async with fake.client(retry=FAST) as client:
        fake.fail_next(2, method="GET", status=503)
        await client.organizations.list()
    infos = [r for r in caplog.records if r.levelno == logging.INFO]
    assert len(infos) == 2
    assert all("retrying GET /api/v1/organizations" in r.getMessage() for r in infos)
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any("GET /api/v1/organizations attempt 2 -> 200" in line for line in debug)


async def test_the_logger_is_silent_by_default(
    fake: FakeScalekit, capsys: pytest.CaptureFixture[str]
) -> None:
    async with fake.client(retry=FAST) as client:
        fake.fail_next(1, method="GET", status=503)
        await client.organizations.list()
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ""
