"""Every Roles operation, once: environment and organization roles, defaults, and the
permissions a role grants.

``PATCH /api/v1/roles/default`` is the alternate binding of ``roles:set_defaults``:
`client.roles.set_defaults` serves both and sends the first, so no tour sends it.
"""

from __future__ import annotations

from scalekit_async import ScalekitClient
from scalekit_async.testing import FakeScalekit


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    await client.permissions.create("tour_role:read")
    await client.permissions.create("tour_role:write")
    base = await client.roles.create(
        "tour_role_viewer",
        display_name="Tour Viewer",
        description="Reads things",
        permissions=["tour_role:read"],
    )
    await client.roles.create("tour_role_editor", display_name="Tour Editor", extends=base.name)
    await client.roles.create("tour_role_spare", display_name="Tour Spare")
    await client.roles.list(include="permissions:all")
    await client.roles.get(base.name, include="permissions")
    await client.roles.update("tour_role_editor", display_name="Tour Editor 2")
    await client.roles.list_dependents(base.name)
    await client.roles.get_users_count(base.name)
    await client.roles.create("tour_role_child", display_name="Tour Child", extends=base.name)
    await client.roles.delete_base("tour_role_child")
    await client.roles.set_defaults(
        default_creator_role=base.name, default_member_role="tour_role_editor"
    )
    await client.roles.set_defaults(default_member_role=base.name)

    await client.roles.add_permissions("tour_role_editor", permission_names=["tour_role:write"])
    await client.roles.list_permissions("tour_role_editor")
    await client.roles.list_effective_permissions("tour_role_editor")
    await client.roles.remove_permission("tour_role_editor", permission_name="tour_role:write")
    await client.roles.delete("tour_role_editor", reassign_role_name="tour_role_spare")

    org = await client.organizations.create(display_name="Tour Roles Org")
    await client.roles.create(
        "tour_role_auditor", organization_id=org.id, display_name="Tour Auditor", extends=base.name
    )
    await client.roles.list(organization_id=org.id, include="permissions")
    await client.roles.get("tour_role_auditor", organization_id=org.id, include="permissions:all")
    await client.roles.update(
        "tour_role_auditor", organization_id=org.id, description="Audits things"
    )
    await client.roles.set_defaults(organization_id=org.id, default_member_role=base.name)
    await client.roles.get_users_count("tour_role_auditor", organization_id=org.id)
    await client.roles.delete_base("tour_role_auditor", organization_id=org.id)
    await client.roles.delete(
        "tour_role_auditor", organization_id=org.id, reassign_role_name=base.name
    )
