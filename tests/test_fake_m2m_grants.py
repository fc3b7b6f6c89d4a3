"""The fake's token endpoint authenticates the API clients created through it.

An organization's M2M client (and an environment OAuth client or a resource
client) gets a signed access token with client credentials, as from Scalekit:
`client.auth.get_client_token` and `validate_access_token` work end to end.
"""

from __future__ import annotations

import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio


async def test_an_organization_client_gets_a_token_the_sdk_validates(
    client: sk.ScalekitClient,
) -> None:
    org = await client.organizations.create(display_name="Acme")
    created = await client.api_clients.create(
        organization_id=org.id, name="billing", scopes=["invoices:read", "invoices:write"]
    )
    token = await client.auth.get_client_token(
        client_id=created.client.client_id, client_secret=created.plain_secret
    )
    assert token.token_type == "Bearer"
    assert set(token.scopes) == {"invoices:read", "invoices:write"}
    claims = await client.auth.validate_access_token(
        token.access_token, audience=created.client.client_id
    )
    assert claims.subject == created.client.client_id
    assert claims.organization_id == org.id

    narrowed = await client.auth.get_client_token(
        client_id=created.client.client_id,
        client_secret=created.plain_secret,
        scopes=["invoices:read"],
    )
    assert narrowed.scopes == ("invoices:read",)


async def test_a_wrong_deleted_or_unknown_secret_is_refused(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org = await client.organizations.create(display_name="Acme")
    created = await client.api_clients.create(organization_id=org.id, name="billing")
    client_id = created.client.client_id
    with pytest.raises(sk.TokenError) as wrong:
        await client.auth.get_client_token(client_id=client_id, client_secret="x" * 40)
    assert wrong.value.error == "invalid_client"
    second = await client.api_clients.create_secret(client_id, organization_id=org.id)
    await client.api_clients.delete_secret(
        client_id, organization_id=org.id, secret_id=created.client.secrets[0].id
    )
    with pytest.raises(sk.TokenError):  # the deleted secret no longer works
        await client.auth.get_client_token(client_id=client_id, client_secret=created.plain_secret)
    await client.auth.get_client_token(client_id=client_id, client_secret=second.plain_secret)
    with pytest.raises(sk.TokenError) as scope:
        await client.auth.get_client_token(
            client_id=client_id, client_secret=second.plain_secret, scopes=["admin"]
        )
    assert scope.value.error == "invalid_scope"
    assert second.plain_secret not in str(scope.value)
    await client.api_clients.delete(client_id, organization_id=org.id)
    with pytest.raises(sk.TokenError):  # a deleted client has no credentials
        await client.auth.get_client_token(client_id=client_id, client_secret=second.plain_secret)
