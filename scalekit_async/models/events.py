"""Webhook event payloads, and `parse_event`: raw JSON to the right event class by its ``type``.

Every event shares an envelope (``id``, ``type``, ``occurred_at``, ...) and a
``data`` object whose shape depends on the type. Each of the 41 documented
event types has its own class (e.g. `OrganizationCreatedEvent`), registered in
`EVENT_TYPES`, whose ``data`` is a typed model; events that share a payload
also share a base class (e.g. `ConnectedAccountEvent`), for ``isinstance``
checks and ``match`` statements. Unknown types become a generic
`WebhookEvent` with ``data`` as a plain mapping, so a new event type never
breaks a webhook handler; unknown keys are ignored.

Event payloads come from Scalekit's event pipeline rather than the REST
gateway, and they send JSON ``null`` for some absent values; so optional
fields here default to `None` rather than to an empty value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import cattrs

from .._errors import WebhookPayloadError
from ._common import RegionCode, UserProfile
from ._event_names import EVENT_NAMES
from .connected_accounts import ConnectorStatus, ConnectorType
from .domains import DomainType, DomainVerificationMethod, DomainVerificationStatus
from .organizations import OrganizationSettings

if not TYPE_CHECKING:
    # The names live in `_event_names` (a new class is added there), so the package
    # exports them without defining the classes. Hidden from mypy, which reads only a
    # literal ``__all__``: without one it exports the public names defined here, the
    # same list plus `EVENT_TYPES`.
    __all__ = list(EVENT_NAMES)


@attrs.frozen(kw_only=True)
class WebhookEvent:
    """An event delivered to your webhook endpoint (the common envelope).

    Typed subclasses narrow `data` to a model; this class itself carries
    `data` as the raw mapping (it is used for event types this SDK does not know).
    """

    id: str = ""
    type: str = ""
    spec_version: str = ""
    object: str = ""
    occurred_at: datetime | None = None
    environment_id: str = ""
    organization_id: str | None = None
    display_name: str = ""
    data: Any = attrs.field(factory=dict)


EVENT_TYPES: dict[str, type[WebhookEvent]] = {}
"""Event classes by their ``type`` string; family modules register theirs here."""

_E = TypeVar("_E", bound=WebhookEvent)


def _event(event_type: str) -> Callable[[type[_E]], type[_E]]:
    """Register the decorated class as the event class of *event_type*."""

    def register(cls: type[_E]) -> type[_E]:
        EVENT_TYPES[event_type] = cls
        return cls

    return register


# -- payload models ----------------------------------------------------------


@attrs.frozen(kw_only=True)
class OrganizationEventData:
    """The organization in an ``organization.*`` event (and in membership events)."""

    id: str = ""
    display_name: str = ""
    external_id: str | None = None
    region_code: RegionCode | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    deleted_at: datetime | None = None
    metadata: Mapping[str, Any] = attrs.field(factory=dict)
    settings: OrganizationSettings | None = None


@attrs.frozen(kw_only=True)
class OrganizationDomainEventData:
    """The domain in an ``organization.domain_*`` event.

    `txt_record_secret` is the value Scalekit expects in the DNS TXT record;
    it is sensitive, so it is kept out of the repr.
    """

    id: str = ""
    domain: str = ""
    domain_type: DomainType | None = None
    organization_id: str = ""
    environment_id: str = ""
    txt_record_key: str | None = None
    txt_record_secret: str | None = attrs.field(default=None, repr=False)
    verification_status: DomainVerificationStatus | None = None
    verification_method: DomainVerificationMethod | None = None
    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class EventUser:
    """The user in a membership or login/logout event."""

    id: str = ""
    email: str | None = None
    external_id: str | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    last_login_time: datetime | None = None
    metadata: Mapping[str, Any] = attrs.field(factory=dict)
    user_profile: UserProfile | None = None


@attrs.frozen(kw_only=True)
class OrgMembershipEventData:
    """The organization and user of a signup, invitation or membership event."""

    organization: OrganizationEventData | None = None
    user: EventUser | None = None


@attrs.frozen(kw_only=True)
class EventDeviceLocation:
    """Where a session's device was, as geolocated from its IP address."""

    city: str | None = None
    region: str | None = None
    region_subdivision: str | None = None
    latitude: str | None = None
    longitude: str | None = None


