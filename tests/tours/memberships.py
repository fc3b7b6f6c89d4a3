"""Every Memberships operation (and invite resend), once."""

from __future__ import annotations

from scalekit_async import NotFoundError, ScalekitClient
from scalekit_async.testing import FakeScalekit


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    home = await client.organizations.create(display_name="Memberships Tour Home")
    acme = await client.organizations.create(display_name="Memberships Tour Acme")
    ada = await client.users.create(
        "tour-member-ada@example.com", organization_id=home.id, send_invitation_email=False
    )
    bob = await client.users.create(
        "tour-member-bob@example.com",
        organization_id=home.id,
        external_id="tour-member-bob",
        send_invitation_email=False,
    )
    await client.memberships.create(
        organization_id=acme.id,
        user_id=ada.id,
        roles=["admin"],
        metadata={"team": "core"},
        inviter_email="admin@example.com",
        send_invitation_email=True,
    )
    await client.memberships.create_by_external_id(
        organization_id=acme.id,
        external_id="tour-member-bob",
        roles=["member"],
        send_invitation_email=False,
    )
    await client.memberships.update(
        organization_id=acme.id, user_id=ada.id, roles=["viewer"], metadata={"seat": "1"}
    )
    await client.memberships.update_by_external_id(
        organization_id=acme.id, external_id="tour-member-bob", roles=["admin"]
    )
    await client.memberships.resend_invite(organization_id=acme.id, user_id=ada.id)
    await client.memberships.delete(organization_id=acme.id, user_id=ada.id)
    await client.memberships.delete_by_external_id(
        organization_id=acme.id, external_id="tour-member-bob"
    )
    try:
        await client.memberships.update(organization_id=acme.id, user_id=bob.id, roles=["admin"])
    except NotFoundError:
        pass
    else:
        raise AssertionError("a deleted membership is still found")
