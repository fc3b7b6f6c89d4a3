"""API token models: the opaque API keys an organization (or one of its users) holds.

An API token is a long-lived opaque string your own API accepts from a
customer's scripts; Scalekit keeps its record (``tokens.Token``: scope,
custom claims, expiry) and answers whether a presented token is valid. The
token string itself is returned once, at creation; the models keep it out of
their repr so it never lands in a log.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import attrs

__all__ = ["ApiToken", "CreatedApiToken"]


@attrs.frozen(kw_only=True)
class ApiToken:
    """The record of an API token (``tokens.Token``), never its secret value.

    `token_id` (``apit_...``) names the token in the API; `token_suffix` is the
    last 4 characters of the token string, to tell tokens apart in a UI. A token
    scoped to a user has `user_id` (and the user's `email` and `roles`); an
    organization token has neither. `expiry` is `None` for a token that never
    expires.
    """

    token_id: str = ""
    organization_id: str = ""
    organization_external_id: str = ""
    user_id: str | None = None
    user_external_id: str | None = None
    custom_claims: Mapping[str, str] = attrs.field(factory=dict)
    expiry: datetime | None = None
    created_at: datetime | None = None
    description: str | None = None
    token_suffix: str = ""
    email: str | None = None
    roles: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class CreatedApiToken:
    """A new API token: its value, shown this one time only, and its record.

    Hand `token` to its owner at once and do not store it: Scalekit never shows
    it again (validation accepts it, or `token_id`, later). It is hidden from
    the repr.
    """

    token: str = attrs.field(default="", repr=False)
    token_id: str = ""
    token_info: ApiToken | None = None
