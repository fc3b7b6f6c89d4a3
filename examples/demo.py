"""A short walkthrough of scalekit_async: `make demo`.

With SCALEKIT_ENVIRONMENT_URL, SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET
set, it talks to that environment (and deletes what it creates). Without
them it runs against the embedded fake Scalekit, served on a loopback socket.
"""

from __future__ import annotations

import os
import sys
import uuid
from contextlib import AsyncExitStack

import anyio

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit

ENV_VARS = ("SCALEKIT_ENVIRONMENT_URL", "SCALEKIT_CLIENT_ID", "SCALEKIT_CLIENT_SECRET")


def say(text: str) -> None:
    print(text, flush=True)


async def main() -> int:
    async with AsyncExitStack() as stack:
        if all(os.environ.get(name) for name in ENV_VARS):
            say(f"Using the real environment at {os.environ['SCALEKIT_ENVIRONMENT_URL']}")
            client = await stack.enter_async_context(sk.ScalekitClient())
        else:
            fake = FakeScalekit()
            url = await stack.enter_async_context(fake.serve())
            say(f"Using the embedded fake Scalekit at {url}")
            say(f"(set {', '.join(ENV_VARS)} to use a real environment)")
            client = await stack.enter_async_context(
                sk.ScalekitClient(url, fake.client_id, fake.client_secret)
            )
        await walkthrough(client)
    return 0


async def walkthrough(client: sk.ScalekitClient) -> None:
    tag = uuid.uuid4().hex[:8]
    say("\n1. Authenticate (client credentials; the token is fetched on first use)")
    first = await client.organizations.list(page_size=10)
    say(f"   token requests so far: {client.token_fetches}; organizations: {first.total_size}")

    say("\n2. Create an organization")
    org = await client.organizations.create(
        display_name=f"Demo Org {tag}", external_id=f"demo-{tag}", metadata={"source": "demo"}
    )
    say(f"   created {org.id} '{org.display_name}' external_id={org.external_id}")
    extra = [
        await client.organizations.create(display_name=f"Demo Org {tag} #{i}") for i in range(12)
    ]

    say("\n3. List organizations page by page (page_size=10)")
    async for page in client.organizations.list(page_size=10).pages():
        names = ", ".join(o.display_name for o in page.items[:3])
        say(f"   page of {len(page.items)} (total {page.total_size}): {names}, ...")

    say("\n4. Fetch it by id and by external id")
    by_id = await client.organizations.get(org.id)
    by_external = await client.organizations.get_by_external_id(f"demo-{tag}")
    same = by_id == by_external
    say(f"   by id: {by_id.display_name}; by external id: {by_external.id}; same: {same}")

    say("\n5. Update it (only the fields passed are sent)")
    updated = await client.organizations.update(org.id, display_name=f"Demo Org {tag} Inc")
    say(f"   display_name is now '{updated.display_name}'")

    say("\n6. Delete it, and see a typed NotFoundError")
    await client.organizations.delete(org.id)
    for other in extra:
        await client.organizations.delete(other.id)
    try:
        await client.organizations.get(org.id)
    except sk.NotFoundError as error:
        say(f"   {type(error).__name__}: status={error.status_code} error_code={error.error_code}")
        say(f"   message: {error.message}")
    say(f"\nDone: {client.token_fetches} token request(s) for the whole walkthrough.")


if __name__ == "__main__":
    sys.exit(anyio.run(main))
