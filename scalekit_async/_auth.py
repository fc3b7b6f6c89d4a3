"""The token refresher: one OAuth2 client-credentials token shared by every task of a client.

States, by the remaining lifetime ``r`` of a token of lifetime ``L``:

| state     | condition                          | a caller...                                   |
|-----------|------------------------------------|-----------------------------------------------|
| empty     | no token                           | waits for the one fetch (starting it if none) |
| fresh     | r >= min(300 s, L/2)               | uses the token                                |
| advisory  | min(30 s, L/10) <= r < fresh bound | uses the token; one caller refreshes          |
| mandatory | r < min(30 s, L/10)                | waits for the refresh (starting it if none)   |

Only one fetch runs at a time (single flight): state changes happen between
awaits, so the in-flight fetch is the lock. The fetch runs shielded from the
cancellation of the caller that started it, bounded by its own timeout, so a
cancelled caller never breaks it for the others. Lifetimes are measured on a
monotonic clock from the moment the request was sent.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

import anyio
import anyio.lowlevel
import attrs

from ._errors import APITimeoutError, ScalekitError, TokenError

__all__ = ["AccessToken", "TokenGrant", "TokenRefresher", "TokenStore"]

logger = logging.getLogger("scalekit_async")


@attrs.frozen
class TokenGrant:
    """A token and how long it stays valid.

    `expires_in` is the remaining lifetime in seconds. `lifetime` is the full
    lifetime when the token was issued earlier (e.g. read from a shared store);
    refresh-ahead windows are measured against it.
    """

    access_token: str = attrs.field(repr=False)
    expires_in: float
    lifetime: float | None = None


Fetch = Callable[[], Awaitable[TokenGrant]]


@runtime_checkable
class TokenStore(Protocol):
    """Where a client gets new tokens: the seam for sharing one token between processes.

    The default (`None` on the client) asks the token endpoint directly. A shared
    store (for example `scalekit_async.redis.RedisTokenStore`) returns a token
    another process already fetched, and lets only one process fetch at a time.
    """

    async def obtain(self, fetch: Fetch, stale: str | None) -> TokenGrant:
        """Return a valid token other than *stale*, calling *fetch* only if none is shared.

        Args:
            fetch: Asks the token endpoint for a new token (raises a `ScalekitError`).
            stale: The token the caller holds and wants replaced (expiring, or
                rejected with 401), or `None`.
        """
        ...


@attrs.frozen
class AccessToken:
    """A cached token with its monotonic deadlines; its value never appears in a repr."""

    value: str = attrs.field(repr=False)
    obtained_at: float
    lifetime: float
    refresh_at: float = attrs.field(init=False, repr=False, eq=False)
    """When an advisory refresh starts (callers keep using the token); computed once,
    as every call compares it."""

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "refresh_at", self.expires_at - min(300.0, self.lifetime / 2))

    @property
    def expires_at(self) -> float:
        """When the token stops being valid."""
        return self.obtained_at + self.lifetime

    @property
    def mandatory_at(self) -> float:
        """When callers must wait for a new token instead of using this one."""
        return self.expires_at - min(30.0, self.lifetime / 10)


class _Flight:
    """One in-flight fetch that any number of callers can wait on."""

    __slots__ = ("done", "error", "token")

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.token: AccessToken | None = None
        self.error: ScalekitError | None = None


class TokenRefresher:
    """Keep a valid access token, fetching it lazily and refreshing it ahead of expiry.

    Args:
        fetch: Asks the token endpoint for a new token; raises a `ScalekitError`
            (`TokenError` when refused, `APIConnectionError` when unreachable).
        store: Where new tokens come from when shared between processes.
        clock: A monotonic clock in seconds (injectable for tests).
        fetch_timeout: The longest a fetch may run, whoever waits on it.
        cooldown: After a failed advisory refresh, how long callers keep the
            current token before another refresh is tried.

    """

    def __init__(
        self,
        fetch: Fetch,
        *,
        store: TokenStore | None = None,
        clock: Callable[[], float] = time.monotonic,
        fetch_timeout: float = 30.0,
        cooldown: float = 5.0,
    ) -> None:
        self._fetch = fetch
        self._store = store
        self._rejected: str | None = None
        self._clock = clock
        self._fetch_timeout = fetch_timeout
        self._cooldown = cooldown
        self._current: AccessToken | None = None
        self._flight: _Flight | None = None
        self._retry_advisory_at = 0.0
        self._warned_lifetime = False
        self.fetches = 0

    def __repr__(self) -> str:
        state = "empty" if self._current is None else self.state()
        return f"<TokenRefresher state={state}>"

    def state(self) -> str:
        """The refresher's state name (for diagnostics): empty, fresh, advisory, mandatory."""
        token = self._current
        if token is None:
            return "empty"
        now = self._clock()
        if now < token.refresh_at:
            return "fresh"
        if now < token.mandatory_at:
            return "advisory"
        return "mandatory"

    def peek(self) -> str | None:
        """The cached token if it is fresh (no refresh due), else `None`; never waits."""
        token = self._current
        if token is not None and self._clock() < token.refresh_at:
            return token.value
        return None

    async def token(self) -> str:
        """Return a token that is valid now, fetching or refreshing as the state requires."""
        token = self._current
        if token is not None:
            now = self._clock()
            if now < token.refresh_at:
                return token.value
            if now < token.mandatory_at:
                if self._flight is None and now >= self._retry_advisory_at:
                    return await self._advisory_refresh(token)
                return token.value
        flight = self._flight
        if flight is None:
            fresh = await self._run_fetch()
            # The fetch was shielded; a caller cancelled meanwhile leaves now.
            await anyio.lowlevel.checkpoint_if_cancelled()
        else:
            await flight.done.wait()
            if flight.error is not None:
                raise flight.error
            if flight.token is None:
                raise TokenError("token refresh was interrupted")
            fresh = flight.token
        return fresh.value

    def known_values(self) -> tuple[str, ...]:
        """The cached and the last rejected token, for redaction only (never log them)."""
        values = (self._current.value if self._current is not None else None, self._rejected)
        return tuple(v for v in values if v)

    def invalidate(self, value: str) -> None:
        """Forget the cached token, but only if it is still *value* (compare-and-clear).

        Called after the API rejected *value* with 401; a token that another
        task has already replaced is kept.
        """
        if self._current is not None and self._current.value == value:
            self._current = None
            self._rejected = value

    async def _advisory_refresh(self, current: AccessToken) -> str:
        try:
            fresh = await self._run_fetch()
        except ScalekitError as exc:
            self._retry_advisory_at = self._clock() + self._cooldown
            logger.warning("advisory token refresh failed, keeping the current token: %s", exc)
            return current.value
        return fresh.value

    async def _run_fetch(self) -> AccessToken:
        flight = _Flight()
        self._flight = flight
        try:
            with anyio.CancelScope(shield=True):
                fresh = await self._fetch_bounded()
        except ScalekitError as exc:
            # Typed as it happened: refused (TokenError), unreachable (APIConnectionError),
            # failing (ServerError), or a store's own error; every waiter gets the same.
            flight.error = exc
            raise
        except Exception as exc:
            flight.error = TokenError(f"token request failed: {type(exc).__name__}")
            raise flight.error from exc
        finally:
            self._flight = None
            flight.done.set()
        self._current = flight.token = fresh
        logger.debug("fetched an access token valid for %.0fs", fresh.lifetime)
        return fresh

    async def _counted_fetch(self) -> TokenGrant:
        self.fetches += 1
        return await self._fetch()

    async def _fetch_bounded(self) -> AccessToken:
        started = self._clock()
        grant: TokenGrant | None = None
        stale = self._current.value if self._current is not None else self._rejected
        with anyio.move_on_after(self._fetch_timeout):
            if self._store is None:
                grant = await self._counted_fetch()
            else:
                grant = await self._store.obtain(self._counted_fetch, stale)
        if grant is None:
            raise APITimeoutError(f"token request timed out after {self._fetch_timeout:g}s")
        if not grant.expires_in > 0:
            # Odd, but no reason to stop working: this token serves the call that
            # fetched it, and the next call fetches another.
            if not self._warned_lifetime:
                self._warned_lifetime = True
                logger.warning(
                    "the token endpoint returned expires_in=%s; each call will fetch a new "
                    "token until it returns a positive lifetime",
                    grant.expires_in,
                )
            return AccessToken(grant.access_token, started, 0.0)
        lifetime = float(grant.lifetime or grant.expires_in)
        lifetime = max(lifetime, float(grant.expires_in))
        return AccessToken(grant.access_token, started - (lifetime - grant.expires_in), lifetime)
