"""Test helpers shipped to users: a stateful fake Scalekit, in-process or over a socket.

```python
from scalekit_async.testing import FakeScalekit

fake = FakeScalekit()
async with fake.client() as client:          # in-process, no sockets
    org = await client.organizations.create(display_name="Acme")
assert fake.organizations[org.id]["display_name"] == "Acme"
```

The ``add_*`` helpers seed state the public API cannot create (SSO connections,
SCIM directories, sessions, passkeys, auth logs); the OAuth helpers mint tokens
and sign webhooks the way Scalekit does, so login and webhook handlers can be
tested end to end offline.
"""

from ._auth_logs import add_auth_request
from ._connected_accounts import complete_authorization
from ._connections import add_connection
from ._directories import add_directory, add_directory_group, add_directory_user
from ._events import EMITTED_EVENT_TYPES, Delivery, Subscription, Webhooks, subscribe
from ._fake import FakeScalekit, FakeTransport
from ._http import FakeRequest, Fault, Reply
from ._oauth import FakeOAuth, mint_access_token, new_webhook_secret, oauth, sign_webhook
from ._passkeys import add_passkey
from ._seed import SeedError, SeedSummary, apply_seed, load_seed, parse_seed, seed_fake
from ._server import ServerStats
from ._sessions import add_session
from ._tools import fail_tool

__all__ = [
    "EMITTED_EVENT_TYPES",
    "Delivery",
    "Subscription",
    "Webhooks",
    "subscribe",
    "FakeOAuth",
    "FakeRequest",
    "FakeScalekit",
    "FakeTransport",
    "Fault",
    "Reply",
    "SeedError",
    "SeedSummary",
    "ServerStats",
    "add_auth_request",
    "add_connection",
    "add_directory",
    "add_directory_group",
    "add_directory_user",
    "add_passkey",
    "add_session",
    "apply_seed",
    "load_seed",
    "parse_seed",
    "seed_fake",
    "complete_authorization",
    "fail_tool",
    "mint_access_token",
    "new_webhook_secret",
    "oauth",
    "sign_webhook",
]
