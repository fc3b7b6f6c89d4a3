"""The fake's MCP configuration endpoints, backed by `FakeScalekit.mcp_configs`.

``fake.mcp_configs`` maps a configuration id (``cfg_...``) to the
configuration as wire JSON (``mcp.McpConfig``: ``id``, ``name``,
``description``, ``connection_tool_mappings`` with each connection's
``connection_id`` and ``provider`` filled in, ``mcp_server_url``). A mapping's
``connection_name`` is a connector the fake knows (see `_connected_accounts`)
and its ``tools`` are tools of that connector in `_tools.TOOLS`.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from ._connected_accounts import (
    connector_info,
    find_by_key,
    later,
    new_account,
    start_flow,
)
from ._constants import CONNECT_URL, MCP_CONFIG_MAX_PAGE_SIZE, MCP_CONFIG_PREFIX
from ._http import ApiError, FakeRequest, Reply, as_mapping
from ._paging import page
from ._state import FakeState
from ._tools import TOOLS

__all__ = ["install"]

_NAME = re.compile(r"[a-z0-9_-]{1,100}")
_DURATION = re.compile(r"(\d+(?:\.\d{1,9})?)s")
_MAX_MAPPINGS = 25


def _bad(field: str, description: str) -> ApiError:
    return ApiError(400, "invalid request", violations=((field, description),))


def _b64(data: Mapping[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def install(fake: FakeState) -> None:
    """Route the MCP configuration operations on *fake*."""
    configs = fake.mcp_configs

    def find(config_id: str) -> dict[str, Any]:
        config = configs.get(config_id)
        if config is None:
            raise ApiError(404, f"MCP configuration {config_id} not found")
        return config

    def mappings(raw: object) -> list[dict[str, Any]]:
        if not isinstance(raw, list):
            raise _bad("connection_tool_mappings", "must be a list")
        if len(raw) > _MAX_MAPPINGS:
            raise _bad("connection_tool_mappings", f"at most {_MAX_MAPPINGS} entries")
        out = []
        for i, item in enumerate(raw):
            field = f"connection_tool_mappings[{i}]"
            if not isinstance(item, Mapping):
                raise _bad(field, "must be an object")
            name = item.get("connection_name")
            info = connector_info(fake, name) if isinstance(name, str) and name else None
            if info is None:
                raise _bad(f"{field}.connection_name", f"no connection named {name!r}")
            tools = item.get("tools") or []
            if not isinstance(tools, list) or not all(isinstance(t, str) for t in tools):
                raise _bad(f"{field}.tools", "must be a list of tool names")
            for tool in tools:
                entry = TOOLS.get(tool)
                if entry is None or entry["provider"] != info["provider"]:
                    raise _bad(f"{field}.tools", f"{tool!r} is not a tool of {name}")
            out.append(
                {
                    "connection_id": info["connection_id"],
                    "connection_name": name,
                    "provider": info["provider"],
                    "tools": list(tools),
                }
            )
        return out

    def list_(request: FakeRequest) -> Reply:
        raw_size = request.param("page_size")
        if raw_size and (not raw_size.isdigit() or int(raw_size) > MCP_CONFIG_MAX_PAGE_SIZE):
            raise _bad("page_size", f"must be at most {MCP_CONFIG_MAX_PAGE_SIZE}")
        items = list(configs.values())
        config_id = request.param("filter.id")
        if config_id:
            items = [c for c in items if c["id"] == config_id]
        name = request.param("filter.name")
        if name:
            items = [c for c in items if c["name"].lower() == name.lower()]
        provider = request.param("filter.provider")
        if provider:
            items = [
                c
                for c in items
                if any(
                    m["provider"].lower() == provider.lower() for m in c["connection_tool_mappings"]
                )
            ]
        url = request.param("filter.mcp_server_url")
        if url:
            server = url.rstrip("/").rsplit("/", 1)[-1]
            items = [c for c in items if c["mcp_server_url"].rsplit("/", 1)[-1] == server]
        search = request.param("search")
        if search:
            items = [c for c in items if c["name"].lower().startswith(search.lower())]
        return Reply.json(200, page(request, items, "configs", max_size=MCP_CONFIG_MAX_PAGE_SIZE))

    def create(request: FakeRequest) -> Reply:
        body = as_mapping(request.json())
        name = body.get("name")
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise _bad("name", "1 to 100 lowercase letters, digits, hyphens or underscores")
        if configs.id_for_name(name) is not None:
            raise ApiError(409, f"an MCP configuration named {name} already exists")
        description = body.get("description") or ""
        if not isinstance(description, str):
            raise _bad("description", "must be a string")
        config: dict[str, Any] = {
            "id": fake.new_id(MCP_CONFIG_PREFIX),
            "name": name,
            "description": description,
            "connection_tool_mappings": mappings(body.get("connection_tool_mappings") or []),
        }
        server = uuid.UUID(int=int(config["id"].split("_")[1]))
        config["mcp_server_url"] = f"{CONNECT_URL}/mcp/v3/servers/{server}"
        configs[config["id"]] = config
        return Reply.json(201, {"config": config})

    def get(request: FakeRequest, config_id: str) -> Reply:
        return Reply.json(200, {"config": find(config_id)})

    def update(request: FakeRequest, config_id: str) -> Reply:
        config = find(config_id)
        body = as_mapping(request.json())
        if "description" in body:
            description = body["description"] or ""
            if not isinstance(description, str):
                raise _bad("description", "must be a string")
            config["description"] = description
        if "connection_tool_mappings" in body:
            config["connection_tool_mappings"] = mappings(body["connection_tool_mappings"] or [])
        return Reply.json(200, {"config": config})

    def delete(request: FakeRequest, config_id: str) -> Reply:
        find(config_id)
        del configs[config_id]
        return Reply.json(200, {})

    def connected_accounts(request: FakeRequest, config_id: str) -> Reply:
        config = find(config_id)
        body = as_mapping(request.json())
        identifier = body.get("identifier")
        if not isinstance(identifier, str) or not identifier:
            raise _bad("identifier", "value is required")
        with_link = body.get("include_auth_link") is True
        states = []
        for mapping in config["connection_tool_mappings"]:
            connector = mapping["connection_name"]
            account = find_by_key(fake, connector, identifier)
            if account is None and with_link:
                account = new_account(fake, connector=connector, identifier=identifier)
            state: dict[str, Any] = {
                "connection_id": mapping["connection_id"],
                "connection_name": connector,
                "provider": mapping["provider"],
                "authentication_link": "",
            }
            if account is not None:
                state["connected_account_id"] = account["id"]
                state["connected_account_status"] = account["status"]
                if with_link:
                    state["authentication_link"] = start_flow(fake, account)[0]
            states.append(state)
        return Reply.json(200, {"connected_accounts": states})

    def token(request: FakeRequest, mcp_config_id: str) -> Reply:
        config = find(mcp_config_id)
        body = as_mapping(request.json())
        identifier = body.get("identifier")
        if not isinstance(identifier, str) or not 1 <= len(identifier) <= 255:
            raise _bad("identifier", "1 to 255 characters")
        seconds = 3600.0
        expiry = body.get("expiry")
        if expiry is not None:
            match = _DURATION.fullmatch(expiry) if isinstance(expiry, str) else None
            if match is None:
                raise _bad("expiry", 'a duration such as "3600s"')
            seconds = float(match.group(1))
            if not 60 <= seconds <= 86400:
                raise _bad("expiry", "must be between 60s and 24h")
        if not config["connection_tool_mappings"]:
            raise _bad("mcp_config_id", "the MCP configuration has no connections")
        account_ids = []
        for mapping in config["connection_tool_mappings"]:
            account = find_by_key(fake, mapping["connection_name"], identifier)
            if account is None or account["status"] != "ACTIVE":
                raise _bad(
                    "identifier",
                    f"no active connected account for connection {mapping['connection_name']}",
                )
            account_ids.append(account["id"])
        expires_at = later(timedelta(seconds=seconds))
        claims = {
            "sub": identifier,
            "aud": config["mcp_server_url"],
            "mcp_cfg": config["id"],
            "ca_ids": account_ids,
            "exp_at": expires_at,
        }
        jwt = f"{_b64({'alg': 'RS256', 'typ': 'JWT'})}.{_b64(claims)}.ZmFrZS1zaWduYXR1cmU"
        return Reply.json(200, {"token": jwt, "expires_at": expires_at})

    add = fake.router.add
    add("GET", "/api/v1/mcp/configs", list_)
    add("POST", "/api/v1/mcp/configs", create)
    add("GET", "/api/v1/mcp/configs/{config_id}", get)
    add("PUT", "/api/v1/mcp/configs/{config_id}", update)
    add("DELETE", "/api/v1/mcp/configs/{config_id}", delete)
    add("POST", "/api/v1/mcp/configs/{config_id}/connected_accounts", connected_accounts)
    add("POST", "/api/v1/mcp/configs/{mcp_config_id}/tokens", token)
