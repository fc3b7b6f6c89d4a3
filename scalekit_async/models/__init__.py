"""Frozen attrs models for every API shape, with the wire's snake_case field names.

Each family module declares its own ``__all__``; this package re-exports them all,
and its ``__all__`` is built from theirs, so a new model is exported by adding it to
its family's list and nowhere else.

The webhook events (`events`: 71 classes, most of the cost of importing the
models) are imported on first access to one of their names: their names come
from `_event_names`, the list `events.__all__` is itself built from.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from . import (
    _common,
    api_clients,
    api_resources,
    api_tokens,
    auth_logs,
    connected_accounts,
    connections,
    directories,
    domains,
    event_log,
    mcp,
    oauth_clients,
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
from ._event_names import EVENT_NAMES
from .api_clients import *  # noqa: F403
from .api_resources import *  # noqa: F403
from .api_tokens import *  # noqa: F403
from .auth_logs import *  # noqa: F403
from .connected_accounts import *  # noqa: F403
from .connections import *  # noqa: F403
from .directories import *  # noqa: F403
from .domains import *  # noqa: F403
from .event_log import *  # noqa: F403
from .mcp import *  # noqa: F403
from .oauth_clients import *  # noqa: F403
from .organizations import *  # noqa: F403
from .passkeys import *  # noqa: F403
from .passwordless import *  # noqa: F403
from .providers import *  # noqa: F403
from .roles import *  # noqa: F403
from .sessions import *  # noqa: F403
from .tools import *  # noqa: F403
from .users import *  # noqa: F403

if TYPE_CHECKING:
    from . import events as events
    from .events import *  # noqa: F403


def __getattr__(name: str) -> Any:  # Any, not object: mypy types `__all__` through it
    # An event name imports `events` (defining its classes), then puts all its names
    # here, as ``from .events import *`` would have. `import_module` because
    # ``from . import events`` would call this function for "events" again; the
    # import the layer checks see is the TYPE_CHECKING one above.
    if name == "events" or name in EVENT_NAMES:
        events = import_module(".events", __name__)
        globals().update({n: getattr(events, n) for n in EVENT_NAMES})
        return events if name == "events" else globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if not TYPE_CHECKING:
    # Hidden from mypy: it reads only a literal ``__all__``, and given a computed one
    # it would re-export nothing from here (``scalekit_async.Organization`` would type
    # as `object`); without one, it exports exactly the names star-imported above.
    __all__: list[str] = []
    __all__ += _common.__all__
    __all__ += api_clients.__all__
    __all__ += api_resources.__all__
    __all__ += api_tokens.__all__
    __all__ += auth_logs.__all__
    __all__ += connected_accounts.__all__
    __all__ += connections.__all__
    __all__ += directories.__all__
    __all__ += domains.__all__
    __all__ += event_log.__all__
    __all__ += EVENT_NAMES  # events.__all__, without importing events
    __all__ += mcp.__all__
    __all__ += oauth_clients.__all__
    __all__ += organizations.__all__
    __all__ += passkeys.__all__
    __all__ += passwordless.__all__
    __all__ += providers.__all__
    __all__ += roles.__all__
    __all__ += sessions.__all__
    __all__ += tools.__all__
    __all__ += users.__all__
