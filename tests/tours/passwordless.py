"""Every passwordless (magic link & OTP) operation, once."""

from __future__ import annotations

from scalekit_async import ScalekitClient
from scalekit_async.testing import FakeScalekit


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    sent = await client.passwordless.send(
        email="tour-passwordless@example.com",
        template="SIGNIN",
        magiclink_auth_uri="https://app.example.com/callback",
        state="tour",
        expires_in=300,
        template_variables={"team": "Tour"},
    )
    again = await client.passwordless.resend(auth_request_id=sent.auth_request_id)
    code = fake.passwordless[again.auth_request_id]["code"]
    verified = await client.passwordless.verify(code=code, auth_request_id=sent.auth_request_id)
    assert verified.email == "tour-passwordless@example.com"
