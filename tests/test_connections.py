from __future__ import annotations

import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._connections import add_connection, add_login_request

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
        if verb != "get":  # get without it reads an environment connection
            with pytest.raises(TypeError):
                await method(conn_id)  # organization_id is required
    assert len(fake.requests) == sent
    connection = await client.connections.get(id=conn_id, organization_id=org_id)
    assert connection.id == conn_id


# -- creating connections (preview) -----------------------------------------------------


async def test_create_for_an_organization_joins_the_other_operations(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    created = await client.connections.create(
        organization_id=org_id, provider=sk.IdentityProviderType.OKTA, type="SAML"
    )
    assert isinstance(created, sk.Connection)
    assert created.organization_id == org_id
    assert (created.provider, created.provider_key) == (sk.IdentityProviderType.OKTA, "okta")
    assert created.type is sk.ConnectionType.SAML
    assert (created.status, created.enabled) == (sk.ConnectionStatus.IN_PROGRESS, False)
    assert created.saml_config is not None
    assert created.create_time is not None
    (request,) = fake.api_requests("POST", f"/api/v1/organizations/{org_id}/connections")
    assert request.json() == {"provider": "OKTA", "type": "SAML"}
    assert request.query == ()
    listed = [c.id async for c in client.connections.list(organization_id=org_id, include="all")]
    assert listed == [created.id]
    assert (await client.connections.get(created.id, organization_id=org_id)).id == created.id
    assert (await client.connections.enable(created.id, organization_id=org_id)).enabled
    assert fake.connections[created.id]["enabled"] is True
    await client.connections.delete(created.id, organization_id=org_id)
    with pytest.raises(sk.NotFoundError):
        await client.connections.get(created.id, organization_id=org_id)


async def test_create_for_an_unknown_organization_is_not_found(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.connections.create(organization_id="org_missing", provider="OKTA")
    assert fake.connections == {}


async def test_create_in_the_environment_sends_the_flags_in_the_query(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    created = await client.connections.create(
        provider_key="gmail",
        key="gmail_work",
        auth_mode=sk.ConnectionAuthMode.ORG_WIDE,
        is_app=True,
        is_login=False,
    )
    assert created.organization_id is None
    assert (created.provider_key, created.key_id) == ("gmail", "gmail_work")
    assert created.auth_mode is sk.ConnectionAuthMode.ORG_WIDE
    assert created.mcp_server_url is not None
    assert created.mcp_server_url.endswith("/mcp/v3/connections/gmail_work")
    (request,) = fake.api_requests("POST", "/api/v1/connections")
    assert request.query == (("flags.is_login", "false"), ("flags.is_app", "true"))
    assert request.json() == {
        "provider_key": "gmail",
        "key_id": "gmail_work",
        "auth_mode": "ORG_WIDE",
    }
    fetched = await client.connections.get(created.id)
    assert fetched == created
    assert fake.api_requests("GET", f"/api/v1/connections/{created.id}") != []


async def test_the_environment_and_organization_routes_see_only_their_own(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    sso = add_connection(fake, org_id)
    env = add_connection(fake, None, type="OAUTH", provider="GOOGLE")
    with pytest.raises(sk.NotFoundError):
        await client.connections.get(sso["id"])
    with pytest.raises(sk.NotFoundError):
        await client.connections.get(env["id"], organization_id=org_id)
    assert (await client.connections.get(env["id"])).id == env["id"]
    everything = [c async for c in client.connections.list(include="all")]
    assert [c.id for c in everything] == [sso["id"], env["id"]]
    assert everything[1].organization_id == ""
    assert everything[1].domains == ()


async def test_create_refuses_a_key_taken_in_the_same_scope(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    await client.connections.create(provider_key="slack", key="team")
    await client.connections.create(organization_id=org_id, provider="OKTA", key="team")
    with pytest.raises(sk.ConflictError):
        await client.connections.create(provider_key="slack", key="team")
    assert len(fake.connections) == 2


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({}, ValueError),  # neither provider nor provider_key
        ({"provider": "IDENTITY_PROVIDER_UNSPECIFIED"}, ValueError),
        ({"provider": "SCALEKIT", "provider_key": "other"}, ValueError),
        ({"provider": "CUSTOM", "type": "WEBAUTHN", "key": "passkeys"}, ValueError),
        ({"provider": "OKTA", "key": ""}, ValueError),
        ({"provider": "OKTA", "key": "k" * 301}, ValueError),
        ({"provider": "OKTA", "context": {"region": "eu"}}, ValueError),
        ({"provider": "OKTA", "context": {"domain": 1}}, TypeError),
        ({"provider": 7}, TypeError),
        ({"provider": "OKTA", "is_app": "yes"}, TypeError),
        ({"provider": "OKTA", "organization_id": "org_1", "is_app": True}, TypeError),
        ({"provider": "OKTA", "organization_id": "org_1", "type": "OAUTH"}, ValueError),
        ({"provider": "OKTA", "organization_id": ""}, ValueError),
    ],
)
async def test_create_checks_arguments_before_sending(
    client: sk.ScalekitClient, fake: FakeScalekit, kwargs: dict[str, object], error: type
) -> None:
    with pytest.raises(error):
        await client.connections.create(**kwargs)  # type: ignore[arg-type]
    assert fake.requests == []


async def test_create_scalekit_and_webauthn_connections_follow_the_api_rules(
    client: sk.ScalekitClient,
) -> None:
    scalekit = await client.connections.create(provider="SCALEKIT", provider_key="SCALEKIT")
    assert scalekit.provider is sk.IdentityProviderType.SCALEKIT
    passkeys = await client.connections.create(
        provider="CUSTOM", type="WEBAUTHN", key="WEBAUTHN", is_login=True
    )
    assert (passkeys.type, passkeys.key_id) == (sk.ConnectionType.WEBAUTHN, "WEBAUTHN")


# -- updating environment connections (preview) -----------------------------------------


async def test_update_sends_only_the_given_fields_and_keeps_the_rest(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    env = add_connection(fake, None, type="OIDC", provider="CUSTOM", provider_key="custom")
    updated = await client.connections.update(
        env["id"],
        provider_key="custom",
        debug_enabled=True,
        ui_button_title="Sign in with Acme",
        attribute_mapping={"email": "mail"},
        oidc_config={"client_id": "abc", "issuer": "https://idp.example"},
    )
    assert updated.debug_enabled is True
    assert updated.ui_button_title == "Sign in with Acme"
    assert updated.attribute_mapping == {"email": "mail"}
    assert updated.oidc_config is not None
    assert (updated.oidc_config.client_id, updated.oidc_config.issuer) == (
        "abc",
        "https://idp.example",
    )
    assert updated.oidc_config.redirect_uri  # kept from before the update
    assert (updated.type, updated.provider) == (
        sk.ConnectionType.OIDC,
        sk.IdentityProviderType.CUSTOM,
    )
    (request,) = fake.api_requests("PATCH", f"/api/v1/connections/{env['id']}")
    assert request.json() == {
        "provider_key": "custom",
        "debug_enabled": True,
        "ui_button_title": "Sign in with Acme",
        "attribute_mapping": {"email": "mail"},
        "oidc_config": {"client_id": "abc", "issuer": "https://idp.example"},
    }
    cleared = await client.connections.update(env["id"], provider="CUSTOM", ui_button_title=None)
    assert cleared.ui_button_title == ""
    assert fake.api_requests("PATCH")[-1].json() == {"provider": "CUSTOM", "ui_button_title": ""}
    assert (await client.connections.get(env["id"])).debug_enabled is True


async def test_update_of_a_missing_or_organization_connection_is_not_found(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    sso = add_connection(fake, org_id)
    for conn_id in (sso["id"], "conn_missing"):
        with pytest.raises(sk.NotFoundError):
            await client.connections.update(conn_id, provider="OKTA", debug_enabled=True)
    assert fake.connections[sso["id"]]["debug_enabled"] is False


async def test_update_refuses_settings_of_another_protocol(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    env = add_connection(fake, None, type="OIDC")
    with pytest.raises(sk.BadRequestError) as caught:
        await client.connections.update(
            env["id"], provider="OKTA", saml_config={"idp_entity_id": "urn:idp"}
        )
    assert [v.field for v in caught.value.field_violations] == ["connection.saml_config"]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"debug_enabled": True}, ValueError),  # neither provider nor provider_key
        ({"provider": "OKTA", "oidc_config": {}, "saml_config": {}}, ValueError),
        ({"provider": "OKTA", "oidc_config": ["x"]}, TypeError),
        ({"provider": "OKTA", "attribute_mapping": {"": "x"}}, ValueError),
        ({"provider": "OKTA", "attribute_mapping": {f"k{i}": "v" for i in range(31)}}, ValueError),
        ({"provider": "OKTA", "attribute_mapping": {"email": 1}}, TypeError),
        ({"provider": "OKTA", "debug_enabled": "yes"}, TypeError),
        ({"provider": "OKTA", "type": "WEBAUTHN"}, ValueError),
    ],
)
async def test_update_checks_arguments_before_sending(
    client: sk.ScalekitClient, fake: FakeScalekit, kwargs: dict[str, object], error: type
) -> None:
    with pytest.raises(error):
        await client.connections.update("conn_1", **kwargs)  # type: ignore[arg-type]
    assert fake.requests == []


# -- app connections (preview) ----------------------------------------------------------


async def test_list_apps_lists_environment_app_connections_with_filters_and_pages(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    add_connection(fake, org_id)  # an SSO connection: not an app
    add_connection(fake, None, provider_key="github")  # an environment connection, not an app
    gmail = await client.connections.create(provider_key="gmail", key="gmail_work", is_app=True)
    slack = await client.connections.create(provider_key="slack", key="team_chat", is_app=True)
    page = await client.connections.list_apps(page_size=1)
    assert [c.id for c in page.items] == [gmail.id]
    assert page.total_size == 2
    assert page.has_next_page
    assert [c.id async for c in client.connections.list_apps()] == [gmail.id, slack.id]
    (only,) = (await client.connections.list_apps(provider="slack")).items
    assert (only.id, only.key_id, only.auth_mode) == (
        slack.id,
        "team_chat",
        sk.ConnectionAuthMode.USER,
    )
    assert only.created_at is not None
    assert [c.id for c in (await client.connections.list_apps(query="GMAIL_W")).items] == [gmail.id]
    queries = [r.query for r in fake.api_requests("GET", "/api/v1/connections/app")]
    assert queries[0] == (("page_size", "1"),)
    assert (("provider", "slack"),) in queries
    assert (("query", "GMAIL_W"),) in queries


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"page_size": 31}, ValueError),
        ({"query": "ab"}, ValueError),
        ({"query": "q" * 101}, ValueError),
        ({"provider": ""}, ValueError),
        ({"provider": "p" * 51}, ValueError),
        ({"provider": 1}, TypeError),
    ],
)
async def test_list_apps_checks_arguments_at_the_call(
    client: sk.ScalekitClient, fake: FakeScalekit, kwargs: dict[str, object], error: type
) -> None:
    with pytest.raises(error):
        client.connections.list_apps(**kwargs)  # type: ignore[arg-type]
    assert fake.requests == []


