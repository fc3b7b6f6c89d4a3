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
from typing import Any

import anyio
import attrs
import httpx

from ._errors import APIConnectionError, APITimeoutError, RateLimitError, status_error
from ._retry import RetryBudget, RetryPolicy, backoff_delay, parse_retry_after

__all__ = ["Attempt", "Timeouts", "Transport"]

logger = logging.getLogger("scalekit_async")

Authorize = Callable[[], Awaitable[str]]
Sleep = Callable[[float], Awaitable[None]]

# Exceptions raised before any byte of the request left: safe to retry for any method.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@attrs.frozen(kw_only=True)
class Timeouts:
    """Per-phase limits of one attempt, in seconds; the call's deadline caps them all."""

    connect: float = 5.0
    read: float = 30.0
    write: float = 30.0
    pool: float = 10.0

    def bounded(self, remaining: float) -> httpx.Timeout:
        """The httpx timeout of an attempt with *remaining* seconds left in the call."""
        r = max(remaining, 0.001)
        return httpx.Timeout(
            connect=min(self.connect, r),
            read=min(self.read, r),
            write=min(self.write, r),
            pool=min(self.pool, r),
        )


@attrs.frozen
class Attempt:
    """What an observer learns about one attempt (never headers, bodies or tokens)."""

    method: str
    route: str
    attempt: int
    status: int | None
    duration: float
    error: str | None = None


class Transport:
    """Send requests through an `httpx.AsyncClient` with retries, backoff and deadlines."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        policy: RetryPolicy,
        timeouts: Timeouts,
        sleep: Sleep = anyio.sleep,
        rand: Callable[[], float] = random.random,
        hooks: tuple[Callable[[Attempt], None], ...] = (),
    ) -> None:
        self.http = http
        self.policy = policy
        self.timeouts = timeouts
        self._sleep = sleep
        self._rand = rand
        self._budget = RetryBudget(policy.budget_ratio, policy.budget_floor)
        self._hooks = hooks

    async def send(
        self,
        method: str,
        url: str,
        *,
        route: str,
        deadline: float,
        idempotent: bool,
        headers: Mapping[str, str],
        params: Any = None,
        content: bytes | None = None,
        authorize: Authorize | None = None,
        max_retries: int | None = None,
        timeouts: Timeouts | None = None,
    ) -> tuple[httpx.Response, str | None]:
        """Send until success, a final answer, retries spent, or the deadline.

        Returns the last response (any status the policy does not retry, or
        the last retryable one once retries are spent) and the credential sent
        with it. Raises `APIConnectionError`/`APITimeoutError` when no answer
        came, and `RateLimitError` when a 429 asks for a wait the call cannot
        afford.
        """
        policy = self.policy
        retries = policy.max_retries if max_retries is None else max_retries
        retry_unknown = idempotent or policy.retry_writes
        self._budget.on_call()
        retry = 0
        while True:
            remaining = deadline - anyio.current_time()
            if remaining <= 0:
                raise APITimeoutError(f"{method} {route}: deadline exceeded")
            credential = await authorize() if authorize is not None else None
            request_headers = dict(headers)
            if credential is not None:
                request_headers["Authorization"] = credential
            request = self.http.build_request(
                method,
                url,
                params=params,
                content=content,
                headers=request_headers,
                timeout=(timeouts or self.timeouts).bounded(deadline - anyio.current_time()),
            )
            started = anyio.current_time()
            failure: APIConnectionError | None = None
            response: httpx.Response | None = None
            try:
                response = await self.http.send(request)
            except _NEVER_SENT as exc:
                failure = _connection_error(exc, method, route, outcome_unknown=False)
                may_retry = True
            except httpx.HTTPError as exc:
                failure = _connection_error(exc, method, route, outcome_unknown=True)
                may_retry = retry_unknown
            duration = anyio.current_time() - started
            status = response.status_code if response is not None else None
            self._observe(method, route, retry, status, duration, failure)

            if response is not None:
                if status is None or not policy.should_retry_status(status, idempotent=idempotent):
                    return response, credential
                wait = parse_retry_after(response.headers)
                reason = f"HTTP {status}"
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
            await self._sleep(delay)

    def _give_up_on_wait(
        self, response: httpx.Response | None, method: str, route: str, wait: float
    ) -> None:
        """A 429 whose wait the call cannot afford raises at once, with `retry_after`."""
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
        if self._hooks:
            event = Attempt(
                method,
                route,
                attempt,
                status,
                duration,
                None if failure is None else str(failure),
            )
            for hook in self._hooks:
                hook(event)


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
