"""client.passkeys against the fake: list a user's passkeys, rename and delete one."""

from __future__ import annotations

from datetime import datetime

import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._passkeys import RP_ID, add_passkey

pytestmark = pytest.mark.anyio


def seed_user(fake: FakeScalekit, email: str = "ada@example.com") -> str:
    user_id = fake.new_id("usr")
    fake.users[user_id] = {"id": user_id, "email": email}
    return user_id


async def test_list_returns_only_that_users_passkeys(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    user_id = seed_user(fake)
    first = add_passkey(fake, user_id, display_name="MacBook")
    second = add_passkey(fake, user_id, transports=["usb"])
    add_passkey(fake, seed_user(fake, "bob@example.com"))
    listed = await client.passkeys.list(user_id=user_id)
    assert isinstance(listed, sk.PasskeyList)
    assert [p.id for p in listed] == [first["id"], second["id"]]
    assert len(listed) == 2
    passkey = listed.credentials[0]
    assert isinstance(passkey, sk.Passkey)
    assert passkey.user_id == user_id
    assert passkey.display_name == "MacBook"
    assert passkey.credential_id == first["credential_id"]
    assert passkey.authenticator is not None
    assert passkey.authenticator.name == "iCloud Keychain"
    assert passkey.authenticator_flags is not None
    assert passkey.authenticator_flags.backup_eligible is True
    assert passkey.user_agent is not None
    assert passkey.user_agent.browser == "Safari"
    assert passkey.client_info is not None
    assert passkey.client_info.city == "San Francisco"
    assert isinstance(passkey.created_at, datetime)
    assert listed.credentials[1].transports == ("usb",)
    assert listed.credentials[1].display_name is None
    (request,) = fake.api_requests("GET", "/api/v1/webauthn/credentials")
    assert request.query == (("user_id", user_id),)


async def test_the_list_carries_the_remaining_ids_to_sync_devices_with(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    user_id = seed_user(fake)
    kept = add_passkey(fake, user_id)
    gone = add_passkey(fake, user_id)
    await client.passkeys.delete(gone["id"])
    options = (await client.passkeys.list(user_id=user_id)).all_accepted_credentials_options
    assert isinstance(options, sk.AllAcceptedCredentialsOptions)
    assert options.rp_id == RP_ID
    assert options.user_id == user_id
    assert options.all_accepted_credential_ids == (kept["credential_id"],)


async def test_list_unknown_user_is_not_found(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.passkeys.list(user_id="usr_missing")


async def test_list_needs_a_user_id(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    with pytest.raises(ValueError):
        await client.passkeys.list(user_id="")
    with pytest.raises(TypeError):
        await client.passkeys.list(user_id=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await client.passkeys.list("usr_1")  # type: ignore[misc]
    assert fake.api_requests() == []


async def test_update_renames_the_passkey(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    user_id = seed_user(fake)
    seeded = add_passkey(fake, user_id)
    renamed = await client.passkeys.update(seeded["id"], display_name="Work YubiKey")
    assert isinstance(renamed, sk.Passkey)
    assert renamed.id == seeded["id"]
    assert renamed.display_name == "Work YubiKey"
    assert fake.passkeys[seeded["id"]]["display_name"] == "Work YubiKey"
    (request,) = fake.api_requests("PATCH", f"/api/v1/webauthn/credentials/{seeded['id']}")
    assert request.json() == {"display_name": "Work YubiKey"}


async def test_update_too_long_a_name_is_a_field_violation(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    seeded = add_passkey(fake, seed_user(fake))
    with pytest.raises(sk.BadRequestError) as info:
        await client.passkeys.update(seeded["id"], display_name="x" * 121)
    assert [v.field for v in info.value.field_violations] == ["display_name"]
    assert "display_name" not in fake.passkeys[seeded["id"]]


async def test_update_checks_its_arguments(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    with pytest.raises(ValueError):
        await client.passkeys.update("cred_1", display_name="")
    with pytest.raises(TypeError):
        await client.passkeys.update("cred_1", display_name=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await client.passkeys.update("", display_name="ok")
    assert fake.api_requests() == []


async def test_update_unknown_passkey_is_not_found(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.passkeys.update("cred_missing", display_name="x")


async def test_delete_removes_the_passkey_and_returns_the_signal(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    seeded = add_passkey(fake, seed_user(fake))
    deleted = await client.passkeys.delete(seeded["id"])
    assert isinstance(deleted, sk.DeletedPasskey)
    assert deleted.success is True
    assert deleted.unknown_credential_options == sk.UnknownCredentialOptions(
        rp_id=RP_ID, credential_id=seeded["credential_id"]
    )
    assert seeded["id"] not in fake.passkeys
    with pytest.raises(sk.NotFoundError):
        await client.passkeys.delete(seeded["id"])


async def test_passkeys_of_a_removed_user_are_gone(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    user_id = seed_user(fake)
    seeded = add_passkey(fake, user_id)
    del fake.users[user_id]
    with pytest.raises(sk.NotFoundError):
        await client.passkeys.update(seeded["id"], display_name="x")


async def test_update_and_delete_take_the_passkey_id(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    seeded = add_passkey(fake, seed_user(fake))
    renamed = await client.passkeys.update(id=seeded["id"], display_name="Renamed")
    assert renamed.display_name == "Renamed"
    deleted = await client.passkeys.delete(id=seeded["id"])
    assert deleted.success is True
    with pytest.raises(TypeError):
        await client.passkeys.update(credential_id=seeded["id"], display_name="x")  # type: ignore[call-arg]


def test_add_passkey_needs_an_existing_user(fake: FakeScalekit) -> None:
    with pytest.raises(ValueError, match="seed the user first"):
        add_passkey(fake, "usr_nobody")
