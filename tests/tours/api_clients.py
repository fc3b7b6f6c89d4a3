"""Every organization API client operation, once."""

from __future__ import annotations

from scalekit_async import ScalekitClient
from scalekit_async.testing import FakeScalekit


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await client.organizations.create(display_name="Tour API clients")
    created = await client.api_clients.create(
        organization_id=org.id,
        name="Tour deployer",
        description="Deploys the tour",
        scopes=["deploy:write"],
        audience=["https://api.example.com"],
        custom_claims={"env": "tour"},
        expiry=3600,
    )
    assert created.client is not None
    client_id = created.client.client_id
    await client.api_clients.get(client_id, organization_id=org.id)
    await client.api_clients.list(organization_id=org.id, page_size=10)
    await client.api_clients.update(
        client_id, organization_id=org.id, name="Tour deployer 2", expiry=60
    )
    rotated = await client.api_clients.create_secret(client_id, organization_id=org.id)
    assert rotated.secret is not None
    await client.api_clients.delete_secret(
        client_id, organization_id=org.id, secret_id=rotated.secret.id
    )
    await client.api_clients.delete(client_id, organization_id=org.id)
    assert client_id not in fake.api_clients
