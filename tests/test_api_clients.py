"""client.api_clients against the fake: an organization's M2M clients and their secrets."""

from __future__ import annotations

from datetime import datetime

import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio


async def make_org(client: sk.ScalekitClient, name: str = "Acme") -> str:
    return (await client.organizations.create(display_name=name)).id


async def test_create_sends_the_client_unwrapped_with_expiry_as_a_string(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    created = await client.api_clients.create(
        organization_id=org_id,
        name="Deployer",
        description="CI deployments",
        scopes=["deploy:write"],
        audience=("https://api.example.com",),
        custom_claims={"env": "prod"},
        expiry=7200,
    )
    (request,) = fake.api_requests("POST", f"/api/v1/organizations/{org_id}/clients")
    assert request.json() == {
        "name": "Deployer",
        "description": "CI deployments",
        "scopes": ["deploy:write"],
        "audience": ["https://api.example.com"],
        "custom_claims": [{"key": "env", "value": "prod"}],
        "expiry": "7200",
    }
    assert isinstance(created, sk.CreatedApiClient)
    api_client = created.client
    assert api_client is not None
    assert api_client.client_id.startswith("m2morg_")
    assert api_client.organization_id == org_id
    assert api_client.name == "Deployer"
    assert api_client.scopes == ("deploy:write",)
    assert api_client.custom_claims == (sk.CustomClaim(key="env", value="prod"),)
    assert api_client.expiry == 7200
    assert isinstance(api_client.create_time, datetime)
    (secret,) = api_client.secrets
    assert secret.active
    assert created.plain_secret
    assert secret.secret_suffix == created.plain_secret[-4:]
    assert fake.api_clients[api_client.client_id]["expiry"] == "7200"


async def test_the_plain_secret_never_shows_in_a_repr(client: sk.ScalekitClient) -> None:
    org_id = await make_org(client)
    created = await client.api_clients.create(organization_id=org_id, name="Deployer")
    assert created.plain_secret
    assert created.plain_secret not in repr(created)
    assert created.plain_secret not in repr(created.client)
    assert created.plain_secret not in str(created)
    assert created.client is not None
    rotated = await client.api_clients.create_secret(
        created.client.client_id, organization_id=org_id
    )
    assert rotated.plain_secret
    assert rotated.plain_secret not in repr(rotated)
    assert rotated.plain_secret not in repr(rotated.secret)
    shown = sk.ApiClientSecret(id="sec_1", plain_secret="hunter2-hunter2")
    assert "hunter2" not in repr(shown)


async def test_create_defaults_and_missing_organization(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    created = await client.api_clients.create(organization_id=org_id, name="Minimal")
    (request,) = fake.api_requests("POST", f"/api/v1/organizations/{org_id}/clients")
    assert request.json() == {"name": "Minimal"}
    assert created.client is not None
    assert created.client.expiry == 3600
    with pytest.raises(sk.NotFoundError):
        await client.api_clients.create(organization_id="org_missing", name="Orphan")


async def test_create_bad_fields_are_field_violations(client: sk.ScalekitClient) -> None:
    org_id = await make_org(client)
    with pytest.raises(sk.BadRequestError) as info:
        await client.api_clients.create(
            organization_id=org_id, name="x" * 129, description="d" * 513, custom_claims={"": "v"}
        )
    fields = {v.field for v in info.value.field_violations}
    assert fields == {"client.name", "client.description", "client.custom_claims[0].key"}


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"name": 5}, TypeError),
        ({"name": "n", "expiry": "3600"}, TypeError),
        ({"name": "n", "expiry": True}, TypeError),
        ({"name": "n", "expiry": -1}, ValueError),
        ({"name": "n", "scopes": "read"}, TypeError),
        ({"name": "n", "audience": [1]}, TypeError),
        ({"name": "n", "custom_claims": {"k": 1}}, TypeError),
        ({"name": "n", "custom_claims": [("k", "v")]}, TypeError),
    ],
)
async def test_create_checks_types_before_sending(
    client: sk.ScalekitClient, fake: FakeScalekit, kwargs: dict[str, object], error: type
) -> None:
    with pytest.raises(error):
        await client.api_clients.create(organization_id="org_1", **kwargs)  # type: ignore[arg-type]
    assert fake.api_requests() == []


