"""When to retry and how long to wait: pure functions and a small policy object.

The decision table (per attempt):

| outcome                                   | GET/HEAD/PUT/DELETE | POST/PATCH (default) |
|-------------------------------------------|---------------------|----------------------|
| connect error, connect/pool timeout       | retry               | retry (never sent)   |
| 429                                       | retry               | retry                |
| 408, 500, 502, 503, 504                   | retry               | no, unless opted in  |
| read/write timeout, connection lost       | retry               | no: outcome unknown  |
| 400, 401, 403, 404, 409, 501, other       | no                  | no                   |

401 is not retried here: the client refreshes the token and replays once.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime

import attrs

__all__ = ["RetryBudget", "RetryPolicy", "backoff_delay", "parse_retry_after"]

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How a client retries failed attempts.

    Args:
        max_retries: Retries after the first attempt (the client's
            ``max_retries`` argument overrides this).
        backoff_base: The first backoff, in seconds; doubles per retry.
        backoff_cap: The longest backoff, in seconds.
        max_retry_after: The longest server-requested wait (``Retry-After``)
            the client sleeps; a longer one raises `RateLimitError` at once.
        retry_writes: Also retry POST/PATCH on 408/5xx and lost connections.
            Off by default: a repeated create can duplicate users and emails.
        budget_ratio: Retries allowed as a fraction of recent calls, client-wide,
            so an outage cannot multiply the load on the API.
        budget_floor: Retries per second always allowed, whatever the ratio.
        wait_scale: Multiplies every wait before a retry (backoff and
            ``Retry-After``) when it is slept. Tests set 0 to keep the retry
            decisions, which read the unscaled waits, without the waiting
            (`FakeScalekit.client(fast_retries=True)` does). Production code
            leaves it at 1.

    """

    max_retries: int = attrs.field(default=2, validator=attrs.validators.ge(0))
    backoff_base: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    backoff_cap: float = attrs.field(default=8.0, validator=attrs.validators.ge(0))
    max_retry_after: float = attrs.field(default=60.0, validator=attrs.validators.ge(0))
    retry_writes: bool = False
    budget_ratio: float = attrs.field(default=0.2, validator=attrs.validators.ge(0))
    budget_floor: float = attrs.field(default=2.0, validator=attrs.validators.ge(0))
    wait_scale: float = attrs.field(default=1.0, validator=attrs.validators.ge(0))

    def should_retry_status(
        self, status: int, *, idempotent: bool, replayable: bool = True
    ) -> bool:
        """Whether an answer with *status* may be retried for this method.

        429 always may (the request was refused, not processed). Other
        retryable statuses need an idempotent method, or `retry_writes` on an
        operation that is *replayable*.
        """
        if status == 429:
            return True
        return status in RETRYABLE_STATUSES and self.may_repeat(idempotent, replayable)

    def may_repeat(self, idempotent: bool, replayable: bool = True) -> bool:
        """Whether a request whose outcome is unknown may be sent again."""
        return idempotent or (self.retry_writes and replayable)


def backoff_delay(retry: int, policy: RetryPolicy, rand: float) -> float:
    """The wait before retry number *retry* (0-based): capped exponential, equal jitter.

    ``min(cap, base * 2**retry)`` scaled by a factor in [0.5, 1] taken from
    *rand* in [0, 1), so a fleet that failed together does not retry together.
    """
    ceiling = min(policy.backoff_cap, policy.backoff_base * 2.0 ** min(retry, 62))
    return ceiling * (0.5 + 0.5 * rand)


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Read the server's requested wait, in seconds, or `None` when absent or unusable.

    Reads ``retry-after-ms`` first, then ``Retry-After`` as seconds or as an
    HTTP-date (relative to *now*, wall-clock seconds). Negative, non-finite or
    garbage values count as absent.
    """
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        value = _to_float(raw_ms)
        if value is not None:
            return value / 1000.0
    raw = headers.get("retry-after")
    if raw is None:
        return None
    value = _to_float(raw)
    if value is not None:
        return value
    try:
        when = parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None or when.tzinfo is None:
        return None
    seconds = when.timestamp() - (time.time() if now is None else now)
    return max(seconds, 0.0)


def _to_float(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return value


class RetryBudget:
    """A client-wide allowance of retries, refilled by calls and by time.

    Each call deposits `ratio` of a retry; each second deposits `floor`; the
    balance is capped. A retry withdraws one. When the API fails everything,
    total attempts stay near ``calls * (1 + ratio) + floor * seconds``.
    """

    def __init__(
        self, ratio: float, floor: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ratio = ratio
        self._floor = floor
        self._clock = clock
        self._cap = max(10.0, floor * 10.0)
        self._balance = self._cap
        self._stamp = self._clock()

    def _refill(self) -> None:
        now = self._clock()
        self._balance = min(self._cap, self._balance + (now - self._stamp) * self._floor)
        self._stamp = now

    def on_call(self) -> None:
        """Record a call: it earns `ratio` of a retry."""
        self._balance = min(self._cap, self._balance + self._ratio)

    def try_spend(self) -> bool:
        """Take one retry from the budget; false when it is spent."""
        self._refill()
        if self._balance >= 1.0:
            self._balance -= 1.0
            return True
        return False
