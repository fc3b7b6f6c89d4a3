"""parse_event and the typed webhook events, checked against the spec's 41 example payloads."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import pytest

import scalekit_async as sk
from scalekit_async.models import events
from scalekit_async.models.events import EVENT_TYPES, WebhookEvent, parse_event

SPEC_DIR = Path(__file__).resolve().parents[1] / "spec"

# The 41 event types of the spec's `webhooks` section (reference §4.2).
EVENT_TYPE_NAMES = (
    "organization.created",
    "organization.updated",
    "organization.deleted",
    "organization.domain_created",
    "organization.domain_deleted",
    "organization.domain_dns_verification_success",
    "organization.domain_dns_verification_failed",
    "user.signup",
    "user.login",
    "user.logout",
    "user.organization_invitation",
    "user.organization_membership_created",
    "user.organization_membership_deleted",
    "user.organization_membership_updated",
    "organization.directory_enabled",
    "organization.directory_disabled",
    "organization.directory.user_created",
    "organization.directory.user_updated",
    "organization.directory.user_deleted",
    "organization.directory.group_created",
    "organization.directory.group_updated",
    "organization.directory.group_deleted",
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
    "connected_account.token_refresh_succeeded",
    "connected_account.token_refresh_failed",
    "connected_account.oauth_succeeded",
)


@cache
def _spec() -> dict[str, Any]:
    path = SPEC_DIR / "scalekit.scalar.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _webhook(event_type: str) -> tuple[dict[str, Any], str, str]:
    """The spec's example payload of *event_type*, its payload schema and data schema names."""
    body = _spec()["webhooks"][event_type]["post"]["requestBody"]["content"]["application/json"]
    schema_name = body["schema"]["$ref"].rsplit("/", 1)[-1]
    schema = _spec()["components"]["schemas"][schema_name]
    data_name = schema["properties"]["data"]["$ref"].rsplit("/", 1)[-1]
    return copy.deepcopy(body["example"]), schema_name, data_name


def _schema(name: str) -> dict[str, Any]:
    return _spec()["components"]["schemas"][name]  # type: ignore[no-any-return]


