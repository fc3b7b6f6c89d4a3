"""`FakeScalekit`: a stateful, in-memory Scalekit that speaks the real wire format."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import anyio
import attrs
import httpx

from .._client import ScalekitClient
from .._retry import RetryPolicy
from ._api_clients import install as install_api_clients
from ._api_resources import install as install_api_resources
from ._api_tokens import install as install_api_tokens
from ._auth_logs import install as install_auth_logs
from ._connected_accounts import install as install_connected_accounts
from ._connections import install as install_connections
from ._constants import (
    API_PREFIX,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_ENV_URL,
    PROXY_PREFIX,
    TOKEN_PATH,
)
from ._directories import install as install_directories
from ._domains import install as install_domains
from ._event_log import install as install_event_log
from ._http import (
    ApiError,
    DropKind,
    Dropped,
    FakeDefect,
    FakeRequest,
    Fault,
    Reply,
    error_body,
)
from ._mcp import install as install_mcp
from ._memberships import install as install_memberships
from ._oauth import install as install_oauth
from ._oauth_clients import install as install_oauth_clients
from ._organizations import install as install_organizations
from ._passkeys import install as install_passkeys
from ._passwordless import install as install_passwordless
from ._permissions import install as install_permissions
from ._providers import install as install_providers
from ._roles import install as install_roles
from ._server import ServerStats, serve as serve_socket
from ._sessions import install as install_sessions
from ._state import FakeState
from ._tools import install as install_tools
from ._users import install as install_users
from ._validation import OperationCheck, spec_checks, status_problems

if TYPE_CHECKING:
    from .._auth import TokenStore
    from .._hooks import Attempt, Hooks
    from .._sender import RateLimiter, Timeouts

__all__ = ["STRICT_ENV", "FakeScalekit", "FakeTransport"]

logger = logging.getLogger("scalekit_async.testing")

STRICT_ENV = "SCALEKIT_FAKE_STRICT"
"""The environment variable that turns strict mode on by default (``1``, ``true``, ``yes``)."""


def _strict_default() -> bool:
    return os.environ.get(STRICT_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


_INSTALLERS: tuple[Callable[[FakeState], None], ...] = (
    install_organizations,
    install_connections,
    install_domains,
    install_directories,
    install_users,
    install_memberships,
    install_roles,
    install_permissions,
    install_sessions,
    install_api_clients,
    install_passwordless,
    install_passkeys,
    install_auth_logs,
    install_connected_accounts,
    install_tools,
    install_mcp,
    install_providers,
    install_api_tokens,
    install_event_log,
    install_oauth_clients,
    install_api_resources,
    install_oauth,
)
"""Each endpoint family's ``install``, in routing order."""


