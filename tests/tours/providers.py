"""Every Providers operation, once: the provider list and custom providers."""

from __future__ import annotations

from scalekit_async import ScalekitClient
from scalekit_async.testing import FakeScalekit


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    provider = await client.providers.create(
        "Tour CRM",
        auth_patterns=[{"type": "API_KEY", "fields": [{"name": "api_key"}]}],
        description="A CRM",
        proxy_url="https://crm.example.com/api",
        proxy_enabled=True,
        metadata={"region": "eu"},
    )
    await client.providers.list(provider_type="ALL", page_size=10)
    await client.providers.update(
        provider.identifier,
        display_name="Tour CRM 2",
        auth_patterns=[{"type": "API_KEY"}],
    )
    await client.providers.delete(provider.identifier)
