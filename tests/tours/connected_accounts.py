"""Every Connected Accounts operation, once."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from scalekit_async import NotFoundError, ScalekitClient
from scalekit_async.models import AuthorizationDetails, OauthToken
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._connected_accounts import complete_authorization


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await client.organizations.create(display_name="Tour Agents")
    account = await client.connected_accounts.create(
        connector="gmail",
        identifier="tour@example.com",
        organization_id=org.id,
        authorization_details=AuthorizationDetails(
            oauth_token=OauthToken(access_token="at", refresh_token="rt", scopes=("mail",))
        ),
        api_config={"region": "eu"},
    )
    await client.connected_accounts.list(organization_id=org.id, connector="gmail", page_size=10)
    await client.connected_accounts.search("tour", page_size=10)
    await client.connected_accounts.get(id=account.id)
    await client.connected_accounts.get_auth(connector="gmail", identifier="tour@example.com")
    await client.connected_accounts.update(id=account.id, api_config={"region": "us"})
    same = await client.connected_accounts.create(
        connector="gmail", identifier="tour@example.com", organization_id=org.id, if_exists="get"
    )
    assert same.id == account.id
    echoed = await client.connected_accounts.send_request(
        "/gmail/v1/users/me/profile",
        connector="gmail",
        identifier="tour@example.com",
        params={"fields": "emailAddress"},
    )
    assert echoed.status_code == 200
    assert echoed.json()["connected_account_id"] == account.id
    link = await client.connected_accounts.generate_magic_link(
        connector="slack",
        identifier="tour@example.com",
        user_verify_url="https://app.example.com/verify",
        state="tour-state",
    )
    redirect = complete_authorization(fake, link.link)
    auth_request_id = parse_qs(urlsplit(redirect).query)["auth_request_id"][0]
    await client.connected_accounts.verify_user(
        auth_request_id=auth_request_id, identifier="tour@example.com"
    )
    await client.connected_accounts.delete(id=account.id)
    try:
        await client.connected_accounts.get(id=account.id)
    except NotFoundError:
        pass
    else:
        raise AssertionError("a deleted connected account is still found")
