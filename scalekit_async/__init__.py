"""An asyncio- and trio-native client for the Scalekit REST API.

```python
import scalekit_async as sk

async with sk.ScalekitClient() as client:  # SCALEKIT_* environment variables
    org = await client.organizations.create(display_name="Acme")
```
"""

import logging as _logging

from . import models as models
from ._client import ScalekitClient as ScalekitClient
from ._enums import OpenEnum as OpenEnum
from ._errors import (
    APIConnectionError as APIConnectionError,
)
from ._errors import (
    APIStatusError as APIStatusError,
)
from ._errors import (
    APITimeoutError as APITimeoutError,
)
from ._errors import (
    AuthenticationError as AuthenticationError,
)
from ._errors import (
    BadRequestError as BadRequestError,
)
from ._errors import (
    ClientClosedError as ClientClosedError,
)
from ._errors import (
    ConfigurationError as ConfigurationError,
)
from ._errors import (
    ConflictError as ConflictError,
)
from ._errors import (
    FieldViolation as FieldViolation,
)
from ._errors import (
    NotFoundError as NotFoundError,
)
from ._errors import (
    PermissionDeniedError as PermissionDeniedError,
)
from ._errors import (
    RateLimitError as RateLimitError,
)
from ._errors import (
    ResponseValidationError as ResponseValidationError,
)
from ._errors import (
    ScalekitError as ScalekitError,
)
from ._errors import (
    ServerError as ServerError,
)
from ._errors import (
    TokenError as TokenError,
)
from ._errors import (
    WrongEventLoopError as WrongEventLoopError,
)
from ._pagination import AsyncPaginator as AsyncPaginator
from ._pagination import Page as Page
from ._retry import RetryPolicy as RetryPolicy
from ._transport import Attempt as Attempt
from ._transport import Timeouts as Timeouts
from ._types import NOT_GIVEN as NOT_GIVEN
from ._types import NotGiven as NotGiven
from ._version import __version__ as __version__
from .models import *  # noqa: F403

# Silent by default: a library logs, the application decides where it goes.
_logging.getLogger("scalekit_async").addHandler(_logging.NullHandler())

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
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
    "WrongEventLoopError",
    "__version__",
]
__all__ += models.__all__
