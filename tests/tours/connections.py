"""Every Connections operation, once."""

from __future__ import annotations

from scalekit_async import NotFoundError, ScalekitClient
from scalekit_async.models import LoginUser
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._connections import add_connection, add_login_request


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await client.organizations.create(display_name="Connections Tour")
    await client.domains.create("tour-connections.example", organization_id=org.id)
    saml = add_connection(fake, org.id)
    oidc = add_connection(fake, org.id, type="OIDC", provider="GOOGLE", enabled=False)
    await client.connections.list(organization_id=org.id, include="all")
    await client.connections.list(domain="tour-connections.example")
    await client.connections.get(saml["id"], organization_id=org.id)
    await client.connections.get(oidc["id"], organization_id=org.id)
    await client.connections.enable(oidc["id"], organization_id=org.id)
    await client.connections.disable(saml["id"], organization_id=org.id)
    await client.connections.delete(saml["id"], organization_id=org.id)
    try:
        await client.connections.get(saml["id"], organization_id=org.id)
    except NotFoundError:
        pass
    else:
        raise AssertionError("a deleted connection is still found")
    # The operations outside the public spec (preview).
    sso = await client.connections.create(
        organization_id=org.id, provider="OKTA", type="OIDC", key="tour-sso"
    )
    await client.connections.get(sso.id, organization_id=org.id)
    app = await client.connections.create(
        provider_key="gmail", key="tour_gmail", auth_mode="USER", is_app=True, is_login=False
    )
    await client.connections.get(app.id)
    await client.connections.update(
        app.id,
        provider_key="gmail",
        debug_enabled=True,
        ui_button_title="Gmail",
        configuration_type="MANUAL",
        attribute_mapping={"email": "mail"},
        oauth_config={"client_id": "tour-client", "scopes": ["email"]},
    )
    await client.connections.list_apps(provider="gmail", query="tour", page_size=10)
    login = add_login_request(fake, app.id)
    await client.connections.update_login_user(
        app.id,
        auth_request_id=login,
        user=LoginUser(
            sub="tour-user",
            email="tour@example.com",
            given_name="Tour",
            email_verified=True,
            groups=("eng",),
            roles=("member",),
            custom_attributes={"team": "core"},
            organization_external_id="acme",
            organization_external_name="Acme",
        ),
    )
