"""``client.mcp``: AgentKit MCP configurations, their users' accounts, and session tokens.

An MCP configuration names a set of connections (and which of their tools to
expose) that Scalekit serves as one MCP server. For a given user identifier,
`Mcp.list_connected_accounts` tells which of those connections are
authorized, and `Mcp.create_session_token` mints the short-lived JWT an MCP
client presents on that user's behalf.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from .._pagination import AsyncPaginator, Page
from .._routes import Route, operation, segment
from .._types import NOT_GIVEN, NotGivenOr, given
from ..models.mcp import (
    McpConfig,
    McpConfigConnectionToolMapping,
    McpConnectionAuthState,
    McpSessionToken,
)
from ._base import Resource, check_page_size

__all__ = ["Mcp"]

_LIST_CONFIGS = Route("GET", "/api/v1/mcp/configs")
_CREATE_CONFIG = Route("POST", "/api/v1/mcp/configs")
_GET_CONFIG = Route("GET", "/api/v1/mcp/configs/{config_id}")
_UPDATE_CONFIG = Route("PUT", "/api/v1/mcp/configs/{config_id}")
_DELETE_CONFIG = Route("DELETE", "/api/v1/mcp/configs/{config_id}")
_CONNECTED_ACCOUNTS = Route("POST", "/api/v1/mcp/configs/{config_id}/connected_accounts")
_CREATE_TOKEN = Route("POST", "/api/v1/mcp/configs/{mcp_config_id}/tokens")

PAGE_SIZE_MAX = 30
"""The largest ``page_size`` of `Mcp.list_configs`."""
MAX_MAPPINGS = 25
"""The most connection-to-tool mappings one MCP configuration may hold."""

_NAME = re.compile(r"[a-z0-9_-]{1,100}")
_TOKEN_EXPIRY = (60.0, 86400.0)

ToolMappings = Iterable[McpConfigConnectionToolMapping | Mapping[str, Any]]
"""Connection-to-tool mappings as models, or as mappings with ``connection_name`` and ``tools``."""


class Mcp(Resource):
    """Manage MCP configurations, check their users' accounts and mint session tokens."""

    __slots__ = ()

    @operation(_LIST_CONFIGS)
    def list_configs(
        self,
        *,
        id: str | None = None,
        name: str | None = None,
        provider: str | None = None,
        mcp_server_url: str | None = None,
        search: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPaginator[McpConfig]:
        """List MCP configurations, filtered by id, exact name, provider or server URL.

        `search` matches the start of configuration names as you type. A
        filter passed as `None` is not sent.
        """
        if page_size is not None:
            check_page_size(page_size, PAGE_SIZE_MAX)
        filters = {"id": id, "name": name, "provider": provider, "mcp_server_url": mcp_server_url}
        params: dict[str, Any] = {
            f"filter.{key}": value for key, value in filters.items() if value is not None
        }
        if search is not None:
            params["search"] = search
        if page_size is not None:
            params["page_size"] = page_size
        return self._paginate(
            _LIST_CONFIGS,
            key="configs",
            item=McpConfig,
            params=params,
            page_token=NOT_GIVEN if page_token is None else page_token,
        )

    @operation(_CREATE_CONFIG)
    async def create_config(
        self,
        name: str,
        *,
        description: NotGivenOr[str] = NOT_GIVEN,
        connection_tool_mappings: NotGivenOr[ToolMappings] = NOT_GIVEN,
    ) -> McpConfig:
        """Create an MCP configuration named *name* (lowercase letters, digits, ``-``, ``_``).

        Each mapping names a connection and the tools of it to expose (none:
        all of them), e.g. ``[{"connection_name": "gmail", "tools":
        ["gmail_send_email"]}]``.
        """
        if not isinstance(name, str):
            raise TypeError(f"name must be a str, not {type(name).__name__}")
        if not _NAME.fullmatch(name):
            raise ValueError(
                "name must be 1 to 100 lowercase letters, digits, hyphens or underscores"
            )
        body = given(
            name=name,
            description=description,
            connection_tool_mappings=_mappings(connection_tool_mappings),
        )
        data = await self._engine.call(_CREATE_CONFIG, body=body)
        return self._engine.unwrap(data, "config", McpConfig)

    @operation(_GET_CONFIG)
    async def get_config(self, id: str) -> McpConfig:
        """Fetch the MCP configuration *id*."""
        segment("id", id)  # a bad id is named as the caller knows it
        data = await self._engine.call(_GET_CONFIG, id)
        return self._engine.unwrap(data, "config", McpConfig)

    @operation(_UPDATE_CONFIG)
    async def update_config(
        self,
        id: str,
        *,
        description: NotGivenOr[str] = NOT_GIVEN,
        connection_tool_mappings: NotGivenOr[ToolMappings] = NOT_GIVEN,
    ) -> McpConfig:
        """Change the description of the MCP configuration *id* and/or replace its tool mappings."""
        segment("id", id)
        body = given(
            description=description,
            connection_tool_mappings=_mappings(connection_tool_mappings),
        )
        if not body:
            raise ValueError("update_config() needs description or connection_tool_mappings")
        data = await self._engine.call(_UPDATE_CONFIG, id, body=body)
        return self._engine.unwrap(data, "config", McpConfig)

    @operation(_DELETE_CONFIG)
    async def delete_config(self, id: str) -> None:
        """Delete the MCP configuration *id* and the data Scalekit keeps for it."""
        segment("id", id)
        await self._engine.call(_DELETE_CONFIG, id)

    @operation(_CONNECTED_ACCOUNTS)
    def list_connected_accounts(
        self, id: str, *, identifier: str, include_auth_link: bool = False
    ) -> AsyncPaginator[McpConnectionAuthState]:
        """List, for each connection of the configuration *id*, the state of *identifier*'s account.

        With `include_auth_link`, Scalekit creates the missing accounts and
        returns a fresh authentication link for each connection; without, it
        only reports the accounts that exist. The list comes in one page; each
        ``await`` sends the request again.
        """
        if not isinstance(identifier, str):
            raise TypeError(f"identifier must be a str, not {type(identifier).__name__}")
        if not identifier:
            raise ValueError("identifier must not be empty")
        if not isinstance(include_auth_link, bool):
            raise TypeError("include_auth_link must be a bool")
        segment("id", id)  # a bad id fails here, not when awaited
        engine = self._engine
        body = {"identifier": identifier, "include_auth_link": include_auth_link}
        items_type: Any = tuple[McpConnectionAuthState, ...]

        async def fetch(token: str | None) -> Page[McpConnectionAuthState]:
            data = await engine.call(_CONNECTED_ACCOUNTS, id, body=body)
            raw = data.get("connected_accounts") if isinstance(data, Mapping) else None
            items: tuple[McpConnectionAuthState, ...] = engine.structure(raw or [], items_type)
            return Page(items=items, total_size=len(items))

        return AsyncPaginator(fetch)

    @operation(_CREATE_TOKEN)
    async def create_session_token(
        self,
        id: str,
        *,
        identifier: str,
        expiry: NotGivenOr[float | timedelta] = NOT_GIVEN,
    ) -> McpSessionToken:
        """Mint a JWT standing for *identifier* across the connected accounts of configuration *id*.

        *expiry* is the token's lifetime, 60 s to 24 h (seconds or a
        `timedelta`; default 1 h). It fails (400) if a connection of the
        configuration has no active account for *identifier*.
        """
        segment("id", id)
        if not isinstance(identifier, str):
            raise TypeError(f"identifier must be a str, not {type(identifier).__name__}")
        if not 1 <= len(identifier) <= 255:
            raise ValueError("identifier must be 1 to 255 characters")
        body: dict[str, Any] = {"identifier": identifier}
        if expiry is not NOT_GIVEN:
            body["expiry"] = _duration(expiry)
        data = await self._engine.call(_CREATE_TOKEN, id, body=body)
        return self._engine.structure(data, McpSessionToken)


def _mappings(value: NotGivenOr[ToolMappings]) -> NotGivenOr[list[dict[str, Any]]]:
    """Wire JSON of connection-to-tool mappings: only the fields a caller sets."""
    if value is NOT_GIVEN:
        return NOT_GIVEN
    if isinstance(value, str | Mapping):
        raise TypeError("connection_tool_mappings must be a list of mappings")
    out: list[dict[str, Any]] = []
    for item in value:
        if isinstance(item, McpConfigConnectionToolMapping):
            name: object = item.connection_name
            tools: object = item.tools
        elif isinstance(item, Mapping):
            name, tools = item.get("connection_name"), item.get("tools", ())
        else:
            raise TypeError("each connection tool mapping must be a model or a mapping")
        if not isinstance(name, str) or not name:
            raise ValueError("each connection tool mapping needs a connection_name")
        if isinstance(tools, str) or not isinstance(tools, Iterable):
            raise TypeError("tools must be a list of tool names")
        tool_list = list(tools)
        if not all(isinstance(t, str) for t in tool_list):
            raise TypeError("tools must be a list of tool names")
        out.append({"connection_name": name, "tools": tool_list})
    if len(out) > MAX_MAPPINGS:
        raise ValueError(f"an MCP configuration takes at most {MAX_MAPPINGS} mappings")
    return out


def _duration(value: float | timedelta) -> str:
    """A protobuf Duration in JSON (``"3600s"``), checked against the 60 s to 24 h window."""
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("expiry must be a number of seconds or a timedelta")
    else:
        seconds = float(value)
    low, high = _TOKEN_EXPIRY
    if not low <= seconds <= high:
        raise ValueError("expiry must be between 60 seconds and 24 hours")
    if seconds.is_integer():
        return f"{int(seconds)}s"
    return f"{seconds:.9f}".rstrip("0") + "s"
