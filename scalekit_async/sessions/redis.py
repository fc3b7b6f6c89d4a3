"""Server-side sessions and fleet-wide dedupe in Redis (the ``redis`` extra, asyncio only).

```python
store = RedisSessionStore("redis://cache:6379/0", secrets=[os.environ["SESSION_SECRET"]])
auth = ScalekitAuth(config, client=..., store=store, dedupe=RedisDedupeStore(store.redis))
```

`RedisSessionStore`:

- the cookie carries only a sealed reference (a random session id), so it
  stays small whatever the tokens' size;
- each record is sealed with the session secrets too (AES-256-GCM, bound to
  its key), so a Redis dump or a replica leaks no token, and kept with a TTL
  equal to the session's remaining absolute lifetime;
- a refresh runs once per session across every process: a Redis lock
  (``SET NX PX`` with an owner, released by compare-and-delete) picks the one
  process that spends the refresh token; the others wait for the new record
  and use it; the refreshed record replaces the old one only if nobody
  changed it meanwhile (a logout or a revocation wins);
- `revoke_user` and `revoke_session` end sessions fleet-wide at once
  (e.g. from a webhook handler or an admin action).

`RedisDedupeStore` remembers webhook ids and consumed login states for the
fleet. When Redis cannot be reached (each operation is bounded by
*op_timeout*), requests get 503 answers, never a silent sign-out.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import secrets as secrets_module
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import anyio
import anyio.lowlevel

try:
    import redis.asyncio as aioredis
    from redis.exceptions import RedisError
except ImportError as exc:  # pragma: no cover - the error users see without the extra
    raise ImportError(
        "scalekit_async.sessions.redis needs the redis package; "
        "install it with: pip install 'scalekit-async[redis]'"
    ) from exc

from .. import ConfigurationError
from ._cookies import SessionCipher
from ._store import (
    REFUSED,
    UNAVAILABLE,
    DedupeState,
    Perform,
    RefreshFlights,
    RefreshOutcome,
    SessionRecord,
    SessionStoreUnavailableError,
    flight_key,
)

__all__ = ["RedisDedupeStore", "RedisSessionStore"]

logger = logging.getLogger("scalekit_async.sessions")

T = TypeVar("T")

DEFAULT_OP_TIMEOUT = 1.0
DEFAULT_LOCK_TTL = 15.0
DEFAULT_REFRESH_TIMEOUT = 10.0
DEFAULT_POLL_INTERVAL = 0.05

# Replace the record only if it is still the one the refresh started from.
# KEYS: record. ARGV: expected value, new value, ttl ms.
_SWAP = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
"""

# Delete the record only if it is still the one the refresh started from.
_DELETE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# Release a lock only if this owner still holds it.
_RELEASE = _DELETE_IF

# Store a record and index it by user and by Scalekit session, keeping the longest TTL.
# KEYS: record, user index, scalekit-session index. ARGV: value, ttl ms, record digest.
_SAVE = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
if KEYS[3] ~= '' then
  redis.call('SET', KEYS[3], ARGV[3], 'PX', ARGV[2])
end
return 1
"""

# Claim a key: {1} claimed, {0, state} already claimed or done.
_BEGIN = """
if redis.call('SET', KEYS[1], 'running', 'NX', 'PX', ARGV[1]) then
  return {1}
