"""Every Domains operation, once."""

from __future__ import annotations

from scalekit_async import NotFoundError, ScalekitClient
from scalekit_async.testing import FakeScalekit


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await client.organizations.create(display_name="Domains Tour")
    sso = await client.domains.create("tour-domains.example", organization_id=org.id)
    await client.domains.create(
        "tour-allowed.example", organization_id=org.id, domain_type="ALLOWED_EMAIL_DOMAIN"
    )
    await client.domains.get(sso.id, organization_id=org.id)
    await client.domains.list(
        organization_id=org.id, page_size=10, domain_type="ORGANIZATION_DOMAIN"
    )
    await client.domains.delete(sso.id, organization_id=org.id)
    try:
        await client.domains.get(sso.id, organization_id=org.id)
    except NotFoundError:
        pass
    else:
        raise AssertionError("a deleted domain is still found")
