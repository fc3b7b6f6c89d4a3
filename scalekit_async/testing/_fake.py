"""`FakeScalekit`: a stateful, in-memory Scalekit that speaks the real wire format."""

from __future__ import annotations

import secrets
import socket
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl

import anyio
import attrs
import httpx

from .._client import ScalekitClient
from ._api_clients import install as install_api_clients
from ._auth_logs import install as install_auth_logs
from ._connected_accounts import install as install_connected_accounts
from ._connections import install as install_connections
from ._constants import (
    API_PREFIX,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_ENV_URL,
    TOKEN_PATH,
)
from ._directories import install as install_directories
from ._domains import install as install_domains
from ._http import ApiError, DropKind, Dropped, FakeRequest, Fault, Reply, error_body
from ._mcp import install as install_mcp
from ._memberships import install as install_memberships
from ._oauth import install as install_oauth
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

__all__ = ["FakeScalekit", "FakeTransport"]

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

    In-process: ``fake.client()`` returns a `ScalekitClient` wired to it with
    no sockets. Over a socket: ``async with fake.serve() as url`` (or
    ``python -m scalekit_async.testing --port 8765``).

    What it knows (``fake.organizations``, ``fake.users``, ``fake.webhooks``,
    ``fake.requests``, ...) is its `FakeState`; this class adds the request
    path: the token endpoint, token checks, injected faults and dispatch.

    """

    def __init__(
        self,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        token_ttl: float = 3600.0,
        seed: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(client_id=client_id, client_secret=client_secret, seed=seed)
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
    ) -> Fault:
        """Inject a fault into the next *times* matching requests (see `Fault`)."""
        fault = Fault(
            times,
            method,
            path,
            status,
            retry_after,
            delay,
            drop,
            body,
            tuple((headers or {}).items()),
            stall_after_headers,
            trickle,
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

    def client(self, **options: Any) -> ScalekitClient:
        """A `ScalekitClient` wired to this fake in-process (no sockets)."""
        return ScalekitClient(
            DEFAULT_ENV_URL,
            self.client_id,
            self.client_secret,
            transport=FakeTransport(self),
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

    async def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Reply:
        """Answer one request; raises `Dropped` when the connection must be cut."""
        path, _, query_string = target.partition("?")
        token = None
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[7:]
        request = FakeRequest(
            method, path, tuple(parse_qsl(query_string, keep_blank_values=True)), body, token
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
        if request.path == TOKEN_PATH:
            return self._token_endpoint(request, headers)
        if request.path.startswith(API_PREFIX) and not self._authorized(request.token):
            self.rejected_tokens += 1
            message = "Token empty" if not request.token else "token is invalid or expired"
            return Reply.json(401, error_body(401, message))
        found = self.router.match(request.method, request.path)
        if isinstance(found, int):
            message = "Not Found" if found == 404 else "Method Not Allowed"
            return Reply.json(found, {"code": 5 if found == 404 else 12, "message": message})
        handler, values, _ = found
        try:
            result = handler(request, **values)
        except ApiError as exc:
            return exc.reply
        assert isinstance(result, Reply)
        return result

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
        if form.get("client_id") != self.client_id or not secrets.compare_digest(
            form.get("client_secret", ""), self.client_secret
        ):
            return Reply.json(
                401, {"error": "invalid_client", "error_description": "invalid client credentials"}
            )
        try:
            return handler(request, form)
        except ApiError as exc:
            return exc.reply

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
        headers = {k.decode().lower(): v.decode() for k, v in request.headers.raw}
        try:
            reply = await self._fake.handle(request.method, target, headers, body)
        except Dropped as exc:
            if exc.reset:
                raise httpx.ReadError("Connection reset by peer", request=request) from None
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None
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
