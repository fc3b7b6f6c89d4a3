"""Webhook and interceptor verification: the Standard Webhooks scheme, tampering, replay windows."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest

import scalekit_async as sk
from scalekit_async._errors import (
    WebhookHeaderError,
    WebhookPayloadError,
    WebhookSecretError,
    WebhookSignatureError,
    WebhookTimestampError,
    WebhookTimestampTooNewError,
    WebhookTimestampTooOldError,
    WebhookVerificationError,
)
from scalekit_async._webhooks import (
    InterceptorPayload,
    verify_interceptor_payload,
    verify_signature,
    verify_webhook_payload,
)
from scalekit_async.models.events import WebhookEvent
from scalekit_async.testing._oauth import new_webhook_secret, sign_webhook

# A published Standard Webhooks test vector (secret, id, timestamp, body -> signature).
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TS = "1614265330"
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIG = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

SECRET = new_webhook_secret()
EVENT = {
    "id": "evt_1",
    "type": "organization.created",
    "environment_id": "env_1",
    "occurred_at": "2025-01-01T00:00:00Z",
    "data": {"id": "org_1", "display_name": "Acme"},
}
BODY = json.dumps(EVENT, indent=2).encode()  # deliberately not compact JSON


def test_standard_webhooks_test_vector() -> None:
    headers = {
        "webhook-id": VECTOR_ID,
        "webhook-timestamp": VECTOR_TS,
        "webhook-signature": VECTOR_SIG,
    }
    body = verify_signature(VECTOR_SECRET, headers, VECTOR_BODY, now=float(VECTOR_TS))
    assert body == VECTOR_BODY
    # The helper the fake ships produces the same signature.
    signed = sign_webhook(VECTOR_SECRET, VECTOR_BODY, msg_id=VECTOR_ID, timestamp=int(VECTOR_TS))
    assert signed == headers


def test_valid_delivery_returns_the_typed_event() -> None:
    event = verify_webhook_payload(SECRET, sign_webhook(SECRET, BODY), BODY)
    assert isinstance(event, WebhookEvent)
    assert type(event) is not WebhookEvent  # the registered class for organization.created
    assert event.id == "evt_1"
    assert event.type == "organization.created"
    assert event.data.id == "org_1"


def test_client_auth_namespace_verifies_too() -> None:
    client = sk.ScalekitClient("https://x.scalekit.dev", "skc_1", "secret-of-at-least-16-chars")
    event = client.auth.verify_webhook(SECRET, sign_webhook(SECRET, BODY), BODY)
    assert event.id == "evt_1"
    with pytest.raises(WebhookSignatureError):
        client.auth.verify_webhook(SECRET, sign_webhook(SECRET, BODY), BODY + b" ")


def test_raw_bytes_are_verified_not_reserialized_json() -> None:
    headers = sign_webhook(SECRET, BODY)
    compact = json.dumps(json.loads(BODY)).encode()
    assert compact != BODY
    with pytest.raises(WebhookSignatureError):
        verify_webhook_payload(SECRET, headers, compact)
    with pytest.raises(TypeError, match="raw request body"):
        verify_webhook_payload(SECRET, headers, json.loads(BODY))  # type: ignore[arg-type]
    # Non-UTF-8 bytes are signed and checked as bytes (no decode/encode round trip).
    odd = b'{"id":"e","type":"x","data":{},"note":"\xff"}'
    with pytest.raises(WebhookPayloadError):
        verify_webhook_payload(SECRET, sign_webhook(SECRET, odd), odd)
    assert verify_signature(SECRET, sign_webhook(SECRET, odd), odd) == odd
    # str bodies are taken as their UTF-8 bytes.
    assert verify_webhook_payload(SECRET, headers, BODY.decode()).id == "evt_1"
    assert verify_webhook_payload(SECRET, headers, bytearray(BODY)).id == "evt_1"


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda h, b: (h, b.replace(b"Acme", b"Evil")), id="body"),
        pytest.param(lambda h, b: (h, b + b"\n"), id="body-trailing-newline"),
        pytest.param(
            lambda h, b: ({**h, "webhook-timestamp": str(int(h["webhook-timestamp"]) - 1)}, b),
            id="timestamp",
        ),
        pytest.param(lambda h, b: ({**h, "webhook-id": h["webhook-id"] + "x"}, b), id="id"),
        pytest.param(
            lambda h, b: ({**h, "webhook-signature": h["webhook-signature"][:-4] + "AAA="}, b),
            id="signature",
        ),
        pytest.param(
            lambda h, b: (
                {**h, "webhook-signature": h["webhook-signature"].replace("v1", "v2")},
                b,
            ),
            id="version",
        ),
    ],
)
def test_tampering_is_detected(tamper: Any) -> None:
    headers, body = tamper(sign_webhook(SECRET, BODY), BODY)
    with pytest.raises(WebhookSignatureError) as info:
        verify_webhook_payload(SECRET, headers, body)
    assert isinstance(info.value, WebhookVerificationError)
    assert isinstance(info.value, sk.ScalekitError)


def test_wrong_secret() -> None:
    headers = sign_webhook(new_webhook_secret(), BODY)
    with pytest.raises(WebhookSignatureError) as info:
        verify_webhook_payload(SECRET, headers, BODY)
    message = str(info.value)
    assert SECRET not in message
    assert SECRET.removeprefix("whsec_") not in message
    assert headers["webhook-signature"].split(",", 1)[1] not in message


def test_stale_and_future_deliveries() -> None:
    now = int(time.time())
    stale = sign_webhook(SECRET, BODY, timestamp=now - 301)
    with pytest.raises(WebhookTimestampTooOldError) as old:
        verify_webhook_payload(SECRET, stale, BODY)
    assert isinstance(old.value, WebhookTimestampError)
    assert old.value.timestamp == now - 301
    future = sign_webhook(SECRET, BODY, timestamp=now + 301)
    with pytest.raises(WebhookTimestampTooNewError):
        verify_webhook_payload(SECRET, future, BODY)
    # Inside the window both ways.
    verify_webhook_payload(SECRET, sign_webhook(SECRET, BODY, timestamp=now - 290), BODY)
    verify_webhook_payload(SECRET, sign_webhook(SECRET, BODY, timestamp=now + 290), BODY)


def test_tolerance_is_configurable() -> None:
    now = int(time.time())
    headers = sign_webhook(SECRET, BODY, timestamp=now - 120)
    with pytest.raises(WebhookTimestampTooOldError):
        verify_webhook_payload(SECRET, headers, BODY, tolerance=60)
    assert verify_webhook_payload(SECRET, headers, BODY, tolerance=600).id == "evt_1"
    day_old = sign_webhook(SECRET, BODY, timestamp=now - 86_400)
    verify_webhook_payload(SECRET, day_old, BODY, tolerance=90_000)
    with pytest.raises(ValueError, match="tolerance"):
        verify_webhook_payload(SECRET, headers, BODY, tolerance=-1)


def test_any_matching_signature_among_several() -> None:
    headers = sign_webhook(SECRET, BODY)
    good = headers["webhook-signature"]
    other = sign_webhook(new_webhook_secret(), BODY, msg_id=headers["webhook-id"])
    bogus = f"v1,{base64.b64encode(b'x' * 32).decode()}"
    headers["webhook-signature"] = " ".join(
        ["v1a,c2lnbmF0dXJl", "v1,not-base64!", bogus, other["webhook-signature"], good, "junk"]
    )
    assert verify_webhook_payload(SECRET, headers, BODY).id == "evt_1"
    headers["webhook-signature"] = " ".join([bogus, other["webhook-signature"]])
    with pytest.raises(WebhookSignatureError):
        verify_webhook_payload(SECRET, headers, BODY)


def test_header_names_are_case_insensitive() -> None:
    headers = {k.title(): v for k, v in sign_webhook(SECRET, BODY).items()}
    assert "Webhook-Id" in headers
    assert verify_webhook_payload(SECRET, headers, BODY).id == "evt_1"
    upper = {k.upper(): v for k, v in sign_webhook(SECRET, BODY).items()}
    assert verify_webhook_payload(SECRET, upper, BODY).id == "evt_1"


def test_conflicting_duplicate_headers_are_refused() -> None:
    headers = sign_webhook(SECRET, BODY)
    headers["Webhook-Id"] = "msg_other"
    with pytest.raises(WebhookHeaderError, match="twice"):
        verify_webhook_payload(SECRET, headers, BODY)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_headers(missing: str) -> None:
    headers = sign_webhook(SECRET, BODY)
    del headers[missing]
    with pytest.raises(WebhookHeaderError, match=missing):
        verify_webhook_payload(SECRET, headers, BODY)


@pytest.mark.parametrize(
    "stamp", ["", "abc", "1.5e9", "-5", " 1700000000", "\u0661\u0667" + "\u0660" * 8]
)
def test_malformed_timestamp(stamp: str) -> None:
    headers = sign_webhook(SECRET, BODY)
    headers["webhook-timestamp"] = stamp
    with pytest.raises(WebhookHeaderError):
        verify_webhook_payload(SECRET, headers, BODY)


@pytest.mark.parametrize(
    "secret",
    ["", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_", "whsec_not base64!", "whsec"],
)
def test_invalid_secret(secret: str) -> None:
    with pytest.raises(WebhookSecretError) as info:
        verify_webhook_payload(secret, sign_webhook(SECRET, BODY), BODY)
    if len(secret) > 6:
        assert secret not in str(info.value)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b"{}",
        b'{"id": "evt_1", "data": {}}',
        b'{"type": "organization.created", "data": {}}',
        b'{"id": 7, "type": "organization.created"}',
        b'{"id": "evt_1", "type": "organization.created", "data": {"id": 5}}',
    ],
    ids=["not-json", "array", "empty", "no-type", "no-id", "int-id", "bad-data"],
)
def test_verified_body_that_is_not_an_event(body: bytes) -> None:
    with pytest.raises(WebhookPayloadError) as info:
        verify_webhook_payload(SECRET, sign_webhook(SECRET, body), body)
    assert not isinstance(info.value, sk.ResponseValidationError)
    assert isinstance(info.value, WebhookVerificationError)


def test_unknown_event_type_stays_generic() -> None:
    body = json.dumps({"id": "evt_2", "type": "brand.new_event", "data": {"x": 1}}).encode()
    event = verify_webhook_payload(SECRET, sign_webhook(SECRET, body), body)
    assert type(event) is WebhookEvent
    assert event.data == {"x": 1}


INTERCEPTOR = {
    "display_name": "Pre-Signup",
    "trigger_point": "PRE_SIGNUP",
    "interceptor_context": {"user_email": "john@acme.com", "ip_address": "203.0.113.24"},
    "data": {"user": {"id": "usr_1"}},
}
INTERCEPTOR_BODY = json.dumps(INTERCEPTOR).encode()


def test_interceptor_payload() -> None:
    headers = sign_webhook(SECRET, INTERCEPTOR_BODY, prefix="interceptor")
    assert set(headers) == {"interceptor-id", "interceptor-timestamp", "interceptor-signature"}
    got = verify_interceptor_payload(SECRET, headers, INTERCEPTOR_BODY)
    assert isinstance(got, InterceptorPayload)
    assert got.trigger_point == "PRE_SIGNUP"
    assert got.display_name == "Pre-Signup"
    assert got.interceptor_context["user_email"] == "john@acme.com"
    assert got.data == {"user": {"id": "usr_1"}}
    client = sk.ScalekitClient("https://x.scalekit.dev", "skc_1", "secret-of-at-least-16-chars")
    assert client.auth.verify_interceptor(SECRET, headers, INTERCEPTOR_BODY) == got


def test_interceptor_tampering_and_header_fallback() -> None:
    headers = sign_webhook(SECRET, INTERCEPTOR_BODY, prefix="interceptor")
    with pytest.raises(WebhookSignatureError):
        verify_interceptor_payload(SECRET, headers, INTERCEPTOR_BODY.replace(b"PRE", b"POST"))
    # Interceptor headers are not webhook headers, and vice versa.
    with pytest.raises(WebhookHeaderError):
        verify_webhook_payload(SECRET, headers, INTERCEPTOR_BODY)
    webhook_style = sign_webhook(SECRET, INTERCEPTOR_BODY)
    assert verify_interceptor_payload(SECRET, webhook_style, INTERCEPTOR_BODY).trigger_point
    stale = sign_webhook(
        SECRET, INTERCEPTOR_BODY, prefix="interceptor", timestamp=int(time.time()) - 3600
    )
    with pytest.raises(WebhookTimestampTooOldError):
        verify_interceptor_payload(SECRET, stale, INTERCEPTOR_BODY)
    with pytest.raises(WebhookPayloadError):
        verify_interceptor_payload(SECRET, sign_webhook(SECRET, b"[]", prefix="interceptor"), b"[]")
