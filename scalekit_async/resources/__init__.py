"""Resource namespaces, reached through the client (``client.organizations``, ...).

They are exported here for type annotations only; users never build them. Each
module is imported on first use, so an import of the SDK pays only for what it uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ._base import Resource

if TYPE_CHECKING:
    from .api_clients import ApiClients
    from .api_resources import ApiResources
    from .api_tokens import ApiTokens
    from .auth_logs import AuthLogs
    from .connected_accounts import ConnectedAccounts
    from .connections import Connections
    from .directories import Directories
    from .domains import Domains
    from .events import Events
    from .mcp import Mcp
    from .memberships import Memberships
    from .oauth_clients import OAuthClients
    from .organizations import Organizations
    from .passkeys import Passkeys
    from .passwordless import Passwordless
    from .permissions import Permissions
    from .providers import Providers
    from .roles import Roles
    from .sessions import Sessions
    from .tools import Tools
    from .users import Users

_MODULES = {
    "ApiResources": "api_resources",
    "OAuthClients": "oauth_clients",
    "Events": "events",
    "ApiTokens": "api_tokens",
    "ApiClients": "api_clients",
    "AuthLogs": "auth_logs",
    "ConnectedAccounts": "connected_accounts",
    "Connections": "connections",
    "Directories": "directories",
    "Domains": "domains",
    "Mcp": "mcp",
    "Memberships": "memberships",
    "Organizations": "organizations",
    "Passkeys": "passkeys",
    "Passwordless": "passwordless",
    "Permissions": "permissions",
    "Providers": "providers",
    "Roles": "roles",
    "Sessions": "sessions",
    "Tools": "tools",
    "Users": "users",
}


def __getattr__(name: str) -> object:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


__all__ = [
    "ApiResources",
    "OAuthClients",
    "Events",
    "ApiTokens",
    "ApiClients",
    "AuthLogs",
    "ConnectedAccounts",
    "Connections",
    "Directories",
    "Domains",
    "Mcp",
    "Memberships",
    "Organizations",
    "Passkeys",
    "Passwordless",
    "Permissions",
    "Providers",
    "Resource",
    "Roles",
    "Sessions",
    "Tools",
    "Users",
]
