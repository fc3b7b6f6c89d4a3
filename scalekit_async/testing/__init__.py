"""Test helpers shipped to users: a stateful fake Scalekit, in-process or over a socket.

```python
from scalekit_async.testing import FakeScalekit

fake = FakeScalekit()
async with fake.client() as client:          # in-process, no sockets
    org = await client.organizations.create(display_name="Acme")
assert fake.organizations[org.id]["display_name"] == "Acme"
```
"""

from ._fake import FakeScalekit, FakeTransport
from ._http import FakeRequest, Fault, Reply

__all__ = ["FakeRequest", "FakeScalekit", "FakeTransport", "Fault", "Reply"]