async def test_get_checks_the_organization(client: sk.ScalekitClient) -> None:
    org_id = await make_org(client)
    other_org = await make_org(client, "Other")
    created = await client.api_clients.create(organization_id=org_id, name="Deployer")
    assert created.client is not None
    client_id = created.client.client_id
    fetched = await client.api_clients.get(client_id, organization_id=org_id)
    assert fetched == created.client
    with pytest.raises(sk.NotFoundError):
        await client.api_clients.get(client_id, organization_id=other_org)
    with pytest.raises(sk.NotFoundError):
        await client.api_clients.get("m2morg_missing", organization_id=org_id)


async def test_update_sends_only_given_fields(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    created = await client.api_clients.create(organization_id=org_id, name="Deployer", scopes=["a"])
    assert created.client is not None
    client_id = created.client.client_id
    updated = await client.api_clients.update(
        client_id,
        organization_id=org_id,
        name="Deployer 2",
        custom_claims=[sk.CustomClaim(key="team", value="infra")],
        expiry=60,
    )
    (request,) = fake.api_requests("PATCH")
    assert request.path == f"/api/v1/organizations/{org_id}/clients/{client_id}"
    assert request.json() == {
        "name": "Deployer 2",
        "custom_claims": [{"key": "team", "value": "infra"}],
        "expiry": "60",
    }
    assert updated.name == "Deployer 2"
    assert updated.scopes == ("a",)
    assert updated.custom_claims == (sk.CustomClaim(key="team", value="infra"),)
    assert updated.expiry == 60
    assert fake.api_clients[client_id]["name"] == "Deployer 2"


async def test_update_needs_a_field_and_a_valid_one(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match="at least one field"):
        await client.api_clients.update("m2morg_1", organization_id="org_1")
    org_id = await make_org(client)
    created = await client.api_clients.create(organization_id=org_id, name="Deployer")
    assert created.client is not None
    with pytest.raises(sk.BadRequestError) as info:
        await client.api_clients.update(created.client.client_id, organization_id=org_id, name="")
    assert [v.field for v in info.value.field_violations] == ["client.name"]
    with pytest.raises(sk.NotFoundError):
        await client.api_clients.update("m2morg_missing", organization_id=org_id, name="x")


async def test_delete_removes_the_client(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    org_id = await make_org(client)
    created = await client.api_clients.create(organization_id=org_id, name="Deployer")
    assert created.client is not None
    client_id = created.client.client_id
    await client.api_clients.delete(client_id, organization_id=org_id)
    assert client_id not in fake.api_clients
    with pytest.raises(sk.NotFoundError):
        await client.api_clients.get(client_id, organization_id=org_id)
    with pytest.raises(sk.NotFoundError):
        await client.api_clients.delete(client_id, organization_id=org_id)


async def test_list_pages_through_one_organizations_clients(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    other_org = await make_org(client, "Other")
    names = [f"client {i}" for i in range(5)]
    for name in names:
        await client.api_clients.create(organization_id=org_id, name=name)
    await client.api_clients.create(organization_id=other_org, name="elsewhere")
    first = await client.api_clients.list(organization_id=org_id, page_size=2)
    assert [c.name for c in first.items] == names[:2]
    assert first.total_size == 5
    assert [
        c.name async for c in client.api_clients.list(organization_id=org_id, page_size=2)
    ] == names
    requests = fake.api_requests("GET", f"/api/v1/organizations/{org_id}/clients")
    assert [r.param("page_token") for r in requests] == [None, None, "2", "4"]
    with pytest.raises(ValueError):
        client.api_clients.list(organization_id=org_id, page_size=1000)
    with pytest.raises(sk.NotFoundError):
        await client.api_clients.list(organization_id="org_missing")


async def test_create_and_delete_secret_rotate_secrets(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    created = await client.api_clients.create(organization_id=org_id, name="Deployer")
    assert created.client is not None
    client_id = created.client.client_id
    (first,) = created.client.secrets
    rotated = await client.api_clients.create_secret(client_id, organization_id=org_id)
    assert isinstance(rotated, sk.CreatedApiClientSecret)
    assert rotated.secret is not None
    assert rotated.plain_secret
    assert rotated.plain_secret != created.plain_secret
    assert rotated.secret.secret_suffix == rotated.plain_secret[-4:]
    (request,) = fake.api_requests(
        "POST", f"/api/v1/organizations/{org_id}/clients/{client_id}/secrets"
    )
    assert request.body == b""
    ids = [s["id"] for s in fake.api_clients[client_id]["secrets"]]
    assert ids == [first.id, rotated.secret.id]
    await client.api_clients.delete_secret(client_id, organization_id=org_id, secret_id=first.id)
    fetched = await client.api_clients.get(client_id, organization_id=org_id)
    assert [s.id for s in fetched.secrets] == [rotated.secret.id]
    assert all(s.plain_secret is None for s in fetched.secrets)
    with pytest.raises(sk.NotFoundError):
        await client.api_clients.delete_secret(
            client_id, organization_id=org_id, secret_id=first.id
        )
    with pytest.raises(sk.NotFoundError):
        await client.api_clients.create_secret("m2morg_missing", organization_id=org_id)


async def test_deleting_the_organization_deletes_its_clients(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    keep_org = await make_org(client, "Keep")
    await client.api_clients.create(organization_id=org_id, name="a")
    await client.api_clients.create(organization_id=org_id, name="b")
    kept = await client.api_clients.create(organization_id=keep_org, name="c")
    await client.organizations.delete(org_id)
    assert kept.client is not None
    assert list(fake.api_clients) == [kept.client.client_id]


def test_secret_status_omitted_means_active() -> None:
    assert sk.ApiClientSecret().active
    assert sk.ApiClientSecret(status=sk.ApiClientSecretStatus.ACTIVE).active
    assert not sk.ApiClientSecret(status=sk.ApiClientSecretStatus.INACTIVE).active


async def test_list_treats_none_as_not_given(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    org_id = await make_org(client)
    await client.api_clients.create(organization_id=org_id, name="Deployer")
    page = await client.api_clients.list(organization_id=org_id, page_size=None, page_token=None)
    assert [c.name for c in page.items] == ["Deployer"]
    (request,) = fake.api_requests("GET", f"/api/v1/organizations/{org_id}/clients")
    assert request.query == ()


async def test_the_organization_and_the_secret_are_keyword_only(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    created = await client.api_clients.create(organization_id=org_id, name="Deployer")
    assert created.client is not None
    client_id = created.client.client_id
    secret_id = created.client.secrets[0].id
    sent = len(fake.requests)
    with pytest.raises(TypeError):
        await client.api_clients.create(org_id, name="Old form")  # type: ignore[misc]
    with pytest.raises(TypeError):
        client.api_clients.list(org_id)  # type: ignore[misc]
    for name in ("get", "delete", "create_secret"):
        with pytest.raises(TypeError):
            await getattr(client.api_clients, name)(org_id, client_id)
    with pytest.raises(TypeError):
        await client.api_clients.update(org_id, client_id, name="x")  # type: ignore[misc]
    with pytest.raises(TypeError):
        await client.api_clients.delete_secret(org_id, client_id, secret_id)  # type: ignore[misc]
    with pytest.raises(TypeError, match=r"^id must be a str"):
        await client.api_clients.get(None, organization_id=org_id)  # type: ignore[arg-type]
    assert len(fake.requests) == sent
    fetched = await client.api_clients.get(id=client_id, organization_id=org_id)
    assert fetched.client_id == client_id
    await client.api_clients.delete_secret(
        id=client_id, organization_id=org_id, secret_id=secret_id
    )
    assert [(r.method, r.path) for r in fake.api_requests()[-2:]] == [
        ("GET", f"/api/v1/organizations/{org_id}/clients/{client_id}"),
        ("DELETE", f"/api/v1/organizations/{org_id}/clients/{client_id}/secrets/{secret_id}"),
    ]
