"""Every environment OAuth client operation, once."""

from __future__ import annotations

from scalekit_async import CidrEntry, IpAllowlist, ScalekitClient
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._api_resources import add_resource, add_user_consent


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    created = await client.oauth_clients.create(
        name="Tour portal",
        client_type="WEB_APP",
        post_login_uris=["https://app.example.com/callback"],
        post_logout_redirect_uris=["https://app.example.com/bye"],
        back_channel_logout_uris=["https://app.example.com/bcl"],
        initiate_login_uri="https://app.example.com/login",
        access_token_expiry=900,
        scopes=["openid"],
        custom_claims={"tier": "gold"},
        grant_types=["authorization_code", "refresh_token"],
        disallow_scalekit_api_access=False,
        enforce_pkce=True,
        ip_allowlist=IpAllowlist(opted_in=True, cidrs=(CidrEntry(value="203.0.113.0/24"),)),
    )
    await client.oauth_clients.get(created.id)
    await client.oauth_clients.list(
        client_types=["WEB_APP"], include_plain_secret=False, page_size=10
    )
    await client.oauth_clients.update(created.id, name="Tour portal 2", scopes=None)
    rotated = await client.oauth_clients.create_secret(created.id)
    assert rotated.secret is not None
    await client.oauth_clients.delete_secret(created.id, secret_id=rotated.secret.id)
    await client.oauth_clients.delete(created.id)
    assert created.id not in fake.oauth_clients

    resource = add_resource(fake, name="Tour consents")
    agent = await client.api_resources.create_client(resource["id"], name="Tour agent")
    assert agent.client is not None
    consent = add_user_consent(fake, client_id=agent.client.client_id, external_user_id="ada")
    await client.oauth_clients.revoke_consent(agent.client.client_id, consent_id=consent["id"])
    assert consent["id"] not in fake.user_consents
