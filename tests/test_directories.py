from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._directories import (
    add_directory,
    add_directory_group,
    add_directory_user,
)

pytestmark = pytest.mark.anyio

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


async def make_org(client: sk.ScalekitClient, name: str = "Acme") -> str:
    return (await client.organizations.create(display_name=name)).id


async def test_list_returns_the_organizations_directories_in_one_page(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    other_id = await make_org(client, "Other")
    okta = add_directory(fake, org_id)
    google = add_directory(fake, org_id, directory_provider="GOOGLE", directory_type="POLL")
    add_directory(fake, other_id)
    page = await client.directories.list(organization_id=org_id)
    assert [d.id for d in page.items] == [okta["id"], google["id"]]
    assert page.total_size == 2
    assert not page.has_next_page
    assert page.items[1].directory_provider is sk.DirectoryProvider.GOOGLE
    assert page.items[1].directory_type is sk.DirectoryType.POLL
    (request,) = fake.api_requests("GET", f"/api/v1/organizations/{org_id}/directories")
    assert request.query == ()


async def test_list_of_a_missing_organization_is_not_found(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.directories.list(organization_id="org_missing")


async def test_get_counts_users_and_groups(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    org_id = await make_org(client)
    dir_id = add_directory(fake, org_id, name="Okta")["id"]
    group = add_directory_group(fake, dir_id, updated_at=T0)
    add_directory_user(fake, dir_id, group_ids=[group["id"]], updated_at=T0)
    add_directory_user(fake, dir_id, updated_at=T0 + timedelta(hours=1))
    directory = await client.directories.get(dir_id, organization_id=org_id)
    assert isinstance(directory, sk.Directory)
    assert directory.id == dir_id
    assert directory.organization_id == org_id
    assert directory.name == "Okta"
    assert directory.enabled is False
    assert directory.status == "COMPLETED"
    assert directory.total_users == 2
    assert directory.total_groups == 1
    assert directory.stats == sk.DirectoryStats(
        total_users=2,
        total_groups=1,
        user_updated_at=T0 + timedelta(hours=1),
        group_updated_at=T0,
    )
    assert directory.role_assignments == sk.DirectoryRoleAssignments()


async def test_get_is_scoped_to_the_organization(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    other_id = await make_org(client, "Other")
    dir_id = add_directory(fake, org_id)["id"]
    with pytest.raises(sk.NotFoundError):
        await client.directories.get(dir_id, organization_id=other_id)
    with pytest.raises(sk.NotFoundError):
        await client.directories.get("dir_missing", organization_id=org_id)


async def test_enable_and_disable_flip_the_stored_state(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    dir_id = add_directory(fake, org_id)["id"]
    assert await client.directories.enable(dir_id, organization_id=org_id) == sk.DirectoryToggle(
        enabled=True
    )
    assert fake.directories[dir_id]["enabled"] is True
    assert (await client.directories.get(dir_id, organization_id=org_id)).enabled is True
    assert (await client.directories.disable(dir_id, organization_id=org_id)).enabled is False
    assert fake.directories[dir_id]["enabled"] is False
    base = f"/api/v1/organizations/{org_id}/directories/{dir_id}"
    assert len(fake.api_requests("PATCH", base + ":enable")) == 1
    assert len(fake.api_requests("PATCH", base + ":disable")) == 1
    with pytest.raises(sk.NotFoundError):
        await client.directories.enable("dir_missing", organization_id=org_id)


async def test_list_users_pages_with_tokens(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    org_id = await make_org(client)
    dir_id = add_directory(fake, org_id)["id"]
    emails = [f"u{i}@acme.com" for i in range(5)]
    for email in emails:
        add_directory_user(fake, dir_id, email=email)
    first = await client.directories.list_users(dir_id, organization_id=org_id, page_size=2)
    assert [u.email for u in first.items] == emails[:2]
    assert first.total_size == 5
    assert first.has_next_page
    every = [
        u.email
        async for u in client.directories.list_users(dir_id, organization_id=org_id, page_size=2)
    ]
    assert every == emails
    resumed = await client.directories.list_users(
        dir_id, organization_id=org_id, page_size=2, page_token=first.next_page_token
    )
    assert [u.email for u in resumed.items] == emails[2:4]
    path = f"/api/v1/organizations/{org_id}/directories/{dir_id}/users"
    tokens = [r.param("page_token") for r in fake.api_requests("GET", path)]
    assert tokens == [None, None, "2", "4", "2"]


async def test_list_users_sends_filters_and_details_only_on_request(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    dir_id = add_directory(fake, org_id)["id"]
    admins = add_directory_group(fake, dir_id, display_name="Admins", group_detail={"x": 1})
    ada = add_directory_user(
        fake,
        dir_id,
        email="ada@acme.com",
        group_ids=[admins["id"]],
        updated_at=T0 + timedelta(days=1),
        user_detail={"active": True},
    )
    add_directory_user(fake, dir_id, group_ids=[admins["id"]], updated_at=T0)
    add_directory_user(fake, dir_id, updated_at=T0 + timedelta(days=2))
    since = datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))  # == T0
    page = await client.directories.list_users(
        dir_id,
        organization_id=org_id,
        include_detail=True,
        directory_group_id=admins["id"],
        updated_after=since,
    )
    (user,) = page.items
    assert isinstance(user, sk.DirectoryUser)
    assert user.id == ada["id"]
    assert user.user_detail == {"active": True}
    (group,) = user.groups
    assert group.id == admins["id"]
    assert group.display_name == "Admins"
    assert group.total_users == 2
    assert group.group_detail == {}
    (request,) = fake.api_requests(
        "GET", f"/api/v1/organizations/{org_id}/directories/{dir_id}/users"
    )
    assert dict(request.query) == {
        "include_detail": "true",
        "directory_group_id": admins["id"],
        "updated_after": "2024-05-01T12:00:00Z",
    }
    plain = await client.directories.list_users(dir_id, organization_id=org_id)
    assert [u.user_detail for u in plain.items] == [{}, {}, {}]
    assert plain.items[0].email == "ada@acme.com"


async def test_list_users_with_a_malformed_group_id_is_a_bad_request(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    dir_id = add_directory(fake, org_id)["id"]
    with pytest.raises(sk.BadRequestError) as info:
        await client.directories.list_users(
            dir_id, organization_id=org_id, directory_group_id="grp_1"
        )
    assert [v.field for v in info.value.field_violations] == ["directory_group_id"]


async def test_list_users_of_a_missing_directory_is_not_found(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    other_id = await make_org(client, "Other")
    dir_id = add_directory(fake, other_id)["id"]
    with pytest.raises(sk.NotFoundError):
        await client.directories.list_users(dir_id, organization_id=org_id)
    with pytest.raises(sk.NotFoundError):
        await client.directories.list_groups("dir_missing", organization_id=org_id)


@pytest.mark.parametrize("method", ["list_users", "list_groups"])
@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"page_size": 31}, ValueError),
        ({"page_size": 0}, ValueError),
        ({"include_detail": "yes"}, TypeError),
        ({"updated_after": "2024-01-01T00:00:00Z"}, TypeError),
        ({"updated_after": datetime(2024, 1, 1)}, ValueError),  # naive: ambiguous
    ],
)
async def test_list_users_and_groups_check_arguments_at_the_call(
    client: sk.ScalekitClient,
    fake: FakeScalekit,
    method: str,
    kwargs: dict[str, object],
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        getattr(client.directories, method)("dir_1", organization_id="org_1", **kwargs)
    assert fake.api_requests() == []


@pytest.mark.parametrize(("value", "error"), [("", ValueError), (7, TypeError)])
async def test_list_users_checks_the_group_id(
    client: sk.ScalekitClient, value: object, error: type[Exception]
) -> None:
    with pytest.raises(error):
        client.directories.list_users("dir_1", organization_id="org_1", directory_group_id=value)  # type: ignore[arg-type]


async def test_list_groups_counts_members_and_filters(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    dir_id = add_directory(fake, org_id)["id"]
    old = add_directory_group(fake, dir_id, display_name="Old", updated_at=T0)
    new = add_directory_group(
        fake, dir_id, display_name="New", updated_at=T0 + timedelta(days=1), group_detail={"k": 1}
    )
    add_directory_user(fake, dir_id, group_ids=[old["id"], new["id"]])
    add_directory_user(fake, dir_id, group_ids=[new["id"]])
    every = (await client.directories.list_groups(dir_id, organization_id=org_id)).items
    assert [(g.display_name, g.total_users, g.group_detail) for g in every] == [
        ("Old", 1, {}),
        ("New", 2, {}),
    ]
    assert every[0].updated_at == T0
    page = await client.directories.list_groups(
        dir_id,
        organization_id=org_id,
        page_size=30,
        include_detail=True,
        include_external_groups=True,
        updated_after=T0,
    )
    (group,) = page.items
    assert isinstance(group, sk.DirectoryGroup)
    assert group.id == new["id"]
    assert group.group_detail == {"k": 1}
    request = fake.api_requests(
        "GET", f"/api/v1/organizations/{org_id}/directories/{dir_id}/groups"
    )[-1]
    assert dict(request.query) == {
        "page_size": "30",
        "include_detail": "true",
        "include_external_groups": "true",
        "updated_after": "2024-05-01T12:00:00Z",
    }


async def test_deleting_the_organization_deletes_its_directories(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    other_id = await make_org(client, "Other")
    gone = add_directory(fake, org_id)["id"]
    kept = add_directory(fake, other_id)["id"]
    for dir_id in (gone, kept):
        group = add_directory_group(fake, dir_id)
        add_directory_user(fake, dir_id, group_ids=[group["id"]])
    await client.organizations.delete(org_id)
    assert list(fake.directories) == [kept]
    assert {u["directory_id"] for u in fake.directory_users.values()} == {kept}
    assert {g["directory_id"] for g in fake.directory_groups.values()} == {kept}


async def test_seeding_helpers_check_their_arguments(fake: FakeScalekit) -> None:
    with pytest.raises(LookupError):
        add_directory(fake, "org_missing")
    with pytest.raises(LookupError):
        add_directory_user(fake, "dir_missing")
    with pytest.raises(LookupError):
        add_directory_group(fake, "dir_missing")
    fake.organizations["org_1"] = {
        "id": "org_1",
        "display_name": "Acme",
        "create_time": "2025-01-01T00:00:00Z",
    }
    with pytest.raises(TypeError, match="total_users"):
        add_directory(fake, "org_1", total_users=3)
    first = add_directory(fake, "org_1")["id"]
    second = add_directory(fake, "org_1")["id"]
    foreign = add_directory_group(fake, second)["id"]
    with pytest.raises(LookupError):
        add_directory_user(fake, first, group_ids=[foreign])
    with pytest.raises(TypeError, match="groups"):
        add_directory_user(fake, first, groups=[])
    assert fake.directory_users == {}


@pytest.mark.parametrize("method", ["list_users", "list_groups"])
async def test_list_users_and_groups_treat_none_as_not_given(
    client: sk.ScalekitClient, fake: FakeScalekit, method: str
) -> None:
    org_id = await make_org(client)
    dir_id = add_directory(fake, org_id)["id"]
    add_directory_user(fake, dir_id)
    add_directory_group(fake, dir_id)
    extra = {"directory_group_id": None} if method == "list_users" else {}
    page = await getattr(client.directories, method)(
        dir_id,
        organization_id=org_id,
        page_size=None,
        page_token=None,
        include_detail=None,
        updated_after=None,
        **extra,
    )
    assert len(page.items) == 1
    (request,) = fake.api_requests("GET")
    assert request.query == ()


async def test_the_organization_is_keyword_only(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    dir_id = add_directory(fake, org_id)["id"]
    sent = len(fake.requests)
    with pytest.raises(TypeError):
        client.directories.list(org_id)  # type: ignore[misc]
    for name in ("get", "enable", "disable"):
        with pytest.raises(TypeError):
            await getattr(client.directories, name)(org_id, dir_id)
    for name in ("list_users", "list_groups"):
        with pytest.raises(TypeError):
            getattr(client.directories, name)(org_id, dir_id)
        with pytest.raises(TypeError, match=r"^id must be a str"):
            getattr(client.directories, name)(None, organization_id=org_id)
    assert len(fake.requests) == sent
    directory = await client.directories.get(id=dir_id, organization_id=org_id)
    assert directory.id == dir_id
    users = await client.directories.list_users(id=dir_id, organization_id=org_id)
    assert users.items == ()
    assert [r.path for r in fake.api_requests("GET")] == [
        f"/api/v1/organizations/{org_id}/directories/{dir_id}",
        f"/api/v1/organizations/{org_id}/directories/{dir_id}/users",
    ]


# -- creating and deleting directories (preview) ----------------------------------------


async def test_create_joins_the_other_operations(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    created = await client.directories.create(
        organization_id=org_id,
        directory_type=sk.DirectoryType.SCIM,
        directory_provider="MICROSOFT_AD",
    )
    assert isinstance(created, sk.Directory)
    assert created.id.startswith("dir_")
    assert created.organization_id == org_id
    assert created.directory_type is sk.DirectoryType.SCIM
    assert created.directory_provider is sk.DirectoryProvider.MICROSOFT_AD
    assert (created.enabled, created.status) == (False, "IN_PROGRESS")
    assert created.last_synced_at is None
    assert created.total_users == 0
    (request,) = fake.api_requests("POST", f"/api/v1/organizations/{org_id}/directories")
    assert request.json() == {"directory_type": "SCIM", "directory_provider": "MICROSOFT_AD"}
    listed = await client.directories.list(organization_id=org_id)
    assert [d.id for d in listed.items] == [created.id]
    assert await client.directories.get(created.id, organization_id=org_id) == created
    assert (await client.directories.enable(created.id, organization_id=org_id)).enabled
    assert fake.directories[created.id]["enabled"] is True


async def test_create_without_a_provider_sends_only_the_type(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    created = await client.directories.create(organization_id=org_id, directory_type="POLL")
    assert created.directory_type is sk.DirectoryType.POLL
    assert fake.api_requests("POST")[-1].json() == {"directory_type": "POLL"}


async def test_create_for_an_unknown_organization_is_not_found(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.directories.create(organization_id="org_missing", directory_type="SCIM")
    assert fake.directories == {}


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"directory_type": ""}, ValueError),
        ({"directory_type": "DIRECTORY_TYPE_UNSPECIFIED"}, ValueError),
        ({"directory_type": None}, ValueError),
        ({"directory_type": 1}, TypeError),
        ({"directory_type": "SCIM", "directory_provider": 1}, TypeError),
        ({"directory_type": "SCIM", "directory_provider": ""}, ValueError),
        ({"directory_type": "SCIM", "organization_id": ""}, ValueError),
    ],
)
async def test_create_checks_arguments_before_sending(
    client: sk.ScalekitClient, fake: FakeScalekit, kwargs: dict[str, object], error: type
) -> None:
    arguments: dict[str, object] = {"organization_id": "org_1", **kwargs}
    with pytest.raises(error):
        await client.directories.create(**arguments)  # type: ignore[arg-type]
    assert fake.requests == []


async def test_delete_removes_the_directory_with_its_users_and_groups(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    kept = add_directory(fake, org_id)
    gone = add_directory(fake, org_id)
    group = add_directory_group(fake, gone["id"])
    add_directory_user(fake, gone["id"], group_ids=[group["id"]])
    add_directory_user(fake, kept["id"])
    await client.directories.delete(gone["id"], organization_id=org_id)
    assert [d.id for d in (await client.directories.list(organization_id=org_id)).items] == [
        kept["id"]
    ]
    with pytest.raises(sk.NotFoundError):
        await client.directories.get(gone["id"], organization_id=org_id)
    with pytest.raises(sk.NotFoundError):
        await client.directories.enable(gone["id"], organization_id=org_id)
    assert list(fake.directory_groups) == []
    assert [u["directory_id"] for u in fake.directory_users.values()] == [kept["id"]]
    (request,) = fake.api_requests("DELETE")
    assert request.path == f"/api/v1/organizations/{org_id}/directories/{gone['id']}"


async def test_delete_of_a_missing_or_foreign_directory_is_not_found(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    other_id = await make_org(client, "Other")
    theirs = add_directory(fake, other_id)
    for directory_id in (theirs["id"], "dir_missing"):
        with pytest.raises(sk.NotFoundError):
            await client.directories.delete(directory_id, organization_id=org_id)
    assert theirs["id"] in fake.directories


async def test_delete_checks_the_id_before_sending(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match=r"^id must"):
        await client.directories.delete("", organization_id="org_1")
    with pytest.raises(TypeError):
        await client.directories.delete("dir_1")  # type: ignore[call-arg]
    assert fake.requests == []
