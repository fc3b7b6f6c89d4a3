from __future__ import annotations

import json
from datetime import datetime

import pytest

import scalekit_async as sk
from scalekit_async.models import UserManagementSettings
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio


async def test_create_sends_only_given_fields(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org = await client.organizations.create(
        display_name="Acme", external_id="acme-1", metadata={"k": "v"}
    )
    assert isinstance(org, sk.Organization)
    assert org.id.startswith("org_")
    assert org.display_name == "Acme"
    assert org.external_id == "acme-1"
    assert org.metadata == {"k": "v"}
    assert isinstance(org.create_time, datetime)
    assert org.create_time.tzinfo is not None
    (request,) = fake.api_requests("POST", "/api/v1/organizations")
    assert request.json() == {
        "display_name": "Acme",
        "external_id": "acme-1",
        "metadata": {"k": "v"},
    }


async def test_get_and_get_by_external_id(client: sk.ScalekitClient) -> None:
    created = await client.organizations.create(display_name="Acme", external_id="ext/1 ?#")
    assert await client.organizations.get(created.id) == created
    assert await client.organizations.get_by_external_id("ext/1 ?#") == created


async def test_update_sends_only_the_keys_passed(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org = await client.organizations.create(display_name="Acme", external_id="a", slug="acme")
    updated = await client.organizations.update(org.id, display_name="Acme Inc", external_id=None)
    (request,) = fake.api_requests("PATCH")
    assert request.json() == {"display_name": "Acme Inc", "external_id": None}
    assert updated.display_name == "Acme Inc"
    assert updated.external_id is None
    assert updated.slug == "acme"


async def test_update_needs_a_field(client: sk.ScalekitClient) -> None:
    with pytest.raises(ValueError, match="at least one field"):
        await client.organizations.update("org_1")


async def test_delete_then_get_is_not_found(client: sk.ScalekitClient) -> None:
    org = await client.organizations.create(display_name="Acme")
    await client.organizations.delete(org.id)
    with pytest.raises(sk.NotFoundError) as info:
        await client.organizations.get(org.id)
    assert info.value.status_code == 404
    assert info.value.error_code == "NOT_FOUND"


async def test_list_pages_and_iterates_lazily(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    for i in range(25):
        await client.organizations.create(display_name=f"Org {i}")
    first = await client.organizations.list(page_size=10)
    assert len(first.items) == 10
    assert first.total_size == 25
    assert first.next_page_token
    assert first.prev_page_token is None
    names = [o.display_name async for o in client.organizations.list(page_size=10)]
    assert names == [f"Org {i}" for i in range(25)]
    sizes = [len(p.items) async for p in client.organizations.list(page_size=10).pages()]
    assert sizes == [10, 10, 5]
    before = len(fake.api_requests("GET"))
    async for _ in client.organizations.list(page_size=10):
        break
    assert len(fake.api_requests("GET")) == before + 1


async def test_list_filters_by_external_id(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    await client.organizations.create(display_name="A", external_id="a")
    await client.organizations.create(display_name="B", external_id="b")
    page = await client.organizations.list(external_id="b")
    assert [o.display_name for o in page.items] == ["B"]
    assert fake.api_requests("GET")[-1].param("external_id") == "b"


async def test_list_resumes_from_a_page_token(client: sk.ScalekitClient) -> None:
    for i in range(15):
        await client.organizations.create(display_name=f"Org {i}")
    first = await client.organizations.list(page_size=10)
    assert first.next_page_token is not None
    rest = await client.organizations.list(page_size=10, page_token=first.next_page_token)
    assert [o.display_name for o in rest.items] == [f"Org {i}" for i in range(10, 15)]


@pytest.mark.parametrize("size", [0, -1, 101])
async def test_page_size_out_of_range(client: sk.ScalekitClient, size: int) -> None:
    with pytest.raises(ValueError, match="page_size"):
        client.organizations.list(page_size=size)


async def test_page_size_wrong_type(client: sk.ScalekitClient) -> None:
    with pytest.raises(TypeError):
        client.organizations.list(page_size="10")  # type: ignore[arg-type]


async def test_duplicate_external_id_is_a_conflict(client: sk.ScalekitClient) -> None:
    await client.organizations.create(display_name="A", external_id="same")
    with pytest.raises(sk.ConflictError):
        await client.organizations.create(display_name="B", external_id="same")


async def test_invalid_input_is_a_bad_request_naming_the_field(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.BadRequestError) as info:
        await client.organizations.create(display_name="")
    assert [v.field for v in info.value.field_violations] == ["organization.display_name"]


async def test_too_much_metadata_is_a_bad_request(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.BadRequestError):
        await client.organizations.create(
            display_name="A", metadata={f"k{i}": "v" for i in range(11)}
        )


@pytest.mark.parametrize("bad", [{"k": 1}, {1: "v"}, ["k", "v"]])
async def test_metadata_must_be_strings(client: sk.ScalekitClient, bad: object) -> None:
    with pytest.raises(TypeError, match="metadata"):
        await client.organizations.create(display_name="A", metadata=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["", ".", ".."])
async def test_ids_that_would_change_the_route_send_nothing(
    client: sk.ScalekitClient, fake: FakeScalekit, bad: str
) -> None:
    with pytest.raises(ValueError):
        await client.organizations.delete(bad)
    assert fake.requests == []


async def test_ids_with_path_characters_stay_one_segment(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org = await client.organizations.create(display_name="Victim")
    with pytest.raises(sk.NotFoundError):
        await client.organizations.delete(f"../organizations/{org.id}")
    with pytest.raises(sk.NotFoundError):
        await client.organizations.get(f"x/../{org.id}")
    assert org.id in fake.organizations
    assert fake.api_requests("DELETE")[0].path == (
        f"/api/v1/organizations/..%2Forganizations%2F{org.id}"
    )


async def test_update_settings(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    org = await client.organizations.create(display_name="A")
    updated = await client.organizations.update_settings(
        org.id, features={"sso": True, "dir_sync": False}
    )
    assert updated.settings is not None
    assert {f.name: f.enabled for f in updated.settings.features} == {
        "sso": True,
        "dir_sync": False,
    }
    assert fake.api_requests("PATCH")[0].json() == {
        "features": [{"name": "sso", "enabled": True}, {"name": "dir_sync", "enabled": False}]
    }
    with pytest.raises(TypeError):
        await client.organizations.update_settings(org.id, {"sso": True})  # type: ignore[misc]


async def test_portal_link_repeats_the_features_key(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org = await client.organizations.create(display_name="A")
    link = await client.organizations.generate_portal_link(
        org.id, features=[sk.Feature.SSO, "dir_sync"]
    )
    assert link.location.startswith("https://")
    assert link.expire_time is not None
    (request,) = fake.api_requests("PUT")
    assert request.query == (("features", "sso"), ("features", "dir_sync"))
    assert request.body == b""


async def test_portal_link_rejects_a_bare_string(client: sk.ScalekitClient) -> None:
    with pytest.raises(TypeError):
        await client.organizations.generate_portal_link("org_1", features="sso")


async def test_session_policy_round_trip(client: sk.ScalekitClient) -> None:
    org = await client.organizations.create(display_name="A")
    before = await client.organizations.get_session_policy(org.id)
    assert before.policy_source == sk.SessionPolicyType.APPLICATION
    after = await client.organizations.update_session_policy(
        org.id,
        policy_source=sk.SessionPolicyType.CUSTOM,
        absolute_session_timeout=8,
        absolute_session_timeout_unit=sk.TimeUnit.HOURS,
    )
    assert after.policy_source is sk.SessionPolicyType.CUSTOM
    assert after.absolute_session_timeout == 8
    assert after.absolute_session_timeout_unit is sk.TimeUnit.HOURS
    assert await client.organizations.get_session_policy(org.id) == after


async def test_user_management_settings(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    org = await client.organizations.create(display_name="A")
    settings = await client.organizations.upsert_user_management_settings(
        org.id, max_allowed_users=25
    )
    assert settings.max_allowed_users == 25
    assert fake.api_requests("PATCH")[0].json() == {"settings": {"max_allowed_users": 25}}


async def test_deleting_an_organization_cascades(fake: FakeScalekit) -> None:
    seen: list[str] = []
    fake.deletion_hooks.append(seen.append)
    async with fake.client() as client:
        org = await client.organizations.create(display_name="A")
        await client.organizations.delete(org.id)
    assert seen == [org.id]


async def test_session_policy_and_settings_take_the_organization_as_id(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org = await client.organizations.create(display_name="A")
    await client.organizations.get_session_policy(id=org.id)
    await client.organizations.update_session_policy(id=org.id, idle_session_timeout=30)
    await client.organizations.upsert_user_management_settings(id=org.id, max_allowed_users=None)
    assert [(r.method, r.path) for r in fake.api_requests()[1:]] == [
        ("GET", f"/api/v1/organizations/{org.id}/session-policy"),
        ("PATCH", f"/api/v1/organizations/{org.id}/session-policy"),
        ("PATCH", f"/api/v1/organizations/{org.id}/settings/usermanagement"),
    ]
    sent = len(fake.requests)
    with pytest.raises(TypeError):
        await client.organizations.get_session_policy(organization_id=org.id)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"^id must be a str"):
        await client.organizations.update_session_policy(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^id must"):
        await client.organizations.upsert_user_management_settings("", max_allowed_users=1)
    assert len(fake.requests) == sent


MY_MODULES = [
    "organizations",
    "connections",
    "domains",
    "directories",
    "api_clients",
    "mcp",
    "tools",
    "providers",
    "passwordless",
    "auth_logs",
    "connected_accounts",
]


@pytest.mark.parametrize("module_name", MY_MODULES)
def test_every_public_method_is_marked_and_every_route_once(module_name: str) -> None:
    import importlib
    import inspect

    from scalekit_async._routes import Route, operations_of
    from scalekit_async.resources._base import Resource

    module = importlib.import_module(f"scalekit_async.resources.{module_name}")
    routes = [v for v in vars(module).values() if isinstance(v, Route)]
    routes += [  # routes kept in a module-level dict (the AgentKit proxy's, one per method)
        r for v in vars(module).values() if isinstance(v, dict) for r in v.values()
        if isinstance(r, Route)
    ]  # fmt: skip
    (namespace,) = [
        v
        for v in vars(module).values()
        if inspect.isclass(v) and issubclass(v, Resource) and v.__module__ == module.__name__
    ]
    marked: list[Route] = []
    for name, method in inspect.getmembers(namespace, inspect.isfunction):
        if name.startswith("_"):
            continue
        assert operations_of(method), f"{module_name}.{name} has no @operation mark"
        marked += operations_of(method)
    assert sorted(map(str, marked)) == sorted(map(str, routes))


# -- search (preview) ------------------------------------------------------------------


async def _raw(fake: FakeScalekit, method: str, target: str) -> tuple[int, dict[str, object]]:
    """Send one request to the fake, bypassing the SDK's own checks."""
    token = fake.issue_token()
    reply = await fake.handle(method, target, {"authorization": f"Bearer {token}"}, b"")
    return reply.status, json.loads(reply.body)


async def test_search_matches_name_id_and_external_id_ignoring_case(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    acme = await client.organizations.create(display_name="Acme Corp")
    ext = await client.organizations.create(display_name="Other", external_id="ACME-42")
    await client.organizations.create(display_name="Globex")

    page = await client.organizations.search("acme")

    assert [o.id for o in page.items] == [acme.id, ext.id]
    assert page.total_size == 2
    assert all(isinstance(o, sk.Organization) for o in page.items)
    (request,) = fake.api_requests("GET", "/api/v1/organizations:search")
    assert request.query == (("query", "acme"),)
    by_id = await client.organizations.search(acme.id[-8:])
    assert [o.id for o in by_id.items] == [acme.id]
    assert (await client.organizations.search("nothing-like-it")).items == ()


async def test_search_pages_through_every_match(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    ids = [(await client.organizations.create(display_name=f"Team {i}")).id for i in range(5)]
    await client.organizations.create(display_name="Elsewhere")

    found = [o.id async for o in client.organizations.search("team", page_size=2)]

    assert found == ids
    queries = [r.query for r in fake.api_requests("GET", "/api/v1/organizations:search")]
    assert queries == [
        (("query", "team"), ("page_size", "2")),
        (("query", "team"), ("page_size", "2"), ("page_token", "2")),
        (("query", "team"), ("page_size", "2"), ("page_token", "4")),
    ]
    resumed = await client.organizations.search("team", page_size=2, page_token="4")
    assert [o.id for o in resumed.items] == ids[4:]


@pytest.mark.parametrize(
    ("query", "page_size", "error"),
    [
        ("ab", None, ValueError),
        ("x" * 101, None, ValueError),
        ("acme", 31, ValueError),
        ("acme", 0, ValueError),
        (3, None, TypeError),
        ("acme", "10", TypeError),
    ],
)
async def test_search_checks_its_arguments_before_sending(
    client: sk.ScalekitClient,
    fake: FakeScalekit,
    query: object,
    page_size: object,
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        client.organizations.search(query, page_size=page_size)  # type: ignore[arg-type]
    assert fake.api_requests() == []


async def test_search_the_server_refuses_a_short_query_or_a_large_page(
    fake: FakeScalekit,
) -> None:
    status, body = await _raw(fake, "GET", "/api/v1/organizations:search?query=ab")
    assert status == 400
    assert "query" in json.dumps(body)
    status, body = await _raw(fake, "GET", "/api/v1/organizations:search?query=abc&page_size=31")
    assert status == 400
    assert "page_size" in json.dumps(body)


async def test_search_none_means_not_given(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    await client.organizations.search("acme", page_size=None, page_token=None)
    (request,) = fake.api_requests("GET", "/api/v1/organizations:search")
    assert request.query == (("query", "acme"),)


# -- user-management settings: read what the upsert wrote (preview) ----------------------


async def test_get_user_management_settings_reads_what_the_upsert_wrote(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org = await client.organizations.create(display_name="A")
    before = await client.organizations.get_user_management_settings(org.id)
    assert before == UserManagementSettings(max_allowed_users=None)

    await client.organizations.upsert_user_management_settings(org.id, max_allowed_users=25)
    assert (await client.organizations.get_user_management_settings(org.id)).max_allowed_users == 25

    await client.organizations.upsert_user_management_settings(org.id, max_allowed_users=None)
    assert (
        await client.organizations.get_user_management_settings(org.id)
    ).max_allowed_users is None
    path = f"/api/v1/organizations/{org.id}/settings/usermanagement"
    assert [r.method for r in fake.api_requests(path=path)] == [
        "GET",
        "PATCH",
        "GET",
        "PATCH",
        "GET",
    ]


async def test_get_user_management_settings_of_an_unknown_organization_is_not_found(
    client: sk.ScalekitClient,
) -> None:
    org = await client.organizations.create(display_name="A")
    await client.organizations.upsert_user_management_settings(org.id, max_allowed_users=3)
    await client.organizations.delete(org.id)
    with pytest.raises(sk.NotFoundError):
        await client.organizations.get_user_management_settings(org.id)
    with pytest.raises(sk.NotFoundError):
        await client.organizations.get_user_management_settings("org_missing")


async def test_get_user_management_settings_checks_the_id(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match=r"^id must"):
        await client.organizations.get_user_management_settings("")
    with pytest.raises(ValueError, match="organization id"):
        await client.organizations.get_user_management_settings("acme")
    with pytest.raises(ValueError, match="organization id"):
        await client.organizations.get_user_management_settings("org_" + "1" * 29)
    with pytest.raises(TypeError, match=r"^id must be a str"):
        await client.organizations.get_user_management_settings(None)  # type: ignore[arg-type]
    assert fake.api_requests() == []
    status, body = await _raw(fake, "GET", "/api/v1/organizations/acme/settings/usermanagement")
    assert status == 400
    assert "organization_id" in json.dumps(body)
