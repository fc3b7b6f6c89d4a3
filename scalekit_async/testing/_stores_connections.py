"""Stores of the fake's custom-login requests and MCP instances (see `_stores`).

``fake.login_requests`` maps a login request id to ``{"id", "connection_id",
"user"}``: the request Scalekit would send to a custom login page, and the
``auth.User`` JSON handed back for it (``None`` until then).
``fake.mcp_instances`` maps an MCP instance id to ``mcp.McpInstance`` wire
JSON without ``config``, plus ``config_id`` (the configuration it serves,
rendered into ``config`` on every answer).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from ._stores import Store, WireRecord

__all__ = ["LoginRequestRecord", "LoginRequestStore", "McpInstanceRecord", "McpInstanceStore"]


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _frozen(value: object) -> Mapping[str, Any] | None:
    return MappingProxyType(dict(value)) if isinstance(value, Mapping) else None


@attrs.frozen
class LoginRequestRecord:
    """A custom-login request of a connection, and the user handed back for it, if any."""

    id: str
    connection_id: str
    user: Mapping[str, Any] | None
    """The ``auth.User`` JSON `update_login_user` sent (`None`: not yet)."""


@attrs.frozen
class McpInstanceRecord:
    """An MCP instance: one user's server made from an MCP configuration."""

    id: str
    name: str
    user_identifier: str
    config_id: str
    url: str


class LoginRequestStore(Store[str, LoginRequestRecord]):
    """Custom-login requests by id (``fake.login_requests``), indexed by connection."""

    indexes = ("connection_id",)

    def index_values(self, key: str, record: WireRecord) -> tuple[Hashable | None, ...]:
        return (_str(record.get("connection_id")) or None,)

    def to_record(self, key: str, record: WireRecord) -> LoginRequestRecord:
        return LoginRequestRecord(
            id=_str(record.get("id")) or key,
            connection_id=_str(record.get("connection_id")),
            user=_frozen(record.get("user")),
        )

    def ids_of_connection(self, connection_id: str) -> list[str]:
        """The ids of a connection's login requests, oldest first."""
        return self._keys(0, connection_id)


class McpInstanceStore(Store[str, McpInstanceRecord]):
    """MCP instances by id (``fake.mcp_instances``), by configuration and by (config, user)."""

    indexes = ("config_id", "config_user")

    def index_values(self, key: str, record: WireRecord) -> tuple[Hashable | None, ...]:
        config_id = _str(record.get("config_id")) or None
        user = _str(record.get("user_identifier"))
        return (config_id, (config_id, user) if config_id else None)

    def to_record(self, key: str, record: WireRecord) -> McpInstanceRecord:
        return McpInstanceRecord(
            id=_str(record.get("id")) or key,
            name=_str(record.get("name")),
            user_identifier=_str(record.get("user_identifier")),
            config_id=_str(record.get("config_id")),
            url=_str(record.get("url")),
        )

    def ids_of_config(self, config_id: str) -> list[str]:
        """The ids of the instances of an MCP configuration, oldest first."""
        return self._keys(0, config_id)

    def id_for_user(self, config_id: str, user_identifier: str) -> str | None:
        """The id of the instance of a configuration for *user_identifier*, if any."""
        return self._first(1, (config_id, user_identifier))

    def of_config(self, config_id: str) -> list[McpInstanceRecord]:
        """The instances of an MCP configuration, oldest first."""
        return self._records(self.ids_of_config(config_id))
