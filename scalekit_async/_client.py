"""`ScalekitClient`: the object users hold; it owns the lifecycle and the namespaces.

The client opens the pool on first use, binds it to that event loop, and
closes it. Every request goes through its `Engine` (``_engine.py``): resource
calls, the client-credentials token, user-token grants and the JWKS fetch.

Configuration precedence, for every setting: an explicit argument wins over
the policy object, and the policy wins over the default. ``max_retries=None``
means "the `RetryPolicy`'s"; ``timeouts=None`` means `Timeouts()`.
"""

from __future__ import annotations

import functools
import inspect
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio.lowlevel
import attrs
import httpx

from ._auth import TokenStore
from ._config import Credentials
from ._converter import make_converter
from ._engine import DEFAULT_TIMEOUT, CallOptions, Engine, RawResponse
from ._errors import ClientClosedError, ConfigurationError, WrongEventLoopError
from ._hooks import Attempt, Hooks
from ._pool import BorrowedClient, OwnedPool, httpx_shards
from ._retry import RetryPolicy
from ._sender import RateLimiter, RetryingSender, Timeouts

if TYPE_CHECKING:
    import cattrs

    from ._oidc import Auth
    from .resources import (
        ApiClients,
        ApiResources,
        ApiTokens,
        AuthLogs,
        ConnectedAccounts,
        Connections,
        Directories,
        Domains,
        Events,
        Mcp,
        Memberships,
        OAuthClients,
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

_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=100, keepalive_expiry=15.0)
"""The default transport's connections, split evenly over its shards."""
_SHARDS = 25
"""How many httpx pools share the default transport's sends (see `OwnedPool`)."""


def _loop_access(
    loop: anyio.lowlevel.EventLoopToken,
) -> tuple[Callable[[], object], Callable[[], float]]:
    """How to tell *loop* is the running one, and its clock, at the least cost per call.

    On asyncio that is ``asyncio.get_running_loop`` and ``loop.time``, called
    directly: anyio's backend reaches them through a Python method that looks
    the running loop up first. A loop whose ``time`` is asyncio's own reads
    `time.monotonic`, which that method returns, without the method's frame.
    Other backends go through anyio's backend.
    """
    import asyncio  # only here: importing the client must not import asyncio

    native = loop.native_token
    if isinstance(native, asyncio.AbstractEventLoop):
        stock = type(native).time is asyncio.BaseEventLoop.time
        return asyncio.get_running_loop, time.monotonic if stock else native.time
    return loop.backend_class.current_token, loop.backend_class.current_time


