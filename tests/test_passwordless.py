"""client.passwordless against the fake: send, verify (code or magic link) and resend."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio


async def test_send_sends_the_body_and_stores_a_code(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    sent = await client.passwordless.send(
        email="ada@example.com",
        template=sk.PasswordlessTemplate.SIGNIN,
        state="s-1",
        expires_in=600,
        template_variables={"team": "Acme"},
    )
    (request,) = fake.api_requests("POST", "/api/v1/passwordless/email/send")
    assert request.json() == {
        "email": "ada@example.com",
        "template": "SIGNIN",
        "state": "s-1",
        "expires_in": 600,
        "template_variables": {"team": "Acme"},
    }
    assert isinstance(sent, sk.SentPasswordlessEmail)
    assert sent.passwordless_type is sk.PasswordlessEmailType.OTP
    assert sent.expires_in == 600
    assert isinstance(sent.expires_at, int)
    assert abs(sent.expires_at - (time.time() + 600)) < 5
    assert sent.expire_time == datetime.fromtimestamp(sent.expires_at, UTC)
    record = fake.passwordless[sent.auth_request_id]
    assert record["email"] == "ada@example.com"
    assert record["code"].isdigit()
    assert len(record["code"]) == 6
    assert "link_token" not in record
    (log,) = fake.auth_requests
    assert log["auth_request_id"] == sent.auth_request_id
    assert log["status"] == "PENDING"


async def test_verify_a_code_then_it_is_used_up(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    sent = await client.passwordless.send(email="ada@example.com", state="back-to=/home")
    code = fake.passwordless[sent.auth_request_id]["code"]
    verified = await client.passwordless.verify(code=code, auth_request_id=sent.auth_request_id)
    assert isinstance(verified, sk.VerifiedPasswordlessEmail)
    assert verified.email == "ada@example.com"
    assert verified.state == "back-to=/home"
    assert verified.template is None
    assert verified.passwordless_type is sk.PasswordlessEmailType.OTP
    (request,) = fake.api_requests("POST", "/api/v1/passwordless/email/verify")
    assert request.json() == {"code": code, "auth_request_id": sent.auth_request_id}
    assert fake.passwordless[sent.auth_request_id]["verified"] is True
    assert fake.auth_requests[0]["status"] == "SUCCESS"
    with pytest.raises(sk.BadRequestError):
        await client.passwordless.verify(code=code, auth_request_id=sent.auth_request_id)


async def test_verify_a_wrong_code_is_a_bad_request(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    sent = await client.passwordless.send(email="ada@example.com")
    code = fake.passwordless[sent.auth_request_id]["code"]
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(sk.BadRequestError) as info:
        await client.passwordless.verify(code=wrong, auth_request_id=sent.auth_request_id)
    assert [v.field for v in info.value.field_violations] == ["code"]
    assert fake.passwordless[sent.auth_request_id]["verified"] is False
    assert fake.auth_requests[0]["status"] == "PENDING"
    await client.passwordless.verify(code=code, auth_request_id=sent.auth_request_id)


async def test_verify_unknown_auth_request_is_not_found(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.passwordless.verify(code="123456", auth_request_id="ar_missing")


async def test_an_expired_code_is_refused(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    sent = await client.passwordless.send(email="ada@example.com")
    record = fake.passwordless[sent.auth_request_id]
    record["expires_at"] = int(time.time()) - 1
    with pytest.raises(sk.BadRequestError, match="expired"):
        await client.passwordless.verify(code=record["code"], auth_request_id=sent.auth_request_id)


async def test_magic_link_verifies_with_its_link_token(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    sent = await client.passwordless.send(
        email="ada@example.com",
        magiclink_auth_uri="https://app.example.com/callback",
        template="SIGNUP",
    )
    assert sent.passwordless_type is sk.PasswordlessEmailType.LINK_OTP
    token = fake.passwordless[sent.auth_request_id]["link_token"]
    verified = await client.passwordless.verify(link_token=token)
    (request,) = fake.api_requests("POST", "/api/v1/passwordless/email/verify")
    assert request.json() == {"link_token": token}
    assert verified.email == "ada@example.com"
    assert verified.template is sk.PasswordlessTemplate.SIGNUP
    assert verified.passwordless_type is sk.PasswordlessEmailType.LINK_OTP
    with pytest.raises(sk.BadRequestError):
        await client.passwordless.verify(link_token=token)


async def test_unknown_link_token_is_a_field_violation(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.BadRequestError) as info:
        await client.passwordless.verify(link_token="nope")
    assert [v.field for v in info.value.field_violations] == ["link_token"]


async def test_resend_issues_a_new_code_and_retires_the_old(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    sent = await client.passwordless.send(email="ada@example.com")
    old = fake.passwordless[sent.auth_request_id]["code"]
    again = await client.passwordless.resend(auth_request_id=sent.auth_request_id)
    (request,) = fake.api_requests("POST", "/api/v1/passwordless/email/resend")
    assert request.json() == {"auth_request_id": sent.auth_request_id}
    assert again.auth_request_id == sent.auth_request_id
    assert again.expires_in == 300
    record = fake.passwordless[sent.auth_request_id]
    assert record["sent_count"] == 2
    new = record["code"]
    assert new != old
    with pytest.raises(sk.BadRequestError):
        await client.passwordless.verify(code=old, auth_request_id=sent.auth_request_id)
    verified = await client.passwordless.verify(code=new, auth_request_id=sent.auth_request_id)
    assert verified.email == "ada@example.com"
    with pytest.raises(sk.BadRequestError):
        await client.passwordless.resend(auth_request_id=sent.auth_request_id)


async def test_resend_unknown_auth_request_is_not_found(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.passwordless.resend(auth_request_id="ar_missing")


async def test_send_bad_email_is_a_field_violation(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(sk.BadRequestError) as info:
        await client.passwordless.send(email="not-an-email")
    assert [v.field for v in info.value.field_violations] == ["email"]
    assert fake.passwordless == {}
    assert fake.auth_requests == []


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"email": ""}, ValueError),
        ({"email": None}, TypeError),
        ({"email": "a@b.co", "expires_in": "300"}, TypeError),
        ({"email": "a@b.co", "expires_in": 0}, ValueError),
        ({"email": "a@b.co", "state": 1}, TypeError),
        ({"email": "a@b.co", "template_variables": {"otp": "1"}}, ValueError),
        ({"email": "a@b.co", "template_variables": {"k": 1}}, TypeError),
        ({"email": "a@b.co", "template_variables": {f"k{i}": "v" for i in range(31)}}, ValueError),
    ],
)
async def test_send_checks_arguments_before_sending(
    client: sk.ScalekitClient, fake: FakeScalekit, kwargs: dict[str, object], error: type
) -> None:
    with pytest.raises(error):
        await client.passwordless.send(**kwargs)  # type: ignore[arg-type]
    assert fake.api_requests() == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"code": "1", "link_token": "t", "auth_request_id": "ar_1"},
        {"code": "123456"},
        {"code": "", "auth_request_id": "ar_1"},
    ],
)
async def test_verify_takes_exactly_one_credential(
    client: sk.ScalekitClient, fake: FakeScalekit, kwargs: dict[str, str]
) -> None:
    with pytest.raises(ValueError):
        await client.passwordless.verify(**kwargs)
    assert fake.api_requests() == []


async def test_resend_checks_its_argument(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    with pytest.raises(ValueError):
        await client.passwordless.resend(auth_request_id="")
    with pytest.raises(TypeError):
        await client.passwordless.resend(auth_request_id=None)  # type: ignore[arg-type]
    assert fake.api_requests() == []


def test_expire_time_is_none_without_expires_at() -> None:
    assert sk.SentPasswordlessEmail().expire_time is None
