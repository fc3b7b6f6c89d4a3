"""Every API token operation, once."""

from __future__ import annotations

from datetime import UTC, datetime

from scalekit_async import ScalekitClient
from scalekit_async.testing import FakeScalekit


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await client.organizations.create(display_name="Tour API tokens")
    user = await client.users.create("tour-tokens@example.com", organization_id=org.id)
    created = await client.api_tokens.create(
        organization_id=org.id,
        user_id=user.id,
        custom_claims={"env": "tour"},
        expiry=datetime(2099, 1, 1, tzinfo=UTC),
        description="Tour token",
    )
    await client.api_tokens.verify(created.token)
    await client.api_tokens.list(organization_id=org.id, user_id=user.id, page_size=10)
    await client.api_tokens.update(
        created.token_id, custom_claims={"env": "tour 2"}, description="Tour token 2"
    )
    await client.api_tokens.revoke(created.token)
    assert fake.api_tokens.record(created.token_id).invalidated
