"""client.api_resources against the fake: resources, their clients, and users' consents."""

from __future__ import annotations

import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._api_resources import add_resource, add_user_consent

pytestmark = pytest.mark.anyio


async def make_client(
    client: sk.ScalekitClient, resource_id: str, **kwargs: object
) -> sk.ApiClient:
    created = await client.api_resources.create_client(resource_id, **kwargs)  # type: ignore[arg-type]
    assert created.client is not None
    return created.client


async def test_get_reads_a_seeded_resource_and_its_enabled_scopes(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    seeded = add_resource(fake, name="Tools", scopes={"tools:read": True, "tools:admin": False})
    resource = await client.api_resources.get(seeded["id"])
    assert resource.id.startswith("res_")
    assert resource.name == "Tools"
    assert resource.resource_type == sk.ResourceType.MCP_SERVER
    assert resource.access_token_expiry == 3600
    assert [s.name for s in resource.scopes] == ["tools:read", "tools:admin"]
    assert resource.enabled_scopes == ("tools:read",)
    with pytest.raises(sk.NotFoundError):
        await client.api_resources.get("res_missing")


async def test_list_needs_one_type_per_call(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    mcp = [add_resource(fake, name=f"MCP {i}")["id"] for i in range(3)]
    web = add_resource(fake, name="Web", resource_type="WEB")["id"]
    listed = [
        r.id async for r in client.api_resources.list(resource_type=sk.ResourceType.MCP_SERVER)
    ]
    assert listed == mcp
    first = await client.api_resources.list(resource_type="WEB", page_size=1)
    assert [r.id for r in first.items] == [web]
    assert first.total_size == 1
    (request, *_) = fake.api_requests("GET", "/api/v1/resources")
    assert ("resource_type", "MCP_SERVER") in request.query


async def test_list_checks_its_arguments(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    with pytest.raises(TypeError):
        client.api_resources.list(resource_type=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="one type per call"):
        client.api_resources.list(resource_type=sk.ResourceType.RESOURCE_TYPE_UNSPECIFIED)
    with pytest.raises(ValueError, match="page_size"):
        client.api_resources.list(resource_type="WEB", page_size=31)
    assert fake.api_requests() == []
    with pytest.raises(sk.BadRequestError):
        await client.api_resources.list(resource_type="TOASTER")


async def test_create_client_sends_the_client_unwrapped_and_shows_the_secret_once(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    resource = add_resource(fake)
    created = await client.api_resources.create_client(
        resource["id"],
        name="Agent",
        description="Runs jobs",
        scopes=["tools:read"],
        custom_claims=[sk.CustomClaim(key="team", value="ops")],
        expiry=600,
        redirect_uris=["https://agent.example.com/cb"],
    )
    (request,) = fake.api_requests("POST")
    assert request.path == f"/api/v1/resources/{resource['id']}/clients"
    assert request.json() == {
        "name": "Agent",
        "description": "Runs jobs",
        "scopes": ["tools:read"],
        "custom_claims": [{"key": "team", "value": "ops"}],
        "expiry": "600",
        "redirect_uris": ["https://agent.example.com/cb"],
    }
    api_client = created.client
    assert api_client is not None
    assert api_client.client_id.startswith("m2m_")
    assert api_client.resource_id == resource["id"]
    assert api_client.expiry == 600
    assert api_client.audience == (resource["resource_id"],)  # set by Scalekit
    assert created.plain_secret
    assert created.plain_secret not in repr(created)
    details = await client.api_resources.get_client(resource["id"], client_id=api_client.client_id)
    assert details.client == api_client
    assert details.consented_users == ()


async def test_create_client_refuses_an_audience(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match="audience"):
        await client.api_resources.create_client("res_1", audience=["https://api.example.com"])
    with pytest.raises(ValueError, match="audience"):
        await client.api_resources.create_client("res_1", audience="https://api.example.com")
    with pytest.raises(ValueError, match="at most 128"):
        await client.api_resources.create_client("res_1", name="x" * 129)
    assert fake.api_requests() == []
    with pytest.raises(sk.NotFoundError):
        await client.api_resources.create_client("res_missing", name="Agent")


async def test_list_clients_is_one_answer_with_counts(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    resource = add_resource(fake)
    other = add_resource(fake, name="Other")
    a = await make_client(client, resource["id"], name="A")
    b = await make_client(client, resource["id"], name="B")
    await make_client(client, other["id"], name="C")
    fake.resource_clients[b.client_id]["is_dcr"] = True
    listed = await client.api_resources.list_clients(resource["id"])
    assert [c.client_id for c in listed.clients] == [a.client_id, b.client_id]
    assert (listed.total_static_clients, listed.total_dcr_clients) == (1, 1)


async def test_update_client_builds_the_update_mask_and_none_clears(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    resource = add_resource(fake)
    created = await make_client(
        client, resource["id"], name="Agent", scopes=["a"], redirect_uris=["https://x.example/cb"]
    )
    updated = await client.api_resources.update_client(
        resource["id"], client_id=created.client_id, name="Agent 2", scopes=None, expiry=60
    )
    (request,) = fake.api_requests("PATCH")
    assert request.path == f"/api/v1/resources/{resource['id']}/clients/{created.client_id}"
    assert request.query == (("update_mask", "name,scopes,expiry"),)
    assert request.json() == {"name": "Agent 2", "scopes": [], "expiry": "60"}
    assert updated.name == "Agent 2"
    assert updated.scopes == ()
    assert updated.expiry == 60
    assert updated.redirect_uris == ("https://x.example/cb",)  # not in the mask


async def test_update_client_checks_before_sending(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match="at least one field"):
        await client.api_resources.update_client("res_1", client_id="m2m_1")
    with pytest.raises(ValueError, match="cannot be cleared"):
        await client.api_resources.update_client("res_1", client_id="m2m_1", name="")
    with pytest.raises(ValueError, match="at most 512"):
        await client.api_resources.update_client("res_1", client_id="m2m_1", description="d" * 513)
    assert fake.api_requests() == []


async def test_delete_client_checks_the_resource_first(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    resource = add_resource(fake)
    other = add_resource(fake, name="Other")
    created = await make_client(client, resource["id"], name="Agent")
    consent = add_user_consent(fake, client_id=created.client_id, external_user_id="ada")
    # The API would delete it through another resource's path; the SDK reads it first.
    with pytest.raises(sk.NotFoundError):
        await client.api_resources.delete_client(other["id"], client_id=created.client_id)
    assert created.client_id in fake.resource_clients
    assert fake.api_requests("DELETE") == []
    await client.api_resources.delete_client(resource["id"], client_id=created.client_id)
    assert created.client_id not in fake.resource_clients
    assert consent["id"] not in fake.user_consents
    with pytest.raises(sk.NotFoundError):
        await client.api_resources.get_client(resource["id"], client_id=created.client_id)


async def test_delete_client_refuses_a_client_the_server_says_is_elsewhere(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    resource = add_resource(fake)
    created = await make_client(client, resource["id"], name="Agent")
    # A server that answers the read without checking the resource (the fake checks
    # it): the client's own resource_id decides.
    fake.fail_next(
        path=f"/api/v1/resources/{resource['id']}/clients/{created.client_id}",
        method="GET",
        status=200,
        body=b'{"client": {"client_id": "%s", "resource_id": "res_other"}}'
        % created.client_id.encode(),
    )
    with pytest.raises(ValueError, match="does not belong"):
        await client.api_resources.delete_client(resource["id"], client_id=created.client_id)
    assert created.client_id in fake.resource_clients


async def test_get_client_lists_its_consented_users(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    resource = add_resource(fake)
    created = await make_client(client, resource["id"], name="Agent")
    consent = add_user_consent(
        fake, client_id=created.client_id, external_user_id="ada", scopes=["tools:read"]
    )
    details = await client.api_resources.get_client(resource["id"], client_id=created.client_id)
    assert details.consented_users == (
        sk.ConsentedUser(consent_id=consent["id"], external_user_id="ada", scopes=("tools:read",)),
    )


async def test_list_user_consents_user_ids_win_over_search(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    resource = add_resource(fake)
    agent = await make_client(client, resource["id"], name="Agent")
    for user in ("Ada", "ada-2", "bob"):
        add_user_consent(fake, client_id=agent.client_id, external_user_id=user, scopes=["r"])
    found = [
        c.external_user_id
        async for c in client.api_resources.list_user_consents(resource["id"], search="ADA")
    ]
    assert sorted(found) == ["Ada", "ada-2"]
    exact = [
        c.external_user_id
        async for c in client.api_resources.list_user_consents(
            resource["id"], search="ADA", user_ids=["bob", "Ada"]
        )
    ]
    assert sorted(exact) == ["Ada", "bob"]
    request = fake.api_requests("GET", "/api/v1/user_consents")[-1]
    assert request.query == (
        ("resource_id", resource["id"]),
        ("search", "ADA"),
        ("filter.external_user_id", "bob"),
        ("filter.external_user_id", "Ada"),
    )
    blank = [
        c.external_user_id
        async for c in client.api_resources.list_user_consents(
            resource["id"], search="bob", user_ids=[" "]
        )
    ]
    assert blank == ["bob"]  # a blank id leaves the search in effect
    page = await client.api_resources.list_user_consents(resource["id"], page_size=2)
    assert len(page.items) == 2
    assert page.total_size == 3
    consent = page.items[0]
    assert consent.client_id == agent.client_id
    assert consent.client_name == "Agent"
    assert consent.id.startswith("usrcnst_")
    assert consent.granted_at is not None


async def test_list_user_consents_checks_its_arguments(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match="at most 25"):
        client.api_resources.list_user_consents("res_1", user_ids=[f"u{i}" for i in range(26)])
    with pytest.raises(TypeError):
        client.api_resources.list_user_consents("res_1", user_ids="ada")
    with pytest.raises(ValueError, match="page_size"):
        client.api_resources.list_user_consents("res_1", page_size=50)
    assert fake.api_requests() == []
    with pytest.raises(sk.NotFoundError):
        await client.api_resources.list_user_consents("res_missing")