class FakeScalekit(FakeState):
    """A stateful fake of the Scalekit API for tests, in-process or over a socket.

    Args:
        client_id: The client id its token endpoint accepts.
        client_secret: The client secret its token endpoint accepts.
        token_ttl: The ``expires_in`` of the tokens it issues, in seconds.
        seed: Seeds generated ids, so runs are reproducible.
        clock: A monotonic clock for token expiry (injectable for tests).
        strict: Fail on the fake's own defects instead of answering 500 (see
            below). ``None``: on when the ``SCALEKIT_FAKE_STRICT`` environment
            variable is ``1`` (the project's own test suite sets it).

    In-process: ``fake.client()`` returns a `ScalekitClient` wired to it with
    no sockets. Over a socket: ``async with fake.serve() as url`` (or
    ``python -m scalekit_async.testing --port 8765``).

    What it knows (``fake.organizations``, ``fake.users``, ``fake.webhooks``,
    ``fake.requests``, ...) is its `FakeState`; this class adds the request
    path: the token endpoint, token checks, injected faults, request validation
    and dispatch.

    Requests to the API's documented operations are validated against the
    official spec first, as Scalekit validates them: a violation is a 400
    ``INVALID_ARGUMENT`` naming each field (``error.field_violations``).

    A handler that raises is answered 500 ``INTERNAL`` (Scalekit's error body),
    its traceback logged (logger ``scalekit_async.testing``) and noted in
    `defects`: no request, however malformed, stops the fake. In strict mode
    the fake also checks its own answers (each 2xx body against its documented
    schema, each error body against ``google.rpc.Status``), and any defect
    raises `FakeDefect` (an ``AssertionError``) to the in-process caller, so the
    test fails with the fake's traceback (over a socket: a 500 naming it).
    """

    def __init__(
        self,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        token_ttl: float = 3600.0,
        seed: int = 0,
        clock: Callable[[], float] = time.monotonic,
        strict: bool | None = None,
    ) -> None:
        super().__init__(client_id=client_id, client_secret=client_secret, seed=seed)
        self.strict = _strict_default() if strict is None else strict
        """Whether the fake's own defects fail (raise `FakeDefect`) instead of answering 500."""
        if self.strict and spec_checks() is None:
            raise RuntimeError(
                "strict mode validates against the spec with jsonschema: "
                "pip install 'scalekit-async[fake]'"
            )
        self.defects: list[str] = []
        """The fake's own failures: handlers that raised, answers outside the spec (strict)."""
        self.token_ttl = token_ttl
        self._clock = clock
        self._tokens: dict[str, float] = {}
        self._faults: list[Fault] = []
        self.tokens_issued = 0
        """How many tokens the token endpoint issued."""
        self.rejected_tokens = 0
        """How many API requests came with an unknown or expired token."""
        self.grant_handlers["client_credentials"] = self._client_credentials
        for install in _INSTALLERS:
            install(self)

    def __repr__(self) -> str:
        return f"<FakeScalekit client_id={self.client_id!r} tokens_issued={self.tokens_issued}>"

    # -- configuration used by tests ------------------------------------

    def fail_next(
        self,
        times: int = 1,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        retry_after: str | None = None,
        delay: float = 0.0,
        drop: DropKind | None = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        stall_after_headers: float = 0.0,
        trickle: float | None = None,
        path_prefix: str | None = None,
    ) -> Fault:
        """Inject a fault into the next *times* matching requests (see `Fault`).

        A request matches when its method is *method* (any when ``None``) and
        its path (raw, without the query) is *path* exactly, or fits *path* as a
        route template (``"/api/v1/organizations/{id}"``: any id, one segment
        per ``{name}``), and starts with *path_prefix* (``"/api/"``: every API
        call). Neither given: every request, the token endpoint included. The
        oldest fault that matches a request applies to it.
        """
        fault = Fault(
            times,
            method=method,
            path=path,
            status=status,
            retry_after=retry_after,
            delay=delay,
            drop=drop,
            body=body,
            headers=tuple((headers or {}).items()),
            stall_after_headers=stall_after_headers,
            trickle=trickle,
            path_prefix=path_prefix,
        )
        self._faults.append(fault)
        return fault

    def expire_tokens(self) -> None:
        """Make every issued token invalid now (as if they all expired)."""
        self._tokens.clear()

    def api_requests(self, method: str | None = None, path: str | None = None) -> list[FakeRequest]:
        """The recorded API requests (token requests excluded), optionally filtered."""
        return [
            r
            for r in self.requests
            if r.path.startswith(API_PREFIX)
            and (method is None or r.method == method)
            and (path is None or r.path == path)
        ]

    def client(
        self,
        *,
        fast_retries: bool = False,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        timeouts: Timeouts | None = None,
        hooks: Hooks | None = None,
        on_attempt: tuple[Callable[[Attempt], None], ...] = (),
        tracer: Any = None,
        token_store: TokenStore | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> ScalekitClient:
        """A `ScalekitClient` wired to this fake in-process (no sockets).

        The keyword arguments are `ScalekitClient`'s (``timeout=None``: its
        default). With *fast_retries*, the client decides exactly as configured
        (which statuses it retries, how often, the retry budget, a
        ``Retry-After`` too long to honour) but sleeps none of the waits, backoff
        and ``Retry-After`` alike (its `RetryPolicy` ``wait_scale`` is 0), so a
        test of persistent 503s or 429s takes milliseconds.
        """
        if fast_retries:
            retry = attrs.evolve(retry or RetryPolicy(), wait_scale=0.0)
        options: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        return ScalekitClient(
            DEFAULT_ENV_URL,
            self.client_id,
            self.client_secret,
            transport=FakeTransport(self),
            max_retries=max_retries,
            retry=retry,
            timeouts=timeouts,
            hooks=hooks,
            on_attempt=on_attempt,
            tracer=tracer,
            token_store=token_store,
            rate_limiter=rate_limiter,
            **options,
        )

    @asynccontextmanager
    async def serve(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        stats: ServerStats | None = None,
        sock: socket.socket | None = None,
    ) -> AsyncIterator[str]:
        """Serve this fake over HTTP/1.1 on a real socket; yields its base URL.

        Args:
            host: The address to bind (loopback by default).
            port: The port to bind (0: any free port).
            stats: Counts the connections the server holds open (for leak tests).
            sock: A listening socket to serve on instead of binding a new one.
        """
        async with serve_socket(self, host, port, stats=stats, sock=sock) as url:
            yield url

    async def aclose(self) -> None:
        """Release what webhook delivery holds (its HTTP client); the fake stays usable."""
        await self.webhooks.aclose()

    # -- the request path ------------------------------------------------

    def failed(self, where: str, error: BaseException) -> Reply:
        """Note and log the fake's own failure at *where*: a 500 reply, or `FakeDefect` (strict).

        The socket server and `FakeTransport` call it for an exception a
        request raised; it is public so that an `App` wrapping a fake can too.
        """
        detail = f"{type(error).__name__}: {error}"
        self.defects.append(f"{where}: {detail}")
        logger.error("the fake failed on %s", where, exc_info=error)
        if self.strict:
            raise FakeDefect(f"the fake failed on {where}: {detail}") from error
        return Reply.json(500, error_body(500, "internal error"))

    async def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Reply:
        """Answer one request; raises `Dropped` when the connection must be cut.

        Any other exception becomes a 500 answer (or, in strict mode, `FakeDefect`).
        """
        try:
            return await self._handle(method, target, headers, body)
        except (Dropped, FakeDefect):
            raise
        except Exception as exc:
            return self.failed(f"{method} {target.partition('?')[0]}", exc)

    async def _handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Reply:
        path, _, query_string = target.partition("?")
        token = None
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[7:]
        request = FakeRequest(
            method,
            path,
            tuple(parse_qsl(query_string, keep_blank_values=True)),
            body,
            token,
            tuple((k.lower(), v) for k, v in headers.items() if k.lower() != "authorization"),
        )
        fault = next((f for f in self._faults if f.matches(method, path)), None)
        if fault is not None:
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
            if fault.delay:
                await anyio.sleep(fault.delay)
            if fault.drop in ("before", "reset"):
                raise Dropped(reset=fault.drop == "reset")
        self.requests.append(request)
        forced = fault.reply() if fault is not None else None
        reply = forced if forced is not None else self._dispatch(request, headers)
        await self.webhooks.deliver()  # the request's events go out before its answer
        if fault is not None:
            if fault.drop == "after":
                raise Dropped
            if fault.shapes_delivery:
                reply = attrs.evolve(reply, fault=fault)
        return reply

    def _dispatch(self, request: FakeRequest, headers: Mapping[str, str]) -> Reply:
        reply, operation = self._route(request, headers)
        if self.strict and request.path.startswith(API_PREFIX):
            problems = self._answer_problems(reply, operation)
            if problems:
                where = f"{request.method} {request.path}"
                self.defects.append(f"{where}: answer outside the spec: {problems}")
                raise FakeDefect(
                    f"the fake answered {where} outside the spec:\n  " + "\n  ".join(problems)
                )
        return reply

    def _route(
        self, request: FakeRequest, headers: Mapping[str, str]
    ) -> tuple[Reply, OperationCheck | None]:
        """The reply to *request*, and the spec operation it was checked against."""
        if request.path == TOKEN_PATH:
            return self._token_endpoint(request, headers), None
        if request.path.startswith((API_PREFIX, PROXY_PREFIX)) and not self._authorized(
            request.token
        ):
            self.rejected_tokens += 1
            message = "Token empty" if not request.token else "token is invalid or expired"
            return Reply.json(401, error_body(401, message)), None
        found = self.router.match(request.method, request.path)
        if isinstance(found, int):
            message = "Not Found" if found == 404 else "Method Not Allowed"
            code = 5 if found == 404 else 12
            body: dict[str, Any] = {"code": code, "message": message, "details": []}
            return Reply.json(found, body), None
        handler, values, template = found
        checks = spec_checks()
        operation = checks.operation(request.method, template) if checks is not None else None
        try:
            if operation is not None:  # handlers get input the spec allows, decoded
                request = operation.check_request(request)
            result = handler(request, **values)
        except ApiError as exc:
            reply = exc.reply if operation is None else operation.qualified(exc.reply)
            return reply, operation
        if not isinstance(result, Reply):
            raise TypeError(f"the handler of {template} answered {type(result).__name__}")
        return result, operation

    @staticmethod
    def _answer_problems(reply: Reply, operation: OperationCheck | None) -> list[str]:
        """How an API answer breaks the spec: its 2xx schema, or the Status shape of errors."""
        content_type = dict(reply.headers).get("content-type", "")
        if not content_type.startswith("application/json"):
            return [f"content-type {content_type!r} is not application/json"]
        if 200 <= reply.status < 300:
            return operation.answer_problems(reply) if operation is not None else []
        return [f"{reply.status} error body: {p}" for p in status_problems(reply)]

    def _authorized(self, token: str | None) -> bool:
        if token is None:
            return False
        expires = self._tokens.get(token)
        if expires is None:
            return False
        if self._clock() >= expires:
            del self._tokens[token]
            return False
        return True

    def _token_endpoint(self, request: FakeRequest, headers: Mapping[str, str]) -> Reply:
        if request.method != "POST":
            return Reply.json(405, {"code": 12, "message": "Method Not Allowed"})
        form = dict(parse_qsl(request.body.decode("utf-8", "replace")))
        handler = self.grant_handlers.get(form.get("grant_type", ""))
        if handler is None:
            return Reply.json(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant_type not supported",
                },
            )
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if client_id != self.client_id or not secrets.compare_digest(secret, self.client_secret):
            # An API client created through the fake (an organization's M2M client, an
            # OAuth or resource client) gets a signed M2M token with client credentials.
            client = self._api_client(client_id)
            if client is None or not self.secret_matches(client, secret):
                return Reply.json(
                    401,
                    {"error": "invalid_client", "error_description": "invalid client credentials"},
                )
            if form.get("grant_type") != "client_credentials" or self.m2m_grant is None:
                return Reply.json(
                    400,
                    {
                        "error": "unauthorized_client",
                        "error_description": "this client may only use client_credentials",
                    },
                )
            try:
                return self.m2m_grant(client, form)
            except ApiError as exc:
                return exc.reply
        try:
            return handler(request, form)
        except ApiError as exc:
            return exc.reply

    def _api_client(self, client_id: str) -> Mapping[str, Any] | None:
        """The wire record of an API client created through the fake, by its id."""
        for store in (self.api_clients, self.oauth_clients, self.resource_clients):
            if client_id in store:
                record: Mapping[str, Any] = store[client_id]
                return record
        return None

    def issue_token(self, ttl: float | None = None) -> str:
        """Issue an opaque API access token valid for *ttl* seconds (default `token_ttl`)."""
        token = "fake_at_" + secrets.token_urlsafe(24)
        self._tokens[token] = self._clock() + (self.token_ttl if ttl is None else ttl)
        self.tokens_issued += 1
        return token

    def _client_credentials(self, request: FakeRequest, form: Mapping[str, str]) -> Reply:
        token = self.issue_token()
        ttl = self.token_ttl
        return Reply.json(
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": int(ttl) if float(ttl).is_integer() else ttl,
                "scope": "openid",
            },
        )


