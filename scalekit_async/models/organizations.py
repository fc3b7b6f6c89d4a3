"""Organization models: the tenant record, its settings, portal links and policies."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import attrs

from .._enums import OpenEnum
from ._common import RegionCode, TimeUnit

__all__ = [
    "Feature",
    "Organization",
    "OrganizationFeature",
    "OrganizationSettings",
    "PortalLink",
    "SessionPolicy",
    "SessionPolicyType",
    "UserManagementSettings",
]


class Feature(OpenEnum):
    """An admin-portal feature a portal link can enable."""

    SSO = "sso"
    DIR_SYNC = "dir_sync"


class SessionPolicyType(OpenEnum):
    """Whether an organization uses the application's session policy or its own."""

    SESSION_POLICY_TYPE_UNSPECIFIED = "SESSION_POLICY_TYPE_UNSPECIFIED"
    APPLICATION = "APPLICATION"
    CUSTOM = "CUSTOM"


@attrs.frozen(kw_only=True)
class OrganizationFeature:
    """One feature toggle of an organization (e.g. ``sso`` enabled)."""

    name: str = ""
    enabled: bool = False


@attrs.frozen(kw_only=True)
class OrganizationSettings:
    """The feature toggles of an organization."""

    features: tuple[OrganizationFeature, ...] = ()


@attrs.frozen(kw_only=True)
class Organization:
    """A tenant of your application (a customer company)."""

    id: str = ""
    display_name: str = ""
    external_id: str | None = None
    region_code: RegionCode | None = None
    metadata: Mapping[str, str] = attrs.field(factory=dict)
    slug: str | None = None
    logo_url: str | None = None
    settings: OrganizationSettings | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None


@attrs.frozen(kw_only=True)
class PortalLink:
    """A one-time link to the admin portal of an organization."""

    id: str = ""
    location: str = ""
    expire_time: datetime | None = None


@attrs.frozen(kw_only=True)
class SessionPolicy:
    """The session timeouts that apply to an organization's users."""

    policy_source: SessionPolicyType | None = None
    absolute_session_timeout: int | None = None
    absolute_session_timeout_unit: TimeUnit | None = None
    idle_session_timeout_enabled: bool | None = None
    idle_session_timeout: int | None = None
    idle_session_timeout_unit: TimeUnit | None = None


@attrs.frozen(kw_only=True)
class UserManagementSettings:
    """User-management limits of an organization."""

    max_allowed_users: int | None = None
