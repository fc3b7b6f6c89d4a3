from __future__ import annotations

import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._connections import add_connection

pytestmark = pytest.mark.anyio


async def make_org(client: sk.ScalekitClient, name: str = "Acme") -> str:
    return (await client.organizations.create(display_name=name)).id


async def test_list_shows_active_connections_unless_include_all(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    active = add_connection(fake, org_id)
    disabled = add_connection(fake, org_id, enabled=False)
    draft = add_connection(fake, org_id, status="DRAFT")
    page = await client.connections.list()
    assert [c.id for c in page.items] == [active["id"]]
    assert page.total_size == 1
    assert not page.has_next_page
    everything = [c.id async for c in client.connections.list(include="all")]
    assert everything == [active["id"], disabled["id"], draft["id"]]
    requests = fake.api_requests("GET", "/api/v1/connections")
    assert [r.query for r in requests] == [(), (("include", "all"),)]


async def test_list_items_are_summaries(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    org_id = await make_org(client, "Acme Corp")
    await client.domains.create("acme.com", organization_id=org_id)
    await client.domains.create(
        "acme.io", organization_id=org_id, domain_type="ALLOWED_EMAIL_DOMAIN"
    )
    seeded = add_connection(fake, org_id, provider="GOOGLE", type="OIDC", key_id="acme-sso")
    (summary,) = (await client.connections.list(organization_id=org_id)).items
    assert isinstance(summary, sk.ConnectionSummary)
    assert summary.id == seeded["id"]
    assert summary.organization_id == org_id
    assert summary.organization_name == "Acme Corp"
    assert summary.provider is sk.IdentityProviderType.GOOGLE
    assert summary.type is sk.ConnectionType.OIDC
    assert summary.status is sk.ConnectionStatus.COMPLETED
    assert summary.enabled is True
    assert summary.key_id == "acme-sso"
    assert summary.domains == ("acme.com",)


async def test_list_filters_by_organization_and_by_domain(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    acme = await make_org(client)
    other = await make_org(client, "Other")
    await client.domains.create("acme.com", organization_id=acme)
    mine = add_connection(fake, acme)
    add_connection(fake, other)
    by_org = await client.connections.list(organization_id=acme)
    assert [c.id for c in by_org.items] == [mine["id"]]
    by_domain = await client.connections.list(domain="ACME.com")
    assert [c.id for c in by_domain.items] == [mine["id"]]
    assert (await client.connections.list(domain="nobody.com")).items == ()
    queries = [r.query for r in fake.api_requests("GET", "/api/v1/connections")]
    assert queries[:2] == [(("organization_id", acme),), (("domain", "ACME.com"),)]


async def test_list_rejects_an_unknown_include(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.BadRequestError) as info:
        await client.connections.list(include="everything")
    assert [v.field for v in info.value.field_violations] == ["include"]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"organization_id": ""}, ValueError),
        ({"domain": ""}, ValueError),
        ({"include": ""}, ValueError),
        ({"organization_id": 1}, TypeError),
        ({"domain": 1}, TypeError),
    ],
)
async def test_list_checks_filters_at_the_call(
    client: sk.ScalekitClient, fake: FakeScalekit, kwargs: dict[str, object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        client.connections.list(**kwargs)  # type: ignore[arg-type]
    assert fake.api_requests() == []


async def test_get_returns_settings_and_the_sso_domains(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    domain = await client.domains.create("acme.com", organization_id=org_id)
    await client.domains.create(
        "acme.io", organization_id=org_id, domain_type="ALLOWED_EMAIL_DOMAIN"
    )
    seeded = add_connection(fake, org_id, attribute_mapping={"email": "user.mail"})
    connection = await client.connections.get(seeded["id"], organization_id=org_id)
    assert isinstance(connection, sk.Connection)
    assert connection.id == seeded["id"]
    assert connection.organization_id == org_id
    assert connection.type is sk.ConnectionType.SAML
    assert connection.provider is sk.IdentityProviderType.OKTA
    assert connection.attribute_mapping == {"email": "user.mail"}
    assert connection.domains == (domain,)
    assert isinstance(connection.saml_config, sk.SAMLConnectionConfig)
    assert connection.saml_config.sp_assertion_url.endswith("/saml/acs")
    assert connection.saml_config.idp_name_id_format is sk.SAMLNameIdFormat.EMAIL
    assert connection.oidc_config is None
    assert fake.api_requests("GET")[-1].path == (
        f"/api/v1/organizations/{org_id}/connections/{seeded['id']}"
    )


async def test_get_keeps_secrets_out_of_the_repr(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    seeded = add_connection(
        fake,
        org_id,
        type="OIDC",
        oidc_config={
            "client_id": "abc",
            "client_secret": "s3cr3t-value",
            "scopes": ["openid", "email"],
            "token_auth_type": "BASIC_AUTH",
        },
    )
    connection = await client.connections.get(seeded["id"], organization_id=org_id)
    assert connection.oidc_config is not None
    assert connection.oidc_config.client_secret == "s3cr3t-value"
    assert connection.oidc_config.scopes == (sk.OIDCScope.OPENID, sk.OIDCScope.EMAIL)
    assert connection.oidc_config.token_auth_type is sk.OIDCTokenAuthType.BASIC_AUTH
    assert "s3cr3t-value" not in repr(connection)
    assert "abc" in repr(connection)


async def test_get_is_scoped_to_the_organization(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    other_id = await make_org(client, "Other")
    seeded = add_connection(fake, org_id)
    with pytest.raises(sk.NotFoundError):
        await client.connections.get(seeded["id"], organization_id=other_id)
    with pytest.raises(sk.NotFoundError):
        await client.connections.get("conn_missing", organization_id=org_id)
    with pytest.raises(sk.NotFoundError):
        await client.connections.get(seeded["id"], organization_id="org_missing")


async def test_disable_and_enable_flip_the_stored_state(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    conn_id = add_connection(fake, org_id)["id"]
    toggle = await client.connections.disable(conn_id, organization_id=org_id)
    assert toggle == sk.ConnectionToggle(enabled=False)
    assert fake.connections[conn_id]["enabled"] is False
    assert (await client.connections.get(conn_id, organization_id=org_id)).enabled is False
    toggle = await client.connections.enable(conn_id, organization_id=org_id)
    assert toggle.enabled is True
    assert fake.connections[conn_id]["enabled"] is True
    base = f"/api/v1/organizations/{org_id}/connections/{conn_id}"
    (disable,) = fake.api_requests("PATCH", base + ":disable")
    (enable,) = fake.api_requests("PATCH", base + ":enable")
    assert disable.body == b""
    assert enable.body == b""


async def test_toggling_a_missing_connection_is_not_found(client: sk.ScalekitClient) -> None:
    org_id = await make_org(client)
    with pytest.raises(sk.NotFoundError):
        await client.connections.enable("conn_missing", organization_id=org_id)
    with pytest.raises(sk.NotFoundError):
        await client.connections.disable("conn_missing", organization_id="org_missing")


async def test_delete_removes_the_connection(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    org_id = await make_org(client)
    conn_id = add_connection(fake, org_id)["id"]
    assert await client.connections.delete(conn_id, organization_id=org_id) is None
    assert conn_id not in fake.connections
    with pytest.raises(sk.NotFoundError):
        await client.connections.get(conn_id, organization_id=org_id)
    with pytest.raises(sk.NotFoundError):
        await client.connections.delete(conn_id, organization_id=org_id)


async def test_ids_are_encoded_as_one_segment(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    with pytest.raises(sk.NotFoundError):
        await client.connections.enable("x/../y:disable", organization_id=org_id)
    (request,) = fake.api_requests("PATCH")
    assert request.path == f"/api/v1/organizations/{org_id}/connections/x%2F..%2Fy%3Adisable:enable"
    with pytest.raises(ValueError):
        await client.connections.get("", organization_id=org_id)


async def test_deleting_the_organization_deletes_its_connections(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    other_id = await make_org(client, "Other")
    add_connection(fake, org_id)
    kept = add_connection(fake, other_id)
    await client.organizations.delete(org_id)
    assert list(fake.connections) == [kept["id"]]


async def test_add_connection_checks_its_arguments(fake: FakeScalekit) -> None:
    with pytest.raises(LookupError):
        add_connection(fake, "org_missing")
    fake.organizations["org_1"] = {
        "id": "org_1",
        "display_name": "Acme",
        "create_time": "2025-01-01T00:00:00Z",
    }
    with pytest.raises(TypeError, match="bogus"):
        add_connection(fake, "org_1", bogus=1)
    assert fake.connections == {}


async def test_list_treats_none_filters_as_not_given(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    add_connection(fake, org_id)
    page = await client.connections.list(organization_id=None, domain=None, include=None)
    assert len(page.items) == 1
    (request,) = fake.api_requests("GET", "/api/v1/connections")
    assert request.query == ()


async def test_the_organization_is_keyword_only(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    conn_id = add_connection(fake, org_id)["id"]
    sent = len(fake.requests)
    for verb in ("get", "delete", "enable", "disable"):
        method = getattr(client.connections, verb)
        with pytest.raises(TypeError):
            await method(org_id, conn_id)  # the old positional form
        with pytest.raises(TypeError):
            await method(conn_id)  # organization_id is required
    assert len(fake.requests) == sent
    connection = await client.connections.get(id=conn_id, organization_id=org_id)
    assert connection.id == conn_id