end
return {0, redis.call('GET', KEYS[1])}
"""

_ABANDON = """
if redis.call('GET', KEYS[1]) == 'running' then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class _Connection:
    """One Redis client: per-operation timeout, asyncio check, errors as store outages."""

    def __init__(self, redis: aioredis.Redis | str, *, op_timeout: float) -> None:
        if not op_timeout > 0:
            raise ConfigurationError("op_timeout must be a positive number of seconds")
        self.op_timeout = float(op_timeout)
        self.owned = isinstance(redis, str)
        if isinstance(redis, str):
            try:  # builds the client only: it connects on first use
                self.client: aioredis.Redis = aioredis.Redis.from_url(
                    redis, socket_timeout=op_timeout, socket_connect_timeout=op_timeout
                )
            except ValueError:
                raise ConfigurationError(
                    "not a usable Redis URL: expected redis://, rediss:// or unix://"
                ) from None
        else:
            self.client = redis
        self._scripts: dict[str, Any] = {}

    async def run(self, operation: Callable[[aioredis.Redis], Awaitable[T]]) -> T:
        if not isinstance(anyio.lowlevel.current_token().native_token, asyncio.AbstractEventLoop):
            raise ConfigurationError(
                "the Redis session and dedupe stores run on asyncio only "
                "(redis.asyncio does not run on trio)"
            )
        try:
            with anyio.fail_after(self.op_timeout):
                return await operation(self.client)
        except (RedisError, OSError, TimeoutError) as exc:
            # Never the message: it may quote the server address or a key.
            raise SessionStoreUnavailableError(
                f"Redis is unavailable ({type(exc).__name__})"
            ) from None

    async def script(self, source: str, keys: list[str], args: list[Any]) -> Any:
        script = self._scripts.get(source)
        if script is None:
            script = self._scripts[source] = self.client.register_script(source)
        return await self.run(lambda _: script(keys=keys, args=args))

    async def aclose(self) -> None:
        if self.owned:
            await self.client.aclose()


