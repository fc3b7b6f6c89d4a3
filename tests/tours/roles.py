"""Every Roles operation, once (the role-permission ones are in the permissions tour)."""

from __future__ import annotations

from scalekit_async import ScalekitClient
from scalekit_async.testing import FakeScalekit


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    base = await client.roles.create(
        "tour_role_viewer", display_name="Tour Viewer", description="Reads things"
    )
    await client.roles.create("tour_role_editor", display_name="Tour Editor", extends=base.name)
    await client.roles.create("tour_role_spare", display_name="Tour Spare")
    await client.roles.list(include="permissions:all")
    await client.roles.get(base.name, include="permissions")
    await client.roles.update("tour_role_editor", display_name="Tour Editor 2")
    await client.roles.list_dependents(base.name)
    await client.roles.get_users_count(base.name)
    await client.roles.set_defaults(
        default_creator_role=base.name, default_member_role="tour_role_editor"
    )
    await client.roles.update_defaults(default_member_role=base.name)
    await client.roles.delete("tour_role_editor", reassign_role_name="tour_role_spare")

    org = await client.organizations.create(display_name="Tour Roles Org")
    await client.roles.create_for_organization(
        org.id, "tour_role_auditor", display_name="Tour Auditor", extends=base.name
    )
    await client.roles.list_by_organization(org.id, include="permissions")
    await client.roles.get_for_organization(org.id, "tour_role_auditor", include="permissions:all")
    await client.roles.update_for_organization(
        org.id, "tour_role_auditor", description="Audits things"
    )
    await client.roles.set_organization_defaults(org.id, default_member_role=base.name)
    await client.roles.delete_for_organization(
        org.id, "tour_role_auditor", reassign_role_name=base.name
    )
