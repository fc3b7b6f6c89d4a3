"""Signed webhook events from the fake: what Scalekit would POST to your endpoint.

Every state change the fake makes (an organization created, a user added to
an organization, a role deleted, a connected account authorized, ...) queues
an event in the spec's webhook payload shape (``spec_version``, ``id``,
``type``, ``object``, ``occurred_at``, ``environment_id``,
``organization_id`` when there is one, ``display_name`` and ``data``). Give
the fake somewhere to send them::

    fake = FakeScalekit()
    sub = fake.webhooks.subscribe("http://127.0.0.1:8000/webhooks")
    # or in-process, no socket: fake.webhooks.subscribe(receiver)
    async with fake.client() as client:
        await client.organizations.create(display_name="Acme")
    event = verify_webhook_payload(sub.secret, sub.deliveries[0].headers,
                                   sub.deliveries[0].body)
    await fake.aclose()

Each delivery is signed with the subscription's ``whsec_`` secret (the
Standard Webhooks scheme; ``webhook-id`` is the event id) and is made before
the fake answers the request that caused it, so a test can assert on it
right after the SDK call returns. Events queued outside a request (by the
``add_*`` seeding helpers or `complete_authorization`) go out with the next
request, or at ``await fake.webhooks.deliver()``. A failed delivery (refused
connection, non-2xx answer, a receiver that raises) is recorded in
`Delivery.error` and never breaks the fake; deliveries are not retried.

`EMITTED_EVENT_TYPES` lists the types the fake emits by itself; any other
event can be sent with `Webhooks.publish`.
"""

from __future__ import annotations

import copy
import inspect
import itertools
import json
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import attrs
import httpx

from ._oauth import new_webhook_secret, sign_webhook

if TYPE_CHECKING:
    from ._fake import FakeScalekit

