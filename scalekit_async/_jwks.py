"""The JWKS cache: Scalekit's public signing keys, fetched once and shared by every validator.

Rules, by situation:

| situation                                | what happens                                      |
|------------------------------------------|---------------------------------------------------|
| the ``kid``'s key is cached and fresh    | returned at once: no await, no I/O                |
| no keys yet (cold)                       | one fetch; concurrent callers wait on it          |
| unknown ``kid``, last fetch >= cooldown  | one refetch (key rotation), shared by all waiters |
| unknown ``kid``, last fetch < cooldown   | rejected at once without a fetch, so a flood of   |
|                                          | forged kids costs at most one fetch per cooldown  |
| keys older than `max_age`                | one refetch; if it fails the old keys stay in use |
|                                          | and the next try waits a cooldown                 |

The fetch runs shielded from the cancellation of the caller that started it
and bounded by its own timeout, so a cancelled request never breaks it for the
others. Only RSA keys usable for RS256 signatures (``use`` absent or ``sig``,
``alg`` absent or ``RS256``, at least 2048 bits) are kept.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio
import anyio.lowlevel
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from ._errors import JwksUnavailableError, TokenValidationError, TokenValidationReason

__all__ = ["JwksCache", "parse_jwks"]

logger = logging.getLogger("scalekit_async")

DEFAULT_REFETCH_INTERVAL = 30.0
DEFAULT_MAX_AGE = 3600.0
DEFAULT_FETCH_TIMEOUT = 15.0
MIN_RSA_BITS = 2048
# With no key at all, a failed fetch may be retried sooner than the cooldown.
_EMPTY_RETRY = 1.0


def parse_jwks(data: Any) -> dict[str | None, jwt.PyJWK]:
    """The usable RS256 verification keys of a JWKS document, by ``kid``.

    Keys of other types, uses or algorithms, and keys that do not parse, are
    skipped. A key without ``kid`` is stored under `None`.

    Raises:
        JwksUnavailableError: the document is not a JWKS or has no usable key.

    """
    if not isinstance(data, Mapping) or not isinstance(data.get("keys"), list):
        raise JwksUnavailableError("the JWKS endpoint answered without a 'keys' list")
    keys: dict[str | None, jwt.PyJWK] = {}
    for entry in data["keys"]:
        if not isinstance(entry, Mapping) or entry.get("kty") != "RSA":
            continue
        if entry.get("use", "sig") != "sig" or entry.get("alg", "RS256") != "RS256":
            continue
        kid = entry.get("kid")
        if kid is not None and not isinstance(kid, str):
            continue
        try:
            key = jwt.PyJWK(dict(entry), algorithm="RS256")
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
            continue
        if not isinstance(key.key, RSAPublicKey) or key.key.key_size < MIN_RSA_BITS:
            continue
        keys[kid] = key
    if not keys:
        raise JwksUnavailableError("the JWKS has no usable RS256 signing key")
    return keys


def _short(kid: str | None) -> str:
    if kid is None:
        return "no kid"
    text = kid if len(kid) <= 40 else kid[:40] + "…"
    return f"kid {text!r}"


class _Flight:
    """One in-flight fetch that any number of callers can wait on."""

    __slots__ = ("done", "error")

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.error: JwksUnavailableError | None = None


class JwksCache:
    """Scalekit's signing keys, cached and shared by every token validation of a client.

    Args:
        fetch: Returns the decoded JWKS document (raises on transport errors).
        refetch_interval: The shortest time, in seconds, between two fetches
            caused by unknown ``kid``s (the cooldown that bounds a flood).
        max_age: How long, in seconds, fetched keys are trusted before a
            refetch (`None`: until an unknown ``kid`` shows up).
        fetch_timeout: The longest a fetch may run, whoever waits on it.
        clock: A monotonic clock in seconds.

    `refetch_interval` and `max_age` are plain attributes and may be changed
    at any time. `fetches` counts the fetches made (for diagnostics and tests).

    """

    def __init__(
        self,
        fetch: Callable[[], Awaitable[Any]],
        *,
        refetch_interval: float = DEFAULT_REFETCH_INTERVAL,
        max_age: float | None = DEFAULT_MAX_AGE,
        fetch_timeout: float = DEFAULT_FETCH_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self.refetch_interval = refetch_interval
        self.max_age = max_age
        self._fetch_timeout = fetch_timeout
        self._clock = clock
        self._keys: dict[str | None, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._hold_until = 0.0
        self._last_attempt: float | None = None
        self._flight: _Flight | None = None
        self._last_error: JwksUnavailableError | None = None
        self.fetches = 0

    def __repr__(self) -> str:
        return f"<JwksCache keys={len(self._keys)} fetches={self.fetches}>"

    @property
    def kids(self) -> tuple[str | None, ...]:
        """The ``kid``s of the cached keys."""
        return tuple(self._keys)

    def clear(self) -> None:
        """Forget every key: the next validation fetches the JWKS again."""
        self._keys = {}
        self._hold_until = 0.0
        self._last_attempt = None
        self._last_error = None

    def cached(self, kid: str | None) -> jwt.PyJWK | None:
        """The fresh cached key for *kid*, or `None` (never does I/O)."""
        if not self._keys:
            return None
        max_age = self.max_age
        if max_age is not None:
            now = self._clock()
            if now - self._fetched_at >= max_age and now >= self._hold_until:
                return None
        return self._lookup(kid)

    async def get(self, kid: str | None) -> jwt.PyJWK:
        """The key for *kid*, fetching the JWKS when the rules in the module doc allow.

        Raises:
            TokenValidationError: no key has this ``kid`` (reason ``unknown_key``).
            JwksUnavailableError: no keys could be fetched.

        """
        key = self.cached(kid)
        if key is not None:
            return key
        flight = self._flight
        if flight is not None:
            await flight.done.wait()
            if flight.error is not None and not self._keys:
                raise JwksUnavailableError(flight.error.message)
        elif self._should_fetch():
            try:
                await self._refresh()
            except JwksUnavailableError:
                if not self._keys:
                    raise
        if not self._keys:
            # The last fetch failed moments ago: fail fast instead of fetching again.
            last = self._last_error
            raise JwksUnavailableError(
                last.message if last else "Scalekit's signing keys are unavailable"
            )
        key = self._lookup(kid)
        if key is None:
            raise TokenValidationError(
                TokenValidationReason.UNKNOWN_KEY,
                f"no Scalekit signing key matches the token's {_short(kid)}",
            )
        return key

    def _lookup(self, kid: str | None) -> jwt.PyJWK | None:
        key = self._keys.get(kid)
        if key is None and kid is None and len(self._keys) == 1:
            # A token without kid is accepted only when the choice is unambiguous.
            key = next(iter(self._keys.values()))
        return key

    def _should_fetch(self) -> bool:
        last = self._last_attempt
        if last is None:
            return True
        elapsed = self._clock() - last
        if not self._keys:
            return elapsed >= min(_EMPTY_RETRY, self.refetch_interval)
        return elapsed >= self.refetch_interval

    async def _refresh(self) -> None:
        flight = _Flight()
        self._flight = flight
        self._last_attempt = self._clock()
        self.fetches += 1
        try:
            with anyio.CancelScope(shield=True):
                keys = await self._fetch_bounded()
        except JwksUnavailableError as exc:
            flight.error = self._last_error = exc
            if self._keys:
                # Keep serving the keys we have; try again after a cooldown.
                self._hold_until = self._clock() + self.refetch_interval
                logger.warning("JWKS refresh failed, keeping the cached keys: %s", exc)
            raise
        finally:
            self._flight = None
            flight.done.set()
        self._keys = keys
        self._last_error = None
        self._fetched_at = self._clock()
        logger.debug("fetched %d Scalekit signing key(s)", len(keys))
        # The keys are stored for everyone; a caller cancelled meanwhile stops here.
        await anyio.lowlevel.checkpoint_if_cancelled()

    async def _fetch_bounded(self) -> dict[str | None, jwt.PyJWK]:
        data: Any = None
        done = False
        try:
            with anyio.move_on_after(self._fetch_timeout):
                data = await self._fetch()
                done = True
        except JwksUnavailableError:
            raise
        except Exception as exc:
            raise JwksUnavailableError(f"JWKS fetch failed: {exc}") from exc
        if not done:
            raise JwksUnavailableError("JWKS fetch timed out")
        return parse_jwks(data)