@attrs.frozen(kw_only=True)
class EventSessionDevice:
    """The device and client of a session in a login/logout event."""

    browser: str | None = None
    browser_version: str | None = None
    device_type: str | None = None
    ip: str | None = None
    os: str | None = None
    os_version: str | None = None
    user_agent: str | None = None
    location: EventDeviceLocation | None = None


@attrs.frozen(kw_only=True)
class EventUserSession:
    """The session of a login/logout event."""

    session_id: str = ""
    user_id: str | None = None
    organization_id: str | None = None
    status: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    last_active_at: datetime | None = None
    absolute_expires_at: datetime | None = None
    idle_expires_at: datetime | None = None
    expired_at: datetime | None = None
    logout_at: datetime | None = None
    authenticated_organizations: tuple[str, ...] = ()
    device: EventSessionDevice | None = None


@attrs.frozen(kw_only=True)
class UserAuthEventData:
    """The user and session of a ``user.login`` or ``user.logout`` event."""

    user: EventUser | None = None
    user_session: EventUserSession | None = None


@attrs.frozen(kw_only=True)
class DirectoryEventData:
    """The directory in a directory enabled/disabled event."""

    id: str = ""
    organization_id: str = ""
    directory_type: str | None = None
    provider: str | None = None
    enabled: bool | None = None
    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class EventDirectoryUserGroup:
    """A group a directory user belongs to."""

    id: str = ""
    name: str | None = None


@attrs.frozen(kw_only=True)
class EventDirectoryUserRole:
    """A role a directory user got from the directory's role mapping."""

    role_name: str = ""


@attrs.frozen(kw_only=True)
class DirectoryUserEventData:
    """The user in an ``organization.directory.user_*`` event."""

    id: str = ""
    organization_id: str = ""
    active: bool | None = None
    email: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    name: str | None = None
    preferred_username: str | None = None
    dp_id: str | None = None
    employee_id: str | None = None
    department: str | None = None
    cost_center: str | None = None
    division: str | None = None
    title: str | None = None
    user_type: str | None = None
    phone_number: str | None = None
    language: str | None = None
    locale: str | None = None
    zoneinfo: str | None = None
    organization: str | None = None
    nickname: str | None = None
    profile: str | None = None
    picture: str | None = None
    groups: tuple[EventDirectoryUserGroup, ...] = ()
    roles: tuple[EventDirectoryUserRole, ...] = ()
    custom_attributes: Mapping[str, Any] = attrs.field(factory=dict)
    raw_attributes: Mapping[str, Any] = attrs.field(factory=dict)
    address: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class DirectoryGroupEventData:
    """The group in an ``organization.directory.group_*`` event."""

    id: str = ""
    organization_id: str = ""
    directory_id: str | None = None
    display_name: str | None = None
    external_id: str | None = None
    dp_id: str | None = None
    raw_attributes: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class ConnectionEventData:
    """The SSO connection in an ``organization.sso_*`` event."""

    id: str = ""
    organization_id: str = ""
    connection_type: str | None = None
    provider: str | None = None
    enabled: bool | None = None
    status: str | None = None


@attrs.frozen(kw_only=True)
class RoleEventData:
    """The role in a ``role.*`` event."""

    id: str = ""
    name: str = ""
    display_name: str | None = None
    description: str | None = None
    extends: str | None = None


@attrs.frozen(kw_only=True)
class PermissionEventData:
    """The permission in a ``permission.*`` event."""

    id: str = ""
    name: str = ""
    description: str | None = None


@attrs.frozen(kw_only=True)
class ConnectedAccountEventData:
    """The connected account in a ``connected_account.*`` event (no credentials)."""

    id: str = ""
    identifier: str = ""
    connection_id: str = ""
    connection_name: str | None = None
    provider: str = ""
    authorization_type: ConnectorType | None = None
    status: ConnectorStatus | None = None
    token_expires_at: datetime | None = None
    last_used_at: datetime | None = None


@attrs.frozen(kw_only=True)
class ConnectedAccountStatusUpdatedEventData:
    """The connected account of a ``connected_account.status_updated`` event, with both statuses."""

    id: str = ""
    identifier: str = ""
    connection_id: str = ""
    connection_name: str | None = None
    provider: str = ""
    authorization_type: ConnectorType | None = None
    status: ConnectorStatus | None = None
    old_status: ConnectorStatus | None = None


# -- event families: the events that share a payload --------------------------


