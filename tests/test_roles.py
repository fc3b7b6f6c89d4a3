from __future__ import annotations

import json
from typing import assert_type

import pytest

import scalekit_async as sk
from scalekit_async._routes import Route, operations_of
from scalekit_async.models.roles import DefaultRoles, Role
from scalekit_async.resources import permissions as permissions_module, roles as roles_module
from scalekit_async.resources.permissions import Permissions
from scalekit_async.resources.roles import Roles
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio


async def _permissions(client: sk.ScalekitClient, *names: str) -> None:
    for name in names:
        await client.permissions.create(name, description=f"can {name}")


async def _org(client: sk.ScalekitClient) -> str:
    return (await client.organizations.create(display_name="Acme")).id


def _member(fake: FakeScalekit, org_id: str, user_id: str, *roles: str) -> None:
    fake.memberships[(org_id, user_id)] = {
        "organization_id": org_id,
        "roles": [{"name": r} for r in roles],
    }


def _violations(exc: sk.APIStatusError) -> list[str]:
    return [v.field for v in exc.field_violations]


# -- environment roles ---------------------------------------------------------


async def test_create_sends_the_role_unwrapped(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    await _permissions(client, "read:docs")
    role = await client.roles.create(
        "viewer", display_name="Viewer", description="Reads", permissions=["read:docs"]
    )
    assert isinstance(role, sk.Role)
    assert role.id.startswith("role_")
    assert (role.name, role.display_name, role.description) == ("viewer", "Viewer", "Reads")
    assert role.extends is None
    assert role.is_org_role is False
    assert role.permissions == ()  # only a read with `include` lists them
    (request,) = fake.api_requests("POST", "/api/v1/roles")
    assert request.json() == {
        "name": "viewer",
        "display_name": "Viewer",
        "description": "Reads",
        "permissions": ["read:docs"],
    }
    assert fake.roles["viewer"]["permission_names"] == ["read:docs"]


async def test_create_with_a_base_counts_as_its_dependent(client: sk.ScalekitClient) -> None:
    await client.roles.create("viewer", display_name="Viewer")
    editor = await client.roles.create("editor", display_name="Editor", extends="viewer")
    assert editor.extends == "viewer"
    assert (await client.roles.get("viewer")).dependent_roles_count == 1
    assert editor.dependent_roles_count == 0


async def test_create_duplicate_name_is_a_conflict(client: sk.ScalekitClient) -> None:
    await client.roles.create("viewer", display_name="Viewer")
    with pytest.raises(sk.ConflictError) as info:
        await client.roles.create("viewer", display_name="Other")
    assert info.value.status_code == 409


async def test_create_an_environment_role_named_like_an_org_role_is_a_conflict(
    client: sk.ScalekitClient,
) -> None:
    org_id = await _org(client)
    await client.roles.create("auditor", organization_id=org_id, display_name="Auditor")
    with pytest.raises(sk.ConflictError):
        await client.roles.create("auditor", display_name="Auditor")


async def test_create_with_unknown_references_names_the_fields(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(sk.BadRequestError) as info:
        await client.roles.create("r", display_name="R", permissions=["nope"])
    assert _violations(info.value) == ["role.permissions"]
    with pytest.raises(sk.BadRequestError) as info:
        await client.roles.create("r", display_name="R", extends="ghost")
    assert _violations(info.value) == ["role.extends"]
    assert fake.roles == {}


async def test_create_rejects_bad_input_before_sending(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(TypeError, match="list of names"):
        await client.roles.create("r", display_name="R", permissions="read:docs")
    with pytest.raises(ValueError, match="name must not be empty"):
        await client.roles.create("", display_name="R")
    with pytest.raises(TypeError, match="display_name must be a str"):
        await client.roles.create("r", display_name=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at most 100"):
        await client.roles.create("r", display_name="R", permissions=[f"p{i}" for i in range(101)])
    assert fake.api_requests() == []


async def test_an_overlong_name_is_a_bad_request(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.BadRequestError) as info:
        await client.roles.create("x" * 101, display_name="X")
    assert _violations(info.value) == ["role.name"]


async def test_get_includes_permissions_on_request(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    await _permissions(client, "read:docs", "write:docs")
    await client.roles.create("viewer", display_name="Viewer", permissions=["read:docs"])
    await client.roles.create(
        "editor", display_name="Editor", extends="viewer", permissions=["write:docs"]
    )

    plain = await client.roles.get("editor")
    assert plain.permissions == ()
    direct = await client.roles.get("editor", include=sk.RoleInclude.PERMISSIONS)
    assert [(p.name, p.role_name) for p in direct.permissions] == [("write:docs", "editor")]
    everything = await client.roles.get("editor", include="permissions:all")
    assert [(p.name, p.role_name) for p in everything.permissions] == [
        ("write:docs", "editor"),
        ("read:docs", "viewer"),
    ]
    assert everything.permissions[1].description == "can read:docs"
    queries = [r.query for r in fake.api_requests("GET", "/api/v1/roles/editor")]
    assert queries == [(), (("include", "permissions"),), (("include", "permissions:all"),)]


async def test_an_unknown_include_is_a_bad_request(client: sk.ScalekitClient) -> None:
    await client.roles.create("viewer", display_name="Viewer")
    with pytest.raises(sk.BadRequestError) as info:
        await client.roles.get("viewer", include="everything")
    assert _violations(info.value) == ["include"]
    with pytest.raises(TypeError, match="include"):
        await client.roles.get("viewer", include=1)  # type: ignore[arg-type]


async def test_a_name_with_a_space_and_a_slash_reaches_that_role(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    await client.roles.create("ops team", display_name="Ops")
    await client.roles.create("ops team/leads", display_name="Ops leads")
    role = await client.roles.get("ops team/leads")
    assert role.display_name == "Ops leads"
    assert [r.path for r in fake.api_requests("GET")] == ["/api/v1/roles/ops%20team%2Fleads"]
    await client.roles.delete("ops team/leads")
    assert set(fake.roles) == {"ops team"}


async def test_get_a_missing_role_is_not_found(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.roles.get("ghost")


async def test_list_returns_every_role_in_one_page(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    await _permissions(client, "read:docs")
    for name in ("a", "b", "c"):
        await client.roles.create(name, display_name=name.upper(), permissions=["read:docs"])
    page = await client.roles.list(include="permissions")
    assert [r.name for r in page.items] == ["a", "b", "c"]
    assert page.total_size == 3
    assert not page.has_next_page
    assert all(r.permissions[0].name == "read:docs" for r in page.items)
    assert [r.name async for r in client.roles.list()] == ["a", "b", "c"]
    assert [r.query for r in fake.api_requests("GET", "/api/v1/roles")] == [
        (("include", "permissions"),),
        (),
    ]


async def test_update_sends_only_the_given_fields(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    await _permissions(client, "read:docs", "write:docs")
    await client.roles.create("viewer", display_name="Viewer", permissions=["read:docs"])
    await client.roles.create("base", display_name="Base")
    role = await client.roles.update(
        "viewer", display_name="Reader", extends="base", permissions=["write:docs"]
    )
    (request,) = fake.api_requests("PUT", "/api/v1/roles/viewer")
    assert request.json() == {
        "display_name": "Reader",
        "extends": "base",
        "permissions": ["write:docs"],
    }
    assert (role.display_name, role.description, role.extends) == ("Reader", "", "base")
    assert fake.roles["viewer"]["permission_names"] == ["write:docs"]


async def test_update_needs_a_field(client: sk.ScalekitClient) -> None:
    with pytest.raises(ValueError, match="at least one field"):
        await client.roles.update("viewer")


async def test_update_cannot_make_a_cycle(client: sk.ScalekitClient) -> None:
    await client.roles.create("viewer", display_name="Viewer")
    await client.roles.create("editor", display_name="Editor", extends="viewer")
    with pytest.raises(sk.BadRequestError) as info:
        await client.roles.update("viewer", extends="editor")
    assert _violations(info.value) == ["role.extends"]
    with pytest.raises(sk.BadRequestError):
        await client.roles.update("viewer", extends="viewer")
    assert (await client.roles.get("viewer")).extends is None


async def test_update_a_missing_role_is_not_found(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.roles.update("ghost", display_name="Ghost")


async def test_delete_removes_the_role(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    await client.roles.create("viewer", display_name="Viewer")
    await client.roles.delete("viewer")
    assert "viewer" not in fake.roles
    (request,) = fake.api_requests("DELETE", "/api/v1/roles/viewer")
    assert request.query == ()
    with pytest.raises(sk.NotFoundError):
        await client.roles.delete("viewer")


async def test_delete_a_role_in_use_needs_a_reassignment(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    await client.roles.create("viewer", display_name="Viewer")
    await client.roles.create("editor", display_name="Editor", extends="viewer")
    with pytest.raises(sk.BadRequestError) as info:
        await client.roles.delete("viewer")
    assert _violations(info.value) == ["reassign_role_name"]
    await client.roles.create("solo", display_name="Solo")
    _member(fake, "org_1", "usr_1", "solo")
    with pytest.raises(sk.BadRequestError):
        await client.roles.delete("solo")
    assert {"viewer", "solo"} <= set(fake.roles)


async def test_delete_with_reassignment_moves_dependents_and_members(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    await client.roles.create("viewer", display_name="Viewer")
    await client.roles.create("editor", display_name="Editor", extends="viewer")
    await client.roles.create("reader", display_name="Reader")
    _member(fake, "org_1", "usr_1", "viewer", "other")
    _member(fake, "org_2", "usr_2", "viewer", "reader")

    await client.roles.delete("viewer", reassign_role_name="reader")

    (request,) = fake.api_requests("DELETE", "/api/v1/roles/viewer")
    assert request.query == (("reassign_role_name", "reader"),)
    assert "viewer" not in fake.roles
    assert (await client.roles.get("editor")).extends == "reader"
    assert [r["name"] for r in fake.memberships[("org_1", "usr_1")]["roles"]] == [
        "other",
        "reader",
    ]
    assert [r["name"] for r in fake.memberships[("org_2", "usr_2")]["roles"]] == ["reader"]
    assert await client.roles.get_users_count("reader") == 2


async def test_delete_cannot_reassign_to_a_role_that_inherits_from_it(
    client: sk.ScalekitClient,
) -> None:
    await client.roles.create("viewer", display_name="Viewer")
    await client.roles.create("editor", display_name="Editor", extends="viewer")
    with pytest.raises(sk.BadRequestError) as info:
        await client.roles.delete("viewer", reassign_role_name="editor")
    assert _violations(info.value) == ["reassign_role_name"]
    with pytest.raises(sk.BadRequestError):
        await client.roles.delete("viewer", reassign_role_name="ghost")


async def test_delete_a_default_role_is_refused(client: sk.ScalekitClient) -> None:
    await client.roles.create("member", display_name="Member")
    await client.roles.set_defaults(default_member_role="member")
    with pytest.raises(sk.BadRequestError, match="default"):
        await client.roles.delete("member")


async def test_list_dependents(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    await client.roles.create("viewer", display_name="Viewer")
    await client.roles.create("editor", display_name="Editor", extends="viewer")
    await client.roles.create("admin", display_name="Admin", extends="editor")
    page = await client.roles.list_dependents("viewer")
    assert [r.name for r in page.items] == ["editor"]
    assert page.items[0].dependent_roles_count == 1
    assert [r.name async for r in client.roles.list_dependents("admin")] == []
    with pytest.raises(sk.NotFoundError):
        await client.roles.list_dependents("ghost")
    assert fake.api_requests("GET")[0].path == "/api/v1/roles/viewer/dependents"


async def test_users_count_counts_memberships_holding_the_role(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    await client.roles.create("viewer", display_name="Viewer")
    await client.roles.create("admin", display_name="Admin")
    _member(fake, "org_1", "usr_1", "viewer")
    _member(fake, "org_2", "usr_1", "viewer", "admin")
    _member(fake, "org_1", "usr_2", "admin")
    count = await client.roles.get_users_count("viewer")
    assert count == 2
    assert isinstance(count, int)
    assert await client.roles.get_users_count("admin") == 2
    assert fake.api_requests("GET")[0].path == "/api/v1/roles/viewer/users:count"
    # On the wire the int64 count is a JSON string.
    token = fake.issue_token()
    reply = await fake.handle(
        "GET", "/api/v1/roles/viewer/users:count", {"authorization": f"Bearer {token}"}, b""
    )
    assert json.loads(reply.body) == {"count": "2"}


async def test_users_count_of_a_missing_role_is_not_found(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.roles.get_users_count("ghost")


async def test_set_defaults_moves_the_default_flags(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    for name in ("admin", "member", "guest"):
        await client.roles.create(name, display_name=name)
    first = await client.roles.set_defaults(
        default_creator_role="admin", default_member_role="member"
    )
    assert isinstance(first, sk.DefaultRoles)
    assert first.default_creator is not None
    assert first.default_creator.name == "admin"
    assert first.default_creator.default_creator is True
    assert first.default_member is not None
    assert first.default_member.name == "member"
    second = await client.roles.set_defaults(default_member_role="guest")
    assert second.default_member is not None
    assert second.default_member.name == "guest"
    assert second.default_creator is not None
    assert second.default_creator.name == "admin"  # unchanged
    assert not (await client.roles.get("member")).default_member
    assert [r.json() for r in fake.api_requests("PATCH", "/api/v1/roles:set_defaults")] == [
        {"default_creator_role": "admin", "default_member_role": "member"},
        {"default_member_role": "guest"},
    ]
    assert [(r.method, r.path) for r in fake.api_requests("PATCH")] == [
        ("PATCH", "/api/v1/roles:set_defaults")
    ] * 2


def test_set_defaults_is_the_one_method_of_both_bindings() -> None:
    """``PATCH /api/v1/roles/default`` is the same RPC as ``roles:set_defaults``: one method."""
    routes = {str(r) for r in operations_of(Roles.set_defaults)}
    assert routes == {
        "PATCH /api/v1/roles:set_defaults",
        "PATCH /api/v1/roles/default",
        "PATCH /api/v1/organizations/{org_id}/roles:set_defaults",
    }
    assert [str(r) for r in operations_of(Roles.set_defaults) if r.alternate] == [
        "PATCH /api/v1/roles/default"
    ]
    assert not hasattr(Roles, "update_defaults")


async def test_set_defaults_needs_an_existing_role(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match="default_creator_role"):
        await client.roles.set_defaults()
    assert fake.api_requests() == []
    with pytest.raises(sk.BadRequestError) as info:
        await client.roles.set_defaults(default_member_role="ghost")
    assert _violations(info.value) == ["default_member_role"]


async def test_set_defaults_return_types_follow_the_scope(client: sk.ScalekitClient) -> None:
    """Each form type-checks with its own answer (checked by mypy on this file too)."""
    org_id = await _org(client)
    await client.roles.create("member", display_name="Member")
    environment = await client.roles.set_defaults(default_member_role="member")
    assert_type(environment, DefaultRoles)
    assert isinstance(environment, sk.DefaultRoles)
    organization = await client.roles.set_defaults(
        organization_id=org_id, default_member_role="member"
    )
    assert_type(organization, Role)
    assert isinstance(organization, sk.Role)


# -- organization roles: the same methods with organization_id --------------------


async def test_create_with_organization_id(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    await _permissions(client, "read:docs")
    org_id = await _org(client)
    await client.roles.create("viewer", display_name="Viewer")
    role = await client.roles.create(
        "auditor",
        organization_id=org_id,
        display_name="Auditor",
        extends="viewer",
        permissions=["read:docs"],
    )
    assert role.is_org_role is True
    assert role.extends == "viewer"
    assert fake.organization_roles[(org_id, "auditor")]["id"] == role.id
    assert "auditor" not in fake.roles
    (request,) = fake.api_requests("POST", f"/api/v1/organizations/{org_id}/roles")
    assert request.json() == {
        "name": "auditor",
        "display_name": "Auditor",
        "extends": "viewer",
        "permissions": ["read:docs"],
    }
    assert (await client.roles.get("viewer")).dependent_roles_count == 1


async def test_create_with_organization_id_errors(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.roles.create("auditor", organization_id="org_missing", display_name="A")
    org_id = await _org(client)
    await client.roles.create("auditor", organization_id=org_id, display_name="A")
    with pytest.raises(sk.ConflictError):
        await client.roles.create("auditor", organization_id=org_id, display_name="B")
    await client.roles.create("viewer", display_name="Viewer")
    with pytest.raises(sk.ConflictError):
        await client.roles.create("viewer", organization_id=org_id, display_name="V")


async def test_list_with_organization_id_shows_environment_and_own_roles(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await _org(client)
    other_id = await _org(client)
    await client.roles.create("viewer", display_name="Viewer")
    await client.roles.create("auditor", organization_id=org_id, display_name="Auditor")
    await client.roles.create("elsewhere", organization_id=other_id, display_name="Elsewhere")
    page = await client.roles.list(organization_id=org_id, include="permissions")
    assert [(r.name, r.is_org_role) for r in page.items] == [("viewer", False), ("auditor", True)]
    (request,) = fake.api_requests("GET", f"/api/v1/organizations/{org_id}/roles")
    assert request.query == (("include", "permissions"),)
    assert [r.name async for r in client.roles.list()] == ["viewer"]
    with pytest.raises(sk.NotFoundError):
        await client.roles.list(organization_id="org_missing")


async def test_get_with_organization_id_resolves_org_then_environment_roles(
    client: sk.ScalekitClient,
) -> None:
    await _permissions(client, "read:docs", "audit:docs")
    org_id = await _org(client)
    await client.roles.create("viewer", display_name="Viewer", permissions=["read:docs"])
    await client.roles.create(
        "audit team/leads",
        organization_id=org_id,
        display_name="Auditor",
        extends="viewer",
        permissions=["audit:docs"],
    )
    role = await client.roles.get(
        "audit team/leads", organization_id=org_id, include=sk.RoleInclude.ALL_PERMISSIONS
    )
    assert [(p.name, p.role_name) for p in role.permissions] == [
        ("audit:docs", "audit team/leads"),
        ("read:docs", "viewer"),
    ]
    assert (await client.roles.get("viewer", organization_id=org_id)).is_org_role is False
    with pytest.raises(sk.NotFoundError):
        await client.roles.get("ghost", organization_id=org_id)
    with pytest.raises(sk.NotFoundError):  # an organization's role is not an environment role
        await client.roles.get("audit team/leads")


async def test_update_with_organization_id(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    org_id = await _org(client)
    await client.roles.create("viewer", display_name="Viewer")
    await client.roles.create("auditor", organization_id=org_id, display_name="Auditor")
    role = await client.roles.update(
        "auditor", organization_id=org_id, description="Audits everything"
    )
    assert role.description == "Audits everything"
    assert fake.organization_roles[(org_id, "auditor")]["description"] == "Audits everything"
    (request,) = fake.api_requests("PUT", f"/api/v1/organizations/{org_id}/roles/auditor")
    assert request.json() == {"description": "Audits everything"}
    with pytest.raises(sk.NotFoundError):  # environment roles are not changed through an org
        await client.roles.update("viewer", organization_id=org_id, display_name="V")


async def test_delete_with_organization_id_and_reassignment(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await _org(client)
    await client.roles.create("viewer", display_name="Viewer")
    await client.roles.create("auditor", organization_id=org_id, display_name="Auditor")
    _member(fake, org_id, "usr_1", "auditor")
    with pytest.raises(sk.BadRequestError) as info:
        await client.roles.delete("auditor", organization_id=org_id)
    assert _violations(info.value) == ["reassign_role_name"]
    await client.roles.delete("auditor", organization_id=org_id, reassign_role_name="viewer")
    assert (org_id, "auditor") not in fake.organization_roles
    assert [r["name"] for r in fake.memberships[(org_id, "usr_1")]["roles"]] == ["viewer"]
    request = fake.api_requests("DELETE", f"/api/v1/organizations/{org_id}/roles/auditor")[-1]
    assert request.query == (("reassign_role_name", "viewer"),)
    with pytest.raises(sk.NotFoundError):
        await client.roles.delete("auditor", organization_id=org_id)


async def test_set_defaults_with_organization_id(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await _org(client)
    await client.roles.create("viewer", display_name="Viewer")
    await client.roles.create("auditor", organization_id=org_id, display_name="Auditor")
    role = await client.roles.set_defaults(organization_id=org_id, default_member_role="auditor")
    assert isinstance(role, sk.Role)
    assert role.name == "auditor"
    assert role.default_member is True
    (request,) = fake.api_requests("PATCH")
    assert request.path == f"/api/v1/organizations/{org_id}/roles:set_defaults"
    assert request.json() == {"default_member_role": "auditor"}
    listed = {r.name: r.default_member async for r in client.roles.list(organization_id=org_id)}
    assert listed == {"viewer": False, "auditor": True}
    with pytest.raises(sk.BadRequestError):
        await client.roles.delete("auditor", organization_id=org_id)
    with pytest.raises(sk.BadRequestError) as info:
        await client.roles.set_defaults(organization_id=org_id, default_member_role="ghost")
    assert _violations(info.value) == ["default_member_role"]


async def test_set_defaults_with_organization_id_refuses_environment_only_arguments(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(TypeError, match="default_creator_role"):
        await client.roles.set_defaults(  # type: ignore[call-overload]
            organization_id="org_1", default_creator_role="admin", default_member_role="member"
        )
    with pytest.raises(TypeError, match="default_member_role"):
        await client.roles.set_defaults(organization_id="org_1")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="default_member_role"):
        await client.roles.set_defaults(organization_id="org_1", default_member_role="")
    with pytest.raises(ValueError, match="organization_id"):
        await client.roles.set_defaults(organization_id="", default_member_role="member")
    assert fake.api_requests() == []


async def test_deleting_an_organization_deletes_its_roles(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await _org(client)
    other_id = await _org(client)
    await client.roles.create("auditor", organization_id=org_id, display_name="Auditor")
    await client.roles.create("keeper", organization_id=other_id, display_name="Keeper")
    await client.organizations.delete(org_id)
    assert list(fake.organization_roles) == [(other_id, "keeper")]
    # The name is free again for an environment role.
    assert (await client.roles.create("auditor", display_name="Auditor")).is_org_role is False


# -- the scope picks the route -------------------------------------------------------


async def test_organization_id_picks_the_organization_route_and_none_the_environment(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await _org(client)
    for scope in (None, org_id):
        name, spare = ("viewer", "spare") if scope is None else ("auditor", "extra")
        await client.roles.create(name, organization_id=scope, display_name="R")
        await client.roles.create(spare, organization_id=scope, display_name="S")
        await client.roles.list(organization_id=scope)
        await client.roles.get(name, organization_id=scope)
        await client.roles.update(name, organization_id=scope, description="Reads")
        await client.roles.set_defaults(organization_id=scope, default_member_role=name)
        await client.roles.delete(spare, organization_id=scope)
    env, org = "/api/v1/roles", f"/api/v1/organizations/{org_id}/roles"
    sent = [(r.method, r.path) for r in fake.api_requests() if "/roles" in r.path]
    assert sent == [
        ("POST", env),
        ("POST", env),
        ("GET", env),
        ("GET", f"{env}/viewer"),
        ("PUT", f"{env}/viewer"),
        ("PATCH", f"{env}:set_defaults"),
        ("DELETE", f"{env}/spare"),
        ("POST", org),
        ("POST", org),
        ("GET", org),
        ("GET", f"{org}/auditor"),
        ("PUT", f"{org}/auditor"),
        ("PATCH", f"{org}:set_defaults"),
        ("DELETE", f"{org}/extra"),
    ]


async def test_organization_id_is_keyword_only(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    """The old positional forms (``get_for_organization(org_id, name)``...) are refused."""
    with pytest.raises(TypeError):
        await client.roles.get("org_1", "auditor")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        await client.roles.update("org_1", "auditor", description="x")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        await client.roles.delete("org_1", "auditor")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        await client.roles.create("org_1", "auditor", display_name="A")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        client.roles.list("org_1")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        await client.roles.set_defaults("org_1", default_member_role="a")  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        await client.roles.remove_permission("viewer", "read:docs")  # type: ignore[call-arg]
    assert fake.api_requests() == []


@pytest.mark.parametrize(
    "old",
    [
        "list_by_organization",
        "create_for_organization",
        "get_for_organization",
        "update_for_organization",
        "delete_for_organization",
        "set_organization_defaults",
        "update_defaults",
    ],
)
def test_the_old_scoped_names_are_gone(old: str) -> None:
    assert not hasattr(Roles, old)


async def test_none_means_not_given_in_reads(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    await client.roles.create("viewer", display_name="Viewer")
    await client.roles.create("spare", display_name="Spare")
    await client.roles.list(organization_id=None, include=None)
    await client.roles.get("viewer", organization_id=None, include=None)
    await client.roles.delete("spare", organization_id=None, reassign_role_name=None)
    sent = [(r.method, r.path, r.query) for r in fake.api_requests() if r.method != "POST"]
    assert sent == [
        ("GET", "/api/v1/roles", ()),
        ("GET", "/api/v1/roles/viewer", ()),
        ("DELETE", "/api/v1/roles/spare", ()),
    ]


async def test_empty_ids_send_nothing(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    with pytest.raises(ValueError, match="name"):
        await client.roles.get("")
    with pytest.raises(ValueError, match="organization_id"):
        client.roles.list(organization_id="")
    with pytest.raises(ValueError, match="organization_id"):
        await client.roles.get("viewer", organization_id="")
    with pytest.raises(TypeError, match="organization_id"):
        await client.roles.delete("viewer", organization_id=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="name"):
        await client.roles.delete(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="name"):
        client.roles.list_permissions("")
    with pytest.raises(ValueError, match="permission_name"):
        await client.roles.remove_permission("viewer", permission_name="")
    assert fake.api_requests() == []


def test_every_route_is_marked_on_exactly_one_method() -> None:
    for module, cls in ((roles_module, Roles), (permissions_module, Permissions)):
        routes = [v for v in vars(module).values() if isinstance(v, Route)]
        marked = [
            route
            for name, method in vars(cls).items()
            if not name.startswith("_")
            for route in operations_of(method)
        ]
        assert sorted(map(str, marked)) == sorted(map(str, routes)), module.__name__


# -- what a role grants -------------------------------------------------------------


async def _role_chain(client: sk.ScalekitClient) -> None:
    """viewer grants read:docs; editor extends viewer and grants write:docs and read:docs."""
    for name in ("read:docs", "write:docs", "delete:docs"):
        await client.permissions.create(name)
    await client.roles.create("viewer", display_name="Viewer", permissions=["read:docs"])
    await client.roles.create(
        "editor", display_name="Editor", extends="viewer", permissions=["write:docs", "read:docs"]
    )


async def test_list_permissions_lists_direct_permissions_only(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    await _role_chain(client)
    page = await client.roles.list_permissions("editor")
    assert [p.name for p in page.items] == ["write:docs", "read:docs"]
    assert all(isinstance(p, sk.Permission) for p in page.items)
    assert fake.api_requests("GET")[0].path == "/api/v1/roles/editor/permissions"
    with pytest.raises(sk.NotFoundError):
        await client.roles.list_permissions("ghost")


async def test_add_permissions_returns_what_the_role_now_grants(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    await _role_chain(client)
    granted = await client.roles.add_permissions(
        "viewer", permission_names=["delete:docs", "read:docs"]
    )
    assert [p.name for p in granted] == ["read:docs", "delete:docs"]
    assert fake.roles["viewer"]["permission_names"] == ["read:docs", "delete:docs"]
    (request,) = fake.api_requests("POST", "/api/v1/roles/viewer/permissions")
    assert request.json() == {"permission_names": ["delete:docs", "read:docs"]}


async def test_add_permissions_errors(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    await _role_chain(client)
    with pytest.raises(sk.BadRequestError) as info:
        await client.roles.add_permissions("viewer", permission_names=["ghost:docs"])
    assert _violations(info.value) == ["permission_names"]
    assert fake.roles["viewer"]["permission_names"] == ["read:docs"]
    with pytest.raises(sk.NotFoundError):
        await client.roles.add_permissions("ghost", permission_names=["read:docs"])
    sent = len(fake.api_requests())
    with pytest.raises(ValueError, match="at least one"):
        await client.roles.add_permissions("viewer", permission_names=[])
    with pytest.raises(TypeError, match="list of names"):
        await client.roles.add_permissions("viewer", permission_names="read:docs")
    with pytest.raises(TypeError):
        await client.roles.add_permissions("viewer", ["read:docs"])  # type: ignore[call-arg]
    assert len(fake.api_requests()) == sent


async def test_remove_permission(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    await _role_chain(client)
    await client.roles.remove_permission("editor", permission_name="read:docs")
    assert fake.roles["editor"]["permission_names"] == ["write:docs"]
    (request,) = fake.api_requests("DELETE")
    assert request.path == "/api/v1/roles/editor/permissions/read%3Adocs"
    # The base role still grants it, so it stays effective.
    assert "read:docs" in [p.name async for p in client.roles.list_effective_permissions("editor")]
    with pytest.raises(sk.NotFoundError):
        await client.roles.remove_permission("editor", permission_name="read:docs")
    with pytest.raises(sk.NotFoundError):
        await client.roles.remove_permission("editor", permission_name="ghost:docs")


async def test_list_effective_permissions_includes_inherited_ones(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    await _role_chain(client)
    await client.roles.create("admin", display_name="Admin", extends="editor")
    await client.roles.add_permissions("viewer", permission_names=["delete:docs"])
    page = await client.roles.list_effective_permissions("admin")
    assert [p.name for p in page.items] == ["write:docs", "read:docs", "delete:docs"]
    assert fake.api_requests("GET")[0].path == "/api/v1/roles/admin/permissions:all"
    direct = await client.roles.list_permissions("admin")
    assert direct.items == ()
    with pytest.raises(sk.NotFoundError):
        await client.roles.list_effective_permissions("ghost")


async def test_a_role_name_with_a_slash_stays_one_segment(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    await client.permissions.create("read:docs")
    await client.roles.create("ops/leads", display_name="Ops leads")
    await client.roles.add_permissions("ops/leads", permission_names=["read:docs"])
    assert fake.roles["ops/leads"]["permission_names"] == ["read:docs"]
    assert fake.api_requests("POST")[-1].path == "/api/v1/roles/ops%2Fleads/permissions"


# -- users count in an organization (preview route) ----------------------------------


async def test_users_count_with_organization_id_counts_that_organizations_members(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id, other = await _org(client), await _org(client)
    await client.roles.create("viewer", display_name="Viewer")
    await client.roles.create("auditor", organization_id=org_id, display_name="Auditor")
    _member(fake, org_id, "usr_1", "viewer", "auditor")
    _member(fake, org_id, "usr_2", "viewer")
    _member(fake, other, "usr_1", "viewer")

    assert await client.roles.get_users_count("viewer", organization_id=org_id) == 2
    assert await client.roles.get_users_count("auditor", organization_id=org_id) == 1
    assert await client.roles.get_users_count("viewer", organization_id=other) == 1
    assert await client.roles.get_users_count("viewer") == 3
    paths = [r.path for r in fake.api_requests("GET")]
    assert paths == [
        f"/api/v1/organizations/{org_id}/roles/viewer/users:count",
        f"/api/v1/organizations/{org_id}/roles/auditor/users:count",
        f"/api/v1/organizations/{other}/roles/viewer/users:count",
        "/api/v1/roles/viewer/users:count",
    ]
    token = fake.issue_token()
    reply = await fake.handle("GET", paths[0], {"authorization": f"Bearer {token}"}, b"")
    assert json.loads(reply.body) == {"count": "2"}  # int64: a JSON string


async def test_users_count_with_organization_id_errors(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id, other = await _org(client), await _org(client)
    await client.roles.create("auditor", organization_id=other, display_name="Auditor")
    with pytest.raises(sk.NotFoundError):  # another organization's role
        await client.roles.get_users_count("auditor", organization_id=org_id)
    with pytest.raises(sk.NotFoundError):
        await client.roles.get_users_count("auditor", organization_id="org_missing")
    with pytest.raises(ValueError, match="organization_id"):
        await client.roles.get_users_count("auditor", organization_id="")
    with pytest.raises(TypeError):
        await client.roles.get_users_count("auditor", org_id)  # type: ignore[call-arg]


# -- deleting a role's base (preview) --------------------------------------------------


async def test_delete_base_stops_the_inheritance_and_keeps_the_base(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    await _role_chain(client)  # editor extends viewer
    await client.roles.remove_permission("editor", permission_name="read:docs")
    inherited = [p.name async for p in client.roles.list_effective_permissions("editor")]
    assert sorted(inherited) == ["read:docs", "write:docs"]

    await client.roles.delete_base("editor")

    editor = await client.roles.get("editor")
    assert editor.extends is None
    assert "extends" not in fake.roles["editor"]
    effective = [p.name async for p in client.roles.list_effective_permissions("editor")]
    assert effective == ["write:docs"]
    viewer = await client.roles.get("viewer")
    assert viewer.dependent_roles_count == 0
    assert [r.name async for r in client.roles.list_dependents("viewer")] == []
    (request,) = fake.api_requests("DELETE", "/api/v1/roles/editor/base")
    assert request.query == ()


async def test_delete_base_of_a_role_without_a_base_changes_nothing(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    await client.roles.create("viewer", display_name="Viewer")
    await client.roles.delete_base("viewer")
    await client.roles.delete_base("viewer")  # a repeated DELETE succeeds too
    assert (await client.roles.get("viewer")).extends is None
    with pytest.raises(sk.NotFoundError):
        await client.roles.delete_base("ghost")


async def test_delete_base_with_organization_id(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await _org(client)
    await client.roles.create("viewer", display_name="Viewer")
    await client.roles.create(
        "auditor", organization_id=org_id, display_name="Auditor", extends="viewer"
    )
    await client.roles.create("editor", display_name="Editor", extends="viewer")

    await client.roles.delete_base("auditor", organization_id=org_id)

    auditor = await client.roles.get("auditor", organization_id=org_id)
    assert auditor.extends is None
    assert (await client.roles.get("editor")).extends == "viewer"  # untouched
    (request,) = fake.api_requests("DELETE")
    assert request.path == f"/api/v1/organizations/{org_id}/roles/auditor/base"
    with pytest.raises(sk.NotFoundError):  # an environment role, through the organization
        await client.roles.delete_base("editor", organization_id=org_id)
    assert (await client.roles.get("editor")).extends == "viewer"
    with pytest.raises(sk.NotFoundError):
        await client.roles.delete_base("auditor", organization_id="org_missing")


async def test_delete_base_checks_names_and_ids_before_sending(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    for name in ("", "has space", "a/b", "x" * 65):
        with pytest.raises(ValueError, match="name"):
            await client.roles.delete_base(name)
    with pytest.raises(TypeError, match="name"):
        await client.roles.delete_base(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="organization_id"):
        await client.roles.delete_base("viewer", organization_id="acme")
    with pytest.raises(ValueError, match="organization_id"):
        await client.roles.delete_base("viewer", organization_id="org_" + "1" * 29)
    with pytest.raises(TypeError):
        await client.roles.delete_base("org_1", "viewer")  # type: ignore[call-arg]
    assert fake.api_requests() == []


async def test_delete_base_the_server_refuses_a_name_outside_its_pattern(
    fake: FakeScalekit,
) -> None:
    fake.roles["has space"] = {"id": "role_1", "name": "has space", "extends": "x"}
    token = fake.issue_token()
    headers = {"authorization": f"Bearer {token}"}
    reply = await fake.handle("DELETE", "/api/v1/roles/has%20space/base", headers, b"")
    assert reply.status == 400
    fields = [
        v["field"]
        for v in json.loads(reply.body)["details"][0]["validation_error_info"]["field_violations"]
    ]
    assert fields == ["role_name"]
    assert fake.roles["has space"]["extends"] == "x"
    reply = await fake.handle("DELETE", "/api/v1/organizations/acme/roles/r/base", headers, b"")
    assert reply.status == 400
    assert "org_id" in reply.body.decode()
