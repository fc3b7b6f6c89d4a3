"""Where sessions live (`SessionStore`), single-flight refresh, seen-once records (`DedupeStore`).

- `CookieSessionStore` (the default) keeps the whole session sealed in the
  browser's cookie; a refresh runs once per session per process, and its
  outcome is remembered for a grace period so requests still carrying the
  old cookie get the new session instead of spending the rotated refresh
  token again.
- `scalekit_async.sessions.redis.RedisSessionStore` keeps sessions server side
  (the cookie holds only a sealed reference), refreshes once per session
  across the fleet and can revoke a session or every session of a user.
- `MemoryDedupeStore` (the default) remembers webhook ids and consumed login
  states in this process; ``RedisDedupeStore`` does it for the fleet.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal, Protocol, runtime_checkable

import anyio
import attrs

from .. import AuthenticatedUser, ScalekitError

__all__ = [
    "CookieSessionStore",
    "DedupeState",
    "DedupeStore",
    "MemoryDedupeStore",
    "RefreshFlights",
    "RefreshOutcome",
    "SessionRecord",
    "SessionStore",
    "SessionStoreUnavailableError",
    "flight_key",
]

logger = logging.getLogger("scalekit_async.sessions")

DEFAULT_GRACE = 60.0
DEFAULT_REFRESH_TIMEOUT = 10.0
MAX_REMEMBERED = 10_000

_USER_FIELDS = {a.name: type(a.default) for a in attrs.fields(AuthenticatedUser)}  # str or bool


class SessionStoreUnavailableError(ScalekitError):
    """The session or dedupe store could not be reached (e.g. Redis is down).

    The integrations answer 503: the session is not ended, the caller may retry.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@attrs.frozen(kw_only=True)
class SessionRecord:
    """One signed-in browser session: who, its tokens, and its deadlines (unix seconds).

    Tokens and the session id never appear in a repr.

    Attributes:
        id: This library's random session id (not Scalekit's ``sid``).
        user: The user, from the verified ID token.
        organization_id: The organization the user signed in to.
        connection_id: The connection they signed in with.
        scalekit_session_id: Scalekit's session id (the tokens' ``sid`` claim).
        access_token: The current access token.
        refresh_token: The current refresh token (rotated on every refresh).
        id_token: The ID token (the ``id_token_hint`` of logout).
        access_expires_at: When the access token expires.
        created_at: When the user signed in.
        expires_at: When the session ends whatever happens (its absolute lifetime).

    """

    id: str = attrs.field(repr=False)
    user: AuthenticatedUser
    organization_id: str = ""
    connection_id: str = ""
    scalekit_session_id: str = ""
    access_token: str = attrs.field(repr=False)
    refresh_token: str | None = attrs.field(default=None, repr=False)
    id_token: str | None = attrs.field(default=None, repr=False)
    access_expires_at: float
    created_at: float
    expires_at: float

    def to_json(self) -> dict[str, Any]:
        """A compact JSON-able form (`from_json` reads it back)."""
        user = {
            name: value
            for name in _USER_FIELDS
            if (value := getattr(self.user, name)) not in ("", False, None)
        }
        data: dict[str, Any] = {
            "sid": self.id,
            "u": user,
            "org": self.organization_id,
            "con": self.connection_id,
            "ssid": self.scalekit_session_id,
            "at": self.access_token,
            "ate": self.access_expires_at,
            "iat": self.created_at,
            "exp": self.expires_at,
        }
        if self.refresh_token:
            data["rt"] = self.refresh_token
        if self.id_token:
            data["it"] = self.id_token
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SessionRecord | None:
        """The record `to_json` wrote, or `None` for anything malformed."""
        try:
            texts = {k: data.get(k, "") for k in ("sid", "org", "con", "ssid", "at")}
            optional = {k: data.get(k) for k in ("rt", "it")}
            times: dict[str, Any] = {k: data.get(k) for k in ("ate", "iat", "exp")}
            user = data.get("u")
            if not all(isinstance(v, str) for v in texts.values()):
                return None
            if not texts["sid"] or not texts["at"] or not isinstance(user, dict):
                return None
            if not all(v is None or (isinstance(v, str) and v) for v in optional.values()):
                return None
            if not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in times.values()
            ):
                return None
            fields = {k: v for k, v in user.items() if k in _USER_FIELDS}
            if not all(type(v) is _USER_FIELDS[k] for k, v in fields.items()):
                return None
            if not fields.get("id"):
                return None
            return cls(
                id=texts["sid"],
                user=AuthenticatedUser(**fields),
                organization_id=texts["org"],
                connection_id=texts["con"],
                scalekit_session_id=texts["ssid"],
                access_token=texts["at"],
                refresh_token=optional["rt"],
                id_token=optional["it"],
                access_expires_at=float(times["ate"]),
                created_at=float(times["iat"]),
                expires_at=float(times["exp"]),
            )
        except (TypeError, ValueError):  # a user field of the wrong type
            return None


