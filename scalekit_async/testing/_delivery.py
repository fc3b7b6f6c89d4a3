"""Webhook delivery: the subscriptions of a fake, and signing and sending its events.

`Webhooks` (``fake.webhooks``) keeps the endpoints tests subscribe and queues
the events the fake publishes; `Webhooks.deliver` signs each one with its
subscription's ``whsec_`` secret (the Standard Webhooks scheme Scalekit uses,
see `sign_webhook`) and POSTs it, or hands it to an in-process `Receiver`.
`EVENT_OBJECTS` is the catalogue of the documented event types; ``_events``
builds the events of the fake's own state changes.
"""

from __future__ import annotations

import base64
import copy
import inspect
import itertools
import json
import random
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs
import httpx

from .._webhooks import decode_secret, sign
from ._constants import ENVIRONMENT_ID

__all__ = [
    "DEFAULT_TIMEOUT",
    "EVENT_OBJECTS",
    "Delivery",
    "Receiver",
    "Subscription",
    "Webhooks",
    "new_webhook_secret",
    "sign_webhook",
]

Receiver = Callable[[Mapping[str, str], bytes], Awaitable[object] | object]
"""An in-process webhook endpoint: called with the request headers and raw body.

It may be sync or async; it answers 200 unless it returns an ``int`` status.
"""

EVENT_OBJECTS: Mapping[str, tuple[str, str]] = {
    "organization.created": ("Organization", "Organization Created"),
    "organization.updated": ("Organization", "Organization Updated"),
    "organization.deleted": ("Organization", "Organization Deleted"),
    "organization.domain_created": ("Organization", "Organization Domain Created"),
    "organization.domain_deleted": ("Organization", "Organization Domain Deleted"),
    "organization.domain_dns_verification_success": (
        "Organization",
        "Organization Domain DNS Verification Success",
    ),
    "organization.domain_dns_verification_failed": (
        "Organization",
        "Organization Domain DNS Verification Failed",
    ),
    "user.signup": ("OrgMembership", "User Signup"),
    "user.login": ("User", "User Login"),
    "user.logout": ("User", "User Logout"),
    "user.organization_invitation": ("OrgMembership", "User Organization Invitation"),
    "user.organization_membership_created": (
        "OrgMembership",
        "User Organization Membership Created",
    ),
    "user.organization_membership_deleted": (
        "OrgMembership",
        "User Organization Membership Deleted",
    ),
    "user.organization_membership_updated": (
        "OrgMembership",
        "User Organization Membership Updated",
    ),
    "organization.directory_enabled": ("Directory", "Directory Enabled"),
    "organization.directory_disabled": ("Directory", "Directory Disabled"),
    "organization.directory.user_created": ("DirectoryUser", "Directory User Created"),
    "organization.directory.user_updated": ("DirectoryUser", "Directory User Updated"),
    "organization.directory.user_deleted": ("DirectoryUser", "Directory User Deleted"),
    "organization.directory.group_created": ("DirectoryGroup", "Directory Group Created"),
    "organization.directory.group_updated": ("DirectoryGroup", "Directory Group Updated"),
    "organization.directory.group_deleted": ("DirectoryGroup", "Directory Group Deleted"),
    "organization.sso_created": ("Connection", "SSO Connection Created"),
    "organization.sso_enabled": ("Connection", "SSO Connection Enabled"),
    "organization.sso_disabled": ("Connection", "SSO Connection Disabled"),
    "organization.sso_deleted": ("Connection", "SSO Connection Deleted"),
    "role.created": ("Role", "Role Created"),
    "role.updated": ("Role", "Role Updated"),
    "role.deleted": ("Role", "Role Deleted"),
    "permission.created": ("Permission", "Permission Created"),
    "permission.updated": ("Permission", "Permission Updated"),
    "permission.deleted": ("Permission", "Permission Deleted"),
    "connected_account.created": ("ConnectedAccount", "Connected Account Created"),
    "connected_account.updated": ("ConnectedAccount", "Connected Account Updated"),
    # The spec's status_updated payload has no display_name (nor organization_id).
    "connected_account.status_updated": ("ConnectedAccount", ""),
    "connected_account.deleted": ("ConnectedAccount", "Connected Account Deleted"),
    "connected_account.magic_link_generated": (
        "ConnectedAccount",
        "Connected Account Magic Link Generated",
    ),
    "connected_account.oauth_tokens_fetched": (
        "ConnectedAccount",
        "Connected Account OAuth Tokens Fetched",
    ),
    "connected_account.token_refresh_succeeded": (
        "ConnectedAccount",
        "Connected Account Token Refresh Succeeded",
    ),
    "connected_account.token_refresh_failed": (
        "ConnectedAccount",
        "Connected Account Token Refresh Failed",
    ),
    "connected_account.oauth_succeeded": ("ConnectedAccount", "Connected Account OAuth Succeeded"),
}
"""Every documented event type -> its envelope ``object`` and ``display_name`` (if any)."""

