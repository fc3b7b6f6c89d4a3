"""The fake's state: indexed stores, typed records beside the JSON mapping, no full scans.

Issue 13 item 5 and issue 14 item 15: every user create used to scan every user
(email and external-id uniqueness) and every membership (to render the answer),
so a 10,000-user bulk job took minutes; and the state was readable only as
``dict[str, Any]``. The stores keep the mapping (tests read and seed JSON) and
add indexed, typed reading; these tests pin both, and that the hot paths do not
walk a whole store.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator, ValuesView
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

import scalekit_async.testing as testing
from scalekit_async import ConflictError, NotFoundError, ScalekitClient
from scalekit_async.testing import (
    FakeScalekit,
    MembershipRecord,
    MembershipStore,
    OrganizationRecord,
    UserRecord,
    UserStore,
    add_auth_request,
    add_passkey,
    add_session,
    apply_seed,
)

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parent.parent


async def _user(
    client: ScalekitClient, org_id: str, email: str, external_id: str | None = None
) -> str:
    user = await client.users.create(
        email,
        organization_id=org_id,
        external_id=external_id if external_id is not None else email.split("@")[0],
        roles=["member"],
        send_invitation_email=False,
    )
    return user.id


# -- typed reading beside the mapping ---------------------------------------------------


async def test_records_read_the_state_with_types(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    org = await client.organizations.create("Acme", external_id="acme", metadata={"tier": "pro"})
    user_id = await _user(client, org.id, "Ada@Example.com", "ext-ada")

    organization = fake.organizations.record(org.id)
    assert isinstance(organization, OrganizationRecord)
    assert (organization.id, organization.display_name) == (org.id, "Acme")
    assert organization.external_id == "acme"
    assert organization.metadata == {"tier": "pro"}
    assert organization.features == {"sso": False, "dir_sync": False}
    assert isinstance(organization.create_time, datetime)

    user = fake.users.record(user_id)
    assert isinstance(user, UserRecord)
    assert (user.email, user.external_id) == ("Ada@Example.com", "ext-ada")
    assert user.profile.id
    assert fake.users.by_email("ada@EXAMPLE.com") == user  # any case
    assert fake.users.by_external_id("ext-ada") == user
    assert fake.users.by_email("nobody@example.com") is None
    assert fake.users.records() == [user]

    (membership,) = fake.memberships.of_user(user_id)
    assert isinstance(membership, MembershipRecord)
    assert (membership.organization_id, membership.user_id) == (org.id, user_id)
    assert membership.status == "ACTIVE"
    assert membership.role_names == ("member",)
    assert fake.memberships.of_organization(org.id) == [membership]
    assert fake.memberships.record((org.id, user_id)) == membership

    # The mapping is as before: wire JSON by key.
    assert fake.users[user_id]["email"] == "Ada@Example.com"
    assert fake.memberships[(org.id, user_id)]["roles"][0]["name"] == "member"
    assert user.wire["email"] == "Ada@Example.com"


async def test_records_are_frozen_snapshots(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await client.organizations.create("Acme")
    record = fake.organizations.record(org.id)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        record.display_name = "Other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        record.wire["display_name"] = "Other"  # type: ignore[index]
    with pytest.raises(TypeError):
        record.metadata["k"] = "v"  # type: ignore[index]
    await client.organizations.update(org.id, display_name="Renamed")
    assert record.display_name == "Acme"  # a snapshot: ask again for the new state
    assert fake.organizations.record(org.id).display_name == "Renamed"
    with pytest.raises(KeyError):
        fake.organizations.record("org_missing")


def test_partial_seeded_records_read_as_empty_values(fake: FakeScalekit) -> None:
    fake.users["usr_1"] = {"id": "usr_1", "email": "a@example.com"}
    user = fake.users.record("usr_1")
    assert (user.external_id, user.metadata, user.create_time) == (None, {}, None)
    assert user.profile.groups == ()
    fake.memberships[("org_1", "usr_1")] = {"roles": [{"name": "admin"}]}
    (membership,) = fake.memberships.of_user("usr_1")
    assert membership.role_names == ("admin",)
    assert membership.status == "ACTIVE"


async def test_every_area_has_typed_records(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await client.organizations.create("Acme")
    user_id = await _user(client, org.id, "ada@example.com")
    await client.domains.create("acme.com", organization_id=org.id)
    testing.add_connection(fake, org.id)
    directory = testing.add_directory(fake, org.id)
    group = testing.add_directory_group(fake, directory["id"])
    testing.add_directory_user(fake, directory["id"], group_ids=[group["id"]])
    session = add_session(fake, user_id)
    passkey = add_passkey(fake, user_id)
    add_auth_request(fake, email="ada@example.com")
    await client.permissions.create("read:docs")
    await client.roles.create("viewer", display_name="Viewer", permissions=["read:docs"])

    (domain,) = fake.domains.of_organization(org.id)
    assert domain.domain == "acme.com"
    (connection,) = fake.connections.of_organization(org.id)
    assert connection.enabled is True
    assert fake.directories.of_organization(org.id)[0].id == directory["id"]
    (directory_user,) = fake.directory_users.of_directory(directory["id"])
    assert directory_user.group_ids == (group["id"],)
    assert fake.directory_groups.of_directory(directory["id"])[0].id == group["id"]
    assert fake.sessions.of_user(user_id)[0].session_id == session["session_id"]
    assert fake.passkeys.of_user(user_id)[0].id == passkey["id"]
    (entry,) = fake.auth_requests.records()
    assert entry.email == "ada@example.com"
    assert fake.auth_requests.by_id(entry.auth_request_id) == entry
    assert fake.permissions.record("read:docs").name == "read:docs"
    assert fake.roles.record("viewer").permission_names == ("read:docs",)


# -- indexes follow every change ----------------------------------------------------------


async def test_indexes_follow_updates_and_deletes(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    org = await client.organizations.create("Acme", external_id="acme")
    user_id = await _user(client, org.id, "ada@example.com", "ext-ada")

    await client.users.update(user_id, external_id="ext-ada-2")
    assert fake.users.by_external_id("ext-ada") is None
    assert fake.users.id_for_external_id("ext-ada-2") == user_id
    await client.users.create(  # the freed external id may be taken again
        "bob@example.com",
        organization_id=org.id,
        external_id="ext-ada",
        send_invitation_email=False,
    )

    await client.organizations.update(org.id, external_id="acme-2")
    assert fake.organizations.id_for_external_id("acme") is None
    assert (await client.organizations.get_by_external_id("acme-2")).id == org.id

    await client.users.delete(user_id)
    assert fake.users.by_email("ada@example.com") is None
    assert fake.memberships.of_user(user_id) == []
    await client.organizations.delete(org.id)
    assert fake.memberships.of_organization(org.id) == []
    assert fake.organizations.by_external_id("acme-2") is None
    with pytest.raises(NotFoundError):
        await client.organizations.get_by_external_id("acme-2")


async def test_seeding_by_assignment_is_indexed(client: ScalekitClient, fake: FakeScalekit) -> None:
    # Complete records, taken from API-created ones and stored again under new keys.
    org = await client.organizations.create("Acme")
    made = await _user(client, org.id, "someone@example.com")
    org_json, user_json = fake.organizations.pop(org.id), fake.users.pop(made)
    membership_json = fake.memberships.pop((org.id, made))
    fake.organizations["org_1"] = {**org_json, "id": "org_1", "external_id": "acme"}
    fake.users["usr_1"] = {**user_json, "id": "usr_1", "email": "Ada@Example.com"}
    fake.users["usr_1"]["external_id"] = "ext-1"
    fake.users.reindex("usr_1")
    fake.memberships[("org_1", "usr_1")] = {**membership_json, "organization_id": "org_1"}
    assert fake.users.by_email("someone@example.com") is None

    assert (await client.organizations.get_by_external_id("acme")).id == "org_1"
    user = await client.users.get_by_external_id("ext-1")
    assert [m.organization_id for m in user.memberships] == ["org_1"]
    with pytest.raises(ConflictError):  # the seeded email is taken, in any case
        await client.users.create(
            "ada@example.COM", organization_id="org_1", send_invitation_email=False
        )

    del fake.users["usr_1"]
    assert fake.users.by_email("ada@example.com") is None
    fake.users.clear()
    assert fake.users == {}


def test_a_record_changed_in_place_is_found_after_reindex(fake: FakeScalekit) -> None:
    fake.users["usr_1"] = {"id": "usr_1", "email": "a@example.com", "external_id": "old"}
    fake.users["usr_1"]["external_id"] = "new"
    assert fake.users.id_for_external_id("old") == "usr_1"  # stale until reindexed
    fake.users.reindex("usr_1")
    assert fake.users.id_for_external_id("old") is None
    assert fake.users.id_for_external_id("new") == "usr_1"
    # Storing the record again reindexes it too.
    fake.users["usr_1"] = {**fake.users["usr_1"], "email": "b@example.com"}
    assert fake.users.id_for_email("b@example.com") == "usr_1"
    assert fake.users.id_for_email("a@example.com") is None


async def test_seed_fixtures_with_chosen_ids_are_indexed(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    apply_seed(
        fake,
        {
            "organizations": [{"id": "org_acme", "display_name": "Acme", "external_id": "acme"}],
            "users": [
                {
                    "id": "usr_ada",
                    "email": "ada@example.com",
                    "external_id": "ext-ada",
                    "memberships": ["acme"],
                }
            ],
        },
    )
    assert fake.users.id_for_external_id("ext-ada") == "usr_ada"
    assert fake.memberships.keys_of_user("usr_ada") == [("org_acme", "usr_ada")]
    assert fake.memberships.keys_of_organization("org_acme") == [("org_acme", "usr_ada")]
    user = await client.users.get_by_external_id("ext-ada")
    assert user.id == "usr_ada"
    assert [m.organization_id for m in user.memberships] == ["org_acme"]


def test_the_mapping_behaves_like_the_dict_it_replaces(fake: FakeScalekit) -> None:
    assert fake.users == {}
    fake.users["usr_1"] = {"id": "usr_1", "email": "a@example.com"}
    fake.users["usr_2"] = {"id": "usr_2", "email": "b@example.com"}
    assert fake.users == {
        "usr_1": {"id": "usr_1", "email": "a@example.com"},
        "usr_2": {"id": "usr_2", "email": "b@example.com"},
    }
    assert list(fake.users) == ["usr_1", "usr_2"]
    assert "usr_1" in fake.users
    assert len(fake.users) == 2
    assert fake.users.get("usr_3") is None
    assert fake.users.pop("usr_1")["email"] == "a@example.com"
    assert fake.users.id_for_email("a@example.com") is None
    assert dict(fake.users) == {"usr_2": {"id": "usr_2", "email": "b@example.com"}}
    assert "usr_2" in repr(fake.users)
    assert isinstance(fake.users, dict)
    assert json.loads(json.dumps(fake.users)) == fake.users
    fake.users.update({"usr_3": {"id": "usr_3", "email": "c@example.com"}})
    assert fake.users.setdefault("usr_3", {}) is fake.users["usr_3"]
    assert fake.users.id_for_email("c@example.com") == "usr_3"
    copied = copy.deepcopy(fake.users)
    assert isinstance(copied, UserStore)
    assert copied == fake.users
    del copied["usr_3"]
    assert fake.users.id_for_email("c@example.com") == "usr_3"  # the copy is independent
    assert copied.id_for_email("c@example.com") is None
    assert fake.users.popitem()[0] == "usr_3"
    assert fake.users.id_for_email("c@example.com") is None
    assert fake.auth_requests == []


# -- the hot paths do not walk a whole store --------------------------------------------------


class _NoScanUsers(UserStore):
    def __iter__(self) -> Iterator[str]:
        raise AssertionError("walked every user")

    def values(self) -> ValuesView[dict[str, Any]]:
        raise AssertionError("walked every user")


class _NoScanMemberships(MembershipStore):
    def __iter__(self) -> Iterator[tuple[str, str]]:
        raise AssertionError("walked every membership")

    def values(self) -> ValuesView[dict[str, Any]]:
        raise AssertionError("walked every membership")


async def test_user_create_lookups_and_memberships_use_indexes(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    org = await client.organizations.create("Acme", external_id="acme")
    other = await client.organizations.create("Other")
    for n in range(5):
        await _user(client, org.id, f"user{n}@example.com")
    fake.users.__class__ = _NoScanUsers
    fake.memberships.__class__ = _NoScanMemberships

    user_id = await _user(client, org.id, "new@example.com", "ext-new")
    with pytest.raises(ConflictError):
        await _user(client, org.id, "NEW@example.com", "ext-other")
    with pytest.raises(ConflictError):
        await _user(client, org.id, "other@example.com", "ext-new")
    found = await client.users.get_by_external_id("ext-new")
    assert found.id == user_id
    await client.memberships.create(
        organization_id=other.id, user_id=user_id, send_invitation_email=False
    )
    assert {m.organization_id for m in (await client.users.get(user_id)).memberships} == {
        org.id,
        other.id,
    }
    page = await client.users.list(organization_id=org.id, page_size=3)
    assert len(page.items) == 3
    assert (await client.organizations.get_by_external_id("acme")).id == org.id


async def test_list_pages_render_only_the_page(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await client.organizations.create("Acme")
    for n in range(7):
        await _user(client, org.id, f"user{n}@example.com")
    first = await client.users.list(page_size=3)
    assert [u.email for u in first.items] == [f"user{n}@example.com" for n in range(3)]
    assert all(u.memberships for u in first.items)  # rendered, memberships included
    everyone = [u.email async for u in client.users.list(page_size=3)]
    assert everyone == [f"user{n}@example.com" for n in range(7)]


# -- typed under mypy --strict, exported with docstrings ----------------------------------------

TYPED_USE = """
from datetime import datetime
from typing import assert_type

