"""Every Domains operation, once."""

from __future__ import annotations

from scalekit_async import NotFoundError, ScalekitClient
from scalekit_async.testing import FakeScalekit


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await client.organizations.create(display_name="Domains Tour")
    sso = await client.domains.create(org.id, "tour-domains.example")
    await client.domains.create(org.id, "tour-allowed.example", domain_type="ALLOWED_EMAIL_DOMAIN")
    await client.domains.get(org.id, sso.id)
    await client.domains.list(org.id, page_size=10, domain_type="ORGANIZATION_DOMAIN")
    await client.domains.delete(org.id, sso.id)
    try:
        await client.domains.get(org.id, sso.id)
    except NotFoundError:
        pass
    else:
        raise AssertionError("a deleted domain is still found")
