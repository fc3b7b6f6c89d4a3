"""client.oauth_clients against the fake: environment OAuth clients, their secrets, consents."""

from __future__ import annotations

from datetime import datetime

import attrs
import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._api_resources import add_resource, add_user_consent

pytestmark = pytest.mark.anyio


async def make_web_app(client: sk.ScalekitClient, name: str = "Portal") -> sk.OAuthClient:
    return await client.oauth_clients.create(name=name, client_type=sk.OAuthClientType.WEB_APP)


async def test_create_sends_the_client_unwrapped_in_the_wire_shape(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    created = await client.oauth_clients.create(
        name="Portal",
        client_type="WEB_APP",
        post_login_uris=["https://app.example.com/callback"],
        back_channel_logout_uris=["https://app.example.com/bcl"],
        initiate_login_uri="https://app.example.com/login",
        access_token_expiry=900,
        scopes=["openid"],
        custom_claims={"tier": "gold"},
        grant_types=["authorization_code"],
        disallow_scalekit_api_access=True,
        enforce_pkce=False,
        ip_allowlist=sk.IpAllowlist(opted_in=True, cidrs=(sk.CidrEntry(value="203.0.113.0/24"),)),
    )
    (request,) = fake.api_requests("POST", "/api/v1/clients")
    assert request.json() == {
        "name": "Portal",
        "client_type": "WEB_APP",
        "post_login_uris": ["https://app.example.com/callback"],
        "back_channel_logout_uris": ["https://app.example.com/bcl"],
        "initiate_login_uri": "https://app.example.com/login",
        "access_token_expiry": "900",
        "scopes": ["openid"],
        "custom_claims": [{"key": "tier", "value": "gold"}],
        "grant_types": ["authorization_code"],
        "disallow_scalekit_api_access": True,
        "enforce_pkce": False,
        "ip_allowlist": {"opted_in": True, "cidrs": [{"value": "203.0.113.0/24"}]},
    }
    assert created.id.startswith("skc_")
    assert created.client_type == sk.OAuthClientType.WEB_APP
    assert created.access_token_expiry == 900
    assert created.disallow_scalekit_api_access is True
    assert created.ip_allowlist is not None
    assert created.ip_allowlist.cidrs[0].type == sk.CidrType.IPV4
    assert isinstance(created.create_time, datetime)
    # A confidential client's first secret value is in the create answer only.
    (secret,) = created.secrets
    assert secret.plain_secret
    assert secret.plain_secret not in repr(created)
    fetched = await client.oauth_clients.get(created.id)
    assert fetched.secrets[0].plain_secret is None
    assert fetched == attrs.evolve(created, secrets=fetched.secrets)


async def test_public_clients_get_no_secret_and_enforce_pkce(client: sk.ScalekitClient) -> None:
    spa = await client.oauth_clients.create(name="SPA", client_type="SPA")
    assert spa.secrets == ()
    assert spa.enforce_pkce is True


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"name": "", "client_type": "SPA"}, ValueError),
        ({"name": "x" * 129, "client_type": "SPA"}, ValueError),
        ({"name": 5, "client_type": "SPA"}, TypeError),
        (
            {"name": "n", "client_type": "SPA", "post_login_uris": ["https://a", "https://a"]},
            ValueError,
        ),
        (
            {"name": "n", "client_type": "SPA", "back_channel_logout_uris": ["/relative"]},
            ValueError,
        ),
        ({"name": "n", "client_type": "SPA", "access_token_expiry": "60"}, TypeError),
        ({"name": "n", "client_type": "SPA", "enforce_pkce": "yes"}, TypeError),
        (
            {"name": "n", "client_type": "SPA", "ip_allowlist": sk.IpAllowlist(opted_in=True)},
            ValueError,
        ),
        (
            {
                "name": "n",
                "client_type": "SPA",
                "ip_allowlist": sk.IpAllowlist(cidrs=(sk.CidrEntry(value="0.0.0.0/0"),)),
            },
            ValueError,
        ),
        ({"name": "n", "client_type": "SPA", "custom_claims": {"": "v"}}, ValueError),
    ],
)
async def test_create_checks_arguments_before_sending(
    client: sk.ScalekitClient, fake: FakeScalekit, kwargs: dict[str, object], error: type
) -> None:
    with pytest.raises(error):
        await client.oauth_clients.create(**kwargs)  # type: ignore[arg-type]
    assert fake.api_requests() == []


async def test_create_bad_type_is_a_field_violation(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.BadRequestError) as info:
        await client.oauth_clients.create(name="n", client_type="TOASTER")
    assert {v.field for v in info.value.field_violations} == {"client.client_type"}


