"""AgentKit MCP models: MCP server configurations, their instances, accounts' state and tokens."""

from __future__ import annotations

from datetime import datetime

import attrs

from .._enums import OpenEnum

__all__ = [
    "McpAccessLevel",
    "McpConfig",
    "McpConfigConnectionToolMapping",
    "McpConnectionAuthState",
    "McpInstance",
    "McpSessionToken",
]


class McpAccessLevel(OpenEnum):
    """What an MCP session token lets its bearer do with the tools it reaches."""

    FULL = "FULL"
    READ_ONLY = "READ_ONLY"


@attrs.frozen(kw_only=True)
class McpConfigConnectionToolMapping:
    """Which tools of one connection an MCP configuration exposes (no tools: all of them).

    Only `connection_name` and `tools` are sent; the other fields are filled in
    by Scalekit (the connection's id and provider, and in an instance's
    context the connected account behind it).
    """

    connection_name: str = ""
    tools: tuple[str, ...] = ()
    connection_id: str = ""
    provider: str = ""
    connected_account_id: str | None = None
    connected_account_status: str | None = None


@attrs.frozen(kw_only=True)
class McpConfig:
    """An MCP configuration: a named set of connections and tools served as one MCP server."""

    id: str = ""
    name: str = ""
    description: str = ""
    connection_tool_mappings: tuple[McpConfigConnectionToolMapping, ...] = ()
    mcp_server_url: str = ""


@attrs.frozen(kw_only=True)
class McpConnectionAuthState:
    """A user's connected-account state for one connection of an MCP configuration."""

    connection_id: str = ""
    connection_name: str = ""
    provider: str = ""
    connected_account_id: str | None = None
    connected_account_status: str | None = None
    authentication_link: str = ""


@attrs.frozen(kw_only=True)
class McpSessionToken:
    """A short-lived JWT standing for a user across an MCP configuration's accounts.

    The token is a bearer credential, so it is kept out of the repr.
    """

    token: str | None = attrs.field(default=None, repr=False)
    expires_at: datetime | None = None


@attrs.frozen(kw_only=True)
class McpInstance:
    """One user's MCP server made from an MCP configuration (**preview**).

    Scalekit keeps at most one instance per configuration and user identifier;
    `url` is the server an MCP client connects to, and `config` the
    configuration it serves as it is now.
    """

    id: str = ""
    name: str = ""
    user_identifier: str = ""
    config: McpConfig | None = None
    url: str = ""
    last_used_at: datetime | None = None
    updated_at: datetime | None = None