@attrs.frozen(kw_only=True)
class OrganizationEvent(WebhookEvent):
    """An organization was created, updated or deleted."""

    data: OrganizationEventData = attrs.field(factory=OrganizationEventData)


@attrs.frozen(kw_only=True)
class OrganizationDomainEvent(WebhookEvent):
    """Something happened to an organization's domain."""

    data: OrganizationDomainEventData = attrs.field(factory=OrganizationDomainEventData)


@attrs.frozen(kw_only=True)
class OrgMembershipEvent(WebhookEvent):
    """A user joined, was invited to, or changed membership of an organization."""

    data: OrgMembershipEventData = attrs.field(factory=OrgMembershipEventData)


@attrs.frozen(kw_only=True)
class UserAuthEvent(WebhookEvent):
    """A user logged in or out."""

    data: UserAuthEventData = attrs.field(factory=UserAuthEventData)


@attrs.frozen(kw_only=True)
class DirectoryEvent(WebhookEvent):
    """Directory sync was enabled or disabled for an organization."""

    data: DirectoryEventData = attrs.field(factory=DirectoryEventData)


@attrs.frozen(kw_only=True)
class DirectoryUserEvent(WebhookEvent):
    """A directory created, updated or deleted a user."""

    data: DirectoryUserEventData = attrs.field(factory=DirectoryUserEventData)


@attrs.frozen(kw_only=True)
class DirectoryGroupEvent(WebhookEvent):
    """A directory created, updated or deleted a group."""

    data: DirectoryGroupEventData = attrs.field(factory=DirectoryGroupEventData)


@attrs.frozen(kw_only=True)
class ConnectionEvent(WebhookEvent):
    """An organization's SSO connection was created, enabled, disabled or deleted."""

    data: ConnectionEventData = attrs.field(factory=ConnectionEventData)


@attrs.frozen(kw_only=True)
class RoleEvent(WebhookEvent):
    """A role was created, updated or deleted."""

    data: RoleEventData = attrs.field(factory=RoleEventData)


@attrs.frozen(kw_only=True)
class PermissionEvent(WebhookEvent):
    """A permission was created, updated or deleted."""

    data: PermissionEventData = attrs.field(factory=PermissionEventData)


@attrs.frozen(kw_only=True)
class ConnectedAccountEvent(WebhookEvent):
    """Something happened to a connected account (all but ``status_updated``)."""

    data: ConnectedAccountEventData = attrs.field(factory=ConnectedAccountEventData)


# -- one class per event type --------------------------------------------------


@_event("organization.created")
@attrs.frozen(kw_only=True)
class OrganizationCreatedEvent(OrganizationEvent):
    """``organization.created``: an organization was created."""


@_event("organization.updated")
@attrs.frozen(kw_only=True)
class OrganizationUpdatedEvent(OrganizationEvent):
    """``organization.updated``: an organization was updated."""


@_event("organization.deleted")
@attrs.frozen(kw_only=True)
class OrganizationDeletedEvent(OrganizationEvent):
    """``organization.deleted``: an organization was deleted (`data.deleted_at` says when)."""


@_event("organization.domain_created")
@attrs.frozen(kw_only=True)
class OrganizationDomainCreatedEvent(OrganizationDomainEvent):
    """``organization.domain_created``: a domain was added to an organization."""


@_event("organization.domain_deleted")
@attrs.frozen(kw_only=True)
class OrganizationDomainDeletedEvent(OrganizationDomainEvent):
    """``organization.domain_deleted``: a domain was removed from an organization."""


@_event("organization.domain_dns_verification_success")
@attrs.frozen(kw_only=True)
class OrganizationDomainDnsVerificationSuccessEvent(OrganizationDomainEvent):
    """``organization.domain_dns_verification_success``: a domain's DNS TXT record was verified."""


@_event("organization.domain_dns_verification_failed")
@attrs.frozen(kw_only=True)
class OrganizationDomainDnsVerificationFailedEvent(OrganizationDomainEvent):
    """``organization.domain_dns_verification_failed``: a domain's DNS record did not verify."""


@_event("user.signup")
@attrs.frozen(kw_only=True)
class UserSignupEvent(OrgMembershipEvent):
    """``user.signup``: a user signed up (and joined an organization)."""


@_event("user.login")
@attrs.frozen(kw_only=True)
class UserLoginEvent(UserAuthEvent):
    """``user.login``: a user logged in."""


