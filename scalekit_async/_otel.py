"""Optional OpenTelemetry spans: one per call, named by the route template.

Only used when a ``tracer`` is given to the client, so ``opentelemetry-api`` is
never imported otherwise. Span names use the route template
(``GET /api/v1/organizations/{id}``), never the URL: ids would explode the
cardinality of span names and leak into tracing backends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ._errors import APIStatusError, ScalekitError

__all__ = ["traced"]


@contextmanager
def traced(tracer: Any, route: Any) -> Iterator[Any]:
    """Run a call inside a span that records its outcome as attributes and status."""
    with tracer.start_as_current_span(
        f"{route.method} {route.template}",
        kind=_client_kind(),
        attributes={
            "http.request.method": route.method,
            "url.template": route.template,
            "rpc.system": "scalekit",
        },
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except ScalekitError as exc:
            span.set_attribute("error.type", type(exc).__name__)
            if isinstance(exc, APIStatusError):
                span.set_attribute("http.response.status_code", exc.status_code)
            _set_error(span, type(exc).__name__)
            raise


def _client_kind() -> Any:
    from opentelemetry.trace import SpanKind

    return SpanKind.CLIENT


def _set_error(span: Any, description: str) -> None:
    from opentelemetry.trace import Status, StatusCode

    span.set_status(Status(StatusCode.ERROR, description))
