"""The fake's MCP configuration endpoints, backed by `FakeScalekit.mcp_configs`.

``fake.mcp_configs`` maps a configuration id (``cfg_...``) to the
configuration as wire JSON (``mcp.McpConfig``: ``id``, ``name``,
``description``, ``connection_tool_mappings`` with each connection's
``connection_id`` and ``provider`` filled in, ``mcp_server_url``). A mapping's
``connection_name`` is a connector the fake knows (see `_connected_accounts`)
and its ``tools`` are tools of that connector in `_tools.TOOLS`. Deleting a
configuration deletes its instances.

``fake.mcp_instances`` (preview API) maps an instance id (``mcpi_...``) to
``mcp.McpInstance`` wire JSON without ``config`` (rendered from its
configuration on every answer) plus ``config_id``. ``POST /api/v1/mcp/instances``
returns the instance of a configuration and user identifier, creating it
(201) only when there is none (200); its ``name`` defaults to the
configuration's name. Session tokens are minted for a configuration
(``/mcp/configs/{mcp_config_id}/tokens``) or for one connection by its key
(``/mcp/connections/{key_id}/tokens``, a connector the fake knows); either
needs an active connected account of the identifier for every connection.
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
_INSTANCE_PREFIX = "mcpi"
_ACCESS_LEVELS = frozenset({"", "FULL", "READ_ONLY"})


def _bad(field: str, description: str) -> ApiError:
    return ApiError(400, "invalid request", violations=((field, description),))


def _b64(data: Mapping[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def install(fake: FakeState) -> None:
    """Route the MCP configuration operations on *fake*."""
    configs = fake.mcp_configs
    instances = fake.mcp_instances

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
        for instance_id in instances.ids_of_config(config_id):
            del instances[instance_id]
        del configs[config_id]
        return Reply.json(200, {})

    def auth_states(
        config: dict[str, Any], identifier: str, *, with_link: bool
    ) -> list[dict[str, Any]]:
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
        return states

    def connected_accounts(request: FakeRequest, config_id: str) -> Reply:
        config = find(config_id)
        body = as_mapping(request.json())
        identifier = body.get("identifier")
        if not isinstance(identifier, str) or not identifier:
            raise _bad("identifier", "value is required")
        with_link = body.get("include_auth_link") is True
        states = auth_states(config, identifier, with_link=with_link)
        return Reply.json(200, {"connected_accounts": states})

    def token_body(request: FakeRequest) -> tuple[str, float]:
        """The identifier and lifetime in seconds a token request asks for."""
        body = as_mapping(request.json())
        identifier = body.get("identifier")
        if not isinstance(identifier, str) or not 1 <= len(identifier) <= 255:
            raise _bad("identifier", "1 to 255 characters")
        if body.get("mcp_config_id") or body.get("key_id"):
            raise _bad("mcp_config_id", "set exactly one of mcp_config_id or key_id")
        level = body.get("access_level", "")
        if level not in _ACCESS_LEVELS:
            raise _bad("access_level", "value must be in list [, FULL, READ_ONLY]")
        seconds = 3600.0
        expiry = body.get("expiry")
        if expiry is not None:
            match = _DURATION.fullmatch(expiry) if isinstance(expiry, str) else None
            if match is None:
                raise _bad("expiry", 'a duration such as "3600s"')
            seconds = float(match.group(1))
            if not 60 <= seconds <= 86400:
                raise _bad("expiry", "must be between 60s and 24h")
        return identifier, seconds

    def active_account(connector: str, identifier: str) -> str:
        account = find_by_key(fake, connector, identifier)
        if account is None or account["status"] != "ACTIVE":
            raise _bad(
                "identifier",
                f"no active connected account for connection {connector}",
            )
        return str(account["id"])

    def mint(claims: dict[str, Any], seconds: float) -> Reply:
        expires_at = later(timedelta(seconds=seconds))
        claims["exp_at"] = expires_at
        jwt = f"{_b64({'alg': 'RS256', 'typ': 'JWT'})}.{_b64(claims)}.ZmFrZS1zaWduYXR1cmU"
        return Reply.json(200, {"token": jwt, "expires_at": expires_at})

    def token(request: FakeRequest, mcp_config_id: str) -> Reply:
        config = find(mcp_config_id)
        identifier, seconds = token_body(request)
        if not config["connection_tool_mappings"]:
            raise _bad("mcp_config_id", "the MCP configuration has no connections")
        account_ids = [
            active_account(mapping["connection_name"], identifier)
            for mapping in config["connection_tool_mappings"]
        ]
        claims = {
            "sub": identifier,
            "aud": config["mcp_server_url"],
            "mcp_cfg": config["id"],
            "ca_ids": account_ids,
        }
        return mint(claims, seconds)

    def connection_token(request: FakeRequest, key_id: str) -> Reply:
        if connector_info(fake, key_id) is None:
            raise ApiError(404, f"connection {key_id} not found")
        identifier, seconds = token_body(request)
        claims = {
            "sub": identifier,
            "aud": f"{CONNECT_URL}/mcp/v3/connections/{key_id}",
            "ca_ids": [active_account(key_id, identifier)],
        }
        return mint(claims, seconds)

    # -- MCP instances -------------------------------------------------------

    def find_instance(instance_id: str) -> dict[str, Any]:
        instance = instances.get(instance_id)
        if instance is None:
            raise ApiError(404, f"MCP instance {instance_id} not found")
        return instance

    def config_named(name: object, field: str) -> dict[str, Any]:
        if not isinstance(name, str) or not name:
            raise _bad(field, "value length must be at least 1 runes")
        config_id = configs.id_for_name(name)
        if config_id is None:
            raise ApiError(404, f"MCP configuration {name} not found")
        return configs[config_id]

    def render(instance: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in instance.items() if k != "config_id"}
        config = configs.get(instance["config_id"])
        if config is not None:
            out["config"] = config
        return out

    def ensure_instance(request: FakeRequest) -> Reply:
        body = as_mapping(request.json())
        config = config_named(body.get("config_name"), "config_name")
        user = body.get("user_identifier")
        if not isinstance(user, str) or not user:
            raise _bad("user_identifier", "value length must be at least 1 runes")
        name = body.get("name") or ""
        if not isinstance(name, str):
            raise _bad("name", "must be a string")
        existing = instances.id_for_user(config["id"], user)
        if existing is not None:
            return Reply.json(200, {"instance": render(instances[existing])})
        instance_id = fake.new_id(_INSTANCE_PREFIX)
        server = uuid.UUID(int=int(instance_id.split("_")[1]))
        instances[instance_id] = {
            "id": instance_id,
            "name": name or config["name"],
            "user_identifier": user,
            "config_id": config["id"],
            "url": f"{CONNECT_URL}/mcp/v3/instances/{server}",
            "updated_at": fake.now(),
        }
        return Reply.json(201, {"instance": render(instances[instance_id])})

    def list_instances(request: FakeRequest) -> Reply:
        raw_size = request.param("page_size")
        if raw_size and (not raw_size.isdigit() or int(raw_size) > MCP_CONFIG_MAX_PAGE_SIZE):
            raise _bad("page_size", f"must be at most {MCP_CONFIG_MAX_PAGE_SIZE}")
        items = list(instances.values())
        for key in ("id", "name", "user_identifier"):
            wanted = request.param(f"filter.{key}")
            if wanted:
                items = [i for i in items if i[key] == wanted]
        config_name = request.param("filter.config_name")
        if config_name:
            config_id = configs.id_for_name(config_name)
            items = [i for i in items if i["config_id"] == config_id]
        search = request.param("search")
        if search:
            needle = search.lower()
            items = [i for i in items if needle in i["name"].lower()]
        body = page(request, items, "instances", max_size=MCP_CONFIG_MAX_PAGE_SIZE)
        body["instances"] = [render(i) for i in body["instances"]]
        return Reply.json(200, body)

    def get_instance(request: FakeRequest, instance_id: str) -> Reply:
        return Reply.json(200, {"instance": render(find_instance(instance_id))})

    def update_instance(request: FakeRequest, instance_id: str) -> Reply:
        instance = find_instance(instance_id)
        body = as_mapping(request.json())
        name = body.get("name") or ""
        if not isinstance(name, str):
            raise _bad("name", "must be a string")
        config_name = body.get("config_name") or ""
        config_id = instance["config_id"]
        if config_name:
            config_id = config_named(config_name, "config_name")["id"]
            other = instances.id_for_user(config_id, instance["user_identifier"])
            if other is not None and other != instance_id:
                raise ApiError(409, "that user already has an instance of that configuration")
        if name:
            instance["name"] = name
        instance["config_id"] = config_id
        instance["updated_at"] = fake.now()
        instances.reindex(instance_id)
        return Reply.json(200, {"instance": render(instance)})

    def delete_instance(request: FakeRequest, instance_id: str) -> Reply:
        find_instance(instance_id)
        del instances[instance_id]
        return Reply.json(200, {})

    def instance_auth_state(request: FakeRequest, instance_id: str) -> Reply:
        instance = find_instance(instance_id)
        raw = request.param("include_auth_links")
        if raw not in (None, "", "true", "false", "1", "0"):
            raise _bad("include_auth_links", "must be true or false")
        config = configs.get(instance["config_id"])
        if config is None:
            return Reply.json(200, {"connections": []})
        states = auth_states(config, instance["user_identifier"], with_link=raw in ("true", "1"))
        return Reply.json(200, {"connections": states})

    add = fake.router.add
    add("GET", "/api/v1/mcp/configs", list_)
    add("POST", "/api/v1/mcp/configs", create)
    add("GET", "/api/v1/mcp/configs/{config_id}", get)
    add("PUT", "/api/v1/mcp/configs/{config_id}", update)
    add("DELETE", "/api/v1/mcp/configs/{config_id}", delete)
    add("POST", "/api/v1/mcp/configs/{config_id}/connected_accounts", connected_accounts)
    add("POST", "/api/v1/mcp/configs/{mcp_config_id}/tokens", token)
    add("POST", "/api/v1/mcp/connections/{key_id}/tokens", connection_token)
    add("POST", "/api/v1/mcp/instances", ensure_instance)
    add("GET", "/api/v1/mcp/instances", list_instances)
    add("GET", "/api/v1/mcp/instances/{instance_id}", get_instance)
    add("PATCH", "/api/v1/mcp/instances/{instance_id}", update_instance)
    add("DELETE", "/api/v1/mcp/instances/{instance_id}", delete_instance)
    add("POST", "/api/v1/mcp/instances/{instance_id}:get_auth_state", instance_auth_state)