def _datetimes(value: object, path: str = "event") -> Iterator[tuple[str, datetime]]:
    """Every datetime in a model tree, with where it is."""
    if isinstance(value, datetime):
        yield path, value
    elif attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            yield from _datetimes(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            yield from _datetimes(item, f"{path}[{i}]")


def _field_names(cls: type) -> set[str]:
    return {f.name for f in attrs.fields(cls)}


def test_the_spec_documents_exactly_these_event_types() -> None:
    assert set(_spec()["webhooks"]) == set(EVENT_TYPE_NAMES)
    assert set(EVENT_TYPES) == set(EVENT_TYPE_NAMES)


@pytest.mark.parametrize("event_type", EVENT_TYPE_NAMES)
def test_spec_example_parses_to_its_typed_event(event_type: str) -> None:
    example, schema_name, data_name = _webhook(event_type)
    event = parse_event(json.dumps(example).encode())
    assert type(event).__name__ == schema_name
    assert getattr(sk, schema_name) is type(event)
    assert type(event.data).__name__ == data_name
    assert event.type == event_type
    assert event.id == example["id"]
    assert event.environment_id == example["environment_id"]
    assert event.object == example["object"]
    assert event.organization_id == example.get("organization_id")
    assert event.occurred_at is not None
    assert event.occurred_at.isoformat().startswith(example["occurred_at"][:19])
    stamps = list(_datetimes(event))
    assert stamps, "every example has at least one timestamp"
    for where, stamp in stamps:
        assert stamp.tzinfo is not None, where


@pytest.mark.parametrize("event_type", EVENT_TYPE_NAMES)
def test_example_data_values_are_kept(event_type: str) -> None:
    example, _, _ = _webhook(event_type)
    data = parse_event(example).data
    for key, value in example["data"].items():
        assert hasattr(data, key), f"{type(data).__name__} has no field {key}"
        kept = getattr(data, key)
        if isinstance(value, str | bool) and not key.endswith(("_at", "_time")):
            assert kept == value, key
        elif isinstance(value, str):
            assert isinstance(kept, datetime), key
        elif value is None:
            assert kept in (None, {}, ()), key


@pytest.mark.parametrize(
    "data_name",
    [
        "ConnectedAccountEventData",
        "ConnectedAccountStatusUpdatedEventData",
        "ConnectionEventData",
        "DirectoryEventData",
        "DirectoryGroupEventData",
        "DirectoryUserEventData",
        "OrgMembershipEventData",
        "OrganizationDomainEventData",
        "OrganizationEventData",
        "PermissionEventData",
        "RoleEventData",
        "UserAuthEventData",
    ],
)
def test_every_documented_payload_field_is_modelled(data_name: str) -> None:
    properties = _schema(data_name)["properties"]
    assert set(properties) <= _field_names(getattr(events, data_name))


def test_nested_payload_objects_are_modelled() -> None:
    membership = _schema("OrgMembershipEventData")["properties"]
    assert set(membership["organization"]["properties"]) <= _field_names(sk.OrganizationEventData)
    assert set(membership["user"]["properties"]) <= _field_names(sk.EventUser)
    session = _schema("UserAuthEventData")["properties"]["user_session"]["properties"]
    assert set(session) <= _field_names(sk.EventUserSession)


def test_login_event_has_nested_models() -> None:
    example, _, _ = _webhook("user.login")
    event = parse_event(example)
    assert isinstance(event, sk.UserLoginEvent)
    assert isinstance(event, sk.UserAuthEvent)
    user, session = event.data.user, event.data.user_session
    assert user is not None
    assert session is not None
    assert isinstance(user.user_profile, sk.UserProfile)
    (identity,) = user.user_profile.external_identities
    assert identity.connection_provider == sk.IdentityProviderType.GOOGLE
    assert session.device is not None
    assert session.device.location is not None
    assert session.device.location.city == "Patna"
    assert session.authenticated_organizations == ("org_102701193188409609",)
    assert session.logout_at is None


def test_membership_event_tolerates_nulls() -> None:
    example, _, _ = _webhook("user.signup")
    event = parse_event(example)
    assert isinstance(event, sk.UserSignupEvent)
    organization = event.data.organization
    assert organization is not None
    assert organization.external_id is None
    assert organization.metadata == {}
    assert organization.settings is not None
    assert [f.name for f in organization.settings.features] == ["sso", "dir_sync"]
    assert event.data.user is not None
    assert event.data.user.user_profile is not None
    assert event.data.user.user_profile.groups == ()


def test_connected_account_status_change_has_both_statuses() -> None:
    example, _, _ = _webhook("connected_account.status_updated")
    event = parse_event(example)
    assert isinstance(event, sk.ConnectedAccountStatusUpdatedEvent)
    assert event.data.old_status == sk.ConnectorStatus.ACTIVE
    assert event.data.status == sk.ConnectorStatus.EXPIRED
    assert event.data.authorization_type == sk.ConnectorType.OAUTH


def test_connected_account_events_share_a_base_class() -> None:
    example, _, _ = _webhook("connected_account.token_refresh_failed")
    event = parse_event(example)
    assert isinstance(event, sk.ConnectedAccountEvent)
    assert isinstance(event.data, sk.ConnectedAccountEventData)
    assert event.data.id.startswith("ca_")


def test_directory_user_groups_and_roles_are_models() -> None:
    example, _, _ = _webhook("organization.directory.user_created")
    data = parse_event(example).data
    assert isinstance(data, sk.DirectoryUserEventData)
    assert data.groups == (
        sk.EventDirectoryUserGroup(id="dirgroup_12312312312312", name="Group Name"),
    )
    assert data.roles == (sk.EventDirectoryUserRole(role_name="billing_admin"),)
    assert data.custom_attributes == {"mobile_phone_number": "1-579-4072"}


def test_domain_secret_stays_out_of_repr() -> None:
    example, _, _ = _webhook("organization.domain_created")
    example["data"]["txt_record_secret"] = "very-secret-value"
    event = parse_event(example)
    assert isinstance(event.data, sk.OrganizationDomainEventData)
    assert event.data.txt_record_secret == "very-secret-value"
    assert "very-secret-value" not in repr(event)
    assert event.data.verification_status == sk.DomainVerificationStatus.PENDING


def test_unknown_keys_are_ignored_at_every_level() -> None:
    example, _, _ = _webhook("user.login")
    plain = parse_event(example)
    example["brand_new"] = {"x": 1}
    example["data"]["extra"] = [1, 2]
    example["data"]["user_session"]["device"]["gpu"] = "fast"
    example["data"]["user"]["user_profile"]["pronouns"] = "they"
    assert parse_event(json.dumps(example)) == plain


def test_unknown_enum_values_are_kept() -> None:
    example, _, _ = _webhook("connected_account.created")
    example["data"]["status"] = "SUSPENDED"
    event = parse_event(example)
    assert isinstance(event, sk.ConnectedAccountCreatedEvent)
    assert event.data.status == "SUSPENDED"
    assert event.data.status is not None
    assert not event.data.status.known


def test_unknown_event_type_stays_a_generic_event() -> None:
    payload = {
        "id": "evt_1",
        "type": "invoice.paid",
        "spec_version": "1",
        "object": "Invoice",
        "occurred_at": "2025-01-01T00:00:00Z",
        "environment_id": "env_1",
        "data": {"amount": 10, "nested": {"a": [1]}},
        "surprise": True,
    }
    event = parse_event(json.dumps(payload))
    assert type(event) is WebhookEvent
    assert event.type == "invoice.paid"
    assert event.data == {"amount": 10, "nested": {"a": [1]}}
    assert event.occurred_at is not None
    assert event.occurred_at.tzinfo is not None


def test_missing_data_gives_an_empty_typed_payload() -> None:
    event = parse_event({"id": "evt_1", "type": "role.deleted"})
    assert isinstance(event, sk.RoleDeletedEvent)
    assert event.data == sk.RoleEventData()


NOT_EVENTS = {
    "not-json": b"not json",
    "not-utf8": b'{"id": "evt_1", "type": "role.created", "x": "\xff"}',
    "empty": b"",
    "array": "[1, 2]",
    "string": b'"text"',
    "null": b"null",
    "number": b"42",
    "empty-object": {},
    "no-type": {"id": "evt_1", "data": {}},
    "empty-type": {"id": "evt_1", "type": ""},
    "int-type": {"id": "evt_1", "type": 3},
    "list-type": {"id": "evt_1", "type": ["role.created"]},
    "no-id": {"type": "role.created", "data": {}},
    "empty-id": {"id": "", "type": "role.created"},
    "null-id": {"id": None, "type": "role.created"},
    "int-id": {"id": 12, "type": "role.created"},
    "data-not-object": {"id": "evt_1", "type": "role.created", "data": [1]},
    "data-field-type": {"id": "evt_1", "type": "role.created", "data": {"id": 5}},
    "bad-timestamp": {"id": "evt_1", "type": "x.y", "occurred_at": "yesterday"},
    "envelope-field-type": {"id": "evt_1", "type": "x.y", "environment_id": {}},
}


@pytest.mark.parametrize("payload", list(NOT_EVENTS.values()), ids=list(NOT_EVENTS))
def test_payloads_that_are_not_events_raise_webhook_payload_error(
    payload: bytes | str | Mapping[str, Any],
) -> None:
    with pytest.raises(sk.WebhookPayloadError) as caught:
        parse_event(payload)
    assert not isinstance(caught.value, sk.ResponseValidationError)
    assert isinstance(caught.value, sk.WebhookVerificationError)
    assert type(caught.value).__module__ == "scalekit_async._errors"
    assert caught.value.message == str(caught.value)


def test_a_payload_of_the_wrong_shape_is_refused() -> None:
    example, _, _ = _webhook("role.created")
    example["data"]["id"] = 5
    with pytest.raises(sk.WebhookPayloadError, match="RoleCreatedEvent") as caught:
        parse_event(example)
    assert caught.value.__cause__ is not None  # the converter's error, for debugging


def test_registry_maps_each_type_to_a_subclass_of_webhook_event() -> None:
    for event_type, cls in EVENT_TYPES.items():
        assert issubclass(cls, WebhookEvent), event_type
        assert cls.__name__ in sk.__all__, cls.__name__
    assert len(set(EVENT_TYPES.values())) == 41
