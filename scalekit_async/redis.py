"""Fleet mode: one token and one rate budget shared by every worker process, through Redis.

Each `ScalekitClient` normally fetches its own token and paces only itself. A
fleet of worker processes then makes one token request per process at every
rollout and, during bulk work, overshoots the environment's rate limit as a
whole. This module shares both through Redis:

```python
import scalekit_async as sk
from scalekit_async.redis import Fleet

async with (
    Fleet.from_url("redis://cache:6379/0", requests_per_minute=3000) as fleet,
    sk.ScalekitClient(**fleet.client_options) as client,
):
    ...
```

- `RedisTokenStore`: across any number of processes exactly one fetches a new
  token per lifetime (a Redis lock with an expiry and an owner check, so a
  crashed holder never blocks the fleet); the others read it. The token is kept
  under a key derived from a hash of the environment URL and client id (never
  the secret) with a TTL equal to its remaining lifetime, and is never logged.
- `RedisRateLimiter`: a GCRA kept in Redis and updated by one Lua script, so the
  whole fleet stays under a requests-per-minute budget; a 429 with
  ``Retry-After`` seen by one process pauses every process (a shared cool-down).
- When Redis is unavailable or slow (each operation is bounded by a short
  timeout), both fall back to per-process behaviour, log one warning per outage
  on the ``scalekit_async`` logger, and go back to Redis once it answers again.
  A call never fails because Redis is down.

Fleet mode runs on asyncio only: it uses ``redis.asyncio`` from the official
``redis`` package (install ``scalekit-async[redis]``), which does not run on trio.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import secrets
from collections.abc import Mapping
from typing import Any

import anyio
import anyio.lowlevel

try:
    import redis.asyncio as aioredis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff
    from redis.exceptions import RedisError
except ImportError as exc:  # pragma: no cover - checked in a subprocess by the tests
    raise ImportError(
        "scalekit_async.redis (fleet mode) needs the redis package; "
        "install it with: pip install 'scalekit-async[redis]'"
    ) from exc

from ._auth import Fetch, TokenGrant
from ._config import ENV_CLIENT_ID, ENV_URL, normalize_url
from ._errors import APITimeoutError, ClientClosedError, ConfigurationError

__all__ = ["Fleet", "RedisRateLimiter", "RedisTokenStore"]

logger = logging.getLogger("scalekit_async")

DEFAULT_OP_TIMEOUT = 0.5
DEFAULT_RECHECK_AFTER = 2.0
DEFAULT_LOCK_TTL = 10.0
DEFAULT_POLL_INTERVAL = 0.05
DEFAULT_MAX_PAUSE = 60.0
DEFAULT_NAMESPACE = "scalekit"

# -- Lua scripts: each runs atomically in Redis ----------------------------

# Read the shared token if it is usable and not the stale one, else take the lock.
# KEYS: token hash, lock. ARGV: sha1 of the stale token ('' for none), owner, lock ms.
# Returns {1, token, lifetime_ms, ttl_ms} | {2} (lock taken) | {0, lock_ttl_ms}.
_OBTAIN = """
local token = redis.call('HGET', KEYS[1], 'token')
if token and redis.sha1hex(token) ~= ARGV[1] then
  local ttl = redis.call('PTTL', KEYS[1])
  local lifetime = tonumber(redis.call('HGET', KEYS[1], 'lifetime_ms'))
  if lifetime and ttl > math.min(30000, lifetime / 10) then
    return {1, token, lifetime, ttl}
  end
end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then
  return {2}
end
return {0, redis.call('PTTL', KEYS[2])}
"""

# Store a token with a TTL of its remaining lifetime, then release the lock if still ours.
# KEYS: token hash, lock. ARGV: token, lifetime ms, ttl ms, owner.
_STORE = """
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'lifetime_ms', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if redis.call('GET', KEYS[2]) == ARGV[4] then
  redis.call('DEL', KEYS[2])
