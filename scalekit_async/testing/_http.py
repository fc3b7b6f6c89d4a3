"""The fake's HTTP vocabulary: requests it saw, replies it gives, faults it injects, routing."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal, Protocol
from urllib.parse import unquote

import attrs

__all__ = [
    "ApiError",
    "App",
    "DropKind",
    "Dropped",
    "FakeDefect",
    "Fault",
    "FakeRequest",
    "Reply",
    "Router",
    "error_body",
    "route_pattern",
]

DropKind = Literal["before", "after", "mid-body", "reset"]
"""Where a fault cuts the connection (see `Fault`)."""

_GRPC = {400: 3, 401: 16, 403: 7, 404: 5, 409: 6, 429: 8, 500: 13, 501: 12, 503: 14, 504: 4}
_ERROR_CODES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RATE_LIMITED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


@attrs.frozen
class FakeRequest:
    """One request the fake received (the bearer token is kept out of the repr)."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    body: bytes
    token: str | None = attrs.field(default=None, repr=False)
    headers: tuple[tuple[str, str], ...] = attrs.field(default=(), repr=False)
    """The request's headers, names lowercase, ``Authorization`` left out (see `token`)."""

    def json(self) -> Any:
        """The decoded JSON body, or `None` when there is none.

        A body that is not JSON raises `ApiError` (400), as the gateway answers it.
        """
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError:  # JSONDecodeError and UnicodeDecodeError
            raise ApiError(400, "the request body is not valid JSON") from None

    def header(self, name: str) -> str | None:
        """The first value of the header *name* (any case)."""
        name = name.lower()
        return next((v for k, v in self.headers if k == name), None)

    def param(self, name: str) -> str | None:
        """The first query value named *name*."""
        return next((v for k, v in self.query if k == name), None)

    def params(self, name: str) -> list[str]:
        """Every query value named *name* (repeated keys)."""
        return [v for k, v in self.query if k == name]


