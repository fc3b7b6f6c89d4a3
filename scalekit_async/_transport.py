"""The retrying transport: sends one logical request as up to ``1 + max_retries`` attempts.

It knows HTTP and time, nothing of resources or models. Each attempt asks the
injected `authorize` for a fresh header value (so a token that expires during
a backoff is never sent), bounds its httpx timeouts by the call's deadline,
classifies the outcome with the `RetryPolicy`, and sleeps between attempts.
Exceptions from httpx never escape: they become `APIConnectionError` or
`APITimeoutError`.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, runtime_checkable

import anyio
import attrs
import httpx

from ._errors import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    RateLimitError,
    status_error,
)
from ._retry import RetryBudget, RetryPolicy, backoff_delay, parse_retry_after

__all__ = [
    "Answer",
    "Attempt",
    "Hooks",
    "RateLimiter",
    "RawTransport",
    "RequestStarted",
    "RetryScheduled",
    "Timeouts",
    "Transport",
]

logger = logging.getLogger("scalekit_async")

Authorize = Callable[[float], Awaitable[str]]
"""Returns the Authorization header value; takes the call's deadline."""
Sleep = Callable[[float], Awaitable[None]]

# How close to the deadline a phase timeout counts as the deadline itself (timer jitter).
_DEADLINE_SLACK = 0.01

# Exceptions raised before any byte of the request left: safe to retry for any method.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@attrs.frozen(kw_only=True)
class Timeouts:
    """Per-phase limits of one attempt, in seconds; the call's deadline caps them all."""

    connect: float = 5.0
    read: float = 30.0
    write: float = 30.0
    pool: float = 10.0

    def bounded(self, remaining: float) -> dict[str, float]:
        """The httpx timeout extension of an attempt with *remaining* seconds left in the call."""
        r = max(remaining, 0.001)
        return {
            "connect": min(self.connect, r),
            "read": min(self.read, r),
            "write": min(self.write, r),
            "pool": min(self.pool, r),
        }


class Answer:
    """A received answer, read in full: the one shape every transport path returns."""

    __slots__ = ("content", "headers", "reason_phrase", "status_code")

    def __init__(
        self, status_code: int, headers: Mapping[str, str], content: bytes, reason_phrase: str = ""
    ) -> None:
        self.status_code = status_code
        self.headers = headers  # case-insensitive lookups
        self.content = content
        self.reason_phrase = reason_phrase


@runtime_checkable
class RateLimiter(Protocol):
    """A shared request budget: the seam for keeping a whole fleet under a rate limit.

    The transport calls `acquire` before every attempt and `pause` when the API
    answers 429 with a wait, so every client sharing the limiter backs off.
    """

    async def acquire(self, deadline: float) -> None:
        """Wait until a request may be sent (never past *deadline*, in `anyio.current_time()`)."""
        ...

    async def pause(self, seconds: float) -> None:
        """Hold every sender for *seconds* (the API asked for it with ``Retry-After``)."""
        ...


@runtime_checkable
class RawTransport(Protocol):
    """A transport that can send without building httpx request/response objects.

    `AiohttpTransport` implements it: the SDK then skips httpx's per-request
    URL parsing and header normalization, which dominate at high concurrency.
    """

    async def send_raw(
        self,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        content: bytes | None,
        timeout: dict[str, float],
    ) -> Answer:
        """Send one request and read the whole answer; raise httpx exceptions on failure."""
        ...


@attrs.frozen
class RequestStarted:
    """An attempt is about to be sent (route template, never ids, headers or bodies)."""

    method: str
    route: str
    attempt: int


@attrs.frozen
class Attempt:
    """What an observer learns about one finished attempt (never headers, bodies or tokens)."""

    method: str
    route: str
    attempt: int
    status: int | None
    duration: float
    error: str | None = None


@attrs.frozen
class RetryScheduled:
    """A retry will be sent after `delay` seconds, because of `reason` (a status or error kind)."""

    method: str
    route: str
    retry: int
    delay: float
    reason: str


