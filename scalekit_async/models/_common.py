"""Value types and enums shared by several resource families."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from .._enums import OpenEnum

__all__ = [
    "ExternalIdentity",
    "IdentityProviderType",
    "MembershipStatus",
    "OrganizationMembership",
    "RegionCode",
    "RoleRef",
    "TimeUnit",
    "UserProfile",
]


class RegionCode(OpenEnum):
    """Where an organization's data lives."""

    REGION_CODE_UNSPECIFIED = "REGION_CODE_UNSPECIFIED"
    US = "US"
    EU = "EU"


class TimeUnit(OpenEnum):
    """The unit of a session timeout."""

    TIME_UNIT_UNSPECIFIED = "TIME_UNIT_UNSPECIFIED"
    MINUTES = "MINUTES"
    HOURS = "HOURS"
    DAYS = "DAYS"


class IdentityProviderType(OpenEnum):
    """The identity provider behind a connection or an external identity."""

    IDENTITY_PROVIDER_UNSPECIFIED = "IDENTITY_PROVIDER_UNSPECIFIED"
    OKTA = "OKTA"
    GOOGLE = "GOOGLE"
    MICROSOFT_AD = "MICROSOFT_AD"
    AUTH0 = "AUTH0"
    ONELOGIN = "ONELOGIN"
    PING_IDENTITY = "PING_IDENTITY"
    JUMPCLOUD = "JUMPCLOUD"
    CUSTOM = "CUSTOM"
    GITHUB = "GITHUB"
    GITLAB = "GITLAB"
    LINKEDIN = "LINKEDIN"
    SALESFORCE = "SALESFORCE"
    MICROSOFT = "MICROSOFT"
    IDP_SIMULATOR = "IDP_SIMULATOR"
    SCALEKIT = "SCALEKIT"
    ADFS = "ADFS"


class MembershipStatus(OpenEnum):
    """Where a user's membership of an organization stands."""

    MEMBERSHIP_STATUS_UNSPECIFIED = "Membership_Status_UNSPECIFIED"
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    PENDING_INVITE = "PENDING_INVITE"
    INVITE_EXPIRED = "INVITE_EXPIRED"


@attrs.frozen(kw_only=True)
class RoleRef:
    """A role as it appears inside a membership (``commons.Role``)."""

    id: str = ""
    name: str = ""
    display_name: str = ""


@attrs.frozen(kw_only=True)
class ExternalIdentity:
    """A user's identity at an external identity provider."""

    connection_id: str = ""
    connection_provider: IdentityProviderType | None = None
    connection_type: str = ""
    connection_user_id: str = ""
    is_social: bool = False
    created_time: datetime | None = None
    last_login_time: datetime | None = None
    last_synced_time: datetime | None = None


@attrs.frozen(kw_only=True)
class UserProfile:
    """A user's profile (``commons.UserProfile``)."""

    id: str = ""
    given_name: str = ""
    family_name: str = ""
    name: str = ""
    locale: str = ""
    email_verified: bool = False
    phone_number: str = ""
    phone_number_verified: bool = False
    picture: str = ""
    preferred_username: str = ""
    gender: str = ""
    groups: tuple[str, ...] = ()
    metadata: Mapping[str, str] = attrs.field(factory=dict)
    custom_attributes: Mapping[str, Any] = attrs.field(factory=dict)
    external_identities: tuple[ExternalIdentity, ...] = ()


@attrs.frozen(kw_only=True)
class OrganizationMembership:
    """A user's membership of one organization (``commons.OrganizationMembership``)."""

    organization_id: str = ""
    name: str = ""
    display_name: str = ""
    membership_status: MembershipStatus | None = None
    roles: tuple[RoleRef, ...] = ()
    permissions: tuple[str, ...] = ()
    metadata: Mapping[str, str] = attrs.field(factory=dict)
    provisioning_method: str = ""
    inviter_email: str = ""
    join_time: datetime | None = None
    created_at: datetime | None = None
    accepted_at: datetime | None = None
    expires_at: datetime | None = None