@attrs.frozen
class RefreshOutcome:
    """How a refresh ended.

    `kind` is ``refreshed`` (`record` holds the new tokens), ``refused``
    (Scalekit refused the refresh token: the session is over) or
    ``unavailable`` (a transient failure: keep the session, try later).
    """

    kind: Literal["refreshed", "refused", "unavailable"]
    record: SessionRecord | None = None


REFUSED = RefreshOutcome("refused")
UNAVAILABLE = RefreshOutcome("unavailable")

Perform = Callable[[SessionRecord], Awaitable[RefreshOutcome]]


@runtime_checkable
class SessionStore(Protocol):
    """Where sessions live: the seam between the session core and its storage.

    The core seals whatever `save` returns into the session cookie and hands
    it back to `load` on the next request.
    """

    async def load(self, reference: Mapping[str, Any]) -> SessionRecord | None:
        """The session a cookie's (already authenticated) *reference* names, or `None`.

        Raises:
            SessionStoreUnavailableError: the store cannot answer now.

        """
        ...

    async def save(self, record: SessionRecord) -> dict[str, Any]:
        """Store *record* (a new session); return the reference to seal into the cookie."""
        ...

    def reference(self, record: SessionRecord) -> dict[str, Any]:
        """The cookie reference of a stored *record* (no I/O)."""
        ...

    async def delete(self, record: SessionRecord) -> None:
        """Forget *record* (logout, refused refresh, expiry)."""
        ...

    async def refresh(self, record: SessionRecord, perform: Perform) -> RefreshOutcome:
        """Refresh *record* with *perform*, at most once at a time per session.

        Concurrent callers for one session share one call of *perform*;
        callers still holding the pre-refresh record shortly afterwards get
        its outcome too, rather than spending the rotated refresh token again.
        The store persists the refreshed record itself (and forgets a refused
        one); the core then seals `reference` of the new record into the
        cookie if it changed.
        """
        ...


def flight_key(record: SessionRecord) -> str:
    """A digest naming one refresh of one session: its id and the refresh token it spends."""
    material = f"{record.id}\0{record.refresh_token or ''}".encode()
    return hashlib.sha256(material).hexdigest()


class _Flight:
    __slots__ = ("done", "outcome")

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.outcome: RefreshOutcome = UNAVAILABLE


class RefreshFlights:
    """Single flight per key in one process, with the outcomes remembered for a grace period.

    The caller that starts a flight runs it shielded from its own
    cancellation (a browser that goes away must not break the refresh the
    others wait for), bounded by *timeout*. A ``refreshed`` or ``refused``
    outcome is remembered for *grace* seconds; an ``unavailable`` one is
    shared with the callers already waiting, then forgotten so a later
    request may try again.

    Args:
        grace: How long outcomes are remembered (Scalekit accepts a rotated
            refresh token for a short while; requests carrying the old cookie
            within this window get the new session).
        timeout: The longest one refresh may take.
        max_remembered: The most outcomes remembered at once.

    """

    def __init__(
        self,
        *,
        grace: float = DEFAULT_GRACE,
        timeout: float = DEFAULT_REFRESH_TIMEOUT,
        max_remembered: int = MAX_REMEMBERED,
    ) -> None:
        if grace < 0 or not timeout > 0 or max_remembered < 1:
            raise ValueError("grace must be >= 0, timeout > 0 and max_remembered >= 1")
        self.grace = float(grace)
        self.timeout = float(timeout)
        self.max_remembered = max_remembered
        self.started = 0
        """How many flights ran (for tests and metrics)."""
        self._flights: dict[str, _Flight] = {}
        self._recent: OrderedDict[str, tuple[float, RefreshOutcome]] = OrderedDict()

    def __repr__(self) -> str:
        return f"<RefreshFlights in_flight={len(self._flights)} remembered={len(self._recent)}>"

    def _sweep(self, now: float) -> None:
        while self._recent:
            key, (deadline, _) = next(iter(self._recent.items()))
            if deadline > now and len(self._recent) <= self.max_remembered:
                break
            del self._recent[key]

    async def run(
        self, key: str, perform: Callable[[], Awaitable[RefreshOutcome]]
    ) -> RefreshOutcome:
        """The outcome of *perform* for *key*: run once however many callers ask at once."""
        now = anyio.current_time()
        self._sweep(now)
        remembered = self._recent.get(key)
        if remembered is not None and remembered[0] > now:
            return remembered[1]
        flight = self._flights.get(key)
        if flight is not None:
            await flight.done.wait()
            return flight.outcome
        flight = self._flights[key] = _Flight()
        self.started += 1
        try:
            with anyio.CancelScope(shield=True), anyio.move_on_after(self.timeout):
                flight.outcome = await perform()
        except Exception:  # a bug below must not strand the waiters
            logger.exception("session refresh failed unexpectedly")
            flight.outcome = UNAVAILABLE
        finally:
            if flight.outcome.kind != "unavailable" and self.grace > 0:
                self._recent[key] = (anyio.current_time() + self.grace, flight.outcome)
            del self._flights[key]
            flight.done.set()
        return flight.outcome


