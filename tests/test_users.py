"""client.users against the stateful fake: requests sent, models returned, state kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from scalekit_async import BadRequestError, ConflictError, NotFoundError, ScalekitClient
from scalekit_async.models import (
    MembershipStatus,
    Organization,
    RoleRef,
    User,
    UserProfileInput,
)
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio


async def _org(client: ScalekitClient, name: str = "Acme") -> Organization:
    return await client.organizations.create(name)


async def _user(
    client: ScalekitClient, org_id: str, email: str = "ada@example.com", **kw: object
) -> User:
    kw.setdefault("send_invitation_email", False)
    return await client.users.create(email, organization_id=org_id, **kw)  # type: ignore[arg-type]


# -- create (user and membership) -------------------------------------------------


async def test_create_sends_unwrapped_user_and_query_flag(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    org = await _org(client)
    user = await client.users.create(
        "ada@example.com",
        organization_id=org.id,
        external_id="ext-ada",
        metadata={"plan": "gold"},
        user_profile=UserProfileInput(given_name="Ada", groups=["eng"]),
        roles=["admin"],
        membership_metadata={"team": "core"},
        inviter_email="boss@example.com",
        send_invitation_email=False,
    )

    (request,) = fake.api_requests("POST", f"/api/v1/organizations/{org.id}/users")
    assert request.query == (("send_invitation_email", "false"),)
    assert request.json() == {
        "email": "ada@example.com",
        "external_id": "ext-ada",
        "membership": {
            "roles": [{"name": "admin"}],
            "metadata": {"team": "core"},
            "inviter_email": "boss@example.com",
        },
        "user_profile": {"given_name": "Ada", "groups": ["eng"]},
        "metadata": {"plan": "gold"},
    }
    assert user.id.startswith("usr_")
    assert user.email == "ada@example.com"
    assert user.external_id == "ext-ada"
    assert user.metadata == {"plan": "gold"}
    assert user.user_profile is not None
    assert user.user_profile.given_name == "Ada"
    assert user.user_profile.groups == ("eng",)
    assert isinstance(user.create_time, datetime)
    (membership,) = user.memberships
    assert membership.organization_id == org.id
    assert membership.display_name == "Acme"
    assert membership.membership_status == MembershipStatus.ACTIVE
    assert [r.name for r in membership.roles] == ["admin"]
    assert membership.metadata == {"team": "core"}
    assert membership.inviter_email == "boss@example.com"
    assert fake.users[user.id]["email"] == "ada@example.com"
    assert (org.id, user.id) in fake.memberships


async def test_create_invites_by_default(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await _org(client)
    user = await client.users.create(
        "bob@example.com", organization_id=org.id, user_profile={"name": "Bob"}
    )

    (request,) = fake.api_requests("POST", f"/api/v1/organizations/{org.id}/users")
    assert request.query == ()
    assert request.json() == {"email": "bob@example.com", "user_profile": {"name": "Bob"}}
    (membership,) = user.memberships
    assert membership.membership_status == MembershipStatus.PENDING_INVITE
    assert membership.expires_at is not None
    assert membership.expires_at > datetime.now(UTC)


async def test_create_malformed_email_is_a_field_violation(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    org = await _org(client)
    with pytest.raises(BadRequestError) as caught:
        await client.users.create("not-an-email", organization_id=org.id)

    (violation,) = caught.value.field_violations
    assert violation.field == "user.email"
    assert violation.constraint == "string.email"
    assert fake.users == {}
    assert fake.memberships == {}


async def test_create_duplicate_email_conflicts(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await _org(client)
    other = await _org(client, "Other")
    await _user(client, org.id, "ada@example.com")

    with pytest.raises(ConflictError):
        await _user(client, other.id, "ADA@example.com")
    assert len(fake.users) == 1
    assert not any(k[0] == other.id for k in fake.memberships)


async def test_create_duplicate_external_id_conflicts(client: ScalekitClient) -> None:
    org = await _org(client)
    await _user(client, org.id, "a@example.com", external_id="same")
    with pytest.raises(ConflictError):
        await _user(client, org.id, "b@example.com", external_id="same")


async def test_create_in_missing_organization_is_not_found(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(NotFoundError):
        await _user(client, "org_missing")
    assert fake.users == {}


async def test_create_rejects_bad_arguments_before_sending(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    create = client.users.create
    with pytest.raises(TypeError):
        await create("a@example.com", organization_id="org_1", roles="admin")
    with pytest.raises(TypeError):
        await create("a@example.com", organization_id="org_1", metadata={"n": 1})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        await create("a@example.com", organization_id="org_1", user_profile={"nickname": "x"})
    with pytest.raises(TypeError):
        await create("a@example.com", organization_id="org_1", send_invitation_email="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await create(42, organization_id="org_1")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await create("a@example.com", organization_id="")
    with pytest.raises(TypeError):
        await create("a@example.com", organization_id=None)  # type: ignore[arg-type]
    assert fake.api_requests() == []


async def test_create_takes_the_organization_by_keyword_only(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    org = await _org(client)
    with pytest.raises(TypeError):
        await client.users.create(org.id, "ada@example.com")  # type: ignore[misc]
    with pytest.raises(TypeError):
        await client.users.create("ada@example.com")  # type: ignore[call-arg]
    assert fake.api_requests("POST", f"/api/v1/organizations/{org.id}/users") == []


# -- get ----------------------------------------------------------------------------


async def test_get_returns_user_with_memberships(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    org = await _org(client)
    created = await _user(client, org.id, roles=["member"])

    user = await client.users.get(created.id)

    assert fake.api_requests("GET", f"/api/v1/users/{created.id}")
    assert user.id == created.id
    assert user.email == "ada@example.com"
    assert [(m.organization_id, [r.name for r in m.roles]) for m in user.memberships] == [
        (org.id, ["member"])
    ]


async def test_get_missing_user_is_not_found(client: ScalekitClient) -> None:
    with pytest.raises(NotFoundError):
        await client.users.get("usr_0000000000000000")


async def test_get_by_external_id(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await _org(client)
    created = await _user(client, org.id, external_id="crm/42")

    user = await client.users.get_by_external_id("crm/42")

    assert user.id == created.id
    assert fake.api_requests("GET", "/api/v1/users:external/crm%2F42")
    with pytest.raises(NotFoundError):
        await client.users.get_by_external_id("nobody")


# -- update ---------------------------------------------------------------------------


async def test_update_changes_only_given_fields(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await _org(client)
    created = await _user(
        client,
        org.id,
        metadata={"plan": "free"},
        user_profile={"given_name": "Ada", "family_name": "Lovelace"},
    )

    user = await client.users.update(
        created.id, metadata={"plan": "gold"}, user_profile={"given_name": "Augusta"}
    )

    (request,) = fake.api_requests("PATCH", f"/api/v1/users/{created.id}")
    assert request.json() == {
        "metadata": {"plan": "gold"},
        "user_profile": {"given_name": "Augusta"},
    }
    assert user.metadata == {"plan": "gold"}
    assert user.user_profile is not None
    assert user.user_profile.given_name == "Augusta"
    assert user.user_profile.family_name == "Lovelace"
    assert user.external_id is None
    assert fake.users[created.id]["user_profile"]["given_name"] == "Augusta"


async def test_update_external_id_conflict(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await _org(client)
    await _user(client, org.id, "a@example.com", external_id="taken")
    other = await _user(client, org.id, "b@example.com")

    with pytest.raises(ConflictError):
        await client.users.update(other.id, external_id="taken")
    assert "external_id" not in fake.users[other.id]


async def test_update_missing_user_and_bad_profile(client: ScalekitClient) -> None:
    with pytest.raises(NotFoundError):
        await client.users.update("usr_0000000000000000", metadata={"a": "b"})
    org = await _org(client)
    user = await _user(client, org.id)
    with pytest.raises(BadRequestError) as caught:
        await client.users.update(user.id, user_profile={"given_name": "x" * 256})
    assert caught.value.field_violations[0].field == "user.user_profile.given_name"


async def test_update_needs_a_field(client: ScalekitClient, fake: FakeScalekit) -> None:
    with pytest.raises(ValueError):
        await client.users.update("usr_1")
    assert fake.api_requests() == []


async def test_update_by_external_id_can_rename(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await _org(client)
    created = await _user(client, org.id, external_id="old")

    user = await client.users.update_by_external_id("old", new_external_id="new")

    (request,) = fake.api_requests("PATCH", "/api/v1/users:external/old")
    assert request.json() == {"external_id": "new"}
    assert user.id == created.id
    assert user.external_id == "new"
    assert (await client.users.get_by_external_id("new")).id == created.id
    with pytest.raises(NotFoundError):
        await client.users.get_by_external_id("old")


# -- delete ---------------------------------------------------------------------------


async def test_delete_removes_user_and_memberships(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    org = await _org(client)
    user = await _user(client, org.id)
    keep = await _user(client, org.id, "keep@example.com")

    await client.users.delete(user.id)

    assert fake.api_requests("DELETE", f"/api/v1/users/{user.id}")
    assert user.id not in fake.users
    assert not any(uid == user.id for _, uid in fake.memberships)
    page = await client.users.list(organization_id=org.id)
    assert [u.id for u in page.items] == [keep.id]
    with pytest.raises(NotFoundError):
        await client.users.delete(user.id)


async def test_delete_by_external_id(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await _org(client)
    user = await _user(client, org.id, external_id="gone")

    await client.users.delete_by_external_id("gone")

    assert fake.api_requests("DELETE", "/api/v1/users:external/gone")
    assert user.id not in fake.users
    with pytest.raises(NotFoundError):
        await client.users.delete_by_external_id("gone")


# -- list and search -------------------------------------------------------------------


async def test_list_pages_through_every_user(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await _org(client)
    emails = [f"user{i}@example.com" for i in range(5)]
    for email in emails:
        await _user(client, org.id, email)

    first = await client.users.list(page_size=2)
    every = [u.email async for u in client.users.list(page_size=2)]

    assert [u.email for u in first.items] == emails[:2]
    assert first.total_size == 5
    assert first.has_next_page
    assert every == emails
    assert all(r.param("page_size") == "2" for r in fake.api_requests("GET", "/api/v1/users"))


async def test_list_page_size_is_checked(client: ScalekitClient, fake: FakeScalekit) -> None:
    with pytest.raises(ValueError):
        client.users.list(page_size=101)
    with pytest.raises(ValueError):
        client.users.list(organization_id="org_1", page_size=0)
    assert fake.api_requests() == []


async def test_search_matches_email_id_and_external_id(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    org = await _org(client)
    ada = await _user(client, org.id, "ada@lovelace.test")
    bob = await _user(client, org.id, "bob@example.com", external_id="LOVE-42")
    await _user(client, org.id, "carl@example.com")

    page = await client.users.search("love", page_size=30)

    (request,) = fake.api_requests("GET", "/api/v1/users:search")
    assert request.param("query") == "love"
    assert request.param("page_size") == "30"
    assert {u.id for u in page.items} == {ada.id, bob.id}
    assert page.total_size == 2


async def test_search_arguments_are_checked(client: ScalekitClient, fake: FakeScalekit) -> None:
    with pytest.raises(ValueError):
        client.users.search("ab")
    with pytest.raises(ValueError):
        client.users.search("x" * 101)
    with pytest.raises(ValueError):
        client.users.search("abc", page_size=31)
    with pytest.raises(ValueError):
        client.users.search("abc", organization_id="org_1", page_size=31)
    with pytest.raises(TypeError):
        client.users.search(123)  # type: ignore[arg-type]
    assert fake.api_requests() == []


async def test_list_with_an_organization_lists_its_members_only(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    acme = await _org(client)
    other = await _org(client, "Other")
    ada = await _user(client, acme.id, "ada@example.com")
    await _user(client, other.id, "bob@example.com")

    page = await client.users.list(organization_id=acme.id, page_size=100)

    assert [u.id for u in page.items] == [ada.id]
    assert page.total_size == 1
    (request,) = fake.api_requests("GET", f"/api/v1/organizations/{acme.id}/users")
    assert request.param("page_size") == "100"
    with pytest.raises(NotFoundError):
        await client.users.list(organization_id="org_missing")


async def test_search_with_an_organization_stays_in_the_organization(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    acme = await _org(client)
    other = await _org(client, "Other")
    ada = await _user(client, acme.id, "ada@example.com")
    await _user(client, acme.id, "carl@elsewhere.test")
    await _user(client, other.id, "adam@example.com")

    page = await client.users.search("example", organization_id=acme.id)

    assert [u.id for u in page.items] == [ada.id]
    (request,) = fake.api_requests("GET", f"/api/v1/organizations/{acme.id}/users:search")
    assert request.param("query") == "example"
    with pytest.raises(NotFoundError):
        await client.users.search("example", organization_id="org_missing")


async def test_list_scope_picks_the_route(client: ScalekitClient, fake: FakeScalekit) -> None:
    acme = await _org(client)
    other = await _org(client, "Other")
    ada = await _user(client, acme.id, "ada@example.com")
    bob = await _user(client, other.id, "bob@example.com")
    fake.requests.clear()

    everyone = await client.users.list()
    also_everyone = await client.users.list(organization_id=None, page_size=None, page_token=None)
    members = await client.users.list(organization_id=acme.id)

    assert [(r.method, r.path) for r in fake.api_requests()] == [
        ("GET", "/api/v1/users"),
        ("GET", "/api/v1/users"),
        ("GET", f"/api/v1/organizations/{acme.id}/users"),
    ]
    assert fake.api_requests()[1].query == ()
    assert [u.id for u in everyone.items] == [ada.id, bob.id]
    assert [u.id for u in also_everyone.items] == [ada.id, bob.id]
    assert [u.id for u in members.items] == [ada.id]


async def test_search_scope_picks_the_route(client: ScalekitClient, fake: FakeScalekit) -> None:
    acme = await _org(client)
    other = await _org(client, "Other")
    ada = await _user(client, acme.id, "ada@example.com")
    bob = await _user(client, other.id, "bob@example.com")
    fake.requests.clear()

    everyone = await client.users.search("example")
    also_everyone = await client.users.search("example", organization_id=None, page_size=None)
    members = await client.users.search("example", organization_id=acme.id, page_token=None)

    assert [(r.method, r.path) for r in fake.api_requests()] == [
        ("GET", "/api/v1/users:search"),
        ("GET", "/api/v1/users:search"),
        ("GET", f"/api/v1/organizations/{acme.id}/users:search"),
    ]
    assert all(r.query == (("query", "example"),) for r in fake.api_requests())
    assert {u.id for u in everyone.items} == {ada.id, bob.id}
    assert {u.id for u in also_everyone.items} == {ada.id, bob.id}
    assert [u.id for u in members.items] == [ada.id]


async def test_scope_arguments_are_checked_before_sending(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError):
        client.users.list(organization_id="")
    with pytest.raises(TypeError):
        client.users.list(organization_id=7)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        client.users.search("abc", organization_id="")
    with pytest.raises(TypeError):
        client.users.list("org_1")  # type: ignore[misc]
    with pytest.raises(TypeError):
        client.users.search("org_1", "abc")  # type: ignore[misc]
    assert fake.api_requests() == []


# -- roles and permissions in an organization --------------------------------------------


def _seed_roles(fake: FakeScalekit) -> None:
    fake.permissions["users:read"] = {
        "id": "perm_1",
        "name": "users:read",
        "description": "Read users",
    }
    fake.permissions["users:write"] = {
        "id": "perm_2",
        "name": "users:write",
        "description": "Write users",
    }
    fake.roles["viewer"] = {
        "id": "role_1",
        "name": "viewer",
        "display_name": "Viewer",
        "permission_names": ["users:read"],
    }
    fake.roles["admin"] = {
        "id": "role_2",
        "name": "admin",
        "display_name": "Admin",
        "extends": "viewer",
        "permissions": [{"name": "users:write"}],
    }


async def test_list_roles(client: ScalekitClient, fake: FakeScalekit) -> None:
    _seed_roles(fake)
    org = await _org(client)
    user = await _user(client, org.id, roles=["admin", "custom"])

    page = await client.users.list_roles(user.id, organization_id=org.id)

    assert fake.api_requests("GET", f"/api/v1/organizations/{org.id}/users/{user.id}/roles")
    assert [(r.id, r.name, r.display_name) for r in page.items] == [
        ("role_2", "admin", "Admin"),
        ("", "custom", ""),
    ]
    assert not page.has_next_page


async def test_list_permissions_follows_role_inheritance(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    _seed_roles(fake)
    org = await _org(client)
    user = await _user(client, org.id, roles=["admin"])

    page = await client.users.list_permissions(user.id, organization_id=org.id)

    assert fake.api_requests("GET", f"/api/v1/organizations/{org.id}/users/{user.id}/permissions")
    assert [(p.id, p.name, p.description) for p in page.items] == [
        ("perm_2", "users:write", "Write users"),
        ("perm_1", "users:read", "Read users"),
    ]
    fetched = await client.users.get(user.id)
    assert fetched.memberships[0].permissions == ("users:write", "users:read")


async def test_roles_and_permissions_of_a_non_member_are_not_found(
    client: ScalekitClient,
) -> None:
    org = await _org(client)
    other = await _org(client, "Other")
    user = await _user(client, other.id)
    with pytest.raises(NotFoundError):
        await client.users.list_roles(user.id, organization_id=org.id)
    with pytest.raises(NotFoundError):
        await client.users.list_permissions(user.id, organization_id=org.id)
    with pytest.raises(ValueError):
        client.users.list_roles("", organization_id=org.id)


async def test_roles_and_permissions_take_the_organization_by_keyword_only(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(TypeError):
        client.users.list_roles("org_1", "usr_1")  # type: ignore[misc]
    with pytest.raises(TypeError):
        client.users.list_permissions("org_1", "usr_1")  # type: ignore[misc]
    with pytest.raises(TypeError):
        client.users.list_roles("usr_1")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        client.users.list_permissions("usr_1")  # type: ignore[call-arg]
    assert fake.api_requests() == []


# -- cascades -----------------------------------------------------------------------


async def test_deleting_an_organization_drops_its_memberships(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    doomed = await _org(client, "Doomed")
    kept = await _org(client, "Kept")
    user = await _user(client, doomed.id)
    await client.memberships.create(
        organization_id=kept.id, user_id=user.id, send_invitation_email=False
    )

    await client.organizations.delete(doomed.id)

    fetched = await client.users.get(user.id)
    assert [m.organization_id for m in fetched.memberships] == [kept.id]
    assert not any(oid == doomed.id for oid, _ in fake.memberships)


# -- role assignment (preview) ----------------------------------------------------------


async def _raw(
    fake: FakeScalekit, method: str, target: str, body: object = None
) -> tuple[int, str]:
    """Send one request to the fake, bypassing the SDK's own checks."""
    token = fake.issue_token()
    content = b"" if body is None else json.dumps(body).encode()
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    reply = await fake.handle(method, target, headers, content)
    return reply.status, reply.body.decode()


