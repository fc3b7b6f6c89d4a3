"""Every Memberships operation (and invite resend), once."""

from __future__ import annotations

from scalekit_async import NotFoundError, ScalekitClient
from scalekit_async.testing import FakeScalekit


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    home = await client.organizations.create(display_name="Memberships Tour Home")
    acme = await client.organizations.create(display_name="Memberships Tour Acme")
    ada = await client.users.create(
        home.id, "tour-member-ada@example.com", send_invitation_email=False
    )
    bob = await client.users.create(
        home.id,
        "tour-member-bob@example.com",
        external_id="tour-member-bob",
        send_invitation_email=False,
    )
    await client.memberships.create(
        acme.id,
        ada.id,
        roles=["admin"],
        metadata={"team": "core"},
        inviter_email="admin@example.com",
        send_invitation_email=True,
    )
    await client.memberships.create_by_external_id(
        acme.id, "tour-member-bob", roles=["member"], send_invitation_email=False
    )
    await client.memberships.update(acme.id, ada.id, roles=["viewer"], metadata={"seat": "1"})
    await client.memberships.update_by_external_id(acme.id, "tour-member-bob", roles=["admin"])
    await client.memberships.resend_invite(acme.id, ada.id)
    await client.memberships.delete(acme.id, ada.id)
    await client.memberships.delete_by_external_id(acme.id, "tour-member-bob")
    try:
        await client.memberships.update(acme.id, bob.id, roles=["admin"])
    except NotFoundError:
        pass
    else:
        raise AssertionError("a deleted membership is still found")