class FakeTransport(httpx.AsyncBaseTransport):
    """An httpx transport that hands requests to a `FakeScalekit` in-process."""

    def __init__(self, fake: FakeScalekit) -> None:
        self._fake = fake

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer *request* from the fake; a dropped connection raises like a real one."""
        body = await request.aread()
        target = request.url.raw_path.decode("ascii")
        headers = {k.decode().lower(): v.decode("latin-1") for k, v in request.headers.raw}
        try:
            reply = await self._fake.handle(request.method, target, headers, body)
        except Dropped as exc:
            if exc.reset:
                raise httpx.ReadError("Connection reset by peer", request=request) from None
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None
        except FakeDefect:
            raise  # strict mode: the test fails, with the fake's traceback as the cause
        except Exception as exc:  # the boundary: a wrapper's own failure, as a 500
            reply = self._fake.failed(f"{request.method} {request.url.path}", exc)
        if reply.fault is not None:
            await _deliver_in_process(reply, reply.fault, request)
        return httpx.Response(
            reply.status, headers=list(reply.headers), content=reply.body, request=request
        )


async def _deliver_in_process(reply: Reply, fault: Fault, request: httpx.Request) -> None:
    """Act out a delivery fault as a socket would: wait, or raise the httpx exception."""
    timeouts = request.extensions.get("timeout") or {}
    read = timeouts.get("read")
    stall = fault.stall_after_headers
    if fault.trickle is not None:
        # The body arrives in chunks: a read times out only if one chunk takes too long.
        stall = max(stall, max(1, int(fault.trickle * 0.05)) / fault.trickle)
    if read is not None and stall >= read:
        await anyio.sleep(read)
        raise httpx.ReadTimeout("timed out", request=request)
    if fault.stall_after_headers > 0:
        await anyio.sleep(fault.stall_after_headers)
    if fault.drop == "mid-body":
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body: "
            f"received {len(reply.body) // 2} bytes, expected {len(reply.body)}",
            request=request,
        )
    if fault.trickle is not None:
        await anyio.sleep(len(reply.body) / fault.trickle)