@_event("user.logout")
@attrs.frozen(kw_only=True)
class UserLogoutEvent(UserAuthEvent):
    """``user.logout``: a user logged out."""


@_event("user.organization_invitation")
@attrs.frozen(kw_only=True)
class UserOrganizationInvitationEvent(OrgMembershipEvent):
    """``user.organization_invitation``: a user was invited to an organization."""


@_event("user.organization_membership_created")
@attrs.frozen(kw_only=True)
class UserOrganizationMembershipCreatedEvent(OrgMembershipEvent):
    """``user.organization_membership_created``: a user became a member of an organization."""


@_event("user.organization_membership_deleted")
@attrs.frozen(kw_only=True)
class UserOrganizationMembershipDeletedEvent(OrgMembershipEvent):
    """``user.organization_membership_deleted``: a user's membership was removed."""


@_event("user.organization_membership_updated")
@attrs.frozen(kw_only=True)
class UserOrganizationMembershipUpdatedEvent(OrgMembershipEvent):
    """``user.organization_membership_updated``: a user's membership of an organization changed."""


@_event("organization.directory_enabled")
@attrs.frozen(kw_only=True)
class OrganizationDirectoryEnabledEvent(DirectoryEvent):
    """``organization.directory_enabled``: directory sync was enabled for an organization."""


@_event("organization.directory_disabled")
@attrs.frozen(kw_only=True)
class OrganizationDirectoryDisabledEvent(DirectoryEvent):
    """``organization.directory_disabled``: directory sync was disabled for an organization."""


@_event("organization.directory.user_created")
@attrs.frozen(kw_only=True)
class DirectoryUserCreatedEvent(DirectoryUserEvent):
    """``organization.directory.user_created``: a directory provisioned a user."""


@_event("organization.directory.user_updated")
@attrs.frozen(kw_only=True)
class DirectoryUserUpdatedEvent(DirectoryUserEvent):
    """``organization.directory.user_updated``: a directory updated a user."""


@_event("organization.directory.user_deleted")
@attrs.frozen(kw_only=True)
class DirectoryUserDeletedEvent(DirectoryUserEvent):
    """``organization.directory.user_deleted``: a directory deprovisioned a user."""


@_event("organization.directory.group_created")
@attrs.frozen(kw_only=True)
class DirectoryGroupCreatedEvent(DirectoryGroupEvent):
    """``organization.directory.group_created``: a directory created a group."""


@_event("organization.directory.group_updated")
@attrs.frozen(kw_only=True)
class DirectoryGroupUpdatedEvent(DirectoryGroupEvent):
    """``organization.directory.group_updated``: a directory updated a group."""


@_event("organization.directory.group_deleted")
@attrs.frozen(kw_only=True)
class DirectoryGroupDeletedEvent(DirectoryGroupEvent):
    """``organization.directory.group_deleted``: a directory deleted a group."""


@_event("organization.sso_created")
@attrs.frozen(kw_only=True)
class OrganizationSsoCreatedEvent(ConnectionEvent):
    """``organization.sso_created``: an SSO connection was created for an organization."""


@_event("organization.sso_enabled")
@attrs.frozen(kw_only=True)
class OrganizationSsoEnabledEvent(ConnectionEvent):
    """``organization.sso_enabled``: an organization's SSO connection was enabled."""


@_event("organization.sso_disabled")
@attrs.frozen(kw_only=True)
class OrganizationSsoDisabledEvent(ConnectionEvent):
    """``organization.sso_disabled``: an organization's SSO connection was disabled."""


@_event("organization.sso_deleted")
@attrs.frozen(kw_only=True)
class OrganizationSsoDeletedEvent(ConnectionEvent):
    """``organization.sso_deleted``: an organization's SSO connection was deleted."""


@_event("role.created")
@attrs.frozen(kw_only=True)
class RoleCreatedEvent(RoleEvent):
    """``role.created``: a role was created."""


@_event("role.updated")
@attrs.frozen(kw_only=True)
class RoleUpdatedEvent(RoleEvent):
    """``role.updated``: a role was updated."""


@_event("role.deleted")
@attrs.frozen(kw_only=True)
class RoleDeletedEvent(RoleEvent):
    """``role.deleted``: a role was deleted."""