class _Lifecycle:
    """The pool of one client (and of its `with_options` views): opened lazily, closed once.

    The first call binds the client to its event loop. Every call checks it runs
    on that loop by asking the loop's own backend which loop runs (see
    `_loop_access`: `anyio.lowlevel.current_token` would find the backend again
    each time), and the sender reads that loop's clock the same way.
    """

    __slots__ = (
        "closed",
        "given_http",
        "given_transport",
        "hooks",
        "limiter",
        "loop",
        "native",
        "policy",
        "probe",
        "timeouts",
        "transport",
    )

    def __init__(
        self,
        *,
        http_client: httpx.AsyncClient | None,
        transport: httpx.AsyncBaseTransport | None,
        policy: RetryPolicy,
        timeouts: Timeouts,
        hooks: Hooks,
        limiter: RateLimiter | None,
    ) -> None:
        self.given_http = http_client
        self.given_transport = transport
        self.policy = policy
        self.timeouts = timeouts
        self.hooks = hooks
        self.limiter = limiter
        self.transport: RetryingSender | None = None
        self.closed = False
        self.loop: anyio.lowlevel.EventLoopToken | None = None
        self.native: object = None
        """The bound loop as its backend names it (what `probe` returns on it)."""
        self.probe: Callable[[], object] = anyio.lowlevel.current_token

    def connect(self) -> RetryingSender:
        """The transport for a call on the current event loop, opened on first use."""
        transport = self.transport
        if transport is not None:
            try:
                if self.probe() is self.native:
                    return transport
            except RuntimeError:  # no event loop of that backend runs here
                pass
        return self._open()

    def _open(self) -> RetryingSender:
        """Bind to this event loop on first use, open the transport, or say why not."""
        if self.closed:
            raise ClientClosedError("this ScalekitClient is closed; create a new one")
        loop = anyio.lowlevel.current_token()
        if self.loop is None:
            self.loop = loop
        elif loop != self.loop:
            raise WrongEventLoopError(
                "this ScalekitClient was first used on another event loop; "
                "create one client per event loop"
            )
        transport = self.transport
        if transport is None:
            self.probe, clock = _loop_access(loop)
            self.native = loop.native_token
            common: dict[str, Any] = {
                "policy": self.policy,
                "timeouts": self.timeouts,
                "hooks": self.hooks,
                "limiter": self.limiter,
                "clock": clock,
            }
            if self.given_http is not None:
                transport = RetryingSender(BorrowedClient(self.given_http), **common)
            elif self.given_transport is not None:
                given = self.given_transport
                pool = OwnedPool(lambda: given, rotate_after=None)
                transport = RetryingSender(pool, **common)
            else:
                pool = OwnedPool(httpx_shards(_LIMITS, _SHARDS), shards=_SHARDS)
                transport = RetryingSender(pool, **common)
            self.transport = transport
        return transport

    async def aclose(self) -> bool:
        """Close the pool; False when it belonged to another event loop and was dropped."""
        if self.closed:
            return True
        self.closed = True
        transport, self.transport = self.transport, None
        if transport is None:
            return True
        if self.loop is not None and anyio.lowlevel.current_token() != self.loop:
            # The connections belong to another (likely closed) loop: closing them
            # from here would fail with "Event loop is closed". Let them go.
            transport.abandon()
            return False
        await transport.aclose()
        return True


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
        max_retries: Retries after the first attempt; `None` (the default)
            means the `RetryPolicy`'s count, which is 2 unless *retry* says otherwise.
        http_client: An `httpx.AsyncClient` to send through; the SDK never closes it.
        transport: An httpx transport for the client the SDK creates and owns
            (and closes), e.g. a fast transport or an in-process fake.
        retry: The retry policy; an explicit `max_retries` overrides its count.
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

    NAMESPACES: tuple[str, ...] = (
        "organizations",
        "connections",
        "domains",
        "directories",
        "users",
        "memberships",
        "roles",
        "permissions",
        "sessions",
        "api_clients",
        "passwordless",
        "passkeys",
        "auth_logs",
        "connected_accounts",
        "tools",
        "mcp",
        "providers",
        "api_tokens",
        "events",
        "oauth_clients",
        "api_resources",
    )
    """The names of the resource namespaces (``client.organizations``...), in README order."""

    def __init__(
        self,
        environment_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
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
        timeout = _check_timeout(timeout)
        max_retries = _check_retries(max_retries)
        credentials = Credentials.resolve(environment_url, client_id, client_secret)
        policy = retry or RetryPolicy()
        if max_retries is not None:
            policy = attrs.evolve(policy, max_retries=max_retries)
        if http_client is not None and transport is not None:
            raise ConfigurationError("pass http_client or transport, not both")
        hooks = hooks or Hooks()
        if on_attempt:
            hooks = attrs.evolve(hooks, on_response=(*hooks.on_response, *on_attempt))
        self._lifecycle = _Lifecycle(
            http_client=http_client,
            transport=transport,
            policy=policy,
            timeouts=timeouts or Timeouts(),
            hooks=hooks,
            limiter=rate_limiter,
        )
        self._owner = True
        self._created_at = _caller()
        engine = Engine(
            credentials,
            connect=self._lifecycle.connect,
            converter=make_converter(),
            options=CallOptions(timeout=timeout, timeouts=timeouts or Timeouts()),
            tracer=tracer,
            token_store=token_store,
        )
        self._bind(engine)

    def _bind(self, engine: Engine) -> None:
        self._engine = engine
        self.last_response: RawResponse | None = None
        """With `with_raw_response`: the HTTP answer of the last successful call."""

    @functools.cached_property
    def auth(self) -> Auth:
        """``client.auth``: hosted login, token validation and other grants (see `Auth`)."""
        from ._oidc import Auth

        return Auth(self._engine)

    # -- the namespaces, each made (and its module imported) on first use ----------

    @functools.cached_property
    def organizations(self) -> Organizations:
        """``client.organizations``: see `Organizations`."""
        from .resources.organizations import Organizations

        return Organizations(self._engine)

    @functools.cached_property
    def connections(self) -> Connections:
        """``client.connections``: see `Connections`."""
        from .resources.connections import Connections

        return Connections(self._engine)

    @functools.cached_property
    def domains(self) -> Domains:
        """``client.domains``: see `Domains`."""
        from .resources.domains import Domains

        return Domains(self._engine)

    @functools.cached_property
    def directories(self) -> Directories:
        """``client.directories``: see `Directories`."""
        from .resources.directories import Directories

        return Directories(self._engine)

    @functools.cached_property
    def users(self) -> Users:
        """``client.users``: see `Users`."""
        from .resources.users import Users

        return Users(self._engine)

    @functools.cached_property
    def memberships(self) -> Memberships:
        """``client.memberships``: see `Memberships`."""
        from .resources.memberships import Memberships

        return Memberships(self._engine)

    @functools.cached_property
    def roles(self) -> Roles:
        """``client.roles``: see `Roles`."""
        from .resources.roles import Roles

        return Roles(self._engine)

    @functools.cached_property
    def permissions(self) -> Permissions:
        """``client.permissions``: see `Permissions`."""
        from .resources.permissions import Permissions

        return Permissions(self._engine)

    @functools.cached_property
    def sessions(self) -> Sessions:
        """``client.sessions``: see `Sessions`."""
        from .resources.sessions import Sessions

        return Sessions(self._engine)

    @functools.cached_property
    def api_clients(self) -> ApiClients:
        """``client.api_clients``: see `ApiClients`."""
        from .resources.api_clients import ApiClients

        return ApiClients(self._engine)

    @functools.cached_property
    def passwordless(self) -> Passwordless:
        """``client.passwordless``: see `Passwordless`."""
        from .resources.passwordless import Passwordless

        return Passwordless(self._engine)

    @functools.cached_property
    def passkeys(self) -> Passkeys:
        """``client.passkeys``: see `Passkeys`."""
        from .resources.passkeys import Passkeys

        return Passkeys(self._engine)

    @functools.cached_property
    def auth_logs(self) -> AuthLogs:
        """``client.auth_logs``: see `AuthLogs`."""
        from .resources.auth_logs import AuthLogs

        return AuthLogs(self._engine)

    @functools.cached_property
    def connected_accounts(self) -> ConnectedAccounts:
        """``client.connected_accounts``: see `ConnectedAccounts`."""
        from .resources.connected_accounts import ConnectedAccounts

        return ConnectedAccounts(self._engine)

    @functools.cached_property
    def tools(self) -> Tools:
        """``client.tools``: see `Tools`."""
        from .resources.tools import Tools

        return Tools(self._engine)

    @functools.cached_property
    def mcp(self) -> Mcp:
        """``client.mcp``: see `Mcp`."""
        from .resources.mcp import Mcp

        return Mcp(self._engine)

    @functools.cached_property
    def providers(self) -> Providers:
        """``client.providers``: see `Providers`."""
        from .resources.providers import Providers

        return Providers(self._engine)

    @functools.cached_property
    def api_tokens(self) -> ApiTokens:
        """``client.api_tokens``: see `ApiTokens`."""
        from .resources.api_tokens import ApiTokens

        return ApiTokens(self._engine)

    @functools.cached_property
    def events(self) -> Events:
        """``client.events``: see `Events`."""
        from .resources.events import Events

        return Events(self._engine)

    @functools.cached_property
    def oauth_clients(self) -> OAuthClients:
        """``client.oauth_clients``: see `OAuthClients`."""
        from .resources.oauth_clients import OAuthClients

        return OAuthClients(self._engine)

    @functools.cached_property
    def api_resources(self) -> ApiResources:
        """``client.api_resources``: see `ApiResources`."""
        from .resources.api_resources import ApiResources

        return ApiResources(self._engine)

    def with_options(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        timeouts: Timeouts | None = None,
    ) -> ScalekitClient:
        """A view of this client whose calls use other options.

        The result shares this client's connection pool, token and event loop:
        it costs no I/O and needs no closing of its own (closing either closes
        the pool). Options not given keep this client's.

        ```python
        org = await client.with_options(timeout=5, max_retries=0).organizations.get(org_id)
        ```
        """
        changes: dict[str, Any] = {}
        if timeout is not None:
            changes["timeout"] = _check_timeout(timeout)
        if max_retries is not None:
            changes["max_retries"] = _check_retries(max_retries)
        if timeouts is not None:
            changes["timeouts"] = timeouts
        view = self._view()
        view._bind(self._engine.with_options(**changes))
        return view

    def with_raw_response(self) -> ScalekitClient:
        """A view of this client that keeps the HTTP answer of its last successful call.

        Models stay frozen and clean; the request id (for a support ticket) and
        headers such as rate-limit state are on `last_response`. A view is as
        cheap as `with_options`: make one per call you want to inspect, since
        concurrent calls through one view overwrite each other's answer.

        ```python
        raw = client.with_raw_response()
        org = await raw.organizations.get(org_id)
        print(raw.last_response.request_id, raw.last_response.headers.get("x-ratelimit-remaining"))
        ```
        """
        view = self._view()

        def record(response: RawResponse) -> None:
            view.last_response = response

        view._bind(self._engine.with_options(record=record))
        return view

    def _view(self) -> ScalekitClient:
        view = ScalekitClient.__new__(ScalekitClient)
        view._lifecycle = self._lifecycle
        view._owner = False
        view._created_at = self._created_at
        return view

    def __repr__(self) -> str:
        closed = " closed" if self._lifecycle.closed else ""
        return (
            f"<ScalekitClient environment_url={self._engine.environment_url!r} "
            f"client_id={self._engine.client_id!r}{closed}>"
        )

    @property
    def environment_url(self) -> str:
        """The environment this client talks to."""
        return self._engine.environment_url

    @property
    def converter(self) -> cattrs.Converter:
        """The client's cattrs converter (wire JSON <-> models)."""
        return self._engine.converter

    @property
    def token_fetches(self) -> int:
        """How many token requests this client has made (for diagnostics and tests)."""
        return self._engine.tokens.fetches

    @property
    def token_state(self) -> str:
        """Where the cached token stands: empty, fresh, advisory or mandatory (diagnostics)."""
        return self._engine.tokens.state()

    async def __aenter__(self) -> ScalekitClient:
        if self._lifecycle.closed:
            raise ClientClosedError("this ScalekitClient is closed; create a new one")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections this client opened; safe to call more than once.

        An `http_client` given to the constructor is left open for its owner.
        """
        if not await self._lifecycle.aclose():
            warnings.warn(
                "ScalekitClient.aclose() ran on another event loop than the one the client "
                "was used on; its connections were dropped, not closed",
                ResourceWarning,
                stacklevel=2,
            )

    def __del__(self) -> None:
        lifecycle = getattr(self, "_lifecycle", None)
        if lifecycle is None or not getattr(self, "_owner", False):
            return
        if lifecycle.closed or lifecycle.given_http is not None:
            return
        if lifecycle.transport is not None:
            warnings.warn(
                f"{self!r}, created at {self._created_at}, was not closed; "
                "use `async with` or `await client.aclose()`",
                ResourceWarning,
                stacklevel=1,
            )


def _caller() -> str:
    """Where user code created the client: the first frame outside this package."""
    frame = inspect.currentframe()
    package = __name__.rpartition(".")[0]
    while frame is not None:
        if not frame.f_globals.get("__name__", "").startswith(package):
            return f"{frame.f_code.co_filename}:{frame.f_lineno}"
        frame = frame.f_back
    return "an unknown place"


def _check_timeout(timeout: float) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ConfigurationError("timeout must be a positive number of seconds")
    return float(timeout)


def _check_retries(max_retries: int | None) -> int | None:
    if max_retries is None:
        return None
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ConfigurationError("max_retries must be a non-negative int (or None: the policy's)")
    return max_retries