@attrs.frozen
class Reply:
    """What the fake answers: a status, headers and a body.

    `fault` is set when an injected `Fault` changes how the reply travels (cut
    mid-body, stalled after the headers, trickled): the socket server and
    `FakeTransport` read it; handlers never set it.
    """

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    fault: Fault | None = attrs.field(default=None, eq=False, repr=False)

    @classmethod
    def json(cls, status: int, data: Any, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
        """A JSON reply."""
        return cls(
            status,
            json.dumps(data, separators=(",", ":")).encode(),
            (("content-type", "application/json"), *headers),
        )


def error_body(
    status: int,
    message: str,
    *,
    error_code: str | None = None,
    violations: tuple[tuple[str, ...], ...] = (),
) -> dict[str, Any]:
    """A Scalekit error body (`google.rpc.Status` with an `ErrorInfo` detail).

    Each violation is ``(field, description)`` or ``(field, description, constraint)``.
    """
    info: dict[str, Any] = {
        "@type": "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo",
        "error_code": error_code or _ERROR_CODES.get(status, "UNKNOWN"),
    }
    if violations:
        info["validation_error_info"] = {
            "field_violations": [
                {"field": v[0], "description": v[1], **({"constraint": v[2]} if len(v) > 2 else {})}
                for v in violations
            ]
        }
    return {"code": _GRPC.get(status, 2), "message": message, "details": [info]}


class FakeDefect(AssertionError):
    """The fake itself failed: a handler raised, or (strict mode) an answer broke the spec.

    Outside strict mode the request is answered 500 ``INTERNAL`` instead (and the
    traceback logged); in strict mode, in-process, this is raised to the caller, so
    the test that met it fails with the fake's own traceback as its cause.
    """


class Dropped(Exception):
    """Raised inside the fake: cut the connection without an answer.

    With `reset`, the connection is reset (TCP RST) instead of closed cleanly.
    """

    def __init__(self, *, reset: bool = False) -> None:
        super().__init__("connection reset" if reset else "connection closed")
        self.reset = reset


class ApiError(Exception):
    """Raised by a fake handler to answer with a Scalekit error body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        error_code: str | None = None,
        violations: tuple[tuple[str, ...], ...] = (),
    ) -> None:
        super().__init__(message)
        self.reply = Reply.json(
            status, error_body(status, message, error_code=error_code, violations=violations)
        )


@attrs.define
class Fault:
    """A fault injected into the next `times` requests that match.

    Args:
        times: How many matching requests it affects.
        method: Match this HTTP method only (``None``: any).
        path: Match this path exactly (``"/api/v1/organizations"`` is the list and
            create route only, not ``/api/v1/organizations/{id}``), or every path of
            a route template: ``"/api/v1/organizations/{id}"`` matches any id, a
            ``{name}`` standing for one path segment as in the API's routes.
            ``None``: any path, the token endpoint included.
        status: Answer with this status and a Scalekit error body.
        retry_after: Add a ``Retry-After`` header with this value.
        delay: Wait this many seconds first.
        drop: Cut the connection: ``"before"`` the request is processed
            (closed without an answer), ``"reset"`` (reset with a TCP RST,
            unprocessed), ``"after"`` it is processed (closed without an
            answer: the write happened), or ``"mid-body"`` (processed, then
            closed after the headers and half of the body).
        body: Answer with these raw bytes instead of a JSON error body.
        headers: Extra headers of the forced reply (e.g. ``retry-after-ms``).
        stall_after_headers: Send the headers, then wait this many seconds
            before the body (a client's read timeout fires first).
        trickle: Send the body at this many bytes per second.
        path_prefix: Match every path starting with this text (``"/api/"``: every
            API call, not the token endpoint); with `path`, both must match.

    Paths are compared raw (percent-encoded as sent), without the query string.

    In-process (`FakeTransport`), cut connections and stalls raise the httpx
    exception a real socket would cause (`httpx.RemoteProtocolError`,
    `httpx.ReadError`, `httpx.ReadTimeout` past the request's read timeout).
    """

    times: int = 1
    method: str | None = None
    path: str | None = None
    status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0
    drop: DropKind | None = None
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    stall_after_headers: float = 0.0
    trickle: float | None = attrs.field(default=None)
    path_prefix: str | None = None
    _pattern: re.Pattern[str] | None = attrs.field(init=False, default=None, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.path is not None and "{" in self.path:
            self._pattern = route_pattern(self.path)

    @trickle.validator
    def _check_trickle(self, _: object, value: float | None) -> None:
        if value is not None and not value > 0:
            raise ValueError("trickle must be a positive number of bytes per second")

    @property
    def shapes_delivery(self) -> bool:
        """Whether this fault changes how the reply travels (not only what it says)."""
        return self.drop == "mid-body" or self.stall_after_headers > 0 or self.trickle is not None

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a request."""
        if self.times <= 0:
            return False
        if self.method is not None and self.method != method:
            return False
        if self.path_prefix is not None and not path.startswith(self.path_prefix):
            return False
        if self._pattern is not None:
            return self._pattern.match(path) is not None
        return self.path is None or self.path == path

    def reply(self) -> Reply | None:
        """The reply this fault forces, if it forces one."""
        if self.status is None:
            return None
        headers = self.headers
        if self.retry_after is not None:
            headers = (("retry-after", self.retry_after), *headers)
        if self.body is not None:
            return Reply(self.status, self.body, (("content-type", "text/html"), *headers))
        return Reply.json(self.status, error_body(self.status, "injected fault"), headers)


Handler = Callable[..., Awaitable[Reply] | Reply]
"""A routed operation: called with the request and the path's values, answers a `Reply`."""


class App(Protocol):
    """What the socket server and `FakeTransport` serve: `FakeScalekit`, or a wrapper of it."""

    async def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Reply:
        """Answer one request; raise `Dropped` when the connection must be cut."""
        ...


def route_pattern(template: str) -> re.Pattern[str]:
    """The regex of a grpc-gateway *template*: ``{name}`` matches one encoded segment."""
    pattern = ""
    names: set[str] = set()
    for literal, name in re.findall(r"([^{]*)(?:\{([A-Za-z_][A-Za-z0-9_.]*)\})?", template):
        pattern += re.escape(literal)
        if name:
            group = name.replace(".", "_")
            pattern += "[^/:]+" if group in names else f"(?P<{group}>[^/:]+)"
            names.add(group)
    return re.compile(pattern + r"\Z")


class Router:
    """Match a method and a raw path against grpc-gateway templates."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], str, Handler]] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        """Route *method* on *template* (``{name}`` matches one encoded segment)."""
        self._routes.append((method, route_pattern(template), template, handler))

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str], str] | int:
        """The handler, decoded path values and template, or 404/405."""
        status = 404
        for route_method, pattern, template, handler in self._routes:
            found = pattern.match(path)
            if found is None:
                continue
            if route_method != method:
                status = 405
                continue
            values = {k: unquote(v) for k, v in found.groupdict().items()}
            return handler, values, template
        return status

    def templates(self) -> list[tuple[str, str]]:
        """Every (method, template) routed."""
        return [(m, t) for m, _, t, _ in self._routes]


def as_mapping(value: Any) -> Mapping[str, Any]:
    """A JSON object from a body, or a 400 saying it is not one."""
    if not isinstance(value, Mapping):
        raise ApiError(400, "request body must be a JSON object")
    return value
