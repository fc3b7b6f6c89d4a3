"""The fake's API token endpoints (``/api/v1/tokens``), backed by ``fake.api_tokens``.

``fake.api_tokens`` (an `ApiTokenStore`) maps a token id (``apit_...``) to its
``tokens.Token`` wire JSON, plus the opaque token value and whether it was
invalidated. A token belongs to an organization of ``fake.organizations``
(and optionally to one of its members) and is deleted with it.

How the fake answers, where Scalekit does not document it:

- an unknown, invalidated or expired token fails validation (and update) with
  404 ``NOT_FOUND``;
- invalidating an invalidated token succeeds (the operation is idempotent);
  invalidating a token that never existed is a 404;
- an update's ``custom_claims`` are merged into the token's, a ``""`` value
  removing that claim (the proto's description), at most 20 claims in all;
- lists leave invalidated tokens out, oldest first.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .._converter import parse_timestamp
from ._http import ApiError, FakeRequest, Reply, as_mapping
from ._paging import page
from ._state import FakeState
from ._stores_tokens import INTERNAL_TOKEN_FIELDS

__all__ = ["API_TOKEN_PREFIX", "install"]

API_TOKEN_PREFIX = "apit"  # noqa: S105 - an id prefix, not a password
"""The prefix of API token ids (``apit_...``)."""

_ALPHABET = string.ascii_letters + string.digits  # the token value is Base62
_TOKEN_LENGTH = 43  # about 256 bits
_MAX_CLAIMS = 20
_MAX_CLAIM_KEY = 30
_MAX_CLAIM_VALUE = 256
_MAX_DESCRIPTION = 255
_MAX_PAGE_SIZE = 30
_MAX_ORGANIZATION_ID = 32
_CREATE_FIELDS = frozenset({"organization_id", "user_id", "custom_claims", "expiry", "description"})
_UPDATE_FIELDS = frozenset({"token", "custom_claims", "description"})

Violations = list[tuple[str, str, str]]


def _unknown(body: Mapping[str, Any], known: frozenset[str], violations: Violations) -> None:
    violations.extend((key, "unknown field", "unknown_field") for key in body if key not in known)


def _optional_string(
    body: Mapping[str, Any], key: str, violations: Violations, *, max_len: int | None = None
) -> None:
    value = body.get(key)
    if value is None:
        return
    if not isinstance(value, str):
        violations.append((key, "must be a string", "type"))
    elif max_len is not None and len(value) > max_len:
        violations.append(
            (key, f"value length must be at most {max_len} characters", "string.max_len")
        )


def _check_claims(value: object, violations: Violations, *, removals: bool) -> None:
    """``custom_claims``: a map of 1-30 character keys to 1-256 character values.

    With *removals* (an update), an empty value is allowed: it removes the claim.
    """
    if value is None:
        return
    if not isinstance(value, Mapping):
        violations.append(("custom_claims", "must be an object of strings", "type"))
        return
    if len(value) > _MAX_CLAIMS:
        violations.append(
            ("custom_claims", f"map must be at most {_MAX_CLAIMS} entries", "map.max_pairs")
        )
    for key, val in value.items():
        if not 1 <= len(key) <= _MAX_CLAIM_KEY:
            violations.append(
                (
                    f"custom_claims[{key!r}]",
                    f"key length must be between 1 and {_MAX_CLAIM_KEY} characters",
                    "string.max_len" if key else "string.min_len",
                )
            )
        if not isinstance(val, str):
            violations.append((f"custom_claims[{key!r}]", "value must be a string", "type"))
        elif len(val) > _MAX_CLAIM_VALUE or (not val and not removals):
            violations.append(
                (
                    f"custom_claims[{key!r}]",
                    f"value length must be between 1 and {_MAX_CLAIM_VALUE} characters",
                    "string.max_len" if val else "string.min_len",
                )
            )


def _required_token(body: Mapping[str, Any], violations: Violations) -> None:
    token = body.get("token")
    if not isinstance(token, str) or not token:
        violations.append(("token", "value is required", "required"))


def _raise(violations: Violations) -> None:
    if violations:
        raise ApiError(400, "invalid request", violations=tuple(violations))


def _expiry(value: object, violations: Violations) -> str | None:
    if value is None:
        return None
    try:
        when = parse_timestamp(value)
    except (TypeError, ValueError):
        violations.append(("expiry", "must be an RFC 3339 timestamp", "type"))
        return None
    return when.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _wire(record: Mapping[str, Any]) -> dict[str, Any]:
    """The ``tokens.Token`` JSON of a stored token (without the fake's own keys)."""
    return {k: v for k, v in record.items() if k not in INTERNAL_TOKEN_FIELDS}


def install(fake: FakeState) -> None:
    """Route the API token operations to `fake`."""
    tokens = fake.api_tokens

    def forget(org_id: str) -> None:
        for token_id in tokens.ids_of_organization(org_id):
            del tokens[token_id]

    fake.deletion_hooks.append(forget)

    def new_value() -> str:
        value = "".join(secrets.choice(_ALPHABET) for _ in range(_TOKEN_LENGTH))
        return value if tokens.id_for_token(value) is None else new_value()

    def lookup(token: str) -> dict[str, Any] | None:
        """The stored token named by its value or its id (invalidated ones too)."""
        token_id = token if token in tokens else tokens.id_for_token(token)
        return None if token_id is None else tokens[token_id]

    def valid(token: str) -> dict[str, Any]:
        """The stored token, or 404 when it is unknown, invalidated or expired."""
        record = lookup(token)
        if record is None or record.get("invalidated"):
            raise ApiError(404, "token not found")
        expiry = record.get("expiry")
        if isinstance(expiry, str) and parse_timestamp(expiry) <= datetime.now(UTC):
            raise ApiError(404, "token expired")
        return record

    def user_fields(org_id: str, user_id: str) -> dict[str, Any]:
        """The user's part of a user-scoped token; 404/400 for a user outside the organization."""
        user = fake.users.get(user_id)
        if user is None:
            raise ApiError(404, f"user {user_id} not found")
        if (org_id, user_id) not in fake.memberships:
            raise ApiError(
                400,
                "user is not a member of the organization",
                violations=(
                    ("token.user_id", "user must belong to the organization", "membership"),
                ),
            )
        out: dict[str, Any] = {"user_id": user_id}
        if user.get("external_id"):
            out["user_external_id"] = user["external_id"]
        if user.get("email"):
            out["email"] = user["email"]
        out["roles"] = list(fake.memberships.record((org_id, user_id)).role_names)
        return out

    def create(request: FakeRequest) -> Reply:
        body = as_mapping(request.json())
        violations: Violations = []
        _unknown(body, _CREATE_FIELDS, violations)
        org_id = body.get("organization_id")
        if not isinstance(org_id, str) or not org_id:
            violations.append(("organization_id", "value is required", "required"))
        _optional_string(body, "user_id", violations)
        _optional_string(body, "description", violations, max_len=_MAX_DESCRIPTION)
        _check_claims(body.get("custom_claims"), violations, removals=False)
        expiry = _expiry(body.get("expiry"), violations)
        # body: "token": violations are named from the request, under ``token.``.
        _raise([(f"token.{field}", text, rule) for field, text, rule in violations])
        assert isinstance(org_id, str)
        org = fake.organizations.get(org_id)
        if org is None:
            raise ApiError(404, f"organization {org_id} not found")
        value = new_value()
        record: dict[str, Any] = {
            "token_id": fake.new_id(API_TOKEN_PREFIX),
            "organization_id": org_id,
        }
        if org.get("external_id"):
            record["organization_external_id"] = org["external_id"]
        if body.get("user_id"):
            record.update(user_fields(org_id, body["user_id"]))
        record["custom_claims"] = dict(body.get("custom_claims") or {})
        if expiry is not None:
            record["expiry"] = expiry
        record["created_at"] = fake.now()
        if body.get("description"):
            record["description"] = body["description"]
        record["token_suffix"] = value[-4:]
        record["token"] = value
        record["invalidated"] = False
        tokens[record["token_id"]] = record
        return Reply.json(
            200, {"token": value, "token_id": record["token_id"], "token_info": _wire(record)}
        )

    def token_body(request: FakeRequest) -> str:
        body = as_mapping(request.json())
        violations: Violations = []
        _unknown(body, frozenset({"token"}), violations)
        _required_token(body, violations)
        _raise(violations)
        return str(body["token"])

    def validate(request: FakeRequest) -> Reply:
        return Reply.json(200, {"token_info": _wire(valid(token_body(request)))})

    def invalidate(request: FakeRequest) -> Reply:
        token = token_body(request)
        record = lookup(token)
        if record is None:
            raise ApiError(404, "token not found")
        record["invalidated"] = True  # a soft delete: idempotent
        return Reply.json(200, {})

    def update(request: FakeRequest) -> Reply:
        body = as_mapping(request.json())
        violations: Violations = []
        _unknown(body, _UPDATE_FIELDS, violations)
        _required_token(body, violations)
        _optional_string(body, "description", violations, max_len=_MAX_DESCRIPTION)
        _check_claims(body.get("custom_claims"), violations, removals=True)
        _raise(violations)
        record = valid(body["token"])
        claims = dict(record.get("custom_claims") or {})
        for key, value in (body.get("custom_claims") or {}).items():
            if value:
                claims[key] = value
            else:
                claims.pop(key, None)  # "" removes the claim
        if len(claims) > _MAX_CLAIMS:
            _raise(
                [
                    (
                        "custom_claims",
                        f"a token has at most {_MAX_CLAIMS} claims after the merge",
                        "map.max_pairs",
                    )
                ]
            )
        record["custom_claims"] = claims
        if "description" in body and body["description"] is not None:
            if body["description"]:
                record["description"] = body["description"]
            else:
                record.pop("description", None)  # empty clears
        return Reply.json(200, {"token_info": _wire(record)})

    def list_(request: FakeRequest) -> Reply:
        violations: Violations = []
        org_id = request.param("organization_id") or ""
        if not org_id:
            violations.append(("organization_id", "value is required", "required"))
        elif not org_id.startswith("org_"):
            violations.append(
                ("organization_id", "value does not have prefix `org_`", "string.prefix")
            )
        elif len(org_id) > _MAX_ORGANIZATION_ID:
            violations.append(
                (
                    "organization_id",
                    f"value length must be at most {_MAX_ORGANIZATION_ID} characters",
                    "string.max_len",
                )
            )
        raw_size = request.param("page_size")
        if raw_size:
            try:
                size = int(raw_size)
            except ValueError:
                violations.append(("page_size", "not a number", "type"))
            else:
                if not 0 <= size <= _MAX_PAGE_SIZE:
                    violations.append(
                        (
                            "page_size",
                            f"value must be greater than or equal to 0 and less than or equal "
                            f"to {_MAX_PAGE_SIZE}",
                            "int32.gte_lte",
                        )
                    )
        _raise(violations)
        if org_id not in fake.organizations:
            raise ApiError(404, f"organization {org_id} not found")
        user_id = request.param("user_id")
        items = [
            _wire(tokens[i])
            for i in tokens.ids_of_organization(org_id)
            if not tokens[i].get("invalidated")
            and (not user_id or tokens[i].get("user_id") == user_id)
        ]
        answer = page(request, items, "tokens", max_size=_MAX_PAGE_SIZE, total_key="total_count")
        return Reply.json(200, answer)

    add = fake.router.add
    add("POST", "/api/v1/tokens", create)
    add("GET", "/api/v1/tokens", list_)
    add("POST", "/api/v1/tokens:validate", validate)
    add("POST", "/api/v1/tokens:invalidate", invalidate)
    add("POST", "/api/v1/tokens:update", update)
