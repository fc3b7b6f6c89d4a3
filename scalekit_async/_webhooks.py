"""Webhook and interceptor payload verification (the Standard Webhooks scheme Scalekit signs with).

A delivery carries three headers, ``webhook-id``, ``webhook-timestamp`` (Unix
seconds) and ``webhook-signature`` (interceptor calls: ``interceptor-id``,
``interceptor-timestamp``, ``interceptor-signature``). The signature header
is a space-separated list of ``v1,<base64 HMAC-SHA256>`` entries computed
with the base64 key after ``whsec_`` over the bytes
``{id}.{timestamp}.{raw body}``. A payload is accepted when any ``v1`` entry
matches (constant-time compare) and the timestamp is within the tolerance
(default 5 minutes either way).

The body is verified as the raw bytes received, never re-serialized JSON:
pass ``await request.body()``, not a parsed dict. Header names are matched
case-insensitively. Each failure raises its own `WebhookVerificationError`
subclass; no message ever contains the secret or a signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ._errors import (
    WebhookHeaderError,
    WebhookPayloadError,
    WebhookSecretError,
    WebhookSignatureError,
    WebhookTimestampError,
    WebhookTimestampTooNewError,
    WebhookTimestampTooOldError,
    WebhookVerificationError,
)

if TYPE_CHECKING:
    import cattrs

    from .models.events import WebhookEvent

__all__ = [
    "InterceptorPayload",
    # the errors are defined in `_errors`; re-exported here until every importer uses `_errors`
    "WebhookHeaderError",
    "WebhookPayloadError",
    "WebhookSecretError",
    "WebhookSignatureError",
    "WebhookTimestampError",
    "WebhookTimestampTooNewError",
    "WebhookTimestampTooOldError",
    "WebhookVerificationError",
    "verify_interceptor_payload",
    "verify_signature",
    "verify_webhook_payload",
]

DEFAULT_TOLERANCE = 300.0
SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix of a secret, not a secret
SIGNATURE_VERSION = "v1"
_MAX_SIGNATURES = 64


@attrs.frozen(kw_only=True)
class InterceptorPayload:
    """What Scalekit sends to an interceptor endpoint (a hook into its auth flow).

    `trigger_point` is, for example, ``PRE_SIGNUP`` or ``PRE_SESSION_CREATION``;
    `interceptor_context` describes the attempt (user email, IP address,
    connection, the ``/oauth/authorize`` parameters...) and `data` the objects
    involved. Both stay plain mappings: their shape depends on the trigger.
    Answer with ``{"decision": "ALLOW"}`` or ``{"decision": "DENY", ...}``.
    """

    display_name: str = ""
    trigger_point: str = ""
    interceptor_context: Mapping[str, Any] = attrs.field(factory=dict)
    data: Mapping[str, Any] = attrs.field(factory=dict)
    raw: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


def decode_secret(secret: object) -> bytes:
    """The HMAC key of a ``whsec_<base64>`` secret.

    Raises:
        WebhookSecretError: the secret is not a string with that shape.

    """
    if not isinstance(secret, str):
        raise WebhookSecretError(f"the webhook secret must be a str, not {type(secret).__name__}")
    if not secret.startswith(SECRET_PREFIX):
        raise WebhookSecretError("the webhook secret must start with 'whsec_'")
    encoded = secret[len(SECRET_PREFIX) :]
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise WebhookSecretError("the webhook secret is not valid base64 after 'whsec_'") from None
    if not key:
        raise WebhookSecretError("the webhook secret's key is empty")
    return key


def sign(key: bytes, msg_id: str, timestamp: str, payload: bytes) -> str:
    """The base64 HMAC-SHA256 of ``{msg_id}.{timestamp}.{payload}`` with *key*."""
    content = f"{msg_id}.{timestamp}.".encode() + payload
    return base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode("ascii")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header *name*, matched case-insensitively; repeated values must agree."""
    found: str | None = None
    for key, value in headers.items():
        if isinstance(key, bytes):
            key = key.decode("latin-1")
        if not isinstance(key, str) or key.lower() != name:
            continue
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if not isinstance(value, str):
            raise WebhookHeaderError(f"header {name!r} is not a string")
        if found is not None and found != value:
            raise WebhookHeaderError(f"header {name!r} appears twice with different values")
        found = value
    return found


def _body(payload: object) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, bytearray | memoryview):
        return bytes(payload)
    if isinstance(payload, str):
        return payload.encode("utf-8")
    raise TypeError(
        f"payload must be the raw request body (bytes or str), not {type(payload).__name__}; "
        "a parsed and re-serialized body would not match the signature"
    )


def _check_tolerance(tolerance: object) -> float:
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float):
        raise TypeError(f"tolerance must be a number of seconds, not {type(tolerance).__name__}")
    if not math.isfinite(tolerance) or tolerance < 0:
        raise ValueError(f"tolerance must be a finite number >= 0, got {tolerance}")
    return float(tolerance)


