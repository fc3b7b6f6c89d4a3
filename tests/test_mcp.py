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
    with pytest.raises(TypeError, match=r"^id must be a str"):
        await client.mcp.create_session_token(None, identifier=ADA)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^id must"):
        client.mcp.list_connected_accounts("", identifier=ADA)
    with pytest.raises(TypeError, match=r"^id must be a str"):
        await client.mcp.delete_config(7)  # type: ignore[arg-type]
    assert fake.requests == []
