"""Every Organizations operation, once."""

from __future__ import annotations

from scalekit_async import NotFoundError, ScalekitClient
from scalekit_async.testing import FakeScalekit


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await client.organizations.create(
        display_name="Tour Org", external_id="tour-org", metadata={"plan": "gold"}
    )
    await client.organizations.get(org.id)
    await client.organizations.get_by_external_id("tour-org")
    await client.organizations.list(page_size=10, external_id="tour-org")
    await client.organizations.update(org.id, display_name="Tour Org 2")
    await client.organizations.update_settings(org.id, features={"sso": True})
    await client.organizations.generate_portal_link(org.id, features=["sso", "dir_sync"])
    await client.organizations.get_session_policy(org.id)
    await client.organizations.update_session_policy(
        org.id,
        policy_source="CUSTOM",
        absolute_session_timeout=8,
        absolute_session_timeout_unit="HOURS",
    )
    await client.organizations.upsert_user_management_settings(org.id, max_allowed_users=50)
    settings = await client.organizations.get_user_management_settings(org.id)
    assert settings.max_allowed_users == 50
    found = await client.organizations.search("tour org", page_size=10)
    assert [o.id for o in found.items] == [org.id]
    other = await client.organizations.create(display_name="Doomed")
    await client.organizations.delete(other.id)
    try:
        await client.organizations.get(other.id)
    except NotFoundError:
        pass
    else:
        raise AssertionError("a deleted organization is still found")
