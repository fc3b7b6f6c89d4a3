"""``client.api_tokens``: opaque API tokens (API keys) of organizations and users.

An API token is a long-lived opaque string that your customers' scripts send
to *your* API. Scalekit issues it for an organization (optionally for one of
its users), keeps its record (custom claims, description, expiry) and tells
you, on each request your API receives, whether the token is still valid and
whose it is: `ApiTokens.verify`.

The token string is returned once, by `ApiTokens.create`. Every other
operation accepts either the token string or its id (``apit_...``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .._converter import format_timestamp
from .._pagination import AsyncPaginator
from .._routes import Route, operation
from .._types import NOT_GIVEN, NotGivenOr
from ..models.api_tokens import ApiToken, CreatedApiToken
from ._base import Resource, check_page_size, check_strings

__all__ = ["ApiTokens"]

_CREATE = Route("POST", "/api/v1/tokens")
_VALIDATE = Route("POST", "/api/v1/tokens:validate")
_INVALIDATE = Route("POST", "/api/v1/tokens:invalidate")
_LIST = Route("GET", "/api/v1/tokens")
_UPDATE = Route("POST", "/api/v1/tokens:update")

_MAX_PAGE_SIZE = 30
"""The largest page of `ApiTokens.list` (``ListTokensRequest.page_size``: 0 to 30)."""
_MAX_CLAIMS = 20
"""At most this many custom claims per token."""
_MAX_CLAIM_KEY = 30
"""A custom claim's key is 1 to 30 characters."""
_MAX_CLAIM_VALUE = 256
"""A custom claim's value is 1 to 256 characters."""
_MAX_DESCRIPTION = 255
"""A token's description is at most 255 characters."""
_MAX_ORGANIZATION_ID = 32
"""``ListTokensRequest.organization_id``: at most 32 characters, starting ``org_``."""


