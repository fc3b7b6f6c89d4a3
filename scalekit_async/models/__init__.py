"""Frozen attrs models for every API shape, with the wire's snake_case field names.

Each family module declares its own ``__all__``; this package re-exports them all,
and its ``__all__`` is built from theirs, so a new model is exported by adding it to
its family's list and nowhere else.
"""

from . import (
    _common,
    api_clients,
    auth_logs,
    connected_accounts,
    connections,
    directories,
    domains,
    events,
    mcp,
    organizations,
    passkeys,
    passwordless,
    providers,
    roles,
    sessions,
    tools,
    users,
)
from ._common import *  # noqa: F403
from .api_clients import *  # noqa: F403
from .auth_logs import *  # noqa: F403
from .connected_accounts import *  # noqa: F403
from .connections import *  # noqa: F403
from .directories import *  # noqa: F403
from .domains import *  # noqa: F403
from .events import *  # noqa: F403
from .mcp import *  # noqa: F403
from .organizations import *  # noqa: F403
from .passkeys import *  # noqa: F403
from .passwordless import *  # noqa: F403
from .providers import *  # noqa: F403
from .roles import *  # noqa: F403
from .sessions import *  # noqa: F403
from .tools import *  # noqa: F403
from .users import *  # noqa: F403

__all__: list[str] = []
__all__ += _common.__all__
__all__ += api_clients.__all__
__all__ += auth_logs.__all__
__all__ += connected_accounts.__all__
__all__ += connections.__all__
__all__ += directories.__all__
__all__ += domains.__all__
__all__ += events.__all__
__all__ += mcp.__all__
__all__ += organizations.__all__
__all__ += passkeys.__all__
__all__ += passwordless.__all__
__all__ += providers.__all__
__all__ += roles.__all__
__all__ += sessions.__all__
__all__ += tools.__all__
__all__ += users.__all__
