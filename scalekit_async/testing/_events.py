"""The events the fake emits on its state changes: what Scalekit would POST to your endpoint.

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
event can be sent with `Webhooks.publish`. This module builds each event from
the fake's stored record (`emit`); ``_delivery`` queues, signs and sends it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._delivery import EVENT_OBJECTS, Receiver, Subscription
from ._state import FakeState

__all__ = [
    "EMITTED_EVENT_TYPES",
    "EVENT_OBJECTS",
    "emit",
    "subscribe",
]

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


def subscribe(
    fake: FakeState,
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


def _membership(fake: FakeState, user: Mapping[str, Any], org_id: str) -> dict[str, Any]:
    org = fake.organizations.get(org_id) or {"id": org_id}
    return {"organization": _organization(org), "user": _user(user)}


def _session(fake: FakeState, session: Mapping[str, Any]) -> dict[str, Any]:
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


def _directory(record: Mapping[str, Any], now: str) -> dict[str, Any]:
    out = _pick(record, "id", "organization_id", "directory_type", "enabled")
    if record.get("directory_provider"):
        out["provider"] = record["directory_provider"]
    out["updated_at"] = now
    return out


def _directory_org(fake: FakeState, record: Mapping[str, Any]) -> str:
    directory = fake.directories.get(str(record.get("directory_id"))) or {}
    return str(directory.get("organization_id", ""))


def _directory_user(fake: FakeState, record: Mapping[str, Any]) -> dict[str, Any]:
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


def _directory_group(fake: FakeState, record: Mapping[str, Any]) -> dict[str, Any]:
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
    fake: FakeState,
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
            data["deleted_at"] = fake.now()
        org_id = org_id or record.get("id")
    elif event_type in ("user.login", "user.logout"):
        data = _session(fake, record)
        org_id = org_id or data["user_session"].get("organization_id")
    elif family == "user":
        data = _membership(fake, record, str(organization_id))
    elif event_type.startswith("organization.directory_"):
        data = _directory(record, fake.now())
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
