"""The retrying sender: one logical request as up to ``1 + max_retries`` attempts.

It knows HTTP and time, nothing of resources or models. The engine describes
the request once (`Call`); `RetryingSender.send` runs it as a loop, each turn
on one screen:

1. wait for the rate limiter, then ask `authorize` for a fresh credential
   (so a token that expired during a backoff is never sent);
2. `RetryingSender._attempt`: start one send through the pool, with phase
   limits and a total bounded by the call's deadline; `send` awaits it and maps
   any httpx exception to `APIConnectionError` or `APITimeoutError`;
3. `RetryingSender._decide`: return the answer, raise the failure, or name the
   wait before the next attempt, by the `RetryPolicy`, the retry budget,
   ``Retry-After`` and the deadline.

Every frame of the chain stays alive while a request is on the wire and is
resumed each time the transport wakes up, so the chain is kept short: the
engine's exchange, `send`, then the transport itself (`_attempt` is a plain
function that hands `send` the transport's awaitable).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from typing import NamedTuple, Protocol, runtime_checkable
from urllib.parse import urlsplit

import anyio
import attrs
import httpx

from ._errors import APIConnectionError, APITimeoutError, RateLimitError, status_error
from ._hooks import Attempt, Hooks, RequestStarted, RetryScheduled, call_hooks
from ._pool import Answer, Body, BorrowedClient, OwnedPool
from ._retry import RetryBudget, RetryPolicy, backoff_delay, parse_retry_after

__all__ = ["Authorize", "Call", "RateLimiter", "RetryingSender", "Timeouts"]

logger = logging.getLogger("scalekit_async")

Authorize = Callable[[float], str | Awaitable[str]]
"""Returns the Authorization header value, or an awaitable of it when it must wait
for a token (never past the call's deadline, which it takes)."""
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
    _longest: float = attrs.field(init=False, repr=False, eq=False)
    _limits: dict[str, float] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        limits = {
            "connect": self.connect,
            "read": self.read,
            "write": self.write,
            "pool": self.pool,
        }
        object.__setattr__(self, "_limits", limits)
        object.__setattr__(self, "_longest", max(limits.values()))

    def bounded(self, remaining: float) -> dict[str, float]:
        """The httpx timeout extension of an attempt with *remaining* seconds left in the call."""
        if remaining >= self._longest:  # the common case: no phase reaches the deadline
            return self._limits.copy()
        r = max(remaining, 0.001)
        return {
            "connect": min(self.connect, r),
            "read": min(self.read, r),
            "write": min(self.write, r),
            "pool": min(self.pool, r),
        }


@runtime_checkable
class RateLimiter(Protocol):
    """A shared request budget: the seam for keeping a whole fleet under a rate limit.

    The sender calls `acquire` before every attempt and `pause` when the API
    answers 429 with a wait, so every client sharing the limiter backs off.
    """

    async def acquire(self, deadline: float) -> None:
        """Wait until a request may be sent (never past *deadline*, in `anyio.current_time()`)."""
        ...

    async def pause(self, seconds: float) -> None:
        """Hold every sender for *seconds* (the API asked for it with ``Retry-After``)."""
        ...


class Call(NamedTuple):
    """One logical request, as every attempt of it sends it (the engine makes it once).

    A named tuple: immutable, and made by building one tuple rather than by
    eleven attribute stores in an ``__init__`` (every request makes one).
    """

    method: str
    url: str
    route: str
    deadline: float
    idempotent: bool
    replayable: bool
    headers: list[tuple[str, str]]
    content: Body
    authorize: Authorize | None
    """Returns the credential of each attempt; `None` sends none."""
    phases: Timeouts
    """Per-phase limits of each attempt."""


class RetryingSender:
    """Send requests with retries, backoff and deadlines through an owned or borrowed pool.

    Args:
        pool: Where attempts go: an `OwnedPool` or a `BorrowedClient`.
        policy: When to retry and how long to wait.
        timeouts: The default per-phase limits of an attempt.
        sleep: Waits between attempts (injectable for tests).
        rand: Jitter source in [0, 1).
        hooks: Observers of every attempt and retry.
        limiter: A request budget shared with other clients.
        clock: The event loop's clock (`anyio.current_time` by default; the
            client passes its loop's own, which skips finding the backend each time).

    """

    def __init__(
        self,
        pool: OwnedPool | BorrowedClient,
        *,
        policy: RetryPolicy,
        timeouts: Timeouts,
        sleep: Sleep = anyio.sleep,
        rand: Callable[[], float] = random.random,
        hooks: Hooks | None = None,
        limiter: RateLimiter | None = None,
        clock: Callable[[], float] = anyio.current_time,
    ) -> None:
        self._pool = pool
        self.policy = policy
        self.timeouts = timeouts
        self.clock = clock
        self._sleep = sleep
        self._rand = rand
        self._budget = RetryBudget(policy.budget_ratio, policy.budget_floor)
        self._hooks = hooks or Hooks()
        self._limiter = limiter

    @property
    def closed(self) -> bool:
        """Whether `aclose` or `abandon` ran."""
        return self._pool.closed

    async def aclose(self) -> None:
        """Close the pool this sender owns (a borrowed client is left open).

        Sends still in flight fail, and none of them may open a new pool: a retry
        after close raises `ClientClosedError` instead of leaking connections.
        """
        await self._pool.aclose()

    def abandon(self) -> None:
        """Forget the pool without closing it (its event loop is gone)."""
        self._pool.abandon()

    async def send(self, call: Call, max_retries: int | None = None) -> tuple[Answer, str | None]:
        """Send *call* until success, a final answer, retries spent, or its deadline.

        Returns the last answer (any status the policy does not retry, or the
        last retryable one once retries are spent) and the credential sent with
        it. Raises `APIConnectionError`/`APITimeoutError` when no answer came,
        and `RateLimitError` when a 429 asks for a wait the call cannot afford.
        *max_retries* `None` means the policy's.
        """
        retries = self.policy.max_retries if max_retries is None else max_retries
        self._budget.on_call()
        retry = 0
        lost = False  # whether an attempt whose outcome is unknown was retried
        while True:
            if self._limiter is not None:
                # Wait for the budget first: a token taken before a long wait could expire.
                await self._limiter.acquire(call.deadline)
            credential = call.authorize(call.deadline) if call.authorize is not None else None
            if credential is not None and not isinstance(credential, str):
                credential = await credential
            started = self.clock()
            answer: Answer | None = None
            failure: APIConnectionError | None = None
            try:
                answer = await self._attempt(call, retry, credential, started)
            except _NEVER_SENT as exc:
                failure = _connection_error(exc, call, self.clock(), outcome_unknown=False)
            except httpx.HTTPError as exc:
                failure = _connection_error(exc, call, self.clock(), outcome_unknown=True)
            if self._hooks.on_response or logger.isEnabledFor(logging.DEBUG):
                status = answer.status_code if answer is not None else None
                self._observe(call, retry, status, self.clock() - started, failure)
            if answer is not None and answer.status_code < 400:
                # Success or a redirect: final whatever the policy (the hot path).
                answer.after_lost_attempt = lost
                return answer, credential
            if answer is not None and answer.status_code == 429 and self._limiter is not None:
                wait = parse_retry_after(answer.headers)
                if wait is not None:
                    await self._limiter.pause(wait)
            delay, reason = self._decide(call, answer, failure, retry, retries)
            if delay is None:
                assert answer is not None
                answer.after_lost_attempt = lost
                return answer, credential
            lost = lost or (failure is not None and failure.outcome_unknown)
            retry += 1
            delay *= self.policy.wait_scale
            logger.info(
                "retrying %s %s in %.2fs after %s (retry %d of %d)",
                call.method,
                call.route,
                delay,
                reason,
                retry,
                retries,
            )
            if self._hooks.on_retry:
                event = RetryScheduled(call.method, call.route, retry, delay, reason)
                call_hooks(self._hooks.on_retry, event)
            await self._sleep(delay)

    def _attempt(
        self, call: Call, retry: int, credential: str | None, started: float
    ) -> Awaitable[Answer]:
        """Start attempt *retry* at *started*: the pool's send, for `send` to await.

        A plain function, not a coroutine: its frame would otherwise stay alive
        (and be resumed at every wake-up of the transport) for the whole attempt.
        """
        if self._hooks.on_request:
            call_hooks(self._hooks.on_request, RequestStarted(call.method, call.route, retry))
        remaining = call.deadline - started
        if remaining <= 0:
            raise APITimeoutError(f"{call.method} {call.route}: deadline exceeded")
        headers = (
            call.headers if credential is None else [*call.headers, ("Authorization", credential)]
        )
        # Each phase is bounded on its own; "total" bounds the whole exchange.
        limits = call.phases.bounded(remaining)
        limits["total"] = remaining
        return self._pool.send(call.method, call.url, headers, call.content, limits)

    def _decide(
        self,
        call: Call,
        answer: Answer | None,
        failure: APIConnectionError | None,
        retry: int,
        retries: int,
    ) -> tuple[float | None, str]:
        """The wait before retrying an error answer or a failure; raises the failure.

        `None` means *answer* is final: return it.
        """
        policy = self.policy
        if answer is not None:
            if not policy.should_retry_status(
                answer.status_code, idempotent=call.idempotent, replayable=call.replayable
            ):
                return None, ""
            wait = parse_retry_after(answer.headers)
            reason = f"HTTP {answer.status_code}"
        else:
            assert failure is not None
            if failure.outcome_unknown and not policy.may_repeat(call.idempotent, call.replayable):
                raise failure
            wait = None
            reason = type(failure).__name__
        if retry >= retries or not self._budget.try_spend():
            if failure is not None:
                raise failure
            return None, reason
        if wait is not None and wait > policy.max_retry_after:
            _raise_unaffordable_wait(answer, call, wait)
            return None, reason
        delay = wait if wait is not None else backoff_delay(retry, policy, self._rand())
        if self.clock() + delay >= call.deadline:
            _raise_unaffordable_wait(answer, call, delay)
            if failure is not None:
                raise failure
            return None, reason
        return delay, reason

    def _observe(
        self,
        call: Call,
        attempt: int,
        status: int | None,
        duration: float,
        failure: Exception | None,
    ) -> None:
        outcome = status if failure is None else type(failure).__name__
        logger.debug(
            "%s %s attempt %d -> %s in %.3fs", call.method, call.route, attempt, outcome, duration
        )
        if self._hooks.on_response:
            error = None if failure is None else str(failure)
            event = Attempt(call.method, call.route, attempt, status, duration, error)
            call_hooks(self._hooks.on_response, event)


def _raise_unaffordable_wait(answer: Answer | None, call: Call, wait: float) -> None:
    """Raise at once, with `retry_after`, for a 429 whose wait the call cannot afford."""
    if answer is not None and answer.status_code == 429:
        error = status_error(
            429,
            answer.reason_phrase,
            answer.content,
            retry_after=wait,
            request_id=answer.headers.get("x-request-id"),
        )
        assert isinstance(error, RateLimitError)
        error.message += (
            f" (retry after {wait:.1f}s is longer than {call.method} {call.route} may wait)"
        )
        raise error


def _connection_error(
    exc: httpx.HTTPError, call: Call, now: float, *, outcome_unknown: bool
) -> APIConnectionError:
    """Map an httpx exception to ours, without its message (it may quote a URL with ids)."""
    where = f"{call.method} {call.route}"
    tail = "; the request may have been processed (outcome unknown)" if outcome_unknown else ""
    err: APIConnectionError
    if isinstance(exc, httpx.TimeoutException):
        if now >= call.deadline - _DEADLINE_SLACK:
            # The attempt ran into the call's deadline: say so, whatever the phase.
            err = APITimeoutError(
                f"{where}: deadline exceeded{tail}", outcome_unknown=outcome_unknown
            )
        else:
            phase = _PHASES.get(type(exc), "network")
            err = APITimeoutError(
                f"{where}: {phase} timeout{tail}", outcome_unknown=outcome_unknown
            )
    else:
        # The host and the cause ("connection refused", "name or service not known"),
        # never the path (it carries ids) nor a secret (the engine redacts on top).
        host = urlsplit(call.url).netloc
        cause = str(exc).strip()[:200] or "no detail"
        err = APIConnectionError(
            f"{where}: connection to {host} failed: {type(exc).__name__}: {cause}{tail}",
            outcome_unknown=outcome_unknown,
        )
    err.__cause__ = exc
    return err


_PHASES: dict[type[Exception], str] = {
    httpx.ConnectTimeout: "connect",
    httpx.ReadTimeout: "read",
    httpx.WriteTimeout: "write",
    httpx.PoolTimeout: "pool",
}
