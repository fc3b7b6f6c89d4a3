"""The store of the fake's API tokens (``fake.api_tokens``) and its typed record.

Kept apart from the family module ``_api_tokens`` so that `FakeState` can
create the store without importing the endpoints (which import the state).
"""

from __future__ import annotations

import copy
from collections.abc import Hashable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from .._converter import parse_timestamp
from ._stores import Store, WireRecord

__all__ = ["INTERNAL_TOKEN_FIELDS", "ApiTokenRecord", "ApiTokenStore"]

INTERNAL_TOKEN_FIELDS: frozenset[str] = frozenset({"token", "invalidated"})
"""The keys of a stored token that its wire JSON (``tokens.Token``) never shows."""


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _optional_text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_timestamp(value)
    except (TypeError, ValueError):
        return None


@attrs.frozen
class ApiTokenRecord:
    """An API token as the fake stores it (``fake.api_tokens``).

    `token` is the opaque value handed out at creation (the fake keeps it to
    recognise it); `invalidated` is true once the token was invalidated (a
    soft delete: the record stays, validation fails, lists leave it out).
    """

    token_id: str
    token: str = attrs.field(repr=False)
    organization_id: str
    user_id: str | None
    custom_claims: Mapping[str, str]
    description: str | None
    expiry: datetime | None
    created_at: datetime | None
    invalidated: bool
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> ApiTokenRecord:
        """Read a stored token."""
        claims = data.get("custom_claims")
        return cls(
            token_id=_text(data.get("token_id")),
            token=_text(data.get("token")),
            organization_id=_text(data.get("organization_id")),
            user_id=_optional_text(data.get("user_id")),
            custom_claims=MappingProxyType(
                {str(k): v for k, v in claims.items() if isinstance(v, str)}
                if isinstance(claims, Mapping)
                else {}
            ),
            description=_optional_text(data.get("description")),
            expiry=_time(data.get("expiry")),
            created_at=_time(data.get("created_at")),
            invalidated=data.get("invalidated") is True,
            wire=MappingProxyType(copy.deepcopy(dict(data))),
        )


class ApiTokenStore(Store[str, ApiTokenRecord]):
    """API tokens by token id (``fake.api_tokens``), indexed by organization and token value.

    A record is the token's ``tokens.Token`` wire JSON plus the keys of
    `INTERNAL_TOKEN_FIELDS`: ``token`` (the opaque value) and ``invalidated``.
    Invalidated tokens stay stored.
    """

    indexes = ("organization_id", "token")

    def index_values(self, key: str, record: WireRecord) -> tuple[Hashable | None, ...]:
        return (_optional_text(record.get("organization_id")), _optional_text(record.get("token")))

    def to_record(self, key: str, record: WireRecord) -> ApiTokenRecord:
        return ApiTokenRecord.from_wire(record)

    def ids_of_organization(self, organization_id: str) -> list[str]:
        """The ids of an organization's tokens (invalidated ones too), oldest first."""
        return self._keys(0, organization_id)

    def of_organization(self, organization_id: str) -> list[ApiTokenRecord]:
        """An organization's tokens (invalidated ones too), oldest first."""
        return self._records(self._keys(0, organization_id))

    def id_for_token(self, token: str) -> str | None:
        """The id of the token whose opaque value is *token* (`None`: no such token)."""
        return self._first(1, token)
