"""Every MCP Configurations operation, once."""

from __future__ import annotations

from scalekit_async import NotFoundError, ScalekitClient
from scalekit_async.models import AuthorizationDetails, OauthToken
from scalekit_async.testing import FakeScalekit


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    await client.connected_accounts.create(
        connector="gmail",
        identifier="mcp-tour@example.com",
        authorization_details=AuthorizationDetails(oauth_token=OauthToken(access_token="at")),
    )
    config = await client.mcp.create_config(
        "tour-config",
        description="Tour",
        connection_tool_mappings=[{"connection_name": "gmail", "tools": ["gmail_send_email"]}],
    )
    await client.mcp.list_configs(name="tour-config", page_size=10)
    await client.mcp.get_config(config.id)
    await client.mcp.update_config(config.id, description="Tour, updated")
    await client.mcp.list_connected_accounts(config.id, identifier="mcp-tour@example.com")
    await client.mcp.create_session_token(config.id, identifier="mcp-tour@example.com", expiry=600)
    await client.mcp.create_session_token(
        connector="gmail", identifier="mcp-tour@example.com", expiry=600, access_level="READ_ONLY"
    )
    # MCP instances (preview).
    instance = await client.mcp.create_instance(
        config=config, user_identifier="mcp-tour@example.com", name="Tour instance"
    )
    await client.mcp.list_instances(
        id=instance.id,
        name="Tour instance",
        config="tour-config",
        user_identifier="mcp-tour@example.com",
        search="tour",
        page_size=10,
    )
    await client.mcp.get_instance(instance.id)
    await client.mcp.update_instance(instance.id, name="Tour instance, renamed", config=config)
    await client.mcp.get_instance_auth_state(instance.id, include_auth_links=True)
    await client.mcp.delete_instance(instance.id)
    await client.mcp.delete_config(config.id)
    try:
        await client.mcp.get_config(config.id)
    except NotFoundError:
        pass
    else:
        raise AssertionError("a deleted MCP configuration is still found")