DEFAULT_TIMEOUT = 10.0
"""Seconds a delivery to a URL may take before it is recorded as failed."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@attrs.frozen
class Delivery:
    """One attempt to deliver one event to one subscription.

    `status_code` is the endpoint's answer (`None` when there was none);
    `error` says why the delivery failed (`None` when it succeeded).
    """

    event_id: str
    event_type: str
    headers: Mapping[str, str] = attrs.field(repr=False)
    body: bytes = attrs.field(repr=False)
    status_code: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the endpoint accepted the event (a 2xx answer)."""
        return self.error is None

    def payload(self) -> Any:
        """The delivered body, decoded from JSON."""
        return json.loads(self.body)


@attrs.define(eq=False)
class Subscription:
    """A webhook endpoint registered with the fake: a URL or an in-process `Receiver`.

    Args:
        target: The URL to POST events to, or a `Receiver` callable.
        secret: The ``whsec_`` secret deliveries are signed with.
        event_types: Deliver only these event types (`None`: every type).

    """

    target: str | Receiver
    secret: str = attrs.field(repr=False)
    event_types: frozenset[str] | None = None
    deliveries: list[Delivery] = attrs.field(factory=list)
    """Every delivery made to this endpoint, oldest first."""
    active: bool = True

    def wants(self, event_type: str) -> bool:
        """Whether an event of *event_type* goes to this endpoint."""
        return self.active and (self.event_types is None or event_type in self.event_types)

    def cancel(self) -> None:
        """Stop delivering to this endpoint (events already delivered stay recorded)."""
        self.active = False

    @property
    def failures(self) -> list[Delivery]:
        """The deliveries that failed."""
        return [d for d in self.deliveries if not d.ok]


