from __future__ import annotations

from datetime import datetime

import pytest

import scalekit_async as sk
from scalekit_async.resources import Permissions
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
    assert _violations(info.value) == ["permission.name"]


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
    assert [p.name async for p in client.roles.list_effective_permissions("editor")] == [
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


async def test_list_none_means_not_given(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    await client.permissions.create("read:docs")
    page = await client.permissions.list(page_size=None, page_token=None, type=None)
    assert [p.name for p in page.items] == ["read:docs"]
    assert fake.api_requests("GET", "/api/v1/permissions")[0].query == ()


async def test_the_name_is_the_key(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    await client.permissions.create("read:docs")
    assert (await client.permissions.get(name="read:docs")).name == "read:docs"
    await client.permissions.update(name="read:docs", description="Read")
    await client.permissions.delete(name="read:docs")
    assert fake.permissions == {}
    with pytest.raises(ValueError, match="name"):
        await client.permissions.get("")
    with pytest.raises(TypeError, match="name"):
        await client.permissions.delete(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "old", ["list_for_role", "list_effective_for_role", "add_to_role", "remove_from_role"]
)
def test_what_roles_grant_moved_to_the_roles_namespace(old: str) -> None:
    assert not hasattr(Permissions, old)