def verify_signature(
    secret: str,
    headers: Mapping[str, str],
    payload: bytes | str,
    *,
    prefix: str = "webhook",
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bytes:
    """Check the ``{prefix}-*`` signature headers of *payload*; return the raw body bytes.

    Args:
        secret: The endpoint's signing secret (``whsec_...``).
        headers: The request headers (any mapping; names matched case-insensitively).
        payload: The raw request body.
        prefix: ``webhook`` or ``interceptor``: the header names' prefix.
        tolerance: The largest accepted distance, in seconds, between the
            delivery's timestamp and *now*, in either direction.
        now: The current Unix time (default: the system clock).

    Raises:
        WebhookSecretError, WebhookHeaderError, WebhookTimestampTooOldError,
        WebhookTimestampTooNewError, WebhookSignatureError: see each class.

    """
    limit = _check_tolerance(tolerance)
    body = _body(payload)
    key = decode_secret(secret)
    names = (f"{prefix}-id", f"{prefix}-timestamp", f"{prefix}-signature")
    msg_id, timestamp, signature = (_header(headers, name) for name in names)
    missing = [n for n, v in zip(names, (msg_id, timestamp, signature), strict=True) if not v]
    if missing:
        raise WebhookHeaderError("missing signature header(s): " + ", ".join(missing))
    assert msg_id is not None
    assert timestamp is not None
    assert signature is not None
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise WebhookHeaderError(f"header {names[1]!r} is not a Unix timestamp in seconds")
    sent_at = int(timestamp)
    current = time.time() if now is None else now
    if sent_at < current - limit:
        raise WebhookTimestampTooOldError(
            f"the delivery is too old: signed {current - sent_at:.0f}s ago "
            f"(tolerance {limit:.0f}s)",
            timestamp=sent_at,
            now=current,
        )
    if sent_at > current + limit:
        raise WebhookTimestampTooNewError(
            f"the delivery is signed {sent_at - current:.0f}s in the future "
            f"(tolerance {limit:.0f}s)",
            timestamp=sent_at,
            now=current,
        )
    expected = base64.b64decode(sign(key, msg_id, timestamp, body))
    matched = False
    for entry in signature.split()[:_MAX_SIGNATURES]:
        version, _, value = entry.partition(",")
        if version != SIGNATURE_VERSION or not value:
            continue
        try:
            candidate = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            continue
        # Compare every entry (no early exit) so timing reveals nothing about which matched.
        matched |= hmac.compare_digest(candidate, expected)
    if not matched:
        raise WebhookSignatureError("no v1 signature matches the payload")
    return body


def verify_webhook_payload(
    secret: str,
    headers: Mapping[str, str],
    payload: bytes | str,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    converter: cattrs.Converter | None = None,
) -> WebhookEvent:
    """Verify a webhook delivery and return its event, typed by its ``type``.

    Pass a long-lived *converter* (``client.converter``, or use
    ``client.auth.verify_webhook``) on a hot path: building one per call costs
    more than verifying.

    Raises:
        WebhookVerificationError: a subclass per failure (see `verify_signature`),
            or `WebhookPayloadError` when the verified body is not an event.

    """
    # The 71 event classes are defined on the first webhook, not when the package is imported.
    from .models.events import parse_event

    body = verify_signature(secret, headers, payload, prefix="webhook", tolerance=tolerance)
    return parse_event(body, converter)


def verify_interceptor_payload(
    secret: str,
    headers: Mapping[str, str],
    payload: bytes | str,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
) -> InterceptorPayload:
    """Verify an interceptor call and return its payload.

    The ``interceptor-*`` headers are read; a request carrying none of them
    is read with the ``webhook-*`` names instead (as Scalekit's Python SDK does).

    Raises:
        WebhookVerificationError: a subclass per failure (see `verify_signature`),
            or `WebhookPayloadError` when the verified body is not a JSON object.

    """
    prefix = "interceptor"
    if all(_header(headers, f"interceptor-{n}") is None for n in ("id", "timestamp", "signature")):
        prefix = "webhook"
    body = verify_signature(secret, headers, payload, prefix=prefix, tolerance=tolerance)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookPayloadError("verified interceptor body is not JSON") from None
    if not isinstance(data, dict):
        raise WebhookPayloadError("verified interceptor body is not a JSON object")
    context = data.get("interceptor_context")
    inner = data.get("data")
    return InterceptorPayload(
        display_name=data["display_name"] if isinstance(data.get("display_name"), str) else "",
        trigger_point=data["trigger_point"] if isinstance(data.get("trigger_point"), str) else "",
        interceptor_context=context if isinstance(context, dict) else {},
        data=inner if isinstance(inner, dict) else {},
        raw=data,
    )