async def test_list_filters_by_type_and_pages(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    web = await make_web_app(client)
    spa = await client.oauth_clients.create(name="SPA", client_type="SPA")
    assert [c.id async for c in client.oauth_clients.list()] == []  # ENV by default
    listed = [c.id async for c in client.oauth_clients.list(client_types=["WEB_APP", "SPA"])]
    assert listed == [web.id, spa.id]
    first = await client.oauth_clients.list(client_types=[sk.OAuthClientType.ALL], page_size=1)
    assert [c.id for c in first.items] == [web.id]
    assert first.total_size == 2
    assert first.next_page_token
    query = fake.api_requests("GET", "/api/v1/clients")[-1].query
    assert ("filter.client_type", "ALL") in query
    assert ("page_size", "1") in query


async def test_list_checks_its_arguments(client: sk.ScalekitClient) -> None:
    with pytest.raises(ValueError, match="page_size"):
        client.oauth_clients.list(page_size=31)
    with pytest.raises(ValueError, match="ALL"):
        client.oauth_clients.list(client_types=["ALL"], include_plain_secret=True)
    with pytest.raises(TypeError):
        client.oauth_clients.list(client_types="WEB_APP")


async def test_update_sends_the_mask_of_the_given_fields_and_none_clears(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    created = await client.oauth_clients.create(
        name="Portal",
        client_type="WEB_APP",
        scopes=["openid", "profile"],
        initiate_login_uri="https://app.example.com/login",
        access_token_expiry=900,
    )
    updated = await client.oauth_clients.update(
        created.id, name="Portal 2", scopes=None, access_token_expiry=None, enforce_pkce=True
    )
    (request,) = fake.api_requests("PATCH")
    assert request.path == f"/api/v1/clients/{created.id}"
    assert request.query == (("mask", "name,access_token_expiry,scopes,enforce_pkce"),)
    assert request.json() == {"name": "Portal 2", "scopes": [], "enforce_pkce": True}
    assert updated.name == "Portal 2"
    assert updated.scopes == ()
    assert updated.access_token_expiry is None
    assert updated.enforce_pkce is True
    assert updated.initiate_login_uri == "https://app.example.com/login"  # not in the mask
    assert (await client.oauth_clients.get(created.id)) == updated


async def test_update_needs_a_field_and_a_known_client(client: sk.ScalekitClient) -> None:
    with pytest.raises(ValueError, match="at least one field"):
        await client.oauth_clients.update("skc_1")
    with pytest.raises(sk.NotFoundError):
        await client.oauth_clients.update("skc_missing", name="x")


async def test_delete_then_get_is_not_found(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    created = await make_web_app(client)
    await client.oauth_clients.delete(created.id)
    assert created.id not in fake.oauth_clients
    with pytest.raises(sk.NotFoundError):
        await client.oauth_clients.get(created.id)
    with pytest.raises(sk.NotFoundError):
        await client.oauth_clients.delete(created.id)


async def test_ids_are_checked_before_sending(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match="at most 32"):
        await client.oauth_clients.get("skc_" + "1" * 40)
    with pytest.raises(ValueError):
        await client.oauth_clients.delete("")
    assert fake.api_requests() == []


async def test_secrets_rotate_within_the_cap_and_the_last_one_stays(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    created = await make_web_app(client)
    first_id = created.secrets[0].id
    added = [await client.oauth_clients.create_secret(created.id) for _ in range(4)]
    for item in added:
        assert item.plain_secret
        assert item.secret is not None
        assert item.secret.secret_suffix == item.plain_secret[-4:]
        assert item.plain_secret not in repr(item)
    assert len(fake.oauth_clients.record(created.id).secret_ids) == 5
    with pytest.raises(sk.BadRequestError, match="5 secrets"):
        await client.oauth_clients.create_secret(created.id)
    for item in added:
        assert item.secret is not None
        await client.oauth_clients.delete_secret(created.id, secret_id=item.secret.id)
    with pytest.raises(sk.BadRequestError, match="at least one secret"):
        await client.oauth_clients.delete_secret(created.id, secret_id=first_id)
    with pytest.raises(sk.NotFoundError):
        await client.oauth_clients.delete_secret(created.id, secret_id="sec_missing")
    assert fake.oauth_clients.record(created.id).secret_ids == (first_id,)


async def test_secret_calls_serve_resource_clients_too(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    resource = add_resource(fake)
    created = await client.api_resources.create_client(resource["id"], name="Agent")
    assert created.client is not None
    rotated = await client.oauth_clients.create_secret(created.client.client_id)
    assert rotated.secret is not None
    assert len(fake.resource_clients.record(created.client.client_id).secret_ids) == 2
    await client.oauth_clients.delete_secret(created.client.client_id, secret_id=rotated.secret.id)
    assert len(fake.resource_clients.record(created.client.client_id).secret_ids) == 1


async def test_revoke_consent_deletes_only_that_consent(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    resource = add_resource(fake)
    created = await client.api_resources.create_client(resource["id"], name="Agent")
    assert created.client is not None
    client_id = created.client.client_id
    ada = add_user_consent(fake, client_id=client_id, external_user_id="ada", scopes=["read"])
    bob = add_user_consent(fake, client_id=client_id, external_user_id="bob")
    await client.oauth_clients.revoke_consent(client_id, consent_id=ada["id"])
    assert ada["id"] not in fake.user_consents
    assert bob["id"] in fake.user_consents
    with pytest.raises(sk.NotFoundError):
        await client.oauth_clients.revoke_consent(client_id, consent_id=ada["id"])


async def test_revoke_consent_checks_the_id_prefixes(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match="m2m_"):
        await client.oauth_clients.revoke_consent("res_1", consent_id="usrcnst_1")
    with pytest.raises(ValueError, match="usrcnst_"):
        await client.oauth_clients.revoke_consent("m2m_1", consent_id="con_1")
    assert fake.api_requests() == []