@_event("permission.created")
@attrs.frozen(kw_only=True)
class PermissionCreatedEvent(PermissionEvent):
    """``permission.created``: a permission was created."""


@_event("permission.updated")
@attrs.frozen(kw_only=True)
class PermissionUpdatedEvent(PermissionEvent):
    """``permission.updated``: a permission was updated."""


@_event("permission.deleted")
@attrs.frozen(kw_only=True)
class PermissionDeletedEvent(PermissionEvent):
    """``permission.deleted``: a permission was deleted."""


@_event("connected_account.created")
@attrs.frozen(kw_only=True)
class ConnectedAccountCreatedEvent(ConnectedAccountEvent):
    """``connected_account.created``: a connected account was created."""


@_event("connected_account.updated")
@attrs.frozen(kw_only=True)
class ConnectedAccountUpdatedEvent(ConnectedAccountEvent):
    """``connected_account.updated``: a connected account's credentials or configuration changed."""


@_event("connected_account.deleted")
@attrs.frozen(kw_only=True)
class ConnectedAccountDeletedEvent(ConnectedAccountEvent):
    """``connected_account.deleted``: a connected account was deleted."""


@_event("connected_account.magic_link_generated")
@attrs.frozen(kw_only=True)
class ConnectedAccountMagicLinkGeneratedEvent(ConnectedAccountEvent):
    """``connected_account.magic_link_generated``: an authorization link was made."""


@_event("connected_account.oauth_tokens_fetched")
@attrs.frozen(kw_only=True)
class ConnectedAccountOauthTokensFetchedEvent(ConnectedAccountEvent):
    """``connected_account.oauth_tokens_fetched``: an account's OAuth tokens were fetched."""


@_event("connected_account.token_refresh_succeeded")
@attrs.frozen(kw_only=True)
class ConnectedAccountTokenRefreshSucceededEvent(ConnectedAccountEvent):
    """``connected_account.token_refresh_succeeded``: an account's access token was refreshed."""


@_event("connected_account.token_refresh_failed")
@attrs.frozen(kw_only=True)
class ConnectedAccountTokenRefreshFailedEvent(ConnectedAccountEvent):
    """``connected_account.token_refresh_failed``: refreshing an account's access token failed."""


@_event("connected_account.oauth_succeeded")
@attrs.frozen(kw_only=True)
class ConnectedAccountOauthSucceededEvent(ConnectedAccountEvent):
    """``connected_account.oauth_succeeded``: a connected account completed its OAuth flow."""


@_event("connected_account.status_updated")
@attrs.frozen(kw_only=True)
class ConnectedAccountStatusUpdatedEvent(WebhookEvent):
    """``connected_account.status_updated``: a connected account's status changed.

    `data.old_status` is the status before, `data.status` the status now.
    """

    data: ConnectedAccountStatusUpdatedEventData = attrs.field(
        factory=ConnectedAccountStatusUpdatedEventData
    )


# -- parsing -------------------------------------------------------------------


def parse_event(
    payload: bytes | str | Mapping[str, Any], converter: cattrs.Converter | None = None
) -> WebhookEvent:
    """Turn a (verified) webhook payload into the event class named by its ``type``.

    A payload is an event when it is a JSON object whose ``id`` and ``type``
    are non-empty strings and whose fields have the documented types; an
    unknown ``type`` gives a generic `WebhookEvent`.

    Raises:
        WebhookPayloadError: the payload is not JSON, not an object, has no
            valid ``id`` or ``type``, or does not have an event's shape.
    """
    from .._converter import make_converter

    if isinstance(payload, bytes | str):
        try:
            data = json.loads(payload)
        except ValueError:  # UnicodeDecodeError included
            raise WebhookPayloadError("webhook payload is not JSON") from None
    else:
        data = payload
    if not isinstance(data, Mapping):
        raise WebhookPayloadError("webhook payload is not a JSON object")
    for key in ("id", "type"):
        value = data.get(key)
        if not isinstance(value, str) or not value:
            problem = "has no" if value is None else "has an invalid"
            raise WebhookPayloadError(f"webhook payload {problem} {key!r}: not an event")
    cls = EVENT_TYPES.get(data["type"], WebhookEvent)
    conv = converter or make_converter()
    try:
        return conv.structure(dict(data), cls)
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise WebhookPayloadError(
            f"webhook payload is not a valid {cls.__name__}: {type(exc).__name__}"
        ) from exc
