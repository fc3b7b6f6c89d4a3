"""The fake's passwordless (magic link & OTP) endpoints, backed by `FakeScalekit.passwordless`.

``fake.passwordless`` maps an auth request id to what was "emailed": its
``email``, the 6-digit ``code``, the magic-link ``link_token`` (when a
``magiclink_auth_uri`` was given), ``expires_at`` (Unix seconds), ``state``,
``template``, ``passwordless_type``, ``sent_count`` and ``verified``. Tests read
``fake.passwordless[auth_request_id]["code"]`` to play the user.

The email is ``OTP`` without a ``magiclink_auth_uri`` and ``LINK_OTP`` with one.
A wrong code answers 400; a resend issues a new code and link token (the old
ones stop working); a verified request cannot be verified or resent again.
Each send logs an auth request (``PENDING``) in ``fake.auth_requests``; a
successful verification marks it ``SUCCESS``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from ._auth_logs import add_auth_request, find_auth_request
from ._constants import AUTH_REQUEST_PREFIX, LINK_PREFIX, OTP_PREFIX
from ._http import ApiError, FakeRequest, Reply, as_mapping
from ._state import FakeState

__all__ = ["install"]

_SEND_FIELDS = frozenset(
    {"email", "template", "magiclink_auth_uri", "state", "expires_in", "template_variables"}
)

_VERIFY_FIELDS = frozenset({"code", "link_token", "auth_request_id"})
_RESERVED = frozenset({"otp", "expiry_time_relative", "link", "expire_time", "expiry_time"})
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")
DEFAULT_EXPIRES_IN = 300
_INT64_MAX = 2**63 - 1


def _unknown(body: Mapping[str, Any], allowed: frozenset[str]) -> list[tuple[str, str]]:
    return [(key, "unknown field") for key in body if key not in allowed]


def _validate_send(body: Mapping[str, Any]) -> None:
    violations = _unknown(body, _SEND_FIELDS)
    email = body.get("email")
    if not isinstance(email, str) or not 1 <= len(email) <= 320 or not _EMAIL.match(email):
        violations.append(("email", "value must be a valid email address"))
    template = body.get("template")
    if template is not None and template not in ("SIGNIN", "SIGNUP"):
        violations.append(("template", "value must be one of the defined enum values"))
    for key in ("magiclink_auth_uri", "state"):
        value = body.get(key)
        if value is not None and (not isinstance(value, str) or not 1 <= len(value) <= 1000):
            violations.append((key, "value length must be between 1 and 1000 runes"))
    expires_in = body.get("expires_in")
    if expires_in is not None and (
        isinstance(expires_in, bool) or not isinstance(expires_in, int) or expires_in <= 0
    ):
        violations.append(("expires_in", "must be a positive number of seconds"))
    elif expires_in is not None and int(time.time()) + expires_in > _INT64_MAX:
        # expires_at (now + expires_in) must stay an int64, as the answer's schema says.
        violations.append(("expires_in", "value out of range: expires_at would overflow int64"))
    variables = body.get("template_variables")
    if variables is not None:
        if (
            not isinstance(variables, Mapping)
            or len(variables) > 30
            or not all(isinstance(v, str) for v in variables.values())
        ):
            violations.append(("template_variables", "at most 30 string key-value pairs"))
        elif _RESERVED.intersection(variables):
            reserved = ", ".join(sorted(_RESERVED.intersection(variables)))
            violations.append(("template_variables", f"reserved names: {reserved}"))
    if violations:
        raise ApiError(400, "invalid request", violations=tuple(violations))


def install(fake: FakeState) -> None:
    """Route the passwordless operations on *fake*."""
    requests = fake.passwordless

    def issue(record: dict[str, Any]) -> dict[str, Any]:
        """Give *record* a fresh code (and link token) and expiry; return the send answer."""
        record["code"] = fake.new_id(OTP_PREFIX)[-6:]
        if record["passwordless_type"] != "OTP":
            record["link_token"] = fake.new_id(LINK_PREFIX)
        record["expires_at"] = int(time.time()) + record["expires_in"]
        return {
            "auth_request_id": record["auth_request_id"],
            "expires_at": str(record["expires_at"]),
            "expires_in": record["expires_in"],
            "passwordless_type": record["passwordless_type"],
        }

    def send(request: FakeRequest) -> Reply:
        body = as_mapping(request.json())
        _validate_send(body)
        auth_request_id = fake.new_id(AUTH_REQUEST_PREFIX)
        record: dict[str, Any] = {
            "auth_request_id": auth_request_id,
            "email": body["email"],
            "passwordless_type": "LINK_OTP" if body.get("magiclink_auth_uri") else "OTP",
            "expires_in": body.get("expires_in") or DEFAULT_EXPIRES_IN,
            "template_variables": dict(body.get("template_variables") or {}),
            "sent_count": 1,
            "verified": False,
        }
        for key in ("state", "template", "magiclink_auth_uri"):
            if body.get(key) is not None:
                record[key] = body[key]
        answer = issue(record)
        requests[auth_request_id] = record
        add_auth_request(
            fake,
            auth_request_id=auth_request_id,
            email=record["email"],
            status="PENDING",
            connection_type="PASSWORDLESS",
            workflow="passwordless",
        )
        return Reply.json(200, answer)

    def usable(record: dict[str, Any]) -> None:
        if record["verified"]:
            raise ApiError(
                400,
                "this passwordless request was already verified",
                error_code="FAILED_PRECONDITION",
            )
        if time.time() > record["expires_at"]:
            raise ApiError(400, "this passwordless request has expired")

    def resend(request: FakeRequest) -> Reply:
        body = as_mapping(request.json())
        violations = _unknown(body, frozenset({"auth_request_id"}))
        auth_request_id = body.get("auth_request_id")
        if not isinstance(auth_request_id, str) or not 1 <= len(auth_request_id) <= 200:
            violations.append(("auth_request_id", "value length must be between 1 and 200 runes"))
        if violations:
            raise ApiError(400, "invalid request", violations=tuple(violations))
        record = requests.get(auth_request_id)  # type: ignore[arg-type]
        if record is None:
            raise ApiError(404, f"auth request {auth_request_id} not found")
        if record["verified"]:
            raise ApiError(
                400,
                "this passwordless request was already verified",
                error_code="FAILED_PRECONDITION",
            )
        record["sent_count"] += 1
        answer = issue(record)
        requests.reindex(auth_request_id)  # type: ignore[arg-type]  # a new link token replaces the old one
        return Reply.json(200, answer)

    def verify(request: FakeRequest) -> Reply:
        body = as_mapping(request.json())
        violations = _unknown(body, _VERIFY_FIELDS)
        code, link_token = body.get("code"), body.get("link_token")
        auth_request_id = body.get("auth_request_id")
        if (code is None) == (link_token is None):
            violations.append(("auth_credential", "exactly one of code and link_token is required"))
        if code is not None and (not isinstance(code, str) or not 1 <= len(code) <= 20):
            violations.append(("code", "value length must be between 1 and 20 runes"))
        if link_token is not None and (
            not isinstance(link_token, str) or not 1 <= len(link_token) <= 100
        ):
            violations.append(("link_token", "value length must be between 1 and 100 runes"))
        if auth_request_id is not None and (
            not isinstance(auth_request_id, str) or len(auth_request_id) > 200
        ):
            violations.append(("auth_request_id", "value length must be at most 200 runes"))
        if code is not None and not auth_request_id:
            violations.append(("auth_request_id", "is required to verify a code"))
        if violations:
            raise ApiError(400, "invalid request", violations=tuple(violations))
        if code is not None:
            record = requests.get(auth_request_id)  # type: ignore[arg-type]
            if record is None:
                raise ApiError(404, f"auth request {auth_request_id} not found")
            usable(record)
            if code != record["code"]:
                raise ApiError(400, "invalid code", violations=(("code", "does not match"),))
        else:
            found = requests.id_for_link_token(str(link_token))
            record = None if found is None else requests[found]
            if record is None or (auth_request_id and record["auth_request_id"] != auth_request_id):
                raise ApiError(
                    400, "invalid link token", violations=(("link_token", "unknown or replaced"),)
                )
            usable(record)
        record["verified"] = True
        entry = find_auth_request(fake, record["auth_request_id"])
        if entry is not None:
            entry["status"] = "SUCCESS"
        answer = {"email": record["email"], "passwordless_type": record["passwordless_type"]}
        for key in ("state", "template"):
            if key in record:
                answer[key] = record[key]
        return Reply.json(200, answer)

    add = fake.router.add
    add("POST", "/api/v1/passwordless/email/send", send)
    add("POST", "/api/v1/passwordless/email/verify", verify)
    add("POST", "/api/v1/passwordless/email/resend", resend)