# -- custom login (preview) ------------------------------------------------------------


async def test_update_login_user_hands_the_user_to_the_login_request(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    conn = add_connection(fake, None, provider="CUSTOM", type="OIDC")
    login_id = add_login_request(fake, conn["id"])
    user = sk.LoginUser(
        sub="u-1",
        email="ada@example.com",
        given_name="Ada",
        email_verified=True,
        groups=("eng",),
        custom_attributes={"team": "core"},
        organization_external_id="acme",
    )
    answer = await client.connections.update_login_user(
        conn["id"], auth_request_id=login_id, user=user
    )
    assert answer == login_id
    path = f"/api/v1/connections/{conn['id']}/auth-requests/{login_id}/user"
    (request,) = fake.api_requests("POST", path)
    sent = {
        "sub": "u-1",
        "email": "ada@example.com",
        "given_name": "Ada",
        "email_verified": True,
        "groups": ["eng"],
        "custom_attributes": {"team": "core"},
        "organization_external_id": "acme",
    }
    assert request.json() == sent
    record = fake.login_requests.record(login_id)
    assert record.connection_id == conn["id"]
    assert record.user == sent


async def test_update_login_user_takes_a_mapping_and_a_failed_login(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    conn = add_connection(fake, None, provider="CUSTOM")
    login_id = add_login_request(fake, conn["id"])
    await client.connections.update_login_user(
        conn["id"], auth_request_id=login_id, user={"login_failed": True}
    )
    assert fake.login_requests[login_id]["user"] == {"login_failed": True}


async def test_update_login_user_of_an_unknown_request_or_connection_is_not_found(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    conn = add_connection(fake, None, provider="CUSTOM")
    other = add_connection(fake, None, provider="CUSTOM")
    login_id = add_login_request(fake, conn["id"])
    user = {"sub": "u", "email": "u@example.com"}
    for conn_id, request_id in (
        (conn["id"], "ar_missing"),
        (other["id"], login_id),
        ("conn_missing", login_id),
    ):
        with pytest.raises(sk.NotFoundError):
            await client.connections.update_login_user(
                conn_id, auth_request_id=request_id, user=user
            )
    assert fake.login_requests[login_id]["user"] is None


@pytest.mark.parametrize(
    ("user", "error"),
    [
        ({"sub": "u"}, ValueError),  # no email, and the login did not fail
        (sk.LoginUser(email="u@example.com"), ValueError),
        ({"sub": "u", "email": "e", "organization_external_name": "n" * 201}, ValueError),
        ({"sub": "u", "email": "e", "givenName": "Ada"}, TypeError),
        ({"sub": "u", "email": "e", "groups": "eng"}, TypeError),
        ({"sub": "u", "email": "e", "email_verified": "yes"}, TypeError),
        ("u@example.com", TypeError),
    ],
)
async def test_update_login_user_checks_the_user_before_sending(
    client: sk.ScalekitClient, fake: FakeScalekit, user: object, error: type
) -> None:
    with pytest.raises(error):
        await client.connections.update_login_user(
            "conn_1",
            auth_request_id="ar_1",
            user=user,  # type: ignore[arg-type]
        )
    assert fake.requests == []


async def test_add_login_request_needs_a_known_connection(fake: FakeScalekit) -> None:
    with pytest.raises(LookupError):
        add_login_request(fake, "conn_missing")
