from __future__ import annotations

from datetime import datetime

import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio


def _violations(exc: sk.APIStatusError) -> list[str]:
    return [v.field for v in exc.field_violations]


async def _role_chain(client: sk.ScalekitClient) -> None:
    """viewer grants read:docs; editor extends viewer and grants write:docs and read:docs."""
    for name in ("read:docs", "write:docs", "delete:docs"):
        await client.permissions.create(name)
    await client.roles.create("viewer", display_name="Viewer", permissions=["read:docs"])
    await client.roles.create(
        "editor", display_name="Editor", extends="viewer", permissions=["write:docs", "read:docs"]
    )


# -- permissions -----------------------------------------------------------------


async def test_create_sends_the_permission_unwrapped(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    permission = await client.permissions.create("read:invoices", description="Read invoices")
    assert isinstance(permission, sk.Permission)
    assert permission.id.startswith("perm_")
    assert (permission.name, permission.description) == ("read:invoices", "Read invoices")
    assert permission.is_scalekit_permission is False
    assert isinstance(permission.create_time, datetime)
    (request,) = fake.api_requests("POST", "/api/v1/permissions")
    assert request.json() == {"name": "read:invoices", "description": "Read invoices"}
    assert fake.permissions["read:invoices"]["id"] == permission.id


async def test_create_without_description_sends_the_name_only(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    permission = await client.permissions.create("read:invoices")
    assert permission.description == ""
    (request,) = fake.api_requests("POST", "/api/v1/permissions")
    assert request.json() == {"name": "read:invoices"}


async def test_create_duplicate_is_a_conflict(client: sk.ScalekitClient) -> None:
    await client.permissions.create("read:invoices")
    with pytest.raises(sk.ConflictError):
        await client.permissions.create("read:invoices")


async def test_create_too_long_a_name_is_a_bad_request(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.BadRequestError) as info:
        await client.permissions.create("p" * 65)
    assert _violations(info.value) == ["name"]


async def test_create_rejects_bad_input_before_sending(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match="name"):
        await client.permissions.create("")
    with pytest.raises(TypeError, match="description"):
        await client.permissions.create("p", description=5)  # type: ignore[arg-type]
    assert fake.api_requests() == []


async def test_get_and_missing(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    created = await client.permissions.create("read:invoices", description="Read")
    assert await client.permissions.get("read:invoices") == created
    assert fake.api_requests("GET")[0].path == "/api/v1/permissions/read%3Ainvoices"
    with pytest.raises(sk.NotFoundError):
        await client.permissions.get("write:invoices")


async def test_update_replaces_the_description(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    created = await client.permissions.create("read:invoices", description="Read")
    updated = await client.permissions.update("read:invoices", description="Read all invoices")
    assert updated.id == created.id
    assert updated.description == "Read all invoices"
    assert fake.permissions["read:invoices"]["description"] == "Read all invoices"
    assert updated.update_time is not None
    assert created.update_time is not None
    assert updated.update_time >= created.update_time
    (request,) = fake.api_requests("PUT", "/api/v1/permissions/read%3Ainvoices")
    assert request.json() == {"name": "read:invoices", "description": "Read all invoices"}
    with pytest.raises(sk.NotFoundError):
        await client.permissions.update("ghost", description="x")


async def test_delete_removes_it_from_roles_too(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    await _role_chain(client)
    await client.permissions.delete("read:docs")
    assert "read:docs" not in fake.permissions
    assert fake.roles["editor"]["permission_names"] == ["write:docs"]
    assert [p.name async for p in client.permissions.list_effective_for_role("editor")] == [
        "write:docs"
    ]
    with pytest.raises(sk.NotFoundError):
        await client.permissions.delete("read:docs")


async def test_list_pages_through_permissions(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    for i in range(5):
        await client.permissions.create(f"p:{i}")
    first = await client.permissions.list(page_size=2)
    assert [p.name for p in first.items] == ["p:0", "p:1"]
    assert first.total_size == 5
    assert first.next_page_token
    rest = await client.permissions.list(page_size=2, page_token=first.next_page_token)
    assert [p.name for p in rest.items] == ["p:2", "p:3"]
    assert [p.name async for p in client.permissions.list(page_size=2)] == [
        f"p:{i}" for i in range(5)
    ]
    assert fake.api_requests("GET", "/api/v1/permissions")[0].query == (("page_size", "2"),)


async def test_list_filters_by_type(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    await client.permissions.create("read:docs")
    fake.permissions["sk:manage"] = {
        "id": "perm_sk",
        "name": "sk:manage",
        "description": "predefined",
        "is_scalekit_permission": True,
        "create_time": fake.now(),
        "update_time": fake.now(),
    }
    scalekit = await client.permissions.list(type=sk.PermissionType.SCALEKIT)
    assert [(p.name, p.is_scalekit_permission) for p in scalekit.items] == [("sk:manage", True)]
    own = await client.permissions.list(type="ENVIRONMENT")
    assert [p.name for p in own.items] == ["read:docs"]
    both = await client.permissions.list(type="ALL")
    assert len(both.items) == 2
    queries = [r.query for r in fake.api_requests("GET", "/api/v1/permissions")]
    assert queries == [(("type", "SCALEKIT"),), (("type", "ENVIRONMENT"),), (("type", "ALL"),)]
    with pytest.raises(sk.BadRequestError) as info:
        await client.permissions.list(type="SOME")
    assert _violations(info.value) == ["type"]


@pytest.mark.parametrize("size", [0, 101])
async def test_list_page_size_out_of_range(
    client: sk.ScalekitClient, fake: FakeScalekit, size: int
) -> None:
    with pytest.raises(ValueError, match="between 1 and 100"):
        client.permissions.list(page_size=size)
    assert fake.api_requests() == []


async def test_list_wrong_argument_types(client: sk.ScalekitClient) -> None:
    with pytest.raises(TypeError, match="page_size"):
        client.permissions.list(page_size="10")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="type"):
        client.permissions.list(type=1)  # type: ignore[arg-type]


# -- what roles grant -----------------------------------------------------------------


async def test_list_for_role_lists_direct_permissions_only(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    await _role_chain(client)
    page = await client.permissions.list_for_role("editor")
    assert [p.name for p in page.items] == ["write:docs", "read:docs"]
    assert all(isinstance(p, sk.Permission) for p in page.items)
    assert fake.api_requests("GET")[0].path == "/api/v1/roles/editor/permissions"
    with pytest.raises(sk.NotFoundError):
        await client.permissions.list_for_role("ghost")


async def test_add_to_role_returns_what_the_role_now_grants(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    await _role_chain(client)
    granted = await client.permissions.add_to_role(
        "viewer", permission_names=["delete:docs", "read:docs"]
    )
    assert [p.name for p in granted] == ["read:docs", "delete:docs"]
    assert fake.roles["viewer"]["permission_names"] == ["read:docs", "delete:docs"]
    (request,) = fake.api_requests("POST", "/api/v1/roles/viewer/permissions")
    assert request.json() == {"permission_names": ["delete:docs", "read:docs"]}


async def test_add_to_role_errors(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    await _role_chain(client)
    with pytest.raises(sk.BadRequestError) as info:
        await client.permissions.add_to_role("viewer", permission_names=["ghost:docs"])
    assert _violations(info.value) == ["permission_names"]
    assert fake.roles["viewer"]["permission_names"] == ["read:docs"]
    with pytest.raises(sk.NotFoundError):
        await client.permissions.add_to_role("ghost", permission_names=["read:docs"])
    sent = len(fake.api_requests())
    with pytest.raises(ValueError, match="at least one"):
        await client.permissions.add_to_role("viewer", permission_names=[])
    with pytest.raises(TypeError, match="list of names"):
        await client.permissions.add_to_role("viewer", permission_names="read:docs")
    assert len(fake.api_requests()) == sent


async def test_remove_from_role(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    await _role_chain(client)
    await client.permissions.remove_from_role("editor", "read:docs")
    assert fake.roles["editor"]["permission_names"] == ["write:docs"]
    (request,) = fake.api_requests("DELETE")
    assert request.path == "/api/v1/roles/editor/permissions/read%3Adocs"
    # The base role still grants it, so it stays effective.
    assert "read:docs" in [
        p.name async for p in client.permissions.list_effective_for_role("editor")
    ]
    with pytest.raises(sk.NotFoundError):
        await client.permissions.remove_from_role("editor", "read:docs")
    with pytest.raises(sk.NotFoundError):
        await client.permissions.remove_from_role("editor", "ghost:docs")


async def test_list_effective_for_role_includes_inherited_permissions(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    await _role_chain(client)
    await client.roles.create("admin", display_name="Admin", extends="editor")
    await client.permissions.add_to_role("viewer", permission_names=["delete:docs"])
    page = await client.permissions.list_effective_for_role("admin")
    assert [p.name for p in page.items] == ["write:docs", "read:docs", "delete:docs"]
    assert fake.api_requests("GET")[0].path == "/api/v1/roles/admin/permissions:all"
    direct = await client.permissions.list_for_role("admin")
    assert direct.items == ()
    with pytest.raises(sk.NotFoundError):
        await client.permissions.list_effective_for_role("ghost")


async def test_a_role_name_with_a_slash_stays_one_segment(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    await client.permissions.create("read:docs")
    await client.roles.create("ops/leads", display_name="Ops leads")
    await client.permissions.add_to_role("ops/leads", permission_names=["read:docs"])
    assert fake.roles["ops/leads"]["permission_names"] == ["read:docs"]
    assert fake.api_requests("POST")[-1].path == "/api/v1/roles/ops%2Fleads/permissions"
