"""Passwordless models: the answer to sending a magic link or code, and to verifying it."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs

from .._enums import OpenEnum

__all__ = [
    "PasswordlessEmailType",
    "PasswordlessTemplate",
    "SentPasswordlessEmail",
    "VerifiedPasswordlessEmail",
]


class PasswordlessEmailType(OpenEnum):
    """What the email carries: a one-time code, a magic link, or both.

    (``auth.passwordless.PasswordlessType``; the name avoids the connections'
    own `PasswordlessType` enum.)
    """

    PASSWORDLESS_TYPE_UNSPECIFIED = "PASSWORDLESS_TYPE_UNSPECIFIED"
    OTP = "OTP"
    LINK = "LINK"
    LINK_OTP = "LINK_OTP"


class PasswordlessTemplate(OpenEnum):
    """The intent of a passwordless email: sign an existing user in, or sign one up."""

    UNSPECIFIED = "UNSPECIFIED"
    SIGNIN = "SIGNIN"
    SIGNUP = "SIGNUP"


@attrs.frozen(kw_only=True)
class SentPasswordlessEmail:
    """A passwordless email that went out (``SendPasswordlessResponse``).

    Keep `auth_request_id`: resending and verifying a code both need it.
    `expires_at` is a Unix time in seconds; `expires_in` counts seconds from now.
    """

    auth_request_id: str = ""
    expires_at: int | None = None
    expires_in: int | None = None
    passwordless_type: PasswordlessEmailType | None = None

    @property
    def expire_time(self) -> datetime | None:
        """`expires_at` as an aware UTC `datetime` (``None`` when not given)."""
        if self.expires_at is None:
            return None
        return datetime.fromtimestamp(self.expires_at, UTC)


@attrs.frozen(kw_only=True)
class VerifiedPasswordlessEmail:
    """A successful verification: whose email it proved, and the state you sent."""

    email: str = ""
    state: str | None = None
    template: PasswordlessTemplate | None = None
    passwordless_type: PasswordlessEmailType | None = None
