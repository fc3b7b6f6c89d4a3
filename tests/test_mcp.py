"""client.mcp against the stateful fake: MCP configurations, account states and tokens."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

import scalekit_async as sk
from scalekit_async import ScalekitClient
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._connected_accounts import complete_authorization

pytestmark = pytest.mark.anyio

ADA = "ada@example.com"
GMAIL_AND_SLACK = [
    {"connection_name": "gmail", "tools": ["gmail_send_email"]},
    sk.McpConfigConnectionToolMapping(connection_name="slack"),
]


async def _config(client: ScalekitClient, name: str = "daily-digest") -> sk.McpConfig:
    return await client.mcp.create_config(
        name, description="Digest", connection_tool_mappings=GMAIL_AND_SLACK
    )


async def _activate(client: ScalekitClient, connector: str) -> None:
    await client.connected_accounts.create(
        connector=connector,
        identifier=ADA,
        authorization_details=sk.AuthorizationDetails(oauth_token=sk.OauthToken(access_token="at")),
    )


# -- configurations -------------------------------------------------------------------


async def test_create_config_fills_in_connections_and_server_url(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    config = await _config(client)
    assert config.id.startswith("cfg_")
    assert (config.name, config.description) == ("daily-digest", "Digest")
    assert config.mcp_server_url.startswith("https://")
    gmail, slack = config.connection_tool_mappings
    assert (gmail.connection_name, gmail.provider, gmail.tools) == (
        "gmail",
        "GMAIL",
        ("gmail_send_email",),
    )
    assert gmail.connection_id.startswith("conn_")
    assert (slack.connection_name, slack.tools) == ("slack", ())
    assert fake.mcp_configs[config.id]["name"] == "daily-digest"
    (request,) = fake.api_requests("POST", "/api/v1/mcp/configs")
    assert request.json() == {
        "name": "daily-digest",
        "description": "Digest",
        "connection_tool_mappings": [
            {"connection_name": "gmail", "tools": ["gmail_send_email"]},
            {"connection_name": "slack", "tools": []},
        ],
    }


async def test_create_config_with_a_taken_name_conflicts(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    await _config(client)
    with pytest.raises(sk.ConflictError):
        await _config(client)
    assert len(fake.mcp_configs) == 1


async def test_create_config_with_a_foreign_tool_is_a_field_violation(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(sk.BadRequestError) as caught:
        await client.mcp.create_config(
            "bad",
            connection_tool_mappings=[
                {"connection_name": "gmail", "tools": ["slack_send_message"]}
            ],
        )
    fields = [v.field for v in caught.value.field_violations]
    assert fields == ["config.connection_tool_mappings[0].tools"]
    assert fake.mcp_configs == {}


async def test_create_config_checks_arguments_before_sending(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match="lowercase"):
        await client.mcp.create_config("Daily Digest")
    with pytest.raises(ValueError, match="connection_name"):
        await client.mcp.create_config("x", connection_tool_mappings=[{"tools": []}])
    with pytest.raises(TypeError):
        await client.mcp.create_config("x", connection_tool_mappings={"connection_name": "gmail"})
    with pytest.raises(ValueError, match="25"):
        await client.mcp.create_config(
            "x", connection_tool_mappings=[{"connection_name": "gmail"}] * 26
        )
    assert fake.api_requests() == []


async def test_get_config_and_missing_config(client: ScalekitClient) -> None:
    config = await _config(client)
    assert await client.mcp.get_config(config.id) == config
    with pytest.raises(sk.NotFoundError):
        await client.mcp.get_config("cfg_missing")


async def test_update_config_changes_only_given_fields(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    config = await _config(client)
    updated = await client.mcp.update_config(
        config.id, connection_tool_mappings=[{"connection_name": "notion"}]
    )
    assert updated.description == "Digest"
    assert [m.connection_name for m in updated.connection_tool_mappings] == ["notion"]
    (request,) = fake.api_requests("PUT", f"/api/v1/mcp/configs/{config.id}")
    assert request.json() == {
        "connection_tool_mappings": [{"connection_name": "notion", "tools": []}]
    }
    with pytest.raises(ValueError, match="description or connection_tool_mappings"):
        await client.mcp.update_config(config.id)
    with pytest.raises(sk.NotFoundError):
        await client.mcp.update_config("cfg_missing", description="x")


async def test_delete_config(client: ScalekitClient, fake: FakeScalekit) -> None:
    config = await _config(client)
    await client.mcp.delete_config(config.id)
    assert fake.mcp_configs == {}
    with pytest.raises(sk.NotFoundError):
        await client.mcp.delete_config(config.id)


async def test_list_configs_filters_and_pages(client: ScalekitClient, fake: FakeScalekit) -> None:
    for name in ("digest-a", "digest-b", "other"):
        await _config(client, name)
    found = [c.name async for c in client.mcp.list_configs(search="DIG", page_size=1)]
    assert found == ["digest-a", "digest-b"]
    by_provider = await client.mcp.list_configs(provider="gmail")
    assert by_provider.total_size == 3
    by_name = await client.mcp.list_configs(name="Other")
    assert [c.name for c in by_name.items] == ["other"]
    by_url = await client.mcp.list_configs(mcp_server_url=by_name.items[0].mcp_server_url)
    assert [c.name for c in by_url.items] == ["other"]
    request = fake.api_requests("GET", "/api/v1/mcp/configs")[-1]
    assert request.param("filter.mcp_server_url") == by_name.items[0].mcp_server_url


async def test_list_configs_page_size_is_at_most_30(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match="page_size"):
        client.mcp.list_configs(page_size=31)
    assert fake.api_requests() == []


# -- connected accounts ------------------------------------------------------------------


async def test_list_connected_accounts_reports_existing_accounts_only(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    config = await _config(client)
    await _activate(client, "gmail")
    page = await client.mcp.list_connected_accounts(config.id, identifier=ADA)
    gmail, slack = page.items
    assert (gmail.connection_name, gmail.connected_account_status) == ("gmail", "ACTIVE")
    assert gmail.connected_account_id is not None
    assert gmail.authentication_link == ""
    assert (slack.connection_name, slack.connected_account_id) == ("slack", None)
    assert len(fake.connected_accounts) == 1
    (request,) = fake.api_requests("POST", f"/api/v1/mcp/configs/{config.id}/connected_accounts")
    assert request.json() == {"identifier": ADA, "include_auth_link": False}


async def test_list_connected_accounts_with_links_creates_missing_accounts(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    config = await _config(client)
    listing = client.mcp.list_connected_accounts(config.id, identifier=ADA, include_auth_link=True)
    states = [s async for s in listing]
    assert [s.connected_account_status for s in states] == ["PENDING_AUTH", "PENDING_AUTH"]
    assert all(s.authentication_link.startswith("https://") for s in states)
    assert len(fake.connected_accounts) == 2
    complete_authorization(fake, states[1].authentication_link)
    again = await client.mcp.list_connected_accounts(config.id, identifier=ADA)
    assert [s.connected_account_status for s in again.items] == ["PENDING_AUTH", "ACTIVE"]


async def test_list_connected_accounts_of_a_missing_config(client: ScalekitClient) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.mcp.list_connected_accounts("cfg_missing", identifier=ADA)
    with pytest.raises(ValueError, match="identifier"):
        client.mcp.list_connected_accounts("cfg_missing", identifier="")


async def test_a_connected_accounts_answer_that_is_not_an_object_is_not_an_empty_list(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    config = await _config(client)
    path = f"/api/v1/mcp/configs/{config.id}/connected_accounts"
    fake.fail_next(1, path=path, status=200, body=b"[]")
    with pytest.raises(sk.ResponseValidationError, match="not an object"):
        await client.mcp.list_connected_accounts(config.id, identifier=ADA)


# -- session tokens ------------------------------------------------------------------------


async def test_session_token_stands_for_the_identifier(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    config = await _config(client)
    await _activate(client, "gmail")
    await _activate(client, "slack")
    before = datetime.now(UTC)
    token = await client.mcp.create_session_token(
        config.id, identifier=ADA, expiry=timedelta(minutes=5)
    )
    assert token.token is not None
    assert token.token not in repr(token)
    assert token.expires_at is not None
    assert before + timedelta(minutes=4) < token.expires_at <= before + timedelta(minutes=6)
    claims = json.loads(base64.urlsafe_b64decode(token.token.split(".")[1] + "=="))
    assert (claims["sub"], claims["aud"], claims["mcp_cfg"]) == (
        ADA,
        config.mcp_server_url,
        config.id,
    )
    assert len(claims["ca_ids"]) == 2
    (request,) = fake.api_requests("POST", f"/api/v1/mcp/configs/{config.id}/tokens")
    assert request.json() == {"identifier": ADA, "expiry": "300s"}


async def test_session_token_needs_an_active_account_per_connection(
    client: ScalekitClient,
) -> None:
    config = await _config(client)
    await _activate(client, "gmail")
    with pytest.raises(sk.BadRequestError, match="slack") as caught:
        await client.mcp.create_session_token(config.id, identifier=ADA)
    assert [v.field for v in caught.value.field_violations] == ["identifier"]
    with pytest.raises(sk.NotFoundError):
        await client.mcp.create_session_token("cfg_missing", identifier=ADA)


async def test_session_token_expiry_is_checked_before_sending(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match="60 seconds and 24 hours"):
        await client.mcp.create_session_token("cfg_1", identifier=ADA, expiry=30)
    with pytest.raises(ValueError, match="60 seconds and 24 hours"):
        await client.mcp.create_session_token("cfg_1", identifier=ADA, expiry=timedelta(days=2))
    with pytest.raises(TypeError):
        await client.mcp.create_session_token("cfg_1", identifier=ADA, expiry="1h")  # type: ignore[arg-type]
    assert fake.api_requests() == []


# -- names -----------------------------------------------------------------------------


async def test_list_configs_treats_none_as_not_given(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    await _config(client)
    page = await client.mcp.list_configs(
        id=None,
        name=None,
        provider=None,
        mcp_server_url=None,
        search=None,
        page_size=None,
        page_token=None,
    )
    assert [c.name for c in page.items] == ["daily-digest"]
    (request,) = fake.api_requests("GET", "/api/v1/mcp/configs")
    assert request.query == ()


async def test_every_config_method_takes_the_config_as_id(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    config = await _config(client)
    await _activate(client, "gmail")
    await _activate(client, "slack")
    assert await client.mcp.get_config(id=config.id) == config
    await client.mcp.update_config(id=config.id, description="New")
    await client.mcp.list_connected_accounts(id=config.id, identifier=ADA)
    await client.mcp.create_session_token(id=config.id, identifier=ADA)
    await client.mcp.delete_config(id=config.id)
    base = f"/api/v1/mcp/configs/{config.id}"
    assert [(r.method, r.path) for r in fake.api_requests()[-5:]] == [
        ("GET", base),
        ("PUT", base),
        ("POST", base + "/connected_accounts"),
        ("POST", base + "/tokens"),
        ("DELETE", base),
    ]


async def test_the_old_config_id_names_are_gone(client: ScalekitClient, fake: FakeScalekit) -> None:
    with pytest.raises(TypeError):
        await client.mcp.get_config(config_id="cfg_1")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        await client.mcp.create_session_token(mcp_config_id="cfg_1", identifier=ADA)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"^give exactly one of id"):
        await client.mcp.create_session_token(None, identifier=ADA)
    with pytest.raises(TypeError, match=r"^id must be a str"):
        await client.mcp.create_session_token(7, identifier=ADA)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^id must"):
        client.mcp.list_connected_accounts("", identifier=ADA)
    with pytest.raises(TypeError, match=r"^id must be a str"):
        await client.mcp.delete_config(7)  # type: ignore[arg-type]
    assert fake.requests == []


# -- session tokens for one connection --------------------------------------------------


async def test_session_token_for_a_connection(client: ScalekitClient, fake: FakeScalekit) -> None:
    await _activate(client, "gmail")
    token = await client.mcp.create_session_token(
        connector="gmail", identifier=ADA, expiry=120, access_level=sk.McpAccessLevel.READ_ONLY
    )
    assert token.token is not None
    claims = json.loads(base64.urlsafe_b64decode(token.token.split(".")[1] + "=="))
    assert claims["sub"] == ADA
    assert claims["aud"].endswith("/mcp/v3/connections/gmail")
    assert "mcp_cfg" not in claims
    (request,) = fake.api_requests("POST", "/api/v1/mcp/connections/gmail/tokens")
    assert request.json() == {"identifier": ADA, "expiry": "120s", "access_level": "READ_ONLY"}


async def test_session_token_for_a_connection_needs_an_active_account(
    client: ScalekitClient,
) -> None:
    with pytest.raises(sk.BadRequestError) as caught:
        await client.mcp.create_session_token(connector="slack", identifier=ADA)
    assert [v.field for v in caught.value.field_violations] == ["identifier"]
    with pytest.raises(sk.NotFoundError):
        await client.mcp.create_session_token(connector="no-such-connector", identifier=ADA)


async def test_session_token_access_level_is_for_connection_tokens_only(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(TypeError, match="access_level"):
        await client.mcp.create_session_token("cfg_1", identifier=ADA, access_level="FULL")
    assert fake.requests == []


@pytest.mark.parametrize(
    ("args", "kwargs", "error"),
    [
        (("cfg_1",), {"connector": "gmail"}, TypeError),  # both
        ((), {}, TypeError),  # neither
        ((), {"connector": ""}, ValueError),
        ((), {"connector": 7}, TypeError),
        ((), {"connector": "gmail", "access_level": "WRITE"}, ValueError),
        ((), {"connector": "gmail", "access_level": 1}, TypeError),
        ((), {"connector": "gmail", "expiry": 10}, ValueError),
    ],
)
async def test_session_token_checks_the_server_and_options_before_sending(
    client: ScalekitClient,
    fake: FakeScalekit,
    args: tuple[object, ...],
    kwargs: dict[str, object],
    error: type,
) -> None:
    with pytest.raises(error):
        await client.mcp.create_session_token(*args, identifier=ADA, **kwargs)  # type: ignore[arg-type]
    assert fake.requests == []


# -- MCP instances (preview) ------------------------------------------------------------


async def test_create_instance_creates_once_per_configuration_and_user(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    config = await _config(client)
    first = await client.mcp.create_instance(config="daily-digest", user_identifier=ADA)
    assert isinstance(first, sk.McpInstance)
    assert first.id.startswith("mcpi_")
    assert (first.name, first.user_identifier) == ("daily-digest", ADA)
    assert first.config == config
    assert first.url.startswith("https://")
    assert first.updated_at is not None
    again = await client.mcp.create_instance(config=config, user_identifier=ADA, name="other")
    assert again == first
    assert list(fake.mcp_instances) == [first.id]
    bob = await client.mcp.create_instance(config=config, user_identifier="bob", name="Bob's")
    assert bob.id != first.id
    assert bob.name == "Bob's"
    bodies = [r.json() for r in fake.api_requests("POST", "/api/v1/mcp/instances")]
    assert bodies == [
        {"config_name": "daily-digest", "user_identifier": ADA},
        {"name": "other", "config_name": "daily-digest", "user_identifier": ADA},
        {"name": "Bob's", "config_name": "daily-digest", "user_identifier": "bob"},
    ]
    assert fake.mcp_instances.record(bob.id).config_id == config.id


async def test_create_instance_of_a_missing_configuration_is_not_found(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.mcp.create_instance(config="nope", user_identifier=ADA)
    assert fake.mcp_instances == {}


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"config": "", "user_identifier": ADA}, ValueError),
        ({"config": 1, "user_identifier": ADA}, TypeError),
        ({"config": "c", "user_identifier": ""}, ValueError),
        ({"config": "c", "user_identifier": ADA, "name": ""}, ValueError),
    ],
)
async def test_create_instance_checks_arguments_before_sending(
    client: ScalekitClient, fake: FakeScalekit, kwargs: dict[str, object], error: type
) -> None:
    with pytest.raises(error):
        await client.mcp.create_instance(**kwargs)  # type: ignore[arg-type]
    assert fake.requests == []


async def test_list_instances_filters_and_pages(client: ScalekitClient, fake: FakeScalekit) -> None:
    digest = await _config(client)
    other = await _config(client, "weekly")
    ada = await client.mcp.create_instance(config=digest, user_identifier=ADA, name="Ada digest")
    bob = await client.mcp.create_instance(config=digest, user_identifier="bob")
    weekly = await client.mcp.create_instance(config=other, user_identifier=ADA)
    page = await client.mcp.list_instances(page_size=2)
    assert [i.id for i in page.items] == [ada.id, bob.id]
    assert (page.total_size, page.has_next_page) == (3, True)
    assert [i.id async for i in client.mcp.list_instances()] == [ada.id, bob.id, weekly.id]
    by_config = await client.mcp.list_instances(config="daily-digest")
    assert [i.id for i in by_config.items] == [ada.id, bob.id]
    by_user = await client.mcp.list_instances(user_identifier=ADA, config=other)
    assert [i.id for i in by_user.items] == [weekly.id]
    assert [i.id for i in (await client.mcp.list_instances(id=bob.id)).items] == [bob.id]
    assert [i.id for i in (await client.mcp.list_instances(name="weekly")).items] == [weekly.id]
    assert [i.id for i in (await client.mcp.list_instances(search="ADA")).items] == [ada.id]
    queries = [r.query for r in fake.api_requests("GET", "/api/v1/mcp/instances")]
    expected = {"filter.config_name": "weekly", "filter.user_identifier": ADA}
    assert expected in [dict(q) for q in queries]
    assert queries[0] == (("page_size", "2"),)
    with pytest.raises(ValueError, match="page_size"):
        client.mcp.list_instances(page_size=31)


async def test_get_update_and_delete_an_instance(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    digest = await _config(client)
    weekly = await _config(client, "weekly")
    instance = await client.mcp.create_instance(config=digest, user_identifier=ADA)
    assert await client.mcp.get_instance(instance.id) == instance
    renamed = await client.mcp.update_instance(instance.id, name="Renamed")
    assert (renamed.name, renamed.config) == ("Renamed", digest)
    moved = await client.mcp.update_instance(instance.id, config=weekly)
    assert (moved.name, moved.config) == ("Renamed", weekly)
    bodies = [r.json() for r in fake.api_requests("PATCH", f"/api/v1/mcp/instances/{instance.id}")]
    assert bodies == [{"name": "Renamed"}, {"config_name": "weekly"}]
    await client.mcp.delete_instance(instance.id)
    for call in (client.mcp.get_instance, client.mcp.delete_instance):
        with pytest.raises(sk.NotFoundError):
            await call(instance.id)
    with pytest.raises(sk.NotFoundError):
        await client.mcp.update_instance(instance.id, name="x")


async def test_update_instance_refuses_a_second_instance_of_a_user(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    digest = await _config(client)
    weekly = await _config(client, "weekly")
    await client.mcp.create_instance(config=digest, user_identifier=ADA)
    other = await client.mcp.create_instance(config=weekly, user_identifier=ADA)
    with pytest.raises(sk.ConflictError):
        await client.mcp.update_instance(other.id, config=digest)
    assert fake.mcp_instances.record(other.id).config_id == weekly.id
    with pytest.raises(sk.NotFoundError):
        await client.mcp.update_instance(other.id, config="missing")
    with pytest.raises(ValueError, match="needs name or config"):
        await client.mcp.update_instance(other.id)


async def test_deleting_a_configuration_deletes_its_instances(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    digest = await _config(client)
    weekly = await _config(client, "weekly")
    gone = await client.mcp.create_instance(config=digest, user_identifier=ADA)
    kept = await client.mcp.create_instance(config=weekly, user_identifier=ADA)
    await client.mcp.delete_config(digest.id)
    with pytest.raises(sk.NotFoundError):
        await client.mcp.get_instance(gone.id)
    assert [i.id async for i in client.mcp.list_instances()] == [kept.id]


async def test_instance_auth_state_reports_its_users_accounts(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    config = await _config(client)
    await _activate(client, "gmail")
    instance = await client.mcp.create_instance(config=config, user_identifier=ADA)
    gmail, slack = await client.mcp.get_instance_auth_state(instance.id)
    assert (gmail.connection_name, gmail.connected_account_status) == ("gmail", "ACTIVE")
    assert (slack.connection_name, slack.connected_account_id) == ("slack", None)
    assert slack.authentication_link == ""
    path = f"/api/v1/mcp/instances/{instance.id}:get_auth_state"
    assert fake.api_requests("POST", path)[-1].query == ()
    _, slack = await client.mcp.get_instance_auth_state(instance.id, include_auth_links=True)
    assert slack.connected_account_id is not None
    assert slack.authentication_link.startswith("https://")
    assert fake.api_requests("POST", path)[-1].query == (("include_auth_links", "true"),)
    with pytest.raises(sk.NotFoundError):
        await client.mcp.get_instance_auth_state("mcpi_missing")


async def test_instance_methods_check_the_id_before_sending(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match=r"^id must"):
        await client.mcp.get_instance("")
    with pytest.raises(TypeError, match=r"^id must be a str"):
        await client.mcp.delete_instance(7)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^id must"):
        await client.mcp.update_instance("..", name="x")
    with pytest.raises(TypeError):
        await client.mcp.get_instance_auth_state("mcpi_1", include_auth_links="yes")  # type: ignore[arg-type]
    assert fake.requests == []