end
return 1
"""

# Compare-and-delete: release the lock only if this owner still holds it.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# GCRA with reservation, on Redis's clock (microseconds), honouring the cool-down.
# KEYS: theoretical arrival time, cool-down. ARGV: interval us, tolerance us, longest wait us.
# Returns {1, wait_us} (slot reserved) | {0, wait_us} (the wait is longer than allowed).
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local start = now
local cool = redis.call('PTTL', KEYS[2])
if cool > 0 then start = now + cool * 1000 end
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local allowed = tat - tonumber(ARGV[2])
if allowed < start then allowed = start end
local wait = allowed - now
if wait > tonumber(ARGV[3]) then return {0, string.format('%.0f', wait)} end
local new_tat = math.max(tat, allowed) + interval
redis.call('SET', KEYS[1], string.format('%.0f', new_tat),
           'PX', string.format('%.0f', math.ceil((new_tat - now) / 1000) + 1000))
return {1, string.format('%.0f', wait)}
"""

# Extend the cool-down to ARGV[1] ms from now (never shorten it).
_PAUSE = """
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1
"""


class _Unavailable(Exception):
    """Redis did not answer in time (or failed): use the per-process fallback."""


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _micros(seconds: float) -> int:
    """Whole microseconds in [0, one day] (a deadline may be far off or infinite)."""
    return int(min(max(seconds, 0.0), 86_400.0) * 1e6)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


class _Link:
    """One Redis client with a per-operation timeout and outage bookkeeping.

    After a failure Redis is skipped for *recheck_after* seconds; then one
    operation probes it while the others stay local, and the first success ends
    the outage. One warning is logged per outage, never one per call.
    """

    def __init__(
        self,
        redis: aioredis.Redis | str,
        *,
        op_timeout: float,
        recheck_after: float,
        redis_options: Mapping[str, Any] | None = None,
    ) -> None:
        if not op_timeout > 0:
            raise ConfigurationError("op_timeout must be a positive number of seconds")
        if recheck_after < 0:
            raise ConfigurationError("recheck_after must not be negative")
        self.op_timeout = float(op_timeout)
        self._recheck_after = float(recheck_after)
        self._owned = isinstance(redis, str)
        if isinstance(redis, str):
            options: dict[str, Any] = {
                "socket_timeout": self.op_timeout,
                "socket_connect_timeout": self.op_timeout,
                "retry": Retry(NoBackoff(), 0),  # fail fast: the fallback is the retry
                **(redis_options or {}),
            }
            try:  # builds the client only: it connects on first use
                self._client: aioredis.Redis | None = aioredis.Redis.from_url(redis, **options)
            except ValueError:
                raise ConfigurationError(
                    "not a usable Redis URL: expected redis://, rediss:// or unix:// "
                    "with a numeric port"
                ) from None
        else:
            self._client = redis
        self._scripts: dict[str, Any] = {}
        self._down = False
        self._retry_at = 0.0
        self._probing = False
        self._checked = False
        self.outages = 0

    @property
    def state(self) -> str:
        return "down" if self._down else "up"

    def _redis(self) -> aioredis.Redis:
        if self._client is None:
            raise ClientClosedError("this fleet-mode object is closed")
        return self._client

    def _check_backend(self) -> None:
        if self._checked:
            return
        if not isinstance(anyio.lowlevel.current_token().native_token, asyncio.AbstractEventLoop):
            raise ConfigurationError(
                "fleet mode (scalekit_async.redis) runs on asyncio only: "
                "redis.asyncio does not run on trio"
            )
        self._checked = True

    async def script(self, name: str, source: str, keys: list[str], args: list[Any]) -> Any:
        """Run a Lua script; raise `_Unavailable` when Redis is skipped, fails or is slow."""
        self._check_backend()
        probe = False
        if self._down:
            if self._probing or anyio.current_time() < self._retry_at:
                raise _Unavailable
            self._probing = probe = True
        try:
            client = self._redis()
            script = self._scripts.get(name)
            if script is None:
                script = self._scripts[name] = client.register_script(source)
            with anyio.fail_after(self.op_timeout):
                result = await script(keys=keys, args=args)
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed(exc)
            raise _Unavailable from exc
        finally:
            if probe:
                self._probing = False
        if self._down:
            self._down = False
            logger.info("Redis answers again: fleet mode shares the token and rate limit again")
        return result

    def _failed(self, exc: BaseException) -> None:
        self._retry_at = anyio.current_time() + self._recheck_after
        if self._down:
            return
        self._down = True
        self.outages += 1
        if isinstance(exc, TimeoutError) and not isinstance(exc, RedisError):
            reason = f"no answer within {self.op_timeout:g}s"
        else:
            reason = type(exc).__name__  # never the message: it may quote the server address
        logger.warning(
            "Redis is unavailable (%s): fleet mode falls back to a per-process token and "
            "rate limit until Redis answers again",
            reason,
        )

    async def aclose(self) -> None:
        client, self._client = self._client, None
        self._scripts.clear()
        if self._owned and client is not None:
            await client.aclose()


