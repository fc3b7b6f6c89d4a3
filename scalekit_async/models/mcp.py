"""AgentKit MCP models: MCP server configurations, their accounts' state and session tokens."""

from __future__ import annotations

from datetime import datetime

import attrs

__all__ = [
    "McpConfig",
    "McpConfigConnectionToolMapping",
    "McpConnectionAuthState",
    "McpSessionToken",
]


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
