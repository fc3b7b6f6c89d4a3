"""Frozen attrs models for every API shape, with the wire's snake_case field names.

Each family module declares its own ``__all__``. This package re-exports them
all, lazily: defining attrs classes is most of the cost of importing the SDK,
so a family module is imported on first access to one of its names (or to the
module), and its names are then set here as ``from .family import *`` would.
The names of every family come from `_names` (and the webhook events' from
`_event_names`), so ``__all__`` is complete without importing anything;
`tests/test_lazy_imports.py` checks those lists against the modules. Only
`_common` (shared enums and shapes the converter needs) is imported at once.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from . import _common
from ._common import *  # noqa: F403
from ._names import FAMILIES

if TYPE_CHECKING:
    from . import (
        api_clients as api_clients,
        api_resources as api_resources,
        api_tokens as api_tokens,
        auth_logs as auth_logs,
        connected_accounts as connected_accounts,
        connections as connections,
        directories as directories,
        domains as domains,
        event_log as event_log,
        events as events,
        mcp as mcp,
        oauth_clients as oauth_clients,
        organizations as organizations,
        passkeys as passkeys,
        passwordless as passwordless,
        providers as providers,
        roles as roles,
        sessions as sessions,
        tools as tools,
        users as users,
    )
    from .api_clients import *  # noqa: F403
    from .api_resources import *  # noqa: F403
    from .api_tokens import *  # noqa: F403
    from .auth_logs import *  # noqa: F403
    from .connected_accounts import *  # noqa: F403
    from .connections import *  # noqa: F403
    from .directories import *  # noqa: F403
    from .domains import *  # noqa: F403
    from .event_log import *  # noqa: F403
    from .events import *  # noqa: F403
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

_FAMILY_OF = {name: family for family, names in FAMILIES.items() for name in names}
_NAMES = [*_common.__all__, *_FAMILY_OF]


def __getattr__(name: str) -> Any:  # Any, not object: mypy types `__all__` through it
    # `import_module`, not ``from . import family``, which would call this function
    # again; the imports the layer checks see are the TYPE_CHECKING ones above.
    family = name if name in FAMILIES else _FAMILY_OF.get(name)
    if family is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = import_module(f".{family}", __name__)
    globals().update({n: getattr(module, n) for n in FAMILIES[family]})
    return module if name == family else globals()[name]


def __dir__() -> list[str]:
    return sorted({*globals(), *_NAMES})


if not TYPE_CHECKING:
    # Hidden from mypy: it reads only a literal ``__all__``, and given a computed one
    # it would re-export nothing from here (``scalekit_async.Organization`` would type
    # as `object`); without one, it exports exactly the names star-imported above.
    # In two steps, so that Griffe (the API reference) reads `_common`'s names through it.
    __all__: list[str] = []
    __all__ += _common.__all__
    __all__ += list(_FAMILY_OF)
