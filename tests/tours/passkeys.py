"""Every passkey (WebAuthn credential) operation, once."""

from __future__ import annotations

from scalekit_async import ScalekitClient
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._passkeys import add_passkey


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    user_id = fake.new_id("usr")
    fake.users[user_id] = {"id": user_id, "email": "tour-passkeys@example.com"}
    seeded = add_passkey(fake, user_id, display_name="Tour key")
    listed = await client.passkeys.list(user_id=user_id)
    assert [p.id for p in listed] == [seeded["id"]]
    accepted = listed.all_accepted_credentials_options
    assert accepted.all_accepted_credential_ids == (seeded["credential_id"],)
    await client.passkeys.update(seeded["id"], display_name="Tour key 2")
    deleted = await client.passkeys.delete(seeded["id"])
    assert deleted.success
