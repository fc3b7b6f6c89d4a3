"""Every Connections operation, once."""

from __future__ import annotations

from scalekit_async import NotFoundError, ScalekitClient
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._connections import add_connection


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await client.organizations.create(display_name="Connections Tour")
    await client.domains.create("tour-connections.example", organization_id=org.id)
    saml = add_connection(fake, org.id)
    oidc = add_connection(fake, org.id, type="OIDC", provider="GOOGLE", enabled=False)
    await client.connections.list(organization_id=org.id, include="all")
    await client.connections.list(domain="tour-connections.example")
    await client.connections.get(saml["id"], organization_id=org.id)
    await client.connections.get(oidc["id"], organization_id=org.id)
    await client.connections.enable(oidc["id"], organization_id=org.id)
    await client.connections.disable(saml["id"], organization_id=org.id)
    await client.connections.delete(saml["id"], organization_id=org.id)
    try:
        await client.connections.get(saml["id"], organization_id=org.id)
    except NotFoundError:
        pass
    else:
        raise AssertionError("a deleted connection is still found")
