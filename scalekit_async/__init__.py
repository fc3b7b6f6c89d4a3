"""An asyncio- and trio-native client for the Scalekit REST API.

```python
import scalekit_async as sk

async with sk.ScalekitClient() as client:  # SCALEKIT_* environment variables
    org = await client.organizations.create(display_name="Acme")
```
"""

import logging as _logging
from typing import TYPE_CHECKING as _TYPE_CHECKING

from . import _errors, models as models
from ._auth import TokenGrant as TokenGrant, TokenStore as TokenStore
from ._client import ScalekitClient as ScalekitClient
from ._engine import RawResponse as RawResponse
from ._enums import OpenEnum as OpenEnum
from ._errors import *  # noqa: F403
from ._hooks import (
    Attempt as Attempt,
    Hooks as Hooks,
    RequestStarted as RequestStarted,
    RetryScheduled as RetryScheduled,
)
from ._jwt import (
    AccessTokenClaims as AccessTokenClaims,
    IdpInitiatedLoginClaims as IdpInitiatedLoginClaims,
    IdTokenClaims as IdTokenClaims,
)
from ._pagination import AsyncPaginator as AsyncPaginator, Page as Page
from ._pkce import (
    PkcePair as PkcePair,
    code_challenge as code_challenge,
    generate_pkce as generate_pkce,
)
from ._retry import RetryPolicy as RetryPolicy
from ._sender import RateLimiter as RateLimiter, Timeouts as Timeouts
from ._types import NOT_GIVEN as NOT_GIVEN, NotGiven as NotGiven
from ._version import __version__ as __version__
from ._webhooks import (
    InterceptorPayload as InterceptorPayload,
    verify_interceptor_payload as verify_interceptor_payload,
    verify_webhook_payload as verify_webhook_payload,
)

if _TYPE_CHECKING:
    from ._aiohttp import AiohttpTransport as AiohttpTransport
    from ._jwks import JwksCache as JwksCache
    from ._oidc import (
        Auth as Auth,
        AuthenticatedUser as AuthenticatedUser,
        AuthenticationResult as AuthenticationResult,
        ClientToken as ClientToken,
        RefreshResult as RefreshResult,
    )
    from .models import *  # noqa: F403
    from .resources.connected_accounts import is_scalekit_error as is_scalekit_error
    from .resources.tools import ToolModifiers as ToolModifiers


_MODEL_NAMES = frozenset(models.__all__)
_AUTH_NAMES = frozenset(
    {"Auth", "AuthenticatedUser", "AuthenticationResult", "ClientToken", "RefreshResult"}
)


def __getattr__(name: str) -> object:
    # Loaded on first use, not at import:
    # - AiohttpTransport imports aiohttp, an optional extra;
    # - JwksCache imports PyJWT and cryptography, needed only to validate tokens;
    # - the models are served by `models`, which defines the webhook events lazily
    #   (a star import here would touch every name, and so define them all).
    value: object
    if name == "AiohttpTransport":
        from . import _aiohttp

        value = _aiohttp.AiohttpTransport
    elif name == "JwksCache":
        from . import _jwks

        value = _jwks.JwksCache
    elif name in _AUTH_NAMES:  # client.auth's module, imported with its first use
        from . import _oidc

        value = getattr(_oidc, name)
    elif name == "ToolModifiers":  # with its namespace, imported on first use
        from .resources import tools

        value = tools.ToolModifiers
    elif name == "is_scalekit_error":
        from .resources import connected_accounts

        value = connected_accounts.is_scalekit_error
    elif name in _MODEL_NAMES:
        value = getattr(models, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


# Silent by default: a library logs, the application decides where it goes.
_logging.getLogger("scalekit_async").addHandler(_logging.NullHandler())

__all__ = [
    "ScalekitClient",
    "RawResponse",
    "RetryPolicy",
    "Timeouts",
    "Hooks",
    "Attempt",
    "RequestStarted",
    "RetryScheduled",
    "RateLimiter",
    "TokenGrant",
    "TokenStore",
    "AiohttpTransport",
    "AsyncPaginator",
    "Page",
    "Auth",
    "AuthenticatedUser",
    "AuthenticationResult",
    "RefreshResult",
    "ClientToken",
    "ToolModifiers",
    "is_scalekit_error",
    "AccessTokenClaims",
    "IdTokenClaims",
    "IdpInitiatedLoginClaims",
    "JwksCache",
    "PkcePair",
    "code_challenge",
    "generate_pkce",
    "InterceptorPayload",
    "verify_interceptor_payload",
    "verify_webhook_payload",
    "OpenEnum",
    "NOT_GIVEN",
    "NotGiven",
    "__version__",
]
__all__ += _errors.__all__
__all__ += models.__all__