class RedisTokenStore:
    """A `TokenStore` that shares one access token between every process of a fleet.

    Across N processes exactly one fetches a new token per lifetime: it takes a
    Redis lock (``SET NX PX`` with a random owner, released by compare-and-delete,
    so a crashed holder blocks nobody past *lock_ttl*), fetches, and stores the
    token with a TTL equal to its remaining lifetime (and its full lifetime
    alongside, so refresh-ahead windows stay right). The others poll every
    *poll_interval* until the token appears, bounded by the client's token-fetch
    timeout. Keys derive from a hash of the environment URL and client id; the
    client secret is never used and the token is never logged. While Redis is
    unavailable each process fetches its own token.

    Args:
        redis: A ``redis.asyncio.Redis`` you own (never closed here), or a Redis
            URL (the client is created on first use and closed by `aclose`).
        environment_url: The environment the client talks to.
        client_id: The API client id.
        lock_ttl: How long the fetch lock is held at most, in seconds.
        poll_interval: How often a waiting process looks for the new token.
        op_timeout: The longest one Redis operation may take before the store
            falls back to fetching on its own.
        recheck_after: After a failure, how long Redis is left alone before it
            is tried again.
        namespace: The prefix of the Redis keys.

    Runs on asyncio only (``redis.asyncio``).
    """

    def __init__(
        self,
        redis: aioredis.Redis | str,
        *,
        environment_url: str,
        client_id: str,
        lock_ttl: float = DEFAULT_LOCK_TTL,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        op_timeout: float = DEFAULT_OP_TIMEOUT,
        recheck_after: float = DEFAULT_RECHECK_AFTER,
        namespace: str = DEFAULT_NAMESPACE,
    ) -> None:
        link = _Link(redis, op_timeout=op_timeout, recheck_after=recheck_after)
        self._setup(link, environment_url, client_id, lock_ttl, poll_interval, namespace)

    @classmethod
    def _on(
        cls,
        link: _Link,
        environment_url: str,
        client_id: str,
        lock_ttl: float,
        poll_interval: float,
        namespace: str,
    ) -> RedisTokenStore:
        store = cls.__new__(cls)
        store._setup(link, environment_url, client_id, lock_ttl, poll_interval, namespace)
        return store

    def _setup(
        self,
        link: _Link,
        environment_url: str,
        client_id: str,
        lock_ttl: float,
        poll_interval: float,
        namespace: str,
    ) -> None:
        if not client_id:
            raise ConfigurationError("client_id is required to share a token")
        if not lock_ttl > 0 or not poll_interval > 0:
            raise ConfigurationError("lock_ttl and poll_interval must be positive")
        self._link = link
        base = f"{namespace}:{{{_digest(normalize_url(environment_url), client_id)}}}"
        self.key = base + ":token"
        """The Redis key of the shared token (a hash of environment and client id)."""
        self.lock_key = base + ":lock"
        """The Redis key of the fetch lock."""
        self._lock_ms = max(1, round(lock_ttl * 1000))
        self._poll = float(poll_interval)

    def __repr__(self) -> str:
        return f"<RedisTokenStore key={self.key!r} redis={self._link.state}>"

    async def obtain(self, fetch: Fetch, stale: str | None) -> TokenGrant:
        """Return the shared token unless it is *stale*; else fetch it once for the fleet.

        Args:
            fetch: Asks the token endpoint for a new token.
            stale: The token the caller wants replaced, or `None`.
        """
        stale_digest = hashlib.sha1(stale.encode()).hexdigest() if stale else ""  # noqa: S324 - an identity check, not security
        while True:
            owner = secrets.token_hex(16)
            try:
                answer = await self._link.script(
                    "obtain",
                    _OBTAIN,
                    [self.key, self.lock_key],
                    [stale_digest, owner, self._lock_ms],
                )
            except _Unavailable:
                return await fetch()
            kind = int(answer[0])
            if kind == 1:
                return TokenGrant(
                    _text(answer[1]),
                    expires_in=int(answer[3]) / 1000,
                    lifetime=int(answer[2]) / 1000,
                )
            if kind == 2:
                return await self._fetch_and_share(fetch, owner)
            # Another process holds the lock: wait for its token (or for the lock to expire).
            await anyio.sleep(min(self._poll, max(int(answer[1]), 1) / 1000))

    async def _fetch_and_share(self, fetch: Fetch, owner: str) -> TokenGrant:
        released = False
        try:
            started = anyio.current_time()
            grant = await fetch()
            remaining = grant.expires_in - (anyio.current_time() - started)
            lifetime = max(grant.lifetime or grant.expires_in, grant.expires_in)
            if remaining > 0:
                try:
                    await self._link.script(
                        "store",
                        _STORE,
                        [self.key, self.lock_key],
                        [
                            grant.access_token,
                            max(1, round(lifetime * 1000)),
                            max(1, int(remaining * 1000)),
                            owner,
                        ],
                    )
                    released = True
                except _Unavailable:
                    pass
            return grant
        finally:
            if not released:
                # If Redis is unavailable the lock expires by itself.
                with anyio.CancelScope(shield=True), contextlib.suppress(_Unavailable):
                    await self._link.script("release", _RELEASE, [self.lock_key], [owner])

    async def aclose(self) -> None:
        """Close the Redis client if this store created it from a URL."""
        await self._link.aclose()

    async def __aenter__(self) -> RedisTokenStore:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class _LocalGcra:
    """The per-process fallback: the same GCRA, on this process's clock."""

    def __init__(self, interval: float, tolerance: float) -> None:
        self._interval = interval
        self._tolerance = tolerance
        self._tat = 0.0

    def wait(self, now: float) -> float:
        """How long the next request would wait for its slot."""
        return max(self._tat - self._tolerance - now, 0.0)

    def reserve(self, now: float, longest: float) -> float | None:
        """Reserve the next slot and return the wait, or `None` if it exceeds *longest*."""
        wait = self.wait(now)
        if wait > longest:
            return None
        self._tat = max(self._tat, now + wait) + self._interval
        return wait


