"""Every Permissions operation, once (what roles grant is in the roles tour)."""

from __future__ import annotations

from scalekit_async import ScalekitClient
from scalekit_async.testing import FakeScalekit


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    await client.permissions.create("tour_perm:read", description="Read things")
    await client.permissions.create("tour_perm:write")
    await client.permissions.get("tour_perm:read")
    await client.permissions.list(page_size=10, type="ENVIRONMENT")
    await client.permissions.update("tour_perm:write", description="Write things")
    await client.permissions.delete("tour_perm:write")
