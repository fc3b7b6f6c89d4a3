"""The webhook receiver core: verify, dedupe by ``webhook-id``, dispatch per event type.

Answers, as Standard Webhooks expects (anything but 2xx is redelivered):

| answer | when                                                                        |
|--------|-----------------------------------------------------------------------------|
| 204    | handled now, or a delivery already handled (a duplicate runs nothing)      |
| 400    | headers missing or malformed, or a body that is not an event              |
| 401    | no signature matches, or the timestamp is outside the tolerance (replay?) |
| 409    | the same delivery is being handled right now (retry later)                 |
| 500    | a handler raised (the delivery will come again)                            |
| 503    | the dedupe store cannot be reached                                          |
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

import anyio

from .. import (
    ConfigurationError,
    WebhookEvent,
    WebhookHeaderError,
    WebhookPayloadError,
    WebhookSignatureError,
    WebhookVerificationError,
    verify_webhook_payload,
)
from ._core import Answer
from ._store import DedupeStore, MemoryDedupeStore, SessionStoreUnavailableError

__all__ = ["ANY_EVENT", "WebhookHandler", "WebhookReceiver"]

logger = logging.getLogger("scalekit_async.sessions")

ANY_EVENT = "*"
"""Register a handler for this type to receive every event."""
DEFAULT_LEASE = 60.0
DEFAULT_KEEP = 3 * 24 * 3600.0

WebhookHandler = Callable[[WebhookEvent], Awaitable[None]]
H = TypeVar("H", bound=WebhookHandler)


def _check_secret(secret: object) -> str:
    if not isinstance(secret, str) or not secret.startswith("whsec_"):
        raise ConfigurationError("a webhook secret is the whsec_... value from the dashboard")
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not key:
        raise ConfigurationError("a webhook secret is whsec_ followed by base64 (is it cut?)")
    return secret


def _answer(status: int, error: str | None = None, detail: str = "") -> Answer:
    if error is None:
        return Answer(status)
    body = f'{{"error":"{error}","detail":"{detail}"}}'.encode()
    return Answer(status, (("content-type", "application/json"),), body)


class WebhookReceiver:
    """Verifies Scalekit webhook deliveries and runs each one's handlers once.

    ```python
    receiver = WebhookReceiver(os.environ["SCALEKIT_WEBHOOK_SECRET"])

    @receiver.on("organization.created")
    async def created(event: sk.WebhookEvent) -> None: ...
    ```

    Args:
        secret: The signing secret (``whsec_...``), or several during a
            rotation (a delivery signed with any of them is accepted).
        dedupe: Remembers handled ``webhook-id`` values (default: this
            process's memory; `RedisDedupeStore` for a fleet).
        tolerance: How far, in seconds, a delivery's signed timestamp may be
            from now (replays outside it are refused).
        lease: How long one delivery may take to handle before a redelivery
            may run it again.
        keep: How long a handled delivery id is remembered.

    """

    def __init__(
        self,
        secret: str | Sequence[str],
        *,
        dedupe: DedupeStore | None = None,
        tolerance: float = 300.0,
        lease: float = DEFAULT_LEASE,
        keep: float = DEFAULT_KEEP,
    ) -> None:
        listed = [secret] if isinstance(secret, str) else list(secret)
        if not listed:
            raise ConfigurationError("at least one webhook secret is required")
        self._secrets = tuple(_check_secret(s) for s in listed)
        self.dedupe: DedupeStore = dedupe if dedupe is not None else MemoryDedupeStore()
        self.tolerance = float(tolerance)
        self.lease = float(lease)
        self.keep = float(keep)
        self._handlers: dict[str, list[WebhookHandler]] = {}

    def __repr__(self) -> str:
        return f"<WebhookReceiver secrets={len(self._secrets)} types={sorted(self._handlers)}>"

    def on(self, *event_types: str) -> Callable[[H], H]:
        """Register the decorated coroutine function for *event_types* (``"*"``: every event).

        Handlers of one delivery run one after the other, in registration
        order; the delivery is handled once they all returned.
        """
        if not event_types or not all(isinstance(t, str) and t for t in event_types):
            raise ValueError("name at least one event type (or '*')")

        def register(handler: H) -> H:
            for event_type in event_types:
                self._handlers.setdefault(event_type, []).append(handler)
            return handler

        return register

    def handlers_for(self, event_type: str) -> list[WebhookHandler]:
        """The handlers a delivery of *event_type* runs."""
        return [*self._handlers.get(event_type, ()), *self._handlers.get(ANY_EVENT, ())]

    def verify(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """The typed event of a delivery signed with any of the secrets.

        Raises:
            WebhookVerificationError: a subclass per failure.

        """
        failure: WebhookVerificationError | None = None
        for secret in self._secrets:
            try:
                return verify_webhook_payload(secret, headers, body, tolerance=self.tolerance)
            except WebhookSignatureError as exc:
                failure = exc  # maybe signed with the next secret
        assert failure is not None
        raise failure

    async def receive(self, headers: Mapping[str, str], body: bytes) -> Answer:
        """Verify, deduplicate and dispatch one delivery; the answer to send."""
        try:
            event = self.verify(headers, body)
        except (WebhookHeaderError, WebhookPayloadError) as exc:
            logger.info("refused a webhook delivery (%s)", type(exc).__name__)
            return _answer(400, "invalid_delivery", "malformed headers or body")
        except WebhookVerificationError as exc:
            logger.warning("refused a webhook delivery (%s)", type(exc).__name__)
            return _answer(401, "invalid_signature", "signature or timestamp refused")
        delivery_id = next((v for k, v in headers.items() if k.lower() == "webhook-id"), "")
        key = "webhook:" + hashlib.sha256(delivery_id.encode()).hexdigest()
        try:
            state = await self.dedupe.begin(key, self.lease)
        except SessionStoreUnavailableError:
            return _answer(503, "temporarily_unavailable", "retry later")
        if state == "done":
            return _answer(204)
        if state == "running":
            answer = _answer(409, "in_progress", "this delivery is being handled")
            return Answer(
                answer.status,
                (*answer.headers, ("retry-after", str(math.ceil(self.lease)))),
                answer.body,
            )
        finished = False
        try:
            for handler in self.handlers_for(event.type):
                await handler(event)
            finished = True
        except Exception:
            logger.exception("a webhook handler failed for a %s event", event.type)
        finally:
            with anyio.CancelScope(shield=True):
                try:
                    if finished:
                        await self.dedupe.finish(key, self.keep)
                    else:
                        await self.dedupe.abandon(key)
                except SessionStoreUnavailableError:
                    logger.warning("could not record a webhook delivery: the store is unavailable")
        if not finished:
            return _answer(500, "handler_failed", "the delivery will be retried")
        return _answer(204)