class CookieSessionStore:
    """The default store: the whole session is sealed in the browser's cookie.

    Nothing is kept server side, so nothing can be revoked before the tokens
    inside stop working: logout clears the cookie and, with full logout, ends
    the Scalekit session (its refresh tokens stop working). Refresh runs once
    per session per process; several processes (or hosts) behind one
    domain may each refresh once. For fleet-wide single flight and
    revocation use `scalekit_async.sessions.redis.RedisSessionStore`.

    Args:
        grace: How long a refresh outcome is reused for requests that still
            carry the pre-refresh cookie.
        refresh_timeout: The longest one refresh may take.

    """

    def __init__(
        self, *, grace: float = DEFAULT_GRACE, refresh_timeout: float = DEFAULT_REFRESH_TIMEOUT
    ) -> None:
        self.flights = RefreshFlights(grace=grace, timeout=refresh_timeout)
        """The per-process single flight (``flights.started`` counts refreshes)."""

    def __repr__(self) -> str:
        return f"<CookieSessionStore {self.flights!r}>"

    async def load(self, reference: Mapping[str, Any]) -> SessionRecord | None:
        """The session sealed in the cookie itself."""
        return SessionRecord.from_json(reference)

    async def save(self, record: SessionRecord) -> dict[str, Any]:
        """The whole record: it is what the cookie carries."""
        return record.to_json()

    def reference(self, record: SessionRecord) -> dict[str, Any]:
        """The whole record: it is what the cookie carries."""
        return record.to_json()

    async def delete(self, record: SessionRecord) -> None:
        """Nothing to forget server side: the core clears the cookie."""

    async def refresh(self, record: SessionRecord, perform: Perform) -> RefreshOutcome:
        """Refresh once per session in this process (see `RefreshFlights`)."""
        return await self.flights.run(flight_key(record), lambda: perform(record))


# -- seen-once records ----------------------------------------------------------------------

DedupeState = Literal["new", "running", "done"]


@runtime_checkable
class DedupeStore(Protocol):
    """Remembers keys (webhook ids, consumed login states) so each is acted on once."""

    async def begin(self, key: str, lease: float) -> DedupeState:
        """Claim *key* for *lease* seconds.

        Returns ``new`` when this caller claimed it, ``running`` when another
        claim is live, ``done`` when it was finished.

        Raises:
            SessionStoreUnavailableError: the store cannot answer now.

        """
        ...

    async def finish(self, key: str, keep: float) -> None:
        """Mark *key* done and remember it for *keep* seconds."""
        ...

    async def abandon(self, key: str) -> None:
        """Release a claim that did not finish, so a retry may claim it."""
        ...


class MemoryDedupeStore:
    """A `DedupeStore` in this process's memory, bounded in size.

    Enough for one process; a fleet needs
    `scalekit_async.sessions.redis.RedisDedupeStore`, or a duplicate that
    lands on another process runs again.

    Args:
        max_entries: The most keys remembered; the oldest are dropped first.

    """

    def __init__(self, *, max_entries: int = 100_000) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[DedupeState, float]] = OrderedDict()

    def __repr__(self) -> str:
        return f"<MemoryDedupeStore entries={len(self._entries)}>"

    def _live(self, key: str, now: float) -> DedupeState | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[1] <= now:
            del self._entries[key]
            return None
        return entry[0]

    def _put(self, key: str, state: DedupeState, deadline: float) -> None:
        self._entries.pop(key, None)
        self._entries[key] = (state, deadline)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    async def begin(self, key: str, lease: float) -> DedupeState:
        """Claim *key* for *lease* seconds unless it is claimed or done."""
        now = anyio.current_time()
        state = self._live(key, now)
        if state is not None:
            return state
        self._put(key, "running", now + lease)
        return "new"

    async def finish(self, key: str, keep: float) -> None:
        """Remember *key* as done for *keep* seconds."""
        self._put(key, "done", anyio.current_time() + keep)

    async def abandon(self, key: str) -> None:
        """Release a running claim on *key*."""
        entry = self._entries.get(key)
        if entry is not None and entry[0] == "running":
            del self._entries[key]