@attrs.frozen(kw_only=True)
class Hooks:
    """Callbacks told about a client's traffic, for metrics and tracing.

    Each receives a small frozen event naming the route template (not the URL,
    so ids never reach your metrics' labels) and never a header, body or token.
    A hook that raises is logged and ignored: observability never breaks a call.
    """

    on_request: tuple[Callable[[RequestStarted], None], ...] = ()
    on_response: tuple[Callable[[Attempt], None], ...] = ()
    on_retry: tuple[Callable[[RetryScheduled], None], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.on_request or self.on_response or self.on_retry)


def _call_hooks(hooks: tuple[Callable[[Any], None], ...], event: object) -> None:
    for hook in hooks:
        try:
            hook(event)
        except Exception:
            logger.exception("a scalekit_async hook raised; ignoring it")


class _Pool:
    """One owned httpx transport, and how many sends it carries and lost to cancellation."""

    __slots__ = ("cancelled", "inflight", "raw", "retired", "transport")

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self.transport = transport
        # Checked once: a runtime Protocol check costs more than a whole raw send's setup.
        self.raw = transport if isinstance(transport, RawTransport) else None
        self.inflight = 0
        self.cancelled = 0
        self.retired = False


class Transport:
    """Send requests with retries, backoff and deadlines, through an owned or borrowed pool.

    Args:
        http: A caller's `httpx.AsyncClient`; requests go through its `send()`
            (its configuration is honoured) and it is never closed here.
        factory: Makes the transport this object owns (when *http* is not
            given). Sends go straight to the transport, skipping the client
            layer's per-request merging of cookies, headers and URLs.
        rotate_after: With a *factory*: after this many sends were cancelled
            mid-flight, new sends use a fresh transport and the old one is
            closed once idle. A cancelled request can strand a connection in
            httpcore's pool for good (encode/httpcore#1093); rotating bounds
            how many can pile up, so the pool never fills with them.
    """

    def __init__(
        self,
        *,
        http: httpx.AsyncClient | None = None,
        factory: Callable[[], httpx.AsyncBaseTransport] | None = None,
        policy: RetryPolicy,
        timeouts: Timeouts,
        sleep: Sleep = anyio.sleep,
        rand: Callable[[], float] = random.random,
        hooks: Hooks | None = None,
        rotate_after: int | None = 25,
        limiter: RateLimiter | None = None,
    ) -> None:
        if (http is None) == (factory is None):
            raise TypeError("give exactly one of http or factory")
        self._http = http
        self._factory = factory
        self._pool: _Pool | None = None
        self._retired: list[_Pool] = []
        self._rotate_after = rotate_after
        self.policy = policy
        self.timeouts = timeouts
        self._sleep = sleep
        self._rand = rand
        self._budget = RetryBudget(policy.budget_ratio, policy.budget_floor)
        self._hooks = hooks or Hooks()
        self._limiter = limiter
        self.closed = False

    async def aclose(self) -> None:
        """Close the transports this object owns (a borrowed client is left open).

        Sends still in flight fail, and none of them may open a new pool: a retry
        after close raises `ClientClosedError` instead of leaking connections.
        """
        self.closed = True
        pools = [*self._retired, *([self._pool] if self._pool is not None else [])]
        self._pool = None
        self._retired.clear()
        for pool in pools:
            await pool.transport.aclose()

    def abandon(self) -> None:
        """Forget the pools without closing them (their event loop is gone)."""
        self.closed = True
        self._pool = None
        self._retired.clear()

    def _current_pool(self) -> _Pool:
        """The owned pool new sends use, made on first use (never after `aclose()`)."""
        pool = self._pool
        if pool is None:
            if self.closed:
                raise ClientClosedError("this ScalekitClient was closed while the call ran")
            assert self._factory is not None
            pool = self._pool = _Pool(self._factory())
        return pool

    async def _send_once(
        self,
        pool: _Pool | None,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        content: bytes | None,
        timeout: dict[str, float],
    ) -> Answer:
        """One attempt through a borrowed client (*pool* is `None`) or an owned httpx pool."""
        if pool is None:
            assert self._http is not None
            request = httpx.Request(
                method, url, headers=headers, content=content, extensions={"timeout": timeout}
            )
            got = await self._http.send(request)
            return Answer(got.status_code, got.headers, got.content, got.reason_phrase)
        pool.inflight += 1
        try:
            transport = pool.transport
            request = httpx.Request(
                method, url, headers=headers, content=content, extensions={"timeout": timeout}
            )
            response = await transport.handle_async_request(request)
            try:
                await response.aread()
            finally:
                await response.aclose()
            return Answer(
                response.status_code, response.headers, response.content, response.reason_phrase
            )
        except anyio.get_cancelled_exc_class():
            pool.cancelled += 1
            if (
                self._rotate_after is not None
                and pool is self._pool
                and pool.cancelled >= self._rotate_after
            ):
                pool.retired = True
                self._pool = None
                self._retired.append(pool)
                logger.debug(
                    "rotating the connection pool after %d cancelled sends", pool.cancelled
                )
            raise
        finally:
            pool.inflight -= 1
            if pool.retired and pool.inflight == 0:
                self._retired.remove(pool)
                with anyio.CancelScope(shield=True):
                    await pool.transport.aclose()

    async def send(
        self,
        method: str,
        url: str,
        *,
        route: str,
        deadline: float,
        idempotent: bool,
        replayable: bool = True,
        headers: list[tuple[str, str]],
        content: bytes | None = None,
        authorize: Authorize | None = None,
        max_retries: int | None = None,
        timeouts: Timeouts | None = None,
    ) -> tuple[Answer, str | None]:
        """Send until success, a final answer, retries spent, or the deadline.

        Returns the last response (any status the policy does not retry, or
        the last retryable one once retries are spent) and the credential sent
        with it. Raises `APIConnectionError`/`APITimeoutError` when no answer
        came, and `RateLimitError` when a 429 asks for a wait the call cannot
        afford.
        """
        policy = self.policy
        phases = timeouts or self.timeouts
        retries = policy.max_retries if max_retries is None else max_retries
        retry_unknown = policy.may_repeat(idempotent, replayable)
        self._budget.on_call()
        retry = 0
        while True:
            if self._limiter is not None:
                # Wait for the budget first: a token taken before a long wait could expire.
                await self._limiter.acquire(deadline)
            credential = await authorize(deadline) if authorize is not None else None
            if self._hooks.on_request:
                _call_hooks(self._hooks.on_request, RequestStarted(method, route, retry))
            started = anyio.current_time()
            if deadline - started <= 0:
                raise APITimeoutError(f"{method} {route}: deadline exceeded")
            failure: APIConnectionError | None = None
            response: Answer | None = None
            request_headers = (
                headers if credential is None else [*headers, ("Authorization", credential)]
            )
            pool = self._current_pool() if self._http is None else None
            limits = phases.bounded(deadline - started)
            try:
                if pool is not None and pool.raw is not None:
                    # The fast path inline (one coroutine frame fewer on every resume); the
                    # transport bounds the whole exchange by the call's deadline itself.
                    limits["total"] = deadline - started
                    response = await pool.raw.send_raw(
                        method, url, request_headers, content, limits
                    )
                else:
                    # Phases are bounded one by one; the scope bounds their sum.
                    with anyio.CancelScope(deadline=deadline) as scope:
                        response = await self._send_once(
                            pool, method, url, request_headers, content, limits
                        )
                    if scope.cancelled_caught:
                        raise httpx.ReadTimeout("the call's deadline passed mid-attempt")
            except _NEVER_SENT as exc:
                failure = _connection_error(exc, method, route, outcome_unknown=False)
                may_retry = True
            except httpx.HTTPError as exc:
                failure = _connection_error(exc, method, route, outcome_unknown=True)
                may_retry = retry_unknown
            if (
                isinstance(failure, APITimeoutError)
                and anyio.current_time() >= deadline - _DEADLINE_SLACK
            ):
                # The attempt ran into the call's deadline: say so, whatever the phase.
                text = f"{method} {route}: deadline exceeded"
                if failure.outcome_unknown:
                    text += "; the request may have been processed (outcome unknown)"
                timed_out = APITimeoutError(text, outcome_unknown=failure.outcome_unknown)
                timed_out.__cause__ = failure.__cause__
                failure = timed_out
            status = response.status_code if response is not None else None
            if self._hooks.on_response or logger.isEnabledFor(logging.DEBUG):
                self._observe(method, route, retry, status, anyio.current_time() - started, failure)

            if response is not None:
                if not policy.should_retry_status(
                    response.status_code, idempotent=idempotent, replayable=replayable
                ):
                    return response, credential
                wait = parse_retry_after(response.headers)
                reason = f"HTTP {status}"
                if wait is not None and status == 429 and self._limiter is not None:
                    await self._limiter.pause(wait)
            else:
                assert failure is not None
                if not may_retry:
                    raise failure
                wait = None
                reason = type(failure).__name__

            if retry >= retries or not self._budget.try_spend():
                if failure is not None:
                    raise failure
                assert response is not None
                return response, credential

            if wait is not None and wait > policy.max_retry_after:
                self._give_up_on_wait(response, method, route, wait)
                assert response is not None
                return response, credential
            delay = wait if wait is not None else backoff_delay(retry, policy, self._rand())
            if anyio.current_time() + delay >= deadline:
                self._give_up_on_wait(response, method, route, delay)
                if failure is not None:
                    raise failure
                assert response is not None
                return response, credential
            retry += 1
            logger.info(
                "retrying %s %s in %.2fs after %s (retry %d of %d)",
                method,
                route,
                delay,
                reason,
                retry,
                retries,
            )
            if self._hooks.on_retry:
                _call_hooks(
                    self._hooks.on_retry, RetryScheduled(method, route, retry, delay, reason)
                )
            await self._sleep(delay)

    def _give_up_on_wait(
        self, response: Answer | None, method: str, route: str, wait: float
    ) -> None:
        """Raise at once, with `retry_after`, for a 429 whose wait the call cannot afford."""
        if response is not None and response.status_code == 429:
            error = status_error(
                429,
                response.reason_phrase,
                response.content,
                retry_after=wait,
                request_id=response.headers.get("x-request-id"),
            )
            assert isinstance(error, RateLimitError)
            error.message += f" (retry after {wait:.1f}s is longer than {method} {route} may wait)"
            raise error

    def _observe(
        self,
        method: str,
        route: str,
        attempt: int,
        status: int | None,
        duration: float,
        failure: Exception | None,
    ) -> None:
        logger.debug(
            "%s %s attempt %d -> %s in %.3fs",
            method,
            route,
            attempt,
            status if failure is None else type(failure).__name__,
            duration,
        )
        if self._hooks.on_response:
            event = Attempt(
                method,
                route,
                attempt,
                status,
                duration,
                None if failure is None else str(failure),
            )
            _call_hooks(self._hooks.on_response, event)


def _connection_error(
    exc: httpx.HTTPError, method: str, route: str, *, outcome_unknown: bool
) -> APIConnectionError:
    """Map an httpx exception to ours, without its message (it may quote a URL with ids)."""
    kind = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        phase = {
            httpx.ConnectTimeout: "connect",
            httpx.ReadTimeout: "read",
            httpx.WriteTimeout: "write",
            httpx.PoolTimeout: "pool",
        }.get(type(exc), "network")
        text = f"{method} {route}: {phase} timeout"
        if outcome_unknown:
            text += "; the request may have been processed (outcome unknown)"
        err: APIConnectionError = APITimeoutError(text, outcome_unknown=outcome_unknown)
    else:
        text = f"{method} {route}: connection failed ({kind})"
        if outcome_unknown:
            text += "; the request may have been processed (outcome unknown)"
        err = APIConnectionError(text, outcome_unknown=outcome_unknown)
    err.__cause__ = exc
    return err
