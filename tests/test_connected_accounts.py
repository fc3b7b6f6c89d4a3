"""client.connected_accounts against the stateful fake."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

import scalekit_async as sk
from scalekit_async import ScalekitClient
from scalekit_async._types import NotGivenOr
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._connected_accounts import complete_authorization

pytestmark = pytest.mark.anyio

OAUTH = sk.AuthorizationDetails(
    oauth_token=sk.OauthToken(
        access_token="secret-access", refresh_token="secret-refresh", scopes=("mail.send",)
    )
)


async def _account(
    client: ScalekitClient,
    identifier: str = "ada@example.com",
    connector: str = "gmail",
    *,
    organization_id: NotGivenOr[str] = sk.NOT_GIVEN,
    api_config: NotGivenOr[dict[str, str]] = sk.NOT_GIVEN,
) -> sk.ConnectedAccount:
    return await client.connected_accounts.create(
        connector=connector,
        identifier=identifier,
        organization_id=organization_id,
        authorization_details=OAUTH,
        api_config=api_config,
    )


# -- create ---------------------------------------------------------------------


async def test_create_with_oauth_tokens_is_active_and_sends_only_set_fields(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    org = await client.organizations.create(display_name="Acme")
    account = await client.connected_accounts.create(
        connector="gmail",
        identifier="ada@example.com",
        organization_id=org.id,
        authorization_details=OAUTH,
        api_config={"region": "eu"},
    )
    assert account.id.startswith("ca_")
    assert account.status == sk.ConnectorStatus.ACTIVE
    assert account.authorization_type == sk.ConnectorType.OAUTH
    assert (account.connector, account.provider) == ("gmail", "GMAIL")
    assert account.connection_id.startswith("conn_")
    assert account.api_config == {"region": "eu"}
    assert account.token_expires_at is not None
    assert account.token_expires_at.tzinfo is not None
    (request,) = fake.api_requests("POST", "/api/v1/connected_accounts")
    assert request.json() == {
        "organization_id": org.id,
        "connector": "gmail",
        "identifier": "ada@example.com",
        "connected_account": {
            "authorization_details": {
                "oauth_token": {
                    "access_token": "secret-access",
                    "refresh_token": "secret-refresh",
                    "scopes": ["mail.send"],
                }
            },
            "api_config": {"region": "eu"},
        },
    }
    assert fake.connected_accounts[account.id]["organization_id"] == org.id


async def test_create_accepts_credentials_as_a_mapping(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    account = await client.connected_accounts.create(
        connector="weather",
        identifier="station-1",
        authorization_details={"static_auth": {"details": {"api_key": "k-123"}}},
    )
    assert account.status == "ACTIVE"
    assert account.authorization_type == "API_KEY"
    assert account.authorization_details is not None
    assert account.authorization_details.static_auth is not None
    assert account.authorization_details.static_auth.details == {"api_key": "k-123"}


async def test_create_without_credentials_waits_for_authorization(
    client: ScalekitClient,
) -> None:
    account = await client.connected_accounts.create(connector="slack", identifier="ada")
    assert account.status == sk.ConnectorStatus.PENDING_AUTH
    assert account.authorization_details is None


async def test_create_twice_conflicts(client: ScalekitClient, fake: FakeScalekit) -> None:
    await _account(client)
    with pytest.raises(sk.ConflictError) as caught:
        await _account(client)
    assert caught.value.status_code == 409
    assert len(fake.connected_accounts) == 1


async def test_create_for_an_unknown_connector_is_a_field_violation(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(sk.BadRequestError) as caught:
        await _account(client, connector="myspace")
    assert [v.field for v in caught.value.field_violations] == ["connector"]
    assert fake.connected_accounts == {}


async def test_create_checks_arguments_before_sending(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(TypeError):
        await client.connected_accounts.create(connector=1, identifier="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="identifier"):
        await client.connected_accounts.create(connector="gmail", identifier="")
    with pytest.raises(TypeError):
        await client.connected_accounts.create(
            connector="gmail",
            identifier="x",
            authorization_details="token",  # type: ignore[arg-type]
        )
    assert fake.api_requests() == []


async def test_create_for_a_custom_provider(client: ScalekitClient) -> None:
    provider = await client.providers.create("Acme CRM", auth_patterns=[{"type": "API_KEY"}])
    account = await client.connected_accounts.create(
        connector=provider.identifier, identifier="crm-user"
    )
    assert account.provider == "ACME_CRM"
    assert account.authorization_type == "API_KEY"


# -- read -----------------------------------------------------------------------


async def test_get_returns_metadata_without_credentials(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    created = await _account(client)
    account = await client.connected_accounts.get(id=created.id)
    assert account.id == created.id
    assert account.status == "ACTIVE"
    assert account.authorization_details is None
    (request,) = fake.api_requests("GET", "/api/v1/connected_accounts/details")
    assert request.query == (("id", created.id),)


async def test_get_auth_returns_credentials_but_never_in_repr(client: ScalekitClient) -> None:
    await _account(client)
    account = await client.connected_accounts.get_auth(
        connector="gmail", identifier="ada@example.com"
    )
    assert account.authorization_details is not None
    token = account.authorization_details.oauth_token
    assert token is not None
    assert (token.access_token, token.refresh_token) == ("secret-access", "secret-refresh")
    assert "secret-access" not in repr(account)
    assert "secret-refresh" not in repr(account)


async def test_find_by_connector_and_identifier_narrowed_by_owner(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    first = await client.organizations.create(display_name="First")
    second = await client.organizations.create(display_name="Second")
    await _account(client, organization_id=first.id)
    theirs = await _account(client, organization_id=second.id)
    found = await client.connected_accounts.get(
        connector="gmail", identifier="ada@example.com", organization_id=second.id
    )
    assert found.id == theirs.id
    (request,) = fake.api_requests("GET", "/api/v1/connected_accounts/details")
    assert dict(request.query) == {
        "organization_id": second.id,
        "connector": "gmail",
        "identifier": "ada@example.com",
    }


async def test_get_missing_account_is_not_found(client: ScalekitClient) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.connected_accounts.get(id="ca_missing")
    with pytest.raises(sk.NotFoundError):
        await client.connected_accounts.get_auth(connector="gmail", identifier="nobody")


async def test_lookup_needs_an_id_or_a_connector_and_identifier(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match="id="):
        await client.connected_accounts.get(connector="gmail")
    with pytest.raises(ValueError, match="id="):
        await client.connected_accounts.delete(identifier="ada@example.com")
    with pytest.raises(TypeError):
        await client.connected_accounts.get(id=123)  # type: ignore[arg-type]
    assert fake.api_requests() == []


# -- list and search --------------------------------------------------------------


async def test_list_pages_through_matching_accounts_without_credentials(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    org = await client.organizations.create(display_name="Acme")
    for name in ("a@example.com", "b@example.com", "c@example.com"):
        await _account(client, identifier=name, organization_id=org.id)
    await _account(client, identifier="other@example.com")
    seen = [a async for a in client.connected_accounts.list(organization_id=org.id, page_size=2)]
    assert [a.identifier for a in seen] == ["a@example.com", "b@example.com", "c@example.com"]
    assert all(isinstance(a, sk.ConnectedAccountSummary) for a in seen)
    assert not hasattr(seen[0], "authorization_details")
    requests = fake.api_requests("GET", "/api/v1/connected_accounts")
    assert [r.param("page_token") for r in requests] == [None, "2"]
    assert all(r.param("organization_id") == org.id for r in requests)


async def test_list_filters_by_connection_names_as_repeated_keys(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    await _account(client, connector="gmail")
    await _account(client, connector="slack")
    await _account(client, connector="notion")
    page = await client.connected_accounts.list(connection_names=["gmail", "notion"])
    assert sorted(a.connector for a in page.items) == ["gmail", "notion"]
    assert page.total_size == 2
    (request,) = fake.api_requests("GET", "/api/v1/connected_accounts")
    assert request.params("connection_names") == ["gmail", "notion"]


async def test_list_checks_arguments_before_sending(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match="page_size"):
        client.connected_accounts.list(page_size=100)
    with pytest.raises(ValueError, match="connector"):
        client.connected_accounts.list(connector="gmail", connection_names=["slack"])
    with pytest.raises(ValueError, match="20"):
        client.connected_accounts.list(connection_names=[f"c{i}" for i in range(21)])
    with pytest.raises(TypeError):
        client.connected_accounts.list(connection_names="gmail")
    assert fake.api_requests() == []


async def test_search_matches_identifier_connector_or_provider(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    await _account(client, identifier="ada@example.com", connector="gmail")
    await _account(client, identifier="bob@example.com", connector="slack")
    page = await client.connected_accounts.search("SLACK", page_size=5)
    assert [a.identifier for a in page.items] == ["bob@example.com"]
    page = await client.connected_accounts.search("example.com")
    assert page.total_size == 2
    request = fake.api_requests("GET", "/api/v1/connected_accounts:search")[0]
    assert dict(request.query) == {"query": "SLACK", "page_size": "5"}


async def test_search_checks_arguments_before_sending(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match="3 and 200"):
        client.connected_accounts.search("ab")
    with pytest.raises(ValueError, match="page_size"):
        client.connected_accounts.search("abc", page_size=31)
    assert fake.api_requests() == []


# -- update and delete ------------------------------------------------------------


async def test_update_replaces_credentials_and_merges_api_config(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    created = await _account(client, api_config={"region": "eu", "tier": "free"})
    updated = await client.connected_accounts.update(
        connector="gmail",
        identifier="ada@example.com",
        authorization_details=sk.AuthorizationDetails(
            oauth_token=sk.OauthToken(access_token="new-access")
        ),
        api_config={"tier": "pro"},
    )
    assert updated.id == created.id
    assert updated.api_config == {"region": "eu", "tier": "pro"}
    stored = fake.connected_accounts[created.id]
    assert stored["authorization_details"] == {"oauth_token": {"access_token": "new-access"}}
    (request,) = fake.api_requests("PUT", "/api/v1/connected_accounts")
    assert request.json()["connected_account"]["api_config"] == {"tier": "pro"}


async def test_update_needs_something_to_change(client: ScalekitClient, fake: FakeScalekit) -> None:
    with pytest.raises(ValueError, match="authorization_details or api_config"):
        await client.connected_accounts.update(id="ca_1")
    assert fake.api_requests() == []


async def test_update_missing_account_is_not_found(client: ScalekitClient) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.connected_accounts.update(id="ca_missing", api_config={"a": "b"})


async def test_delete_removes_the_account_with_a_post_body(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    account = await _account(client)
    await client.connected_accounts.delete(connector="gmail", identifier="ada@example.com")
    assert account.id not in fake.connected_accounts
    (request,) = fake.api_requests("POST", "/api/v1/connected_accounts:delete")
    assert request.json() == {"connector": "gmail", "identifier": "ada@example.com"}
    with pytest.raises(sk.NotFoundError):
        await client.connected_accounts.delete(id=account.id)


async def test_delete_is_not_retried_after_a_server_error(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    account = await _account(client)
    fake.fail_next(status=503, path="/api/v1/connected_accounts:delete")
    with pytest.raises(sk.ServerError):
        await client.connected_accounts.delete(id=account.id)
    assert len(fake.api_requests("POST", "/api/v1/connected_accounts:delete")) == 1


async def test_deleting_an_organization_deletes_its_accounts(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    org = await client.organizations.create(display_name="Acme")
    doomed = await _account(client, organization_id=org.id)
    kept = await _account(client, identifier="kept@example.com")
    await client.organizations.delete(org.id)
    assert set(fake.connected_accounts) == {kept.id}
    with pytest.raises(sk.NotFoundError):
        await client.connected_accounts.get(id=doomed.id)


# -- magic links and user verification ---------------------------------------------


async def test_magic_link_creates_a_pending_account_and_expires_later(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    link = await client.connected_accounts.generate_magic_link(
        connector="notion", identifier="ada@example.com"
    )
    assert link.link.startswith("https://")
    assert link.expiry is not None
    assert link.expiry > datetime.now(UTC)
    (account,) = fake.connected_accounts.values()
    assert (account["connector"], account["status"]) == ("notion", "PENDING_AUTH")
    redirect = complete_authorization(fake, link.link)
    assert "connect/success" in redirect
    active = await client.connected_accounts.get(connector="notion", identifier="ada@example.com")
    assert active.status == sk.ConnectorStatus.ACTIVE


async def test_magic_link_for_a_missing_id_is_not_found(client: ScalekitClient) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.connected_accounts.generate_magic_link(id="ca_missing")


async def test_verify_user_activates_the_account_once(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    link = await client.connected_accounts.generate_magic_link(
        connector="github",
        identifier="ada",
        user_verify_url="https://app.example.com/verify",
        state="s-42",
    )
    (request,) = fake.api_requests("POST", "/api/v1/connected_accounts/magic_link")
    assert request.json() == {
        "connector": "github",
        "identifier": "ada",
        "state": "s-42",
        "user_verify_url": "https://app.example.com/verify",
    }
    redirect = complete_authorization(fake, link.link)
    assert redirect.startswith("https://app.example.com/verify?")
    query = parse_qs(urlsplit(redirect).query)
    assert query["state"] == ["s-42"]
    pending = await client.connected_accounts.get(connector="github", identifier="ada")
    assert pending.status == sk.ConnectorStatus.PENDING_VERIFICATION

    auth_request_id = query["auth_request_id"][0]
    with pytest.raises(sk.PermissionDeniedError):
        await client.connected_accounts.verify_user(
            auth_request_id=auth_request_id, identifier="mallory"
        )
    result = await client.connected_accounts.verify_user(
        auth_request_id=auth_request_id, identifier="ada"
    )
    assert result.post_user_verify_redirect_url.startswith("https://")
    active = await client.connected_accounts.get_auth(connector="github", identifier="ada")
    assert active.status == sk.ConnectorStatus.ACTIVE
    assert active.authorization_details is not None
    assert active.authorization_details.oauth_token is not None
    with pytest.raises(sk.NotFoundError):
        await client.connected_accounts.verify_user(
            auth_request_id=auth_request_id, identifier="ada"
        )


async def test_verify_user_checks_arguments_before_sending(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match="auth_request_id"):
        await client.connected_accounts.verify_user(auth_request_id="", identifier="ada")
    assert fake.api_requests() == []


# -- None is not given ------------------------------------------------------------


async def test_lists_treat_none_as_not_given(client: ScalekitClient, fake: FakeScalekit) -> None:
    await _account(client)
    page = await client.connected_accounts.list(
        organization_id=None,
        user_id=None,
        connector=None,
        identifier=None,
        provider=None,
        query=None,
        connection_names=None,
        page_size=None,
        page_token=None,
    )
    assert len(page.items) == 1
    found = await client.connected_accounts.search(
        "gmail", connection_id=None, page_size=None, page_token=None
    )
    assert len(found.items) == 1
    (listed,) = fake.api_requests("GET", "/api/v1/connected_accounts")
    assert listed.query == ()
    (searched,) = fake.api_requests("GET", "/api/v1/connected_accounts:search")
    assert searched.query == (("query", "gmail"),)


async def test_a_locator_field_passed_as_none_is_not_given(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    account = await _account(client)
    got = await client.connected_accounts.get(
        id=account.id, connector=None, identifier=None, organization_id=None, user_id=None
    )
    assert got.id == account.id
    (request,) = fake.api_requests("GET", "/api/v1/connected_accounts/details")
    assert request.query == (("id", account.id),)
    with pytest.raises(ValueError, match="find the connected account"):
        await client.connected_accounts.get_auth(id=None, connector="gmail")


# -- create(if_exists=...): get-or-create and upsert ------------------------------------


async def test_if_exists_get_returns_the_existing_account_of_the_same_owner(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    org_a = await client.organizations.create(display_name="A")
    org_b = await client.organizations.create(display_name="B")
    mine = await client.connected_accounts.create(
        connector="gmail", identifier="x@example.com", organization_id=org_a.id
    )
    again = await client.connected_accounts.create(
        connector="gmail", identifier="x@example.com", organization_id=org_a.id, if_exists="get"
    )
    assert again.id == mine.id
    # Another organization's account of the same identifier is not "the existing one".
    theirs = await client.connected_accounts.create(
        connector="gmail", identifier="x@example.com", organization_id=org_b.id, if_exists="get"
    )
    assert theirs.id != mine.id
    lookups = fake.api_requests("GET", "/api/v1/connected_accounts/details")
    assert ("organization_id", org_b.id) in lookups[-1].query  # the lookup is scoped


async def test_if_exists_get_creates_when_missing(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    made = await client.connected_accounts.create(
        connector="slack", identifier="new@example.com", if_exists="get"
    )
    assert made.status == sk.ConnectorStatus.PENDING_AUTH
    assert len(fake.api_requests("POST", "/api/v1/connected_accounts")) == 1


async def test_if_exists_update_replaces_credentials_of_the_existing_account(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    pending = await client.connected_accounts.create(connector="gmail", identifier="u@example.com")
    updated = await client.connected_accounts.create(
        connector="gmail",
        identifier="u@example.com",
        authorization_details=OAUTH,
        if_exists="update",
    )
    assert updated.id == pending.id
    assert updated.status == sk.ConnectorStatus.ACTIVE
    assert len(fake.api_requests("PUT", "/api/v1/connected_accounts")) == 1
    # Nothing to change: returned as found, no update sent.
    same = await client.connected_accounts.create(
        connector="gmail", identifier="u@example.com", if_exists="update"
    )
    assert same.id == pending.id
    assert len(fake.api_requests("PUT", "/api/v1/connected_accounts")) == 1


async def test_if_exists_get_survives_losing_the_creation_race(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    # Another caller creates the account between our lookup and our creation: the
    # lookup answers 404 (injected), the creation 409, and the second lookup finds theirs.
    theirs = await client.connected_accounts.create(connector="gmail", identifier="r@example.com")
    fake.fail_next(method="GET", path="/api/v1/connected_accounts/details", status=404)
    got = await client.connected_accounts.create(
        connector="gmail", identifier="r@example.com", if_exists="get"
    )
    assert got.id == theirs.id
    assert len(fake.api_requests("GET", "/api/v1/connected_accounts/details")) == 2


async def test_if_exists_raise_is_the_default_and_bad_values_are_refused(
    client: ScalekitClient,
) -> None:
    await client.connected_accounts.create(connector="gmail", identifier="d@example.com")
    with pytest.raises(sk.ConflictError):
        await client.connected_accounts.create(connector="gmail", identifier="d@example.com")
    with pytest.raises(ValueError, match="if_exists"):
        await client.connected_accounts.create(
            connector="gmail",
            identifier="d@example.com",
            if_exists="ignore",  # type: ignore[arg-type]
        )