class RedisSessionStore:
    """A `SessionStore` in Redis: small cookies, fleet-wide single-flight refresh, revocation.

    Args:
        redis: A ``redis.asyncio.Redis`` you own (never closed here), or a
            Redis URL (the client is created on first use and closed by `aclose`).
        secrets: The secrets that seal records at rest (the session secrets
            are fine), newest first.
        namespace: The prefix of the Redis keys.
        lock_ttl: How long one process may hold a session's refresh lock.
        refresh_timeout: The longest one refresh may take (below *lock_ttl*).
        poll_interval: How often a process waiting for another's refresh looks.
        grace: How long a refresh outcome is reused in this process.
        op_timeout: The longest one Redis operation may take.

    Runs on asyncio only (``redis.asyncio``).
    """

    def __init__(
        self,
        redis: aioredis.Redis | str,
        *,
        secrets: str | bytes | Sequence[str | bytes],
        namespace: str = "scalekit:sessions",
        lock_ttl: float = DEFAULT_LOCK_TTL,
        refresh_timeout: float = DEFAULT_REFRESH_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        grace: float = 60.0,
        op_timeout: float = DEFAULT_OP_TIMEOUT,
    ) -> None:
        if not 0 < refresh_timeout < lock_ttl:
            raise ConfigurationError("refresh_timeout must be positive and below lock_ttl")
        if not poll_interval > 0:
            raise ConfigurationError("poll_interval must be positive")
        self._connection = _Connection(redis, op_timeout=op_timeout)
        self._cipher = SessionCipher(secrets)
        self.namespace = namespace
        self.lock_ttl = float(lock_ttl)
        self.refresh_timeout = float(refresh_timeout)
        self.poll_interval = float(poll_interval)
        self.flights = RefreshFlights(grace=grace, timeout=lock_ttl + refresh_timeout + 1.0)
        """The in-process single flight in front of the fleet-wide lock."""

    def __repr__(self) -> str:
        return f"<RedisSessionStore namespace={self.namespace!r}>"

    @property
    def redis(self) -> aioredis.Redis:
        """The Redis client (share it with a `RedisDedupeStore`)."""
        return self._connection.client

    def _keys(self, session_id: str) -> tuple[str, str]:
        digest = _digest(session_id)
        return f"{self.namespace}:s:{digest}", digest

    def _user_key(self, user_id: str) -> str:
        return f"{self.namespace}:u:{_digest(user_id)}"

    def _scalekit_key(self, scalekit_session_id: str) -> str:
        return f"{self.namespace}:ss:{_digest(scalekit_session_id)}"

    def _seal(self, record: SessionRecord, digest: str) -> str:
        return self._cipher.seal("record:" + digest, record.to_json(), expires_at=record.expires_at)

    @staticmethod
    def _ttl_ms(record: SessionRecord) -> int:
        return max(1000, math.ceil((record.expires_at - time.time()) * 1000))

    async def _load(self, session_id: str) -> tuple[SessionRecord | None, str | None]:
        key, digest = self._keys(session_id)
        raw = await self._connection.run(lambda r: r.get(key))
        if raw is None:
            return None, None
        blob = _text(raw)
        data = self._cipher.open("record:" + digest, blob, now=time.time())
        record = SessionRecord.from_json(data) if data is not None else None
        if record is None or record.id != session_id:
            return None, blob
        return record, blob

    async def load(self, reference: Mapping[str, Any]) -> SessionRecord | None:
        """The session the cookie's reference names (`None` once deleted or revoked)."""
        session_id = reference.get("sid")
        if not isinstance(session_id, str) or not session_id:
            return None
        record, _ = await self._load(session_id)
        return record

    def reference(self, record: SessionRecord) -> dict[str, Any]:
        """The cookie's reference: the session id only."""
        return {"sid": record.id}

    async def save(self, record: SessionRecord) -> dict[str, Any]:
        """Store a new session (sealed, with a TTL of its remaining lifetime)."""
        key, digest = self._keys(record.id)
        scalekit_key = (
            self._scalekit_key(record.scalekit_session_id) if record.scalekit_session_id else ""
        )
        await self._connection.script(
            _SAVE,
            [key, self._user_key(record.user.id), scalekit_key],
            [self._seal(record, digest), self._ttl_ms(record), digest],
        )
        return self.reference(record)

    async def delete(self, record: SessionRecord) -> None:
        """Forget a session (logout, refused refresh, expiry)."""
        key, digest = self._keys(record.id)
        user_key = self._user_key(record.user.id)

        async def forget(r: aioredis.Redis) -> None:
            await r.delete(key)
            await r.srem(user_key, digest)

        await self._connection.run(forget)

    async def revoke_user(self, user_id: str) -> int:
        """End every session of *user_id* across the fleet; how many were live."""
        user_key = self._user_key(user_id)

        async def revoke(r: aioredis.Redis) -> int:
            digests = await r.smembers(user_key)
            keys = [f"{self.namespace}:s:{_text(d)}" for d in digests]
            count = int(await r.delete(*keys)) if keys else 0
            await r.delete(user_key)
            return count

        return await self._connection.run(revoke)

    async def revoke_session(self, scalekit_session_id: str) -> bool:
        """End the session that holds Scalekit session *scalekit_session_id* (its ``sid``)."""
        index = self._scalekit_key(scalekit_session_id)

        async def revoke(r: aioredis.Redis) -> bool:
            digest = await r.get(index)
            if digest is None:
                return False
            await r.delete(index)
            return bool(await r.delete(f"{self.namespace}:s:{_text(digest)}"))

        return await self._connection.run(revoke)

    async def refresh(self, record: SessionRecord, perform: Perform) -> RefreshOutcome:
        """Refresh once per session across the fleet (see the module docstring)."""
        return await self.flights.run(
            flight_key(record), lambda: self._fleet_refresh(record, perform)
        )

    async def _fleet_refresh(self, record: SessionRecord, perform: Perform) -> RefreshOutcome:
        key, digest = self._keys(record.id)
        lock = key + ":refresh"
        deadline = anyio.current_time() + self.lock_ttl + self.refresh_timeout
        try:
            while True:
                current, blob = await self._load(record.id)
                if current is None or blob is None:
                    return REFUSED  # logged out or revoked meanwhile
                if current.refresh_token != record.refresh_token:
                    return RefreshOutcome("refreshed", current)  # another process did it
                owner = secrets_module.token_hex(16)
                if await self._take(lock, owner):
                    try:
                        return await self._refresh_locked(record, perform, key, digest)
                    finally:
                        with anyio.CancelScope(shield=True):
                            await self._connection.script(_RELEASE, [lock], [owner])
                if anyio.current_time() > deadline:
                    return UNAVAILABLE
                await anyio.sleep(self.poll_interval)
        except SessionStoreUnavailableError as exc:
            logger.warning("session refresh skipped: %s", exc.message)
            return UNAVAILABLE

    async def _take(self, lock: str, owner: str) -> bool:
        lock_ms = math.ceil(self.lock_ttl * 1000)

        async def take(r: aioredis.Redis) -> bool:
            return bool(await r.set(lock, owner, nx=True, px=lock_ms))

        return await self._connection.run(take)

    async def _refresh_locked(
        self, record: SessionRecord, perform: Perform, key: str, digest: str
    ) -> RefreshOutcome:
        current, blob = await self._load(record.id)  # again, now that the lock is ours
        if current is None or blob is None:
            return REFUSED
        if current.refresh_token != record.refresh_token:
            return RefreshOutcome("refreshed", current)
        outcome = UNAVAILABLE
        with anyio.move_on_after(self.refresh_timeout):
            outcome = await perform(current)
        if outcome.kind == "refreshed" and outcome.record is not None:
            fresh = outcome.record
            swapped = await self._connection.script(
                _SWAP, [key], [blob, self._seal(fresh, digest), self._ttl_ms(fresh)]
            )
            if not int(swapped):
                # Deleted (logout, revocation) while refreshing: it stays deleted.
                return REFUSED if (await self._load(record.id))[0] is None else UNAVAILABLE
        elif outcome.kind == "refused":
            await self._connection.script(_DELETE_IF, [key], [blob])
        return outcome

    async def aclose(self) -> None:
        """Close the Redis client if this store created it from a URL."""
        await self._connection.aclose()

    async def __aenter__(self) -> RedisSessionStore:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class RedisDedupeStore:
    """A `DedupeStore` in Redis: webhook ids and login states seen once across the fleet.

    Args:
        redis: A ``redis.asyncio.Redis`` you own, or a Redis URL (closed by `aclose`).
        namespace: The prefix of the Redis keys.
        op_timeout: The longest one Redis operation may take.

    Runs on asyncio only (``redis.asyncio``).
    """

    def __init__(
        self,
        redis: aioredis.Redis | str,
        *,
        namespace: str = "scalekit:dedupe",
        op_timeout: float = DEFAULT_OP_TIMEOUT,
    ) -> None:
        self._connection = _Connection(redis, op_timeout=op_timeout)
        self.namespace = namespace

    def __repr__(self) -> str:
        return f"<RedisDedupeStore namespace={self.namespace!r}>"

    def _key(self, key: str) -> str:
        return f"{self.namespace}:{_digest(key)}"

    async def begin(self, key: str, lease: float) -> DedupeState:
        """Claim *key* for *lease* seconds unless it is claimed or done."""
        answer = await self._connection.script(
            _BEGIN, [self._key(key)], [max(1, math.ceil(lease * 1000))]
        )
        if int(answer[0]) == 1:
            return "new"
        return "done" if len(answer) > 1 and _text(answer[1]) == "done" else "running"

    async def finish(self, key: str, keep: float) -> None:
        """Remember *key* as done for *keep* seconds."""
        name = self._key(key)
        keep_ms = max(1, math.ceil(keep * 1000))

        async def mark(r: aioredis.Redis) -> None:
            await r.set(name, "done", px=keep_ms)

        await self._connection.run(mark)

    async def abandon(self, key: str) -> None:
        """Release a running claim on *key*."""
        await self._connection.script(_ABANDON, [self._key(key)], [])

    async def aclose(self) -> None:
        """Close the Redis client if this store created it from a URL."""
        await self._connection.aclose()

    async def __aenter__(self) -> RedisDedupeStore:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
