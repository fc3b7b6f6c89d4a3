"""``client.mcp``: AgentKit MCP configurations, their instances, users' accounts, and tokens.

An MCP configuration names a set of connections (and which of their tools to
expose) that Scalekit serves as one MCP server. For a given user identifier,
`Mcp.list_connected_accounts` tells which of those connections are
authorized, and `Mcp.create_session_token` mints the short-lived JWT an MCP
client presents on that user's behalf (for a configuration, or for one
connection). An MCP instance (preview) is one user's server made from a
configuration, with its own URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from .._pagination import AsyncPaginator
from .._routes import Route, operation, segment
from .._types import NOT_GIVEN, NotGiven, NotGivenOr, given
from ..models.mcp import (
    McpAccessLevel,
    McpConfig,
    McpConfigConnectionToolMapping,
    McpConnectionAuthState,
    McpInstance,
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
_CREATE_CONNECTION_TOKEN = Route("POST", "/api/v1/mcp/connections/{key_id}/tokens")
_ENSURE_INSTANCE = Route("POST", "/api/v1/mcp/instances")
_LIST_INSTANCES = Route("GET", "/api/v1/mcp/instances")
_GET_INSTANCE = Route("GET", "/api/v1/mcp/instances/{instance_id}")
_UPDATE_INSTANCE = Route("PATCH", "/api/v1/mcp/instances/{instance_id}")
_DELETE_INSTANCE = Route("DELETE", "/api/v1/mcp/instances/{instance_id}")
_INSTANCE_AUTH_STATE = Route("POST", "/api/v1/mcp/instances/{instance_id}:get_auth_state")

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
        segment("id", id)  # the error names the argument the caller passed
        body = {"identifier": identifier, "include_auth_link": include_auth_link}
        return self._list_all(
            _CONNECTED_ACCOUNTS,
            id,
            key="connected_accounts",
            item=McpConnectionAuthState,
            body=body,
        )

    @operation(_CREATE_TOKEN, _CREATE_CONNECTION_TOKEN)
    async def create_session_token(
        self,
        id: str | None = None,
        *,
        connector: str | None = None,
        identifier: str,
        expiry: NotGivenOr[float | timedelta] = NOT_GIVEN,
        access_level: McpAccessLevel | str | None = None,
    ) -> McpSessionToken:
        """Mint a JWT standing for *identifier* on a configuration's or a connection's MCP server.

        Give exactly one of the MCP configuration *id* (the token reaches the
        connected accounts of every connection of that configuration) or
        `connector`, the key of one connection (e.g. ``"gmail_work"``; the
        token reaches its MCP server, ``.../mcp/v3/connections/<key>``).

        *expiry* is the token's lifetime, 60 s to 24 h (seconds or a
        `timedelta`; default 1 h). `access_level` (``FULL`` or ``READ_ONLY``,
        see `McpAccessLevel`; with `connector` only, as the configuration route
        is documented without it) limits what the token may do; the server's
        default when not given. It fails (400) if a connection has no active
        account for *identifier*.

        Raises:
            TypeError: both or neither of *id* and `connector`, or
                `access_level` with *id*.
            ValueError: an empty `connector`, an *identifier* not 1 to 255
                characters, an expiry out of range, or an unknown access level.

        """
        if (id is None) == (connector is None):
            raise TypeError("give exactly one of id (an MCP configuration) or connector")
        if id is not None:
            route, key = _CREATE_TOKEN, id
            segment("id", id)
        else:
            route, key = _CREATE_CONNECTION_TOKEN, str(connector)
            segment("connector", connector)
        if not isinstance(identifier, str):
            raise TypeError(f"identifier must be a str, not {type(identifier).__name__}")
        if not 1 <= len(identifier) <= 255:
            raise ValueError("identifier must be 1 to 255 characters")
        body: dict[str, Any] = {"identifier": identifier}
        if expiry is not NOT_GIVEN:
            body["expiry"] = _duration(expiry)
        if access_level is not None:
            if id is not None:
                raise TypeError("access_level applies to connector tokens only")
            body["access_level"] = _access_level(access_level)
        data = await self._engine.call(route, key, body=body)
        return self._engine.structure(data, McpSessionToken)

    # -- MCP instances (preview) ---------------------------------------------

    @operation(_ENSURE_INSTANCE)
    async def create_instance(
        self,
        *,
        config: str | McpConfig,
        user_identifier: str,
        name: str | None = None,
    ) -> McpInstance:
        """Return the MCP instance of a configuration for one user, creating it if there is none.

        **Preview.** Scalekit marks this operation as preview: the API may change.

        `config` is the MCP configuration, by name or as the `McpConfig`
        returned by `create_config`; `user_identifier` the user the instance
        serves. Scalekit keeps one instance per configuration and user: calling
        this again returns the same instance, so it is safe to call on every
        request (API: ``EnsureMcpInstance``). `name` names a new instance.
        """
        body = given(
            name=_optional_name(name),
            config_name=_config_name(config),
            user_identifier=_required("user_identifier", user_identifier),
        )
        data = await self._engine.call(_ENSURE_INSTANCE, body=body)
        return self._engine.unwrap(data, "instance", McpInstance)

    @operation(_LIST_INSTANCES)
    def list_instances(
        self,
        *,
        id: str | None = None,
        name: str | None = None,
        config: str | McpConfig | None = None,
        user_identifier: str | None = None,
        search: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPaginator[McpInstance]:
        """List MCP instances, filtered by id, name, configuration or user (at most 30 a page).

        **Preview.** Scalekit marks this operation as preview: the API may change.

        `config` is a configuration by name or as an `McpConfig`; `search`
        matches instance names. A filter passed as `None` is not sent.
        """
        check_page_size(page_size, PAGE_SIZE_MAX)
        filters = {
            "id": _optional_text("id", id),
            "name": _optional_text("name", name),
            "config_name": NOT_GIVEN if config is None else _config_name(config),
            "user_identifier": _optional_text("user_identifier", user_identifier),
        }
        params: dict[str, Any] = {
            f"filter.{key}": value for key, value in filters.items() if value is not NOT_GIVEN
        }
        params.update(
            given(
                search=_optional_text("search", search),
                page_size=NOT_GIVEN if page_size is None else page_size,
            )
        )
        return self._paginate(
            _LIST_INSTANCES,
            key="instances",
            item=McpInstance,
            params=params,
            page_token=NOT_GIVEN if page_token is None else page_token,
        )

    @operation(_GET_INSTANCE)
    async def get_instance(self, id: str) -> McpInstance:
        """Fetch the MCP instance *id*.

        **Preview.** Scalekit marks this operation as preview: the API may change.
        """
        segment("id", id)
        data = await self._engine.call(_GET_INSTANCE, id)
        return self._engine.unwrap(data, "instance", McpInstance)

    @operation(_UPDATE_INSTANCE)
    async def update_instance(
        self,
        id: str,
        *,
        name: NotGivenOr[str] = NOT_GIVEN,
        config: NotGivenOr[str | McpConfig] = NOT_GIVEN,
    ) -> McpInstance:
        """Rename the MCP instance *id* and/or move it to another configuration.

        **Preview.** Scalekit marks this operation as preview: the API may change.

        `config` is the configuration by name or as an `McpConfig`. Neither can
        be cleared (an instance always has a name and a configuration).
        """
        segment("id", id)
        body = given(
            name=NOT_GIVEN if isinstance(name, NotGiven) else _required("name", name),
            config_name=NOT_GIVEN if isinstance(config, NotGiven) else _config_name(config),
        )
        if not body:
            raise ValueError("update_instance() needs name or config")
        data = await self._engine.call(_UPDATE_INSTANCE, id, body=body)
        return self._engine.unwrap(data, "instance", McpInstance)

    @operation(_DELETE_INSTANCE)
    async def delete_instance(self, id: str) -> None:
        """Delete the MCP instance *id* (its configuration and the users' accounts stay).

        **Preview.** Scalekit marks this operation as preview: the API may change.
        """
        segment("id", id)
        await self._engine.call(_DELETE_INSTANCE, id)

    @operation(_INSTANCE_AUTH_STATE)
    async def get_instance_auth_state(
        self, id: str, *, include_auth_links: bool = False
    ) -> tuple[McpConnectionAuthState, ...]:
        """Tell, for each connection of the MCP instance *id*, the state of its user's account.

        **Preview.** Scalekit marks this operation as preview: the API may change.

        With `include_auth_links`, each connection also gets a fresh link the
        user follows to authorize it. A read: safe to repeat.
        """
        segment("id", id)
        if not isinstance(include_auth_links, bool):
            raise TypeError("include_auth_links must be a bool")
        params = {"include_auth_links": True} if include_auth_links else None
        data = await self._engine.call(_INSTANCE_AUTH_STATE, id, params=params)
        raw = data.get("connections") if isinstance(data, Mapping) else None
        items_type: Any = tuple[McpConnectionAuthState, ...]
        states: tuple[McpConnectionAuthState, ...] = self._engine.structure(raw or [], items_type)
        return states


def _required(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value


def _optional_text(name: str, value: object) -> NotGivenOr[str]:
    if value is None:
        return NOT_GIVEN
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value


def _optional_name(value: str | None) -> NotGivenOr[str]:
    return NOT_GIVEN if value is None else _required("name", value)


def _config_name(config: object) -> str:
    """An MCP configuration's name, from its name or the `McpConfig` itself."""
    if isinstance(config, McpConfig):
        config = config.name
    elif not isinstance(config, str):
        raise TypeError(f"config must be a name or an McpConfig, not {type(config).__name__}")
    return _required("config", config)


def _access_level(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(
            f"access_level must be an McpAccessLevel or str, not {type(value).__name__}"
        )
    level = McpAccessLevel(value)
    if not level.known:
        raise ValueError("access_level must be FULL or READ_ONLY")
    return str(level)


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