__all__ = [
    "EMITTED_EVENT_TYPES",
    "EVENT_OBJECTS",
    "Delivery",
    "Receiver",
    "Subscription",
    "Webhooks",
    "emit",
    "subscribe",
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

EMITTED_EVENT_TYPES: frozenset[str] = frozenset(
    {
        "organization.created",
        "organization.updated",
        "organization.deleted",
        "organization.domain_created",
        "organization.domain_deleted",
        "user.login",
        "user.logout",
        "user.organization_invitation",
        "user.organization_membership_created",
        "user.organization_membership_deleted",
        "user.organization_membership_updated",
        "organization.directory_enabled",
        "organization.directory_disabled",
        "organization.directory.user_created",
        "organization.directory.group_created",
        "organization.sso_created",
        "organization.sso_enabled",
        "organization.sso_disabled",
        "organization.sso_deleted",
        "role.created",
        "role.updated",
        "role.deleted",
        "permission.created",
        "permission.updated",
        "permission.deleted",
        "connected_account.created",
        "connected_account.updated",
        "connected_account.status_updated",
        "connected_account.deleted",
        "connected_account.magic_link_generated",
        "connected_account.oauth_tokens_fetched",
        "connected_account.oauth_succeeded",
    }
)
"""The event types the fake emits by itself, from its API operations and seeding helpers."""

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
        from ._domains import ENVIRONMENT_ID  # here: the families import this module

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


def subscribe(
    fake: FakeScalekit,
    target: str | Receiver,
    *,
    secret: str | None = None,
    event_types: Iterable[str] | None = None,
) -> Subscription:
    """Register a webhook endpoint with *fake* (see `Webhooks.subscribe`)."""
    return fake.webhooks.subscribe(target, secret=secret, event_types=event_types)


# -- payload builders: a stored record of the fake -> the event's ``data`` --------


def _pick(record: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """The *keys* of *record* that hold a value (absent and ``None`` are left out)."""
    return {k: record[k] for k in keys if record.get(k) is not None}


def _organization(record: Mapping[str, Any]) -> dict[str, Any]:
    out = _pick(
        record, "id", "display_name", "external_id", "region_code", "create_time", "update_time"
    )
    out["metadata"] = dict(record.get("metadata") or {})
    if isinstance(record.get("settings"), Mapping):
        out["settings"] = dict(record["settings"])
    return out


def _user(record: Mapping[str, Any]) -> dict[str, Any]:
    out = _pick(record, "id", "email", "external_id", "create_time", "update_time")
    out.update(_pick(record, "last_login_time"))
    out["metadata"] = dict(record.get("metadata") or {})
    if isinstance(record.get("user_profile"), Mapping):
        out["user_profile"] = dict(record["user_profile"])
    return out


def _membership(fake: FakeScalekit, user: Mapping[str, Any], org_id: str) -> dict[str, Any]:
    org = fake.organizations.get(org_id) or {"id": org_id}
    return {"organization": _organization(org), "user": _user(user)}


def _session(fake: FakeScalekit, session: Mapping[str, Any]) -> dict[str, Any]:
    user = fake.users.get(str(session.get("user_id"))) or {"id": session.get("user_id")}
    out = _pick(
        session,
        "session_id",
        "user_id",
        "created_at",
        "updated_at",
        "last_active_at",
        "absolute_expires_at",
        "idle_expires_at",
        "expired_at",
        "logout_at",
        "device",
    )
    if session.get("organization_id"):
        out["organization_id"] = session["organization_id"]
    if session.get("status"):
        out["status"] = str(session["status"]).upper()
    out["authenticated_organizations"] = list(session.get("authenticated_organizations") or ())
    return {"user": _user(user), "user_session": out}


def _domain(record: Mapping[str, Any]) -> dict[str, Any]:
    out = _pick(
        record,
        "id",
        "domain",
        "domain_type",
        "organization_id",
        "environment_id",
        "txt_record_key",
        "txt_record_secret",
        "verification_status",
        "verification_method",
    )
    updated = record.get("updated_at") or record.get("update_time")
    if updated:
        out["updated_at"] = updated
    return out


def _directory(record: Mapping[str, Any]) -> dict[str, Any]:
    out = _pick(record, "id", "organization_id", "directory_type", "enabled")
    if record.get("directory_provider"):
        out["provider"] = record["directory_provider"]
    out["updated_at"] = _now()
    return out


def _directory_org(fake: FakeScalekit, record: Mapping[str, Any]) -> str:
    directory = fake.directories.get(str(record.get("directory_id"))) or {}
    return str(directory.get("organization_id", ""))


def _directory_user(fake: FakeScalekit, record: Mapping[str, Any]) -> dict[str, Any]:
    out = _pick(record, "id", "email", "given_name", "family_name", "preferred_username", "name")
    out["organization_id"] = _directory_org(fake, record)
    out["active"] = bool(record.get("active", True))
    groups = [fake.directory_groups.get(g) for g in record.get("group_ids") or ()]
    out["groups"] = [{"id": g["id"], "name": g.get("display_name", "")} for g in groups if g]
    out["roles"] = []
    out["custom_attributes"] = {}
    detail = record.get("user_detail")
    out["raw_attributes"] = dict(detail) if isinstance(detail, Mapping) else {}
    return out


def _directory_group(fake: FakeScalekit, record: Mapping[str, Any]) -> dict[str, Any]:
    out = _pick(record, "id", "directory_id", "display_name", "external_id")
    out["organization_id"] = _directory_org(fake, record)
    detail = record.get("group_detail")
    out["raw_attributes"] = dict(detail) if isinstance(detail, Mapping) else {}
    return out


def _connection(record: Mapping[str, Any]) -> dict[str, Any]:
    out = _pick(record, "id", "organization_id", "provider", "enabled", "status")
    if record.get("type"):
        out["connection_type"] = record["type"]
    return out


def _role(record: Mapping[str, Any]) -> dict[str, Any]:
    out = _pick(record, "id", "name", "display_name", "description")
    if record.get("extends"):
        out["extends"] = record["extends"]
    return out


def _permission(record: Mapping[str, Any]) -> dict[str, Any]:
    return _pick(record, "id", "name", "description")


def _account(record: Mapping[str, Any]) -> dict[str, Any]:
    out = _pick(
        record,
        "id",
        "identifier",
        "connection_id",
        "provider",
        "authorization_type",
        "status",
        "token_expires_at",
        "last_used_at",
    )
    if record.get("connector"):
        out["connection_name"] = record["connector"]
    return out


def emit(
    fake: FakeScalekit,
    event_type: str,
    record: Mapping[str, Any],
    *,
    organization_id: str | None = None,
    old_status: str | None = None,
) -> None:
    """Queue the *event_type* event of a state change of the fake's stored *record*.

    *record* is what the family keeps in the fake (an organization, a domain,
    a user, a session, a role, ...); the event's ``data`` is built from it now,
    so later changes to the record do not show. Membership events take the
    user as *record* and its organization as *organization_id*; organization
    roles name their organization the same way; ``connected_account.status_updated``
    takes the status before the change as *old_status*, and is not sent when the
    status did not change.
    """
    if event_type not in EVENT_OBJECTS:
        raise ValueError(f"{event_type!r} is not a documented event type")
    org_id = organization_id
    data: dict[str, Any]
    family = event_type.rpartition(".")[0]
    if event_type.startswith("organization.domain_"):
        data = _domain(record)
        org_id = org_id or record.get("organization_id")
    elif event_type in ("organization.created", "organization.updated", "organization.deleted"):
        data = _organization(record)
        if event_type == "organization.deleted":
            data["deleted_at"] = _now()
        org_id = org_id or record.get("id")
    elif event_type in ("user.login", "user.logout"):
        data = _session(fake, record)
        org_id = org_id or data["user_session"].get("organization_id")
    elif family == "user":
        data = _membership(fake, record, str(organization_id))
    elif event_type.startswith("organization.directory_"):
        data = _directory(record)
        org_id = org_id or record.get("organization_id")
    elif event_type.startswith("organization.directory.user_"):
        data = _directory_user(fake, record)
        org_id = org_id or data["organization_id"]
    elif event_type.startswith("organization.directory.group_"):
        data = _directory_group(fake, record)
        org_id = org_id or data["organization_id"]
    elif event_type.startswith("organization.sso_"):
        data = _connection(record)
        org_id = org_id or record.get("organization_id")
    elif family == "role":
        data = _role(record)
    elif family == "permission":
        data = _permission(record)
    elif event_type == "connected_account.status_updated":
        if old_status == record.get("status"):
            return  # not a change: no event
        data = _account(record)
        data.pop("token_expires_at", None)
        data.pop("last_used_at", None)
        data["old_status"] = old_status
        org_id = None  # the spec's status_updated envelope has no organization
    else:  # the other connected_account.* events
        data = _account(record)
        org_id = org_id or record.get("organization_id")
    fake.webhooks.publish(event_type, data, organization_id=org_id)
