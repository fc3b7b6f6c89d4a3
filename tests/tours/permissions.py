"""Every Permissions operation, and the role-permission operations, once."""

from __future__ import annotations

from scalekit_async import ScalekitClient
from scalekit_async.testing import FakeScalekit


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    await client.permissions.create("tour_perm:read", description="Read things")
    await client.permissions.create("tour_perm:write")
    await client.permissions.get("tour_perm:read")
    await client.permissions.list(page_size=10, type="ENVIRONMENT")
    await client.permissions.update("tour_perm:write", description="Write things")

    await client.roles.create(
        "tour_perm_viewer", display_name="Tour Viewer", permissions=["tour_perm:read"]
    )
    await client.roles.create(
        "tour_perm_editor", display_name="Tour Editor", extends="tour_perm_viewer"
    )
    await client.permissions.add_to_role("tour_perm_editor", permission_names=["tour_perm:write"])
    await client.permissions.list_for_role("tour_perm_editor")
    await client.permissions.list_effective_for_role("tour_perm_editor")
    await client.permissions.remove_from_role("tour_perm_editor", "tour_perm:write")
    await client.permissions.delete("tour_perm:write")