from scalekit_async.testing import (
    FakeScalekit, MembershipRecord, OrganizationRecord, UserRecord
)

def check(fake: FakeScalekit) -> None:
    user = fake.users.record("usr_1")
    assert_type(user, UserRecord)
    assert_type(user.email, str)
    assert_type(user.external_id, str | None)
    assert_type(user.create_time, datetime | None)
    assert_type(user.profile.groups, tuple[str, ...])
    assert_type(fake.users.by_email("a@b.co"), UserRecord | None)
    assert_type(fake.memberships.of_user("usr_1"), list[MembershipRecord])
    assert_type(fake.memberships.of_user("usr_1")[0].role_names, tuple[str, ...])
    assert_type(fake.organizations.by_external_id("x"), OrganizationRecord | None)
    assert_type(fake.organizations.records(), list[OrganizationRecord])
    org = fake.organizations.record("org_1")
    assert_type(org.metadata["plan"], str)
    assert_type(org.features["sso"], bool)
    assert_type(fake.users.id_for_external_id("x"), str | None)
"""


def test_the_typed_reading_is_precise_under_mypy_strict(tmp_path: Path) -> None:
    module = tmp_path / "user_test_code.py"
    module.write_text(textwrap.dedent(TYPED_USE))
    result = subprocess.run(
        [
            *(sys.executable, "-m", "mypy", "--strict", "--no-incremental"),
            *("--python-version", "3.11", "--follow-imports", "silent", str(module)),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=None,
    )
    assert result.returncode == 0, result.stdout + result.stderr


STATE_TYPES = [
    name
    for name in testing.__all__
    if name.endswith(("Store", "Record", "Log")) or name in {"MembershipRole", "McpToolMapping"}
]


@pytest.mark.parametrize("name", STATE_TYPES)
def test_the_state_types_are_exported_with_docstrings(name: str) -> None:
    obj = getattr(testing, name)
    assert obj.__doc__, f"{name} has no docstring"
    assert obj.__doc__.strip(), f"{name} has no docstring"
    assert obj.__module__.startswith("scalekit_async.testing.")
