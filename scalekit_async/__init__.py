"""An asyncio- and trio-native client for the Scalekit REST API.

```python
import scalekit_async as sk

async with sk.ScalekitClient() as client:  # SCALEKIT_* environment variables
    org = await client.organizations.create(display_name="Acme")
```
"""

import logging as _logging
from typing import TYPE_CHECKING as _TYPE_CHECKING

from . import models as models
from ._client import ScalekitClient as ScalekitClient
from ._enums import OpenEnum as OpenEnum
from ._errors import (
    APIConnectionError as APIConnectionError,
    APIStatusError as APIStatusError,
    APITimeoutError as APITimeoutError,
    AuthenticationError as AuthenticationError,
    BadRequestError as BadRequestError,
    ClientClosedError as ClientClosedError,
    ConfigurationError as ConfigurationError,
    ConflictError as ConflictError,
    FieldViolation as FieldViolation,
    NotFoundError as NotFoundError,
    PermissionDeniedError as PermissionDeniedError,
    RateLimitError as RateLimitError,
    ResponseValidationError as ResponseValidationError,
    ScalekitError as ScalekitError,
    ServerError as ServerError,
    TokenError as TokenError,
    ToolExecutionError as ToolExecutionError,
    WrongEventLoopError as WrongEventLoopError,
)
from ._pagination import AsyncPaginator as AsyncPaginator, Page as Page
from ._retry import RetryPolicy as RetryPolicy
from ._transport import Attempt as Attempt, Timeouts as Timeouts
from ._types import NOT_GIVEN as NOT_GIVEN, NotGiven as NotGiven
from ._version import __version__ as __version__
from .models import *  # noqa: F403

if _TYPE_CHECKING:
    from ._aiohttp import AiohttpTransport as AiohttpTransport


def __getattr__(name: str) -> object:
    # AiohttpTransport imports aiohttp, an optional extra: load it only when asked for.
    if name == "AiohttpTransport":
        from ._aiohttp import AiohttpTransport

        return AiohttpTransport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Silent by default: a library logs, the application decides where it goes.
_logging.getLogger("scalekit_async").addHandler(_logging.NullHandler())

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AiohttpTransport",
    "AsyncPaginator",
    "Attempt",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "FieldViolation",
    "NotFoundError",
    "NotGiven",
    "OpenEnum",
    "Page",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseValidationError",
    "RetryPolicy",
    "ScalekitClient",
    "ScalekitError",
    "ServerError",
    "Timeouts",
    "TokenError",
    "ToolExecutionError",
    "WrongEventLoopError",
    "__version__",
]
__all__ += models.__all__
