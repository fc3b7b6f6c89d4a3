"""`ScalekitClient`: the one object users hold; every call goes through `_request`.

A call's path: resource method -> `_request` (deadline, headers, body) ->
`Transport.send` (attempts, retries, a fresh token per attempt from the
`TokenRefresher`) -> 401 replay once -> typed error or decoded JSON ->
`structure` into a frozen model.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import platform
import warnings
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

import anyio
import anyio.lowlevel
import attrs
import cattrs
import httpx

from ._auth import TokenGrant, TokenRefresher, TokenStore
from ._config import Credentials
from ._converter import format_timestamp, make_converter
from ._errors import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    ConfigurationError,
    RateLimitError,
    ResponseValidationError,
    ScalekitError,
    TokenError,
    WrongEventLoopError,
    decode_body,
    scrub,
    status_error,
    token_error,
)
from ._oidc import Auth
from ._otel import traced
from ._retry import RetryPolicy, parse_retry_after
from ._routes import Route
from ._transport import (
    Answer,
    Attempt,
    Hooks,
    RateLimiter,
    Timeouts,
    Transport,
)
from ._types import NOT_GIVEN, NotGiven
from ._version import __version__
from .resources import (
    ApiClients,
    AuthLogs,
    ConnectedAccounts,
    Connections,
    Directories,
    Domains,
    Mcp,
    Memberships,
    Organizations,
    Passkeys,
    Passwordless,
    Permissions,
    Providers,
    Roles,
    Sessions,
    Tools,
    Users,
)

__all__ = ["ScalekitClient"]

logger = logging.getLogger("scalekit_async")

T = TypeVar("T")

TOKEN_PATH = "/oauth/token"  # noqa: S105 - a path, not a secret
DEFAULT_TIMEOUT = 60.0
DEFAULT_TOKEN_LIFETIME = 300.0
USER_AGENT = (
    f"scalekit-async/{__version__} python/{platform.python_version()} httpx/{httpx.__version__}"
)
_BASE_HEADERS = [("Accept", "application/json"), ("User-Agent", USER_AGENT)]
_JSON_HEADERS = [*_BASE_HEADERS, ("Content-Type", "application/json")]
_FORM_HEADERS = [*_BASE_HEADERS, ("Content-Type", "application/x-www-form-urlencoded")]
_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=50, keepalive_expiry=15.0)


class ScalekitClient:
    """An async client for the Scalekit REST API, safe to share across tasks.

    Args:
        environment_url: Your environment, e.g. ``https://acme.scalekit.dev``
            (default: ``SCALEKIT_ENVIRONMENT_URL``).
        client_id: The API client id (default: ``SCALEKIT_CLIENT_ID``).
        client_secret: The API client secret (default: ``SCALEKIT_CLIENT_SECRET``).
            It never appears in a repr, log line or error.
        timeout: The deadline of one call in seconds: token fetch, every
            attempt and every backoff sleep together.
        max_retries: Retries after the first attempt (see `RetryPolicy`).
        http_client: An `httpx.AsyncClient` to send through; the SDK never closes it.
        transport: An httpx transport for the client the SDK creates and owns
            (and closes), e.g. a fast transport or an in-process fake.
        retry: The retry policy; `max_retries` overrides its count.
        timeouts: Per-phase limits of one attempt.
        hooks: Callbacks told about every request, response and retry (method,
            route template, status, attempt, duration, delay; never ids or secrets).
        on_attempt: Shorthand for ``hooks=Hooks(on_response=...)``.
        tracer: An OpenTelemetry ``Tracer``: each call becomes a span named by
            its route template (``GET /api/v1/organizations/{id}``), so ids never
            explode span-name cardinality. Needs ``opentelemetry-api`` (extra ``otel``).
        token_store: Where new tokens come from; share one token between
            processes with a `TokenStore` such as ``RedisTokenStore``.
        rate_limiter: A request budget shared with other clients (e.g. a
            fleet-wide ``RedisRateLimiter``); 429 waits pause all of them.

    No I/O happens here: the first call fetches the token.

    """

    def __init__(
        self,
        environment_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        timeouts: Timeouts | None = None,
        hooks: Hooks | None = None,
        on_attempt: tuple[Callable[[Attempt], None], ...] = (),
        tracer: Any = None,
        token_store: TokenStore | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        if not timeout > 0:
            raise ConfigurationError("timeout must be a positive number of seconds")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigurationError("max_retries must be a non-negative int")
        self._credentials = Credentials.resolve(environment_url, client_id, client_secret)
        self._base = self._credentials.environment_url
        self._timeout = float(timeout)
        self._policy = attrs.evolve(retry or RetryPolicy(), max_retries=max_retries)
        self._timeouts = timeouts or Timeouts()
        if http_client is not None and transport is not None:
            raise ConfigurationError("pass http_client or transport, not both")
        self._given_http = http_client
        self._given_transport = transport
        hooks = hooks or Hooks()
        if on_attempt:
            hooks = attrs.evolve(hooks, on_response=(*hooks.on_response, *on_attempt))
        self._hooks = hooks
        self._tracer = tracer
        self._transport: Transport | None = None
        self._closed = False
        self._loop: object | None = None
        self._converter = make_converter()
        self._limiter = rate_limiter
        self._tokens = TokenRefresher(
            self._fetch_token, store=token_store, fetch_timeout=self._timeout
        )
        self.auth = Auth(self)
        self.organizations = Organizations(self)
        self.connections = Connections(self)
        self.domains = Domains(self)
        self.directories = Directories(self)
        self.users = Users(self)
        self.memberships = Memberships(self)
        self.roles = Roles(self)
        self.permissions = Permissions(self)
        self.sessions = Sessions(self)
        self.api_clients = ApiClients(self)
        self.passwordless = Passwordless(self)
        self.passkeys = Passkeys(self)
        self.auth_logs = AuthLogs(self)
        self.connected_accounts = ConnectedAccounts(self)
        self.tools = Tools(self)
        self.mcp = Mcp(self)
        self.providers = Providers(self)

    def __repr__(self) -> str:
        return (
            f"<ScalekitClient environment_url={self._base!r} "
            f"client_id={self._credentials.client_id!r}{' closed' if self._closed else ''}>"
        )

    @property
    def environment_url(self) -> str:
        """The environment this client talks to."""
        return self._base

    @property
    def converter(self) -> cattrs.Converter:
        """The client's cattrs converter (wire JSON <-> models)."""
        return self._converter

    @property
    def token_fetches(self) -> int:
        """How many token requests this client has made (for diagnostics and tests)."""
        return self._tokens.fetches

    @property
    def token_state(self) -> str:
        """Where the cached token stands: empty, fresh, advisory or mandatory (diagnostics)."""
        return self._tokens.state()

    async def __aenter__(self) -> ScalekitClient:
        self._check_open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections this client opened; safe to call more than once.

        An `http_client` given to the constructor is left open for its owner.
        """
        if self._closed:
            return
        self._closed = True
        transport, self._transport = self._transport, None
        if transport is None:
            return
        if self._loop is not None and anyio.lowlevel.current_token() != self._loop:
            # The connections belong to another (likely closed) loop: closing them
            # from here would fail with "Event loop is closed". Let them go.
            transport.abandon()
            warnings.warn(
                "ScalekitClient.aclose() ran on another event loop than the one the client "
                "was used on; its connections were dropped, not closed",
                ResourceWarning,
                stacklevel=2,
            )
            return
        await transport.aclose()

    def __del__(self) -> None:
        if getattr(self, "_closed", True) or getattr(self, "_given_http", None) is not None:
            return
        if getattr(self, "_transport", None) is not None:
            warnings.warn(
                f"{self!r} was not closed; use `async with` or `await client.aclose()`",
                ResourceWarning,
                stacklevel=1,
            )

    # -- the request path -------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise ClientClosedError("this ScalekitClient is closed; create a new one")

    def _transport_for_call(self) -> Transport:
        self._check_open()
        loop = anyio.lowlevel.current_token()
        if self._loop is None:
            self._loop = loop
        elif loop != self._loop:
            raise WrongEventLoopError(
                "this ScalekitClient was first used on another event loop; "
                "create one client per event loop"
            )
        transport = self._transport
        if transport is None:
            common: dict[str, Any] = {
                "policy": self._policy,
                "timeouts": self._timeouts,
                "hooks": self._hooks,
                "limiter": self._limiter,
            }
            if self._given_http is not None:
                transport = Transport(http=self._given_http, **common)
            elif self._given_transport is not None:
                given = self._given_transport
                transport = Transport(factory=lambda: given, rotate_after=None, **common)
            else:
                transport = Transport(factory=_default_transport, **common)
            self._transport = transport
        return transport

    async def _authorize(self, deadline: float) -> str:
        token = self._tokens.peek()
        if token is not None:
            return "Bearer " + token
        # Waiting for a fetch: bounded by the call's deadline (the fetch itself runs on).
        with anyio.move_on_after(deadline - anyio.current_time()) as scope:
            return "Bearer " + await self._tokens.token()
        assert scope.cancelled_caught
        raise APITimeoutError("the call's deadline passed while waiting for a token")

    async def _request(
        self,
        route: Route,
        *path: str,
        params: Mapping[str, Any] | None = None,
        body: Any = NOT_GIVEN,
        timeout: float | None = None,
        timeouts: Timeouts | None = None,
    ) -> Any:
        """Send one API call and return its decoded JSON body (``{}`` when empty).

        *timeout* overrides the call's deadline and *timeouts* the per-phase
        limits (long-running operations such as tool execution use both).
        """
        url = self._base + route.path(*path)
        transport = self._transport_for_call()
        if isinstance(body, NotGiven):
            content, headers = None, _BASE_HEADERS
        else:
            content, headers = _dump_json(body), _JSON_HEADERS
        if params:
            query = _query(params)
            if query:
                url += "?" + urlencode(query)
        deadline = anyio.current_time() + (timeout or self._timeout)
        send = functools.partial(
            transport.send,
            route.method,
            url,
            route=route.template,
            deadline=deadline,
            idempotent=route.idempotent,
            replayable=route.replayable,
            headers=headers,
            content=content,
            authorize=self._authorize,
            timeouts=timeouts,
        )
        # One coroutine frame for the whole call: every frame alive while the
        # request is on the wire costs time on each resume, at any concurrency.
        span = traced(self._tracer, route) if self._tracer is not None else nullcontext()
        try:
            with span:
                # No cancel scope around the whole call: every await below is bounded by
                # the deadline on its own (token wait, rate limiter, each attempt, sleeps),
                # which spares a timer per call on the hot path.
                try:
                    response, sent = await send()
                    if response.status_code == 401 and sent is not None:
                        # The token was rejected: forget it (if still cached), replay once.
                        self._tokens.invalidate(sent.removeprefix("Bearer "))
                        response, sent = await send(max_retries=0)
                except TokenError as error:
                    if anyio.current_time() < deadline:
                        raise
                    # The token endpoint ate the call's whole deadline: a timeout.
                    raise APITimeoutError(
                        f"{route}: deadline of {timeout or self._timeout:g}s exceeded "
                        "while fetching a token"
                    ) from error
                return _decode(response)
        except ScalekitError as error:
            scrub(error, self._secrets())
            raise

    def _secrets(self) -> tuple[str, ...]:
        """What must never appear in an error: the client secret and the current token."""
        return (self._credentials.client_secret.reveal(), *self._tokens.known_values())

    def _structure(self, data: Any, cls: type[T]) -> T:
        if attrs.has(cls) and not isinstance(data, Mapping):
            raise ResponseValidationError(
                f"response is not a {cls.__name__} object", status_code=200, body=data
            )
        try:
            return self._converter.structure(data, cls)
        except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as exc:
            raise ResponseValidationError(
                f"response is not a valid {getattr(cls, '__name__', cls)}: {type(exc).__name__}",
                status_code=200,
                body=data,
            ) from exc

    def _unwrap(self, data: Any, key: str, cls: type[T]) -> T:
        if not isinstance(data, Mapping) or not isinstance(data.get(key), Mapping):
            raise ResponseValidationError(
                f"response has no {key!r} object", status_code=200, body=data
            )
        return self._structure(data[key], cls)

    async def _fetch_token(self) -> TokenGrant:
        transport = self._transport_for_call()
        creds = self._credentials
        form = urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": creds.client_id,
                "client_secret": creds.client_secret.reveal(),
            }
        ).encode()
        try:
            response, _ = await transport.send(
                "POST",
                self._base + TOKEN_PATH,
                route=TOKEN_PATH,
                deadline=anyio.current_time() + self._timeout,
                idempotent=True,  # asking for a token twice has no side effect
                headers=_FORM_HEADERS,
                content=form,
            )
        except (APIConnectionError, RateLimitError) as exc:
            raise TokenError(f"token request failed: {exc}") from exc
        if response.status_code != 200:
            error = token_error(response.status_code, response.content)
            scrub(error, (creds.client_secret.reveal(),))
            raise error
        return _parse_grant(response.content)


def _default_transport() -> httpx.AsyncBaseTransport:
    return httpx.AsyncHTTPTransport(limits=_LIMITS)


def _dump_json(body: Any) -> bytes:
    try:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    except (TypeError, ValueError) as exc:
        raise TypeError(f"request body is not JSON-serializable: {exc}") from None


def _query(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Flatten query params: lists repeat the key; bools are lowercase; None is dropped."""
    out: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None or isinstance(value, NotGiven):
            continue
        values = value if isinstance(value, list | tuple) else (value,)
        for v in values:
            if isinstance(v, bool):
                out.append((key, "true" if v else "false"))
            elif isinstance(v, datetime):
                out.append((key, format_timestamp(v)))
            else:
                out.append((key, str(v)))
    return out


def _decode(response: Answer) -> Any:
    status = response.status_code
    if 200 <= status < 300:
        content = response.content
        if not content.strip():
            return {}
        try:
            return json.loads(content)
        except (ValueError, UnicodeDecodeError):
            raise ResponseValidationError(
                f"HTTP {status} answer is not JSON", status_code=status, body=decode_body(content)
            ) from None
    raise status_error(
        status,
        response.reason_phrase,
        response.content,
        request_id=response.headers.get("x-request-id"),
        retry_after=parse_retry_after(response.headers),
    )


def _parse_grant(content: bytes) -> TokenGrant:
    body = decode_body(content)
    if not isinstance(body, Mapping):
        raise TokenError("token endpoint answered with a body that is not a JSON object")
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise TokenError("token endpoint answered without an access_token")
    expires_in = body.get("expires_in", DEFAULT_TOKEN_LIFETIME)
    if isinstance(expires_in, str):
        try:
            expires_in = float(expires_in)
        except ValueError:
            expires_in = None
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float):
        raise TokenError("token endpoint answered with an expires_in that is not a number")
    if not math.isfinite(expires_in):
        raise TokenError("token endpoint answered with an expires_in that is not finite")
    return TokenGrant(token, float(expires_in))