class ApiTokens(Resource):
    """Opaque API tokens: issue them, check the ones your API receives, revoke them."""

    __slots__ = ()

    @operation(_CREATE)
    async def create(
        self,
        *,
        organization_id: str,
        user_id: str | None = None,
        custom_claims: Mapping[str, str] | None = None,
        expiry: datetime | None = None,
        description: str | None = None,
    ) -> CreatedApiToken:
        """Issue an API token for an organization, or for one of its users.

        Hand ``result.token`` to its owner at once: Scalekit never shows it
        again. With `user_id` the token is the user's (who must be a member of
        the organization) and validation names the user, their email and roles.
        `custom_claims` (at most 20, keys of 1-30 and values of 1-256
        characters) come back whenever the token is validated, e.g. a scope or
        a plan; `expiry` is when the token stops being valid (naive times are
        UTC; `None`: never); `description` (at most 255 characters) is a label
        for your UI.

        Replaces the official SDK's ``tokens.create_token``.
        """
        _check_organization_id(organization_id)
        check_strings(user_id=user_id, description=description)
        body: dict[str, Any] = {"organization_id": organization_id}
        if user_id is not None:
            if not user_id:
                raise ValueError("user_id must not be empty (pass None for an organization token)")
            body["user_id"] = user_id
        if custom_claims is not None:
            body["custom_claims"] = _claims(custom_claims, removals=False)
        if expiry is not None:
            if not isinstance(expiry, datetime):
                raise TypeError(f"expiry must be a datetime, not {type(expiry).__name__}")
            body["expiry"] = format_timestamp(expiry)
        if description is not None:
            body["description"] = _description(description)
        # body: "token": the JSON body is the ``tokens.CreateToken`` message itself.
        data = await self._engine.call(_CREATE, body=body)
        return self._engine.structure(data, CreatedApiToken)

    @operation(_VALIDATE)
    async def verify(self, token: str) -> ApiToken:
        """Check an API token your API received, and return whose it is.

        *token* is the token string (or its ``apit_...`` id). The answer is the
        token's record: its organization, its user when it is a user's token
        (with their email and roles), its custom claims. Call it on each request
        your API receives with a token, or cache the answer briefly.

        Raises:
            APIStatusError: the token is unknown, revoked or expired. Scalekit
                does not document which status it answers then (the fake
                answers 404, a `NotFoundError`), so catch `APIStatusError`.

        Replaces the official SDK's ``tokens.validate_token`` (its
        ``ValidateToken`` operation: "validate" is not a verb of this SDK's
        naming rule).
        """
        _check_token(token)
        data = await self._engine.call(_VALIDATE, body={"token": token})
        return self._engine.unwrap(data, "token_info", ApiToken)

    @operation(_INVALIDATE)
    async def revoke(self, token: str) -> None:
        """Revoke an API token for good: it fails validation from now on.

        *token* is the token string or its ``apit_...`` id. Revoking a token
        that is already revoked succeeds (the operation is idempotent), so a
        retry after a lost answer is harmless. Scalekit keeps the record (a soft
        delete) but no longer lists it.

        Replaces the official SDK's ``tokens.invalidate_token`` (its
        ``InvalidateToken`` operation).
        """
        _check_token(token)
        await self._engine.call(_INVALIDATE, body={"token": token})

    @operation(_UPDATE)
    async def update(
        self,
        token: str,
        *,
        custom_claims: NotGivenOr[Mapping[str, str | None]] = NOT_GIVEN,
        description: NotGivenOr[str | None] = NOT_GIVEN,
    ) -> ApiToken:
        """Change a token's custom claims or description; return its new record.

        *token* is the token string or its ``apit_...`` id. `custom_claims` is
        merged into the token's claims **by Scalekit**: the keys given are set,
        the others kept, and a key mapped to ``""`` or `None` is removed. (The
        official Python SDK validates the token first and merges on the client;
        the server merges itself, so this sends one request, not two.)
        `description` replaces the label; `None` or ``""`` clears it. At least
        one of the two must be given.

        Replaces the official SDK's ``tokens.update_token``.
        """
        _check_token(token)
        body: dict[str, Any] = {"token": token}
        if custom_claims is not NOT_GIVEN:
            if custom_claims is None:
                raise TypeError(
                    "custom_claims must be a mapping; map a key to None to remove that claim"
                )
            body["custom_claims"] = _claims(custom_claims, removals=True)
        if description is not NOT_GIVEN:
            body["description"] = "" if description is None else _description(description)
        if len(body) == 1:
            raise ValueError("update() needs custom_claims or description")
        data = await self._engine.call(_UPDATE, body=body)
        return self._engine.unwrap(data, "token_info", ApiToken)

    @operation(_LIST)
    def list(
        self,
        *,
        organization_id: str,
        user_id: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPaginator[ApiToken]:
        """List an organization's valid tokens: await a page, or ``async for`` every one.

        With `user_id`, only that user's tokens. Revoked tokens are not listed.
        `page_size` is at most 30 (Scalekit's default is 10); a page's
        `total_size` is the number of matching tokens (the API's
        ``total_count``).

        Replaces the official SDK's ``tokens.list_tokens``.
        """
        _check_organization_id(organization_id, listing=True)
        check_strings(user_id=user_id, page_token=page_token)
        size: NotGivenOr[int] = NOT_GIVEN if page_size is None else page_size
        check_page_size(size, _MAX_PAGE_SIZE)
        return self._paginate(
            _LIST,
            key="tokens",
            item=ApiToken,
            params={
                "organization_id": organization_id,
                "user_id": NOT_GIVEN if user_id is None else user_id,
                "page_size": size,
            },
            page_token=NOT_GIVEN if page_token is None else page_token,
            total_key="total_count",
        )


def _check_organization_id(organization_id: object, *, listing: bool = False) -> None:
    if not isinstance(organization_id, str):
        raise TypeError(f"organization_id must be a str, not {type(organization_id).__name__}")
    if not organization_id:
        raise ValueError("organization_id must not be empty")
    if listing and (
        not organization_id.startswith("org_") or len(organization_id) > _MAX_ORGANIZATION_ID
    ):
        raise ValueError(
            f"organization_id must start with 'org_' and have at most {_MAX_ORGANIZATION_ID} "
            f"characters, got {organization_id!r}"
        )


def _check_token(token: object) -> None:
    if not isinstance(token, str):
        raise TypeError(f"token must be a str, not {type(token).__name__}")
    if not token:
        raise ValueError("token must not be empty")


def _description(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"description must be a str, not {type(value).__name__}")
    if len(value) > _MAX_DESCRIPTION:
        raise ValueError(f"description must have at most {_MAX_DESCRIPTION} characters")
    return value


def _claims(value: object, *, removals: bool) -> dict[str, str]:
    """The ``custom_claims`` map, checked against the API's limits.

    With *removals* (an update), a `None` or empty value is sent as ``""``:
    Scalekit removes that claim.
    """
    if not isinstance(value, Mapping):
        raise TypeError(
            f"custom_claims must be a mapping of str to str, not {type(value).__name__}"
        )
    if len(value) > _MAX_CLAIMS:
        raise ValueError(f"custom_claims may have at most {_MAX_CLAIMS} claims, got {len(value)}")
    out: dict[str, str] = {}
    for key, val in value.items():
        if not isinstance(key, str):
            raise TypeError(f"custom claim keys must be str, not {type(key).__name__}")
        if not 1 <= len(key) <= _MAX_CLAIM_KEY:
            raise ValueError(f"custom claim key {key!r} must have 1 to {_MAX_CLAIM_KEY} characters")
        if val is None and removals:
            val = ""
        if not isinstance(val, str):
            raise TypeError(f"custom claim {key!r}: values must be str, not {type(val).__name__}")
        if len(val) > _MAX_CLAIM_VALUE or (not val and not removals):
            raise ValueError(
                f"custom claim {key!r}: values must have 1 to {_MAX_CLAIM_VALUE} characters"
            )
        out[key] = val
    return out