class RedisRateLimiter:
    """A `RateLimiter` that keeps every process of a fleet under one request budget.

    The budget is a GCRA (generic cell rate algorithm) kept in Redis on Redis's
    clock and updated by one Lua script per request: each request reserves the
    next free slot, so the fleet as a whole sends at most *requests_per_minute*
    (plus a burst of *burst* requests). A 429 with ``Retry-After`` seen by any
    process sets a shared cool-down key; every process's `acquire` waits it out,
    including requests that were already waiting for their slot. When no slot
    is free before a call's deadline, `acquire` raises `APITimeoutError` at once
    instead of waiting in vain.

    A pause is capped at *max_pause* seconds, so a misbehaving proxy's huge
    ``Retry-After`` cannot freeze the fleet (calls that cannot wait that long
    fail at once, as they would on their own). While Redis is unavailable each
    process keeps itself under *fallback_requests_per_minute* (default: the same
    budget) on its own clock.

    Args:
        redis: A ``redis.asyncio.Redis`` you own (never closed here), or a Redis
            URL (the client is created on first use and closed by `aclose`).
        requests_per_minute: The fleet-wide budget.
        environment_url: The environment whose budget this is (one per environment).
        burst: How many requests may go out back to back (1: strictly paced).
        fallback_requests_per_minute: Each process's own budget while Redis is down.
        max_pause: The longest fleet-wide pause one ``Retry-After`` can cause.
        op_timeout: The longest one Redis operation may take.
        recheck_after: After a failure, how long Redis is left alone.
        namespace: The prefix of the Redis keys.

    Runs on asyncio only (``redis.asyncio``).
    """

    def __init__(
        self,
        redis: aioredis.Redis | str,
        *,
        requests_per_minute: float,
        environment_url: str,
        burst: int = 1,
        fallback_requests_per_minute: float | None = None,
        max_pause: float = DEFAULT_MAX_PAUSE,
        op_timeout: float = DEFAULT_OP_TIMEOUT,
        recheck_after: float = DEFAULT_RECHECK_AFTER,
        namespace: str = DEFAULT_NAMESPACE,
    ) -> None:
        link = _Link(redis, op_timeout=op_timeout, recheck_after=recheck_after)
        self._setup(
            link,
            requests_per_minute,
            environment_url,
            burst,
            fallback_requests_per_minute,
            max_pause,
            namespace,
        )

    @classmethod
    def _on(
        cls,
        link: _Link,
        requests_per_minute: float,
        environment_url: str,
        burst: int,
        fallback_requests_per_minute: float | None,
        max_pause: float,
        namespace: str,
    ) -> RedisRateLimiter:
        limiter = cls.__new__(cls)
        limiter._setup(
            link,
            requests_per_minute,
            environment_url,
            burst,
            fallback_requests_per_minute,
            max_pause,
            namespace,
        )
        return limiter

    def _setup(
        self,
        link: _Link,
        requests_per_minute: float,
        environment_url: str,
        burst: int,
        fallback_requests_per_minute: float | None,
        max_pause: float,
        namespace: str,
    ) -> None:
        if not requests_per_minute > 0:
            raise ConfigurationError("requests_per_minute must be positive")
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise ConfigurationError("burst must be an int of at least 1")
        fallback = fallback_requests_per_minute or requests_per_minute
        if not fallback > 0:
            raise ConfigurationError("fallback_requests_per_minute must be positive")
        if not max_pause > 0:
            raise ConfigurationError("max_pause must be a positive number of seconds")
        self._max_pause = float(max_pause)
        self._link = link
        self.requests_per_minute = float(requests_per_minute)
        """The fleet-wide budget."""
        interval = 60.0 / self.requests_per_minute
        self._interval_us = round(interval * 1e6)
        self._tolerance_us = round((burst - 1) * interval * 1e6)
        local_interval = 60.0 / fallback
        self._local = _LocalGcra(local_interval, (burst - 1) * local_interval)
        self._cool_until = 0.0
        base = f"{namespace}:{{{_digest(normalize_url(environment_url))}}}"
        self.key = base + ":rate"
        """The Redis key of the budget's theoretical arrival time."""
        self.cooldown_key = base + ":cooldown"
        """The Redis key that is set while the fleet waits out a 429."""

    def __repr__(self) -> str:
        return (
            f"<RedisRateLimiter {self.requests_per_minute:g}/min key={self.key!r} "
            f"redis={self._link.state}>"
        )

    async def acquire(self, deadline: float) -> None:
        """Wait for this request's slot in the fleet's budget (and out any cool-down).

        Raises `APITimeoutError` at once when the slot comes after *deadline*.
        """
        while True:
            now = anyio.current_time()
            cool = self._cool_until - now
            if cool > 0:
                if now + cool >= deadline:
                    raise self._too_late(cool)
                await anyio.sleep(cool)
                continue
            shared = True
            try:
                answer = await self._link.script(
                    "gcra",
                    _GCRA,
                    [self.key, self.cooldown_key],
                    [self._interval_us, self._tolerance_us, _micros(deadline - now)],
                )
            except _Unavailable:
                shared = False
                local = self._local.reserve(now, deadline - now)
                if local is None:
                    raise self._too_late(self._local.wait(now)) from None
                wait = local
            else:
                wait = int(_text(answer[1])) / 1e6
                if int(answer[0]) != 1:
                    raise self._too_late(wait)
            if wait <= 0:
                return
            await anyio.sleep(wait)
            # A 429 may have paused the fleet while this request waited for its slot.
            if self._cool_until > anyio.current_time():
                continue
            if shared and await self._shared_cooling():
                continue
            return

    async def _shared_cooling(self) -> bool:
        try:
            answer = await self._link.script(
                "cooling", "return redis.call('PTTL', KEYS[1])", [self.cooldown_key], []
            )
        except _Unavailable:
            return False
        return int(answer) > 0

    def _too_late(self, wait: float) -> APITimeoutError:
        return APITimeoutError(
            f"no request slot under the shared rate limit before the call's deadline "
            f"(next slot in {wait:.1f}s)",
            outcome_unknown=False,
        )

    async def pause(self, seconds: float) -> None:
        """Pause every process sharing this budget for *seconds* (a 429's ``Retry-After``)."""
        if not seconds > 0:
            return
        seconds = min(seconds, self._max_pause)
        self._cool_until = max(self._cool_until, anyio.current_time() + seconds)
        # If Redis is unavailable this process still pauses; the others see their own 429s.
        with contextlib.suppress(_Unavailable):
            await self._link.script(
                "pause", _PAUSE, [self.cooldown_key], [max(1, round(seconds * 1000))]
            )

    async def aclose(self) -> None:
        """Close the Redis client if this limiter created it from a URL."""
        await self._link.aclose()

    async def __aenter__(self) -> RedisRateLimiter:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class Fleet:
    """A `RedisTokenStore` and a `RedisRateLimiter` over one Redis client.

    They share the connection pool and the outage state, so an outage is
    reported once. ``client_options`` are the keyword arguments for
    `ScalekitClient`.

    ```python
    async with (
        Fleet.from_url("redis://cache:6379/0", requests_per_minute=3000) as fleet,
        sk.ScalekitClient(**fleet.client_options) as client,
    ):
        ...
    ```

    Args:
        redis: A ``redis.asyncio.Redis`` you own (never closed here); use
            `from_url` to let the fleet create (and close) one.
        environment_url: Default: ``SCALEKIT_ENVIRONMENT_URL``.
        client_id: Default: ``SCALEKIT_CLIENT_ID``.
        requests_per_minute: The fleet-wide budget; `None`: share the token only.
        burst: Requests that may go out back to back.
        fallback_requests_per_minute: Each process's own budget while Redis is down.
        max_pause: The longest fleet-wide pause one ``Retry-After`` can cause.
        lock_ttl: How long the token-fetch lock is held at most.
        poll_interval: How often a process waiting for the token looks for it.
        op_timeout: The longest one Redis operation may take.
        recheck_after: After a failure, how long Redis is left alone.
        namespace: The prefix of the Redis keys.

    Nothing connects until the first call. Runs on asyncio only.
    """

    def __init__(
        self,
        redis: aioredis.Redis | str,
        *,
        environment_url: str | None = None,
        client_id: str | None = None,
        requests_per_minute: float | None = None,
        burst: int = 1,
        fallback_requests_per_minute: float | None = None,
        max_pause: float = DEFAULT_MAX_PAUSE,
        lock_ttl: float = DEFAULT_LOCK_TTL,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        op_timeout: float = DEFAULT_OP_TIMEOUT,
        recheck_after: float = DEFAULT_RECHECK_AFTER,
        namespace: str = DEFAULT_NAMESPACE,
        redis_options: Mapping[str, Any] | None = None,
    ) -> None:
        url = environment_url or os.environ.get(ENV_URL)
        cid = client_id or os.environ.get(ENV_CLIENT_ID)
        if not url or not cid:
            raise ConfigurationError(
                f"fleet mode needs the environment URL and client id: pass them or set "
                f"{ENV_URL} and {ENV_CLIENT_ID}"
            )
        self._link = _Link(
            redis,
            op_timeout=op_timeout,
            recheck_after=recheck_after,
            redis_options=redis_options,
        )
        self.token_store = RedisTokenStore._on(
            self._link, url, cid, lock_ttl, poll_interval, namespace
        )
        """The shared token store."""
        self.rate_limiter = (
            None
            if requests_per_minute is None
            else RedisRateLimiter._on(
                self._link,
                requests_per_minute,
                url,
                burst,
                fallback_requests_per_minute,
                max_pause,
                namespace,
            )
        )
        """The shared rate limiter, or `None` without a budget."""

    @classmethod
    def from_url(
        cls, url: str, *, redis_options: Mapping[str, Any] | None = None, **options: Any
    ) -> Fleet:
        """A fleet over a Redis client it creates from *url* on first use (and closes).

        *redis_options* go to ``redis.asyncio.Redis.from_url``; *options* are
        the other arguments of `Fleet`.
        """
        return cls(url, redis_options=redis_options, **options)

    @property
    def client_options(self) -> dict[str, Any]:
        """``token_store=`` and ``rate_limiter=`` for `ScalekitClient`."""
        options: dict[str, Any] = {"token_store": self.token_store}
        if self.rate_limiter is not None:
            options["rate_limiter"] = self.rate_limiter
        return options

    def __repr__(self) -> str:
        return f"<Fleet {self.token_store!r} {self.rate_limiter!r}>"

    async def aclose(self) -> None:
        """Close the Redis client if this fleet created it from a URL."""
        await self._link.aclose()

    async def __aenter__(self) -> Fleet:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
