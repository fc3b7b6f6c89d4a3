"""Sign-in sessions and webhook receivers for web apps, framework-neutral.

The integrations, each imported only when used (the framework is an extra):

- `scalekit_async.sessions.fastapi`: FastAPI / Starlette (``ScalekitAuth``:
  a router, a middleware and dependencies; ``webhook_endpoint``);
- `scalekit_async.sessions.aiohttp`: aiohttp (``ScalekitAuth``: routes, a
  middleware and decorators; ``webhook_handler``);
- `scalekit_async.sessions.redis`: server-side sessions in Redis, refreshed
  once across a fleet and revocable (``RedisSessionStore``), and fleet-wide
  webhook dedupe (``RedisDedupeStore``).

This package holds what they share: `SessionConfig`, the `SessionManager`
state machine, the `SessionStore` seam, the sealed-cookie `SessionCipher`,
`safe_return_path`, and the `WebhookReceiver`.
"""

from ._cookies import SessionCipher
from ._core import (
    AccessDenied,
    Answer,
    RequestSession,
    Requirement,
    SessionConfig,
    SessionManager,
    SessionTooLargeError,
    SignedInUser,
)
from ._redirects import safe_return_path
from ._store import (
    CookieSessionStore,
    DedupeState,
    DedupeStore,
    MemoryDedupeStore,
    RefreshFlights,
    RefreshOutcome,
    SessionRecord,
    SessionStore,
    SessionStoreUnavailableError,
)
from ._webhooks import ANY_EVENT, WebhookHandler, WebhookReceiver

__all__ = [
    "SessionConfig",
    "SessionManager",
    "RequestSession",
    "Requirement",
    "SignedInUser",
    "AccessDenied",
    "Answer",
    "SessionTooLargeError",
    "SessionCipher",
    "safe_return_path",
    "SessionStore",
    "SessionRecord",
    "CookieSessionStore",
    "RefreshFlights",
    "RefreshOutcome",
    "SessionStoreUnavailableError",
    "DedupeStore",
    "DedupeState",
    "MemoryDedupeStore",
    "WebhookReceiver",
    "WebhookHandler",
    "ANY_EVENT",
]