class Webhooks:
    """The webhook side of one `FakeScalekit` (``fake.webhooks``): subscriptions and events.

    Args:
        environment_id: The ``environment_id`` stamped on every event (default:
            the one the fake stamps on domains).
        timeout: Seconds a delivery to a URL may take.

    """

    def __init__(
        self, *, environment_id: str | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.environment_id = environment_id or ENVIRONMENT_ID
        self.timeout = timeout
        self.subscriptions: list[Subscription] = []
        self.events: list[dict[str, Any]] = []
        """Every event emitted, oldest first, as the JSON payload sent."""
        self._pending: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._random = random.Random("events")  # noqa: S311 - ids, not secrets
        self._http: httpx.AsyncClient | None = None

    def __repr__(self) -> str:
        return (
            f"<Webhooks subscriptions={len(self.subscriptions)} events={len(self.events)} "
            f"pending={len(self._pending)}>"
        )

    def subscribe(
        self,
        target: str | Receiver,
        *,
        secret: str | None = None,
        event_types: Iterable[str] | None = None,
    ) -> Subscription:
        """Register an endpoint; events from now on are signed with *secret* and sent to it.

        Args:
            target: An ``http(s)://`` URL to POST to, or a `Receiver` called in-process.
            secret: The signing secret (default: a fresh one, see `Subscription.secret`).
            event_types: Deliver only these event types (default: all).

        Raises:
            ValueError: *target* is a string but not a URL, or an event type is unknown.
            TypeError: *target* is neither a string nor callable.

        """
        if isinstance(target, str):
            if not target.startswith(("http://", "https://")):
                raise ValueError("a webhook target must be an http(s) URL or a callable")
        elif not callable(target):
            raise TypeError("a webhook target must be an http(s) URL or a callable")
        wanted = None if event_types is None else frozenset(event_types)
        unknown = sorted((wanted or frozenset()) - set(EVENT_OBJECTS))
        if unknown:
            raise ValueError(f"unknown event types: {', '.join(unknown)}")
        subscription = Subscription(target, secret or new_webhook_secret(), wanted)
        self.subscriptions.append(subscription)
        return subscription

    def publish(
        self, event_type: str, data: Mapping[str, Any], *, organization_id: str | None = None
    ) -> dict[str, Any]:
        """Queue an event of *event_type* whose ``data`` is *data*; return its payload.

        The fake calls this for its own state changes (see `emit`); call it to
        send an event the fake cannot cause, e.g. ``user.signup``.
        """
        obj, display_name = EVENT_OBJECTS.get(event_type, ("", ""))
        payload: dict[str, Any] = {
            "spec_version": "1",
            "id": f"evt_{next(self._ids):04d}{self._random.randrange(10**12):012d}",
            "type": event_type,
            "object": obj,
            "occurred_at": _now(),
            "environment_id": self.environment_id,
        }
        if organization_id:
            payload["organization_id"] = organization_id
        if display_name:
            payload["display_name"] = display_name
        payload["data"] = copy.deepcopy(dict(data))  # later changes to the state do not show
        self.events.append(payload)
        self._pending.append(payload)
        return payload

    async def deliver(self) -> None:
        """Send every queued event to every subscription that wants it, in order.

        The fake calls this before it answers each request; failures are
        recorded on the subscription, never raised. When cancelled midway,
        the events not yet delivered everywhere stay queued for the next call
        (so an endpoint may see one of them twice: deliveries are at least once).
        """
        pending, self._pending = self._pending, []
        try:
            while pending:
                payload = pending[0]
                for subscription in [s for s in self.subscriptions if s.wants(payload["type"])]:
                    subscription.deliveries.append(await self._send(subscription, payload))
                del pending[0]
        finally:
            self._pending[:0] = pending

    async def _send(self, subscription: Subscription, payload: Mapping[str, Any]) -> Delivery:
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {
            "content-type": "application/json",
            **sign_webhook(subscription.secret, body, msg_id=payload["id"]),
        }
        status: int | None = None
        error: str | None = None
        target = subscription.target
        try:
            if isinstance(target, str):
                if self._http is None:
                    self._http = httpx.AsyncClient(timeout=self.timeout)
                response = await self._http.post(target, content=body, headers=headers)
                status = response.status_code
            else:
                answer = target(dict(headers), body)
                if inspect.isawaitable(answer):
                    answer = await answer
                status = answer if isinstance(answer, int) and not isinstance(answer, bool) else 200
        except Exception as exc:  # a broken endpoint must never break the fake
            error = f"{type(exc).__name__}: {exc}"
        if error is None and status is not None and not 200 <= status < 300:
            error = f"the endpoint answered {status}"
        return Delivery(payload["id"], payload["type"], headers, body, status, error)

    async def aclose(self) -> None:
        """Close the HTTP client used for URL deliveries (a new one is made when needed)."""
        if self._http is not None:
            http, self._http = self._http, None
            await http.aclose()


def new_webhook_secret() -> str:
    """A fresh ``whsec_`` signing secret (32 random bytes)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def sign_webhook(
    secret: str,
    payload: bytes,
    *,
    msg_id: str | None = None,
    timestamp: int | None = None,
    prefix: str = "webhook",
) -> dict[str, str]:
    """The headers Scalekit would send with *payload*, signed with *secret*.

    Use ``prefix="interceptor"`` for an interceptor call. *timestamp* is Unix
    seconds (default: now); *msg_id* defaults to a fresh ``msg_`` id.
    """
    ident = msg_id if msg_id is not None else "msg_" + secrets.token_hex(12)
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = sign(decode_secret(secret), ident, stamp, bytes(payload))
    return {
        f"{prefix}-id": ident,
        f"{prefix}-timestamp": stamp,
        f"{prefix}-signature": f"v1,{signature}",
    }
