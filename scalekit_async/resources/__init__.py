"""Resource namespaces, reached through the client (``client.organizations``, ...).

They are exported here for type annotations only; users never build them.
"""

from ._base import Resource
from .api_clients import ApiClients
from .auth_logs import AuthLogs
from .connected_accounts import ConnectedAccounts
from .connections import Connections
from .directories import Directories
from .domains import Domains
from .mcp import Mcp
from .memberships import Memberships
from .organizations import Organizations
from .passkeys import Passkeys
from .passwordless import Passwordless
from .permissions import Permissions
from .providers import Providers
from .roles import Roles
from .sessions import Sessions
from .tools import Tools
from .users import Users

__all__ = [
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
