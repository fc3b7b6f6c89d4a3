"""Models of the users family: users, their invites and effective permissions.

Memberships, roles-in-a-membership and profiles are shared with other families
and live in `._common` (`OrganizationMembership`, `RoleRef`, `UserProfile`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from ._common import OrganizationMembership, UserProfile

__all__ = [
    "Invite",
    "User",
    "UserPermission",
    "UserProfileInput",
]


@attrs.frozen(kw_only=True)
class User:
    """A user of your environment, with a membership per organization they belong to."""

    id: str = ""
    email: str = ""
    external_id: str | None = None
    memberships: tuple[OrganizationMembership, ...] = ()
    user_profile: UserProfile | None = None
    metadata: Mapping[str, str] = attrs.field(factory=dict)
    create_time: datetime | None = None
    update_time: datetime | None = None
    last_login_time: datetime | None = None


@attrs.frozen(kw_only=True)
class Invite:
    """An invitation of a user to an organization (answer of a resend)."""

    organization_id: str = ""
    user_id: str = ""
    inviter_email: str | None = None
    status: str = ""
    created_at: datetime | None = None
    expires_at: datetime | None = None
    resent_at: datetime | None = None
    resent_count: int = 0


@attrs.frozen(kw_only=True)
class UserPermission:
    """A permission a user holds in an organization through their roles."""

    id: str = ""
    name: str = ""
    description: str = ""


_PROFILE_STRINGS = (
    "given_name",
    "family_name",
    "name",
    "locale",
    "phone_number",
    "preferred_username",
    "picture",
    "gender",
)
_PROFILE_MAPS = ("metadata", "custom_attributes")


def _check_str(name: str, value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"user_profile.{name} must be a str, not {type(value).__name__}")


def _groups(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError("user_profile.groups must be a list of group names")
    groups = tuple(value)
    if not all(isinstance(g, str) for g in groups):
        raise TypeError("user_profile.groups must contain only str")
    return groups


def _check_map(name: str, value: object) -> None:
    if value is None:
        return
    if not isinstance(value, Mapping):
        raise TypeError(f"user_profile.{name} must be a mapping of str to str")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise TypeError(f"user_profile.{name} keys and values must be str")


@attrs.frozen(kw_only=True)
class UserProfileInput:
    """Profile fields to set when creating or updating a user.

    A field left as `None` is not sent, so an update leaves it unchanged;
    pass ``""`` (or an empty list or mapping) to clear it. ``metadata`` here is
    the profile's identity-provider attributes, not the user's own metadata.
    """

    given_name: str | None = None
    family_name: str | None = None
    name: str | None = None
    locale: str | None = None
    phone_number: str | None = None
    preferred_username: str | None = None
    picture: str | None = None
    gender: str | None = None
    groups: tuple[str, ...] | None = attrs.field(default=None, converter=_groups)
    metadata: Mapping[str, str] | None = None
    custom_attributes: Mapping[str, str] | None = None

    def __attrs_post_init__(self) -> None:
        for name in _PROFILE_STRINGS:
            _check_str(name, getattr(self, name))
        for name in _PROFILE_MAPS:
            _check_map(name, getattr(self, name))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> UserProfileInput:
        """Build from a plain mapping of wire field names; unknown keys are a `TypeError`."""
        known = {a.name for a in attrs.fields(cls)}
        unknown = sorted(str(k) for k in data if k not in known)
        if unknown:
            raise TypeError(f"unknown user_profile fields: {', '.join(unknown)}")
        return cls(**{str(k): v for k, v in data.items()})

    def to_wire(self) -> dict[str, Any]:
        """The JSON object to send: only the fields that are set."""
        out: dict[str, Any] = {}
        for name in _PROFILE_STRINGS:
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.groups is not None:
            out["groups"] = list(self.groups)
        for name in _PROFILE_MAPS:
            value = getattr(self, name)
            if value is not None:
                out[name] = dict(value)
        return out
