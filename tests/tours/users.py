"""Every Users operation, once."""

from __future__ import annotations

from scalekit_async import NotFoundError, ScalekitClient
from scalekit_async.models import UserProfileInput
from scalekit_async.testing import FakeScalekit


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await client.organizations.create(display_name="Users Tour Org")
    user = await client.users.create(
        "tour-user@example.com",
        organization_id=org.id,
        external_id="tour-user",
        metadata={"plan": "gold"},
        user_profile=UserProfileInput(given_name="Tour", family_name="User", groups=["eng"]),
        roles=["member"],
        membership_metadata={"team": "core"},
        inviter_email="admin@example.com",
        send_invitation_email=False,
    )
    await client.users.get(user.id)
    await client.users.get_by_external_id("tour-user")
    await client.users.update(user.id, user_profile={"name": "Tour User"}, metadata={"plan": "x"})
    await client.users.update_by_external_id("tour-user", user_profile={"locale": "en-US"})
    await client.users.list(page_size=10)
    await client.users.search("tour-user", page_size=10)
    await client.users.list(organization_id=org.id, page_size=10)
    await client.users.search("tour-user", organization_id=org.id, page_size=10)
    await client.roles.create("tour_user_admin", display_name="Tour Admin")
    await client.users.add_roles(user.id, organization_id=org.id, roles=["tour_user_admin"])
    await client.users.list_roles(user.id, organization_id=org.id)
    await client.users.remove_role(user.id, organization_id=org.id, role_name="tour_user_admin")
    await client.users.list_permissions(user.id, organization_id=org.id)
    other = await client.users.create(
        "tour-doomed@example.com", organization_id=org.id, external_id="tour-doomed"
    )
    await client.users.delete_by_external_id("tour-doomed")
    await client.users.delete(user.id)
    for user_id in (user.id, other.id):
        try:
            await client.users.get(user_id)
        except NotFoundError:
            pass
        else:
            raise AssertionError("a deleted user is still found")