async def test_add_roles_sends_a_json_array_and_returns_every_role_held(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    _seed_roles(fake)
    org = await _org(client)
    user = await _user(client, org.id, roles=["viewer"])

    held = await client.users.add_roles(user.id, organization_id=org.id, roles=["admin"])

    path = f"/api/v1/organizations/{org.id}/users/{user.id}/roles"
    (request,) = fake.api_requests("POST", path)
    assert request.json() == [{"role_name": "admin"}]  # the body is the array itself
    assert [(r.id, r.name, r.display_name) for r in held] == [
        ("role_1", "viewer", "Viewer"),
        ("role_2", "admin", "Admin"),
    ]
    listed = await client.users.list_roles(user.id, organization_id=org.id)
    assert listed.items == held
    (membership,) = (await client.users.get(user.id)).memberships
    assert [r.name for r in membership.roles] == ["viewer", "admin"]
    assert sorted(membership.permissions) == ["users:read", "users:write"]


async def test_add_roles_keeps_held_roles_once_and_takes_role_refs(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    _seed_roles(fake)
    org = await _org(client)
    user = await _user(client, org.id, roles=["admin"])
    await client.roles.create("ops", organization_id=org.id, display_name="Ops")

    held = await client.users.add_roles(
        user.id, organization_id=org.id, roles=(RoleRef(name="ops"), "admin", "ops")
    )

    assert [r.name for r in held] == ["admin", "ops"]
    assert fake.api_requests("POST")[-1].json() == [
        {"role_name": "ops"},
        {"role_name": "admin"},
        {"role_name": "ops"},
    ]
    assert [r["name"] for r in fake.memberships[(org.id, user.id)]["roles"]] == ["admin", "ops"]


async def test_add_roles_with_an_unknown_role_is_a_bad_request_and_changes_nothing(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    _seed_roles(fake)
    org, other = await _org(client), await _org(client, "Other")
    user = await _user(client, org.id, roles=["viewer"])
    await client.memberships.create(
        organization_id=other.id, user_id=user.id, send_invitation_email=False
    )
    await client.roles.create("ops", organization_id=other.id, display_name="Ops")

    for roles in (["admin", "ghost"], ["ops"]):  # ops: another organization's role
        with pytest.raises(BadRequestError) as caught:
            await client.users.add_roles(user.id, organization_id=org.id, roles=roles)
        assert [v.field for v in caught.value.field_violations] == [
            f"roles[{len(roles) - 1}].role_name"
        ]
    assert [r["name"] for r in fake.memberships[(org.id, user.id)]["roles"]] == ["viewer"]


async def test_add_and_remove_roles_of_unknown_things_are_not_found(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    _seed_roles(fake)
    org, other = await _org(client), await _org(client, "Other")
    user = await _user(client, other.id)
    for org_id, user_id in (("org_missing", user.id), (org.id, "usr_missing"), (org.id, user.id)):
        with pytest.raises(NotFoundError):
            await client.users.add_roles(user_id, organization_id=org_id, roles=["viewer"])
        with pytest.raises(NotFoundError):
            await client.users.remove_role(user_id, organization_id=org_id, role_name="viewer")


async def test_add_roles_checks_its_arguments_before_sending(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    calls: list[tuple[str, str, object, type[Exception]]] = [
        ("usr_1", "org_1", [], ValueError),
        ("usr_1", "org_1", "admin", TypeError),
        ("usr_1", "org_1", [""], ValueError),
        ("usr_1", "org_1", ["x" * 101], ValueError),
        ("usr_1", "org_1", [3], TypeError),
        ("usr_1", "acme", ["admin"], ValueError),
        ("ada", "org_1", ["admin"], ValueError),
        ("", "org_1", ["admin"], ValueError),
    ]
    for user_id, org_id, roles, error in calls:
        with pytest.raises(error):
            await client.users.add_roles(user_id, organization_id=org_id, roles=roles)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await client.users.add_roles("org_1", "usr_1", roles=["admin"])  # type: ignore[call-arg]
    assert fake.api_requests() == []


async def test_add_roles_the_server_takes_only_a_non_empty_array(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    _seed_roles(fake)
    org = await _org(client)
    user = await _user(client, org.id)
    path = f"/api/v1/organizations/{org.id}/users/{user.id}/roles"
    for body in ({"roles": [{"role_name": "viewer"}]}, [], [{"role_name": "x" * 101}]):
        status, text = await _raw(fake, "POST", path, body)
        assert status == 400, body
        assert "roles" in text
    status, text = await _raw(
        fake, "POST", f"/api/v1/organizations/acme/users/{user.id}/roles", [{"role_name": "viewer"}]
    )
    assert status == 400
    assert "organization_id" in text
    assert fake.memberships[(org.id, user.id)]["roles"] == []
    # The deprecated id still names a role.
    status, text = await _raw(fake, "POST", path, [{"id": "role_2"}])
    assert status == 200
    assert json.loads(text) == {
        "roles": [{"id": "role_2", "name": "admin", "display_name": "Admin"}]
    }


async def test_remove_role_takes_one_role_away(client: ScalekitClient, fake: FakeScalekit) -> None:
    _seed_roles(fake)
    org = await _org(client)
    user = await _user(client, org.id, roles=["viewer", "admin"])

    await client.users.remove_role(user.id, organization_id=org.id, role_name="admin")

    (request,) = fake.api_requests("DELETE")
    assert request.path == f"/api/v1/organizations/{org.id}/users/{user.id}/roles/admin"
    listed = await client.users.list_roles(user.id, organization_id=org.id)
    assert [r.name for r in listed.items] == ["viewer"]
    (membership,) = (await client.users.get(user.id)).memberships
    assert membership.permissions == ("users:read",)
    assert "admin" in fake.roles  # the role itself stays
    with pytest.raises(NotFoundError):  # no longer held
        await client.users.remove_role(user.id, organization_id=org.id, role_name="admin")


async def test_remove_role_checks_its_arguments_before_sending(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match="role_name"):
        await client.users.remove_role("usr_1", organization_id="org_1", role_name="")
    with pytest.raises(ValueError, match="organization_id"):
        await client.users.remove_role("usr_1", organization_id="acme", role_name="admin")
    with pytest.raises(ValueError, match="id"):
        await client.users.remove_role("ada", organization_id="org_1", role_name="admin")
    with pytest.raises(TypeError):
        await client.users.remove_role("usr_1", "org_1", "admin")  # type: ignore[call-arg]
    assert fake.api_requests() == []


async def test_remove_role_a_name_with_a_slash_stays_one_segment(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    org = await _org(client)
    user = await _user(client, org.id, roles=["a/b"])
    await client.users.remove_role(user.id, organization_id=org.id, role_name="a/b")
    (request,) = fake.api_requests("DELETE")
    assert request.path.endswith("/roles/a%2Fb")
    assert fake.memberships[(org.id, user.id)]["roles"] == []
