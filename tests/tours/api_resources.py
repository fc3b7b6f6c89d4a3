"""Every resource, resource client and user consent operation, once."""

from __future__ import annotations

from scalekit_async import CustomClaim, ResourceType, ScalekitClient
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._api_resources import add_resource, add_user_consent


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    seeded = add_resource(
        fake, name="Tour tools", scopes={"tools:read": True, "tools:admin": False}
    )
    resource = await client.api_resources.get(seeded["id"])
    await client.api_resources.list(resource_type=ResourceType.MCP_SERVER, page_size=10)
    created = await client.api_resources.create_client(
        resource.id,
        name="Tour agent",
        description="Runs the tour",
        scopes=["tools:read"],
        custom_claims=[CustomClaim(key="team", value="tour")],
        expiry=600,
        redirect_uris=["https://agent.example.com/cb"],
    )
    assert created.client is not None
    client_id = created.client.client_id
    add_user_consent(fake, client_id=client_id, external_user_id="ada", scopes=["tools:read"])
    await client.api_resources.get_client(resource.id, client_id=client_id)
    await client.api_resources.list_clients(resource.id)
    await client.api_resources.update_client(
        resource.id, client_id=client_id, description="Runs the tour again", redirect_uris=None
    )
    await client.api_resources.list_user_consents(
        resource.id, search="ad", user_ids=["ada"], page_size=10
    )
    await client.api_resources.delete_client(resource.id, client_id=client_id)
    assert client_id not in fake.resource_clients
