"""A DELETE whose answer was lost is retried; its 404 then says it followed a lost attempt."""

from __future__ import annotations

import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio

FAST = sk.RetryPolicy(backoff_base=0.01, backoff_cap=0.02)


async def test_a_404_after_a_lost_delete_says_so(transport_kind: str) -> None:
    fake = FakeScalekit()
    async with fake.serve() as url:
        transport = sk.AiohttpTransport() if transport_kind == "aiohttp" else None
        async with sk.ScalekitClient(
            url, fake.client_id, fake.client_secret, retry=FAST, transport=transport
        ) as client:
            org = await client.organizations.create(display_name="Acme")
            # The server deletes, then the connection drops before the answer.
            fake.fail_next(1, method="DELETE", path=f"/api/v1/organizations/{org.id}", drop="after")
            with pytest.raises(sk.NotFoundError) as info:
                await client.organizations.delete(org.id)
            assert info.value.after_lost_attempt  # most likely deleted by the first attempt
            assert "after_lost_attempt" not in str(info.value)  # the message stays the server's

            with pytest.raises(sk.NotFoundError) as plain:
                await client.organizations.delete("org_never_existed")
            assert not plain.value.after_lost_attempt


async def test_a_404_after_a_retried_status_is_not_flagged(fake: FakeScalekit) -> None:
    """A 503 is an answer: the attempt was refused, not lost, so no flag."""
    async with (
        fake.serve() as url,
        sk.ScalekitClient(url, fake.client_id, fake.client_secret, retry=FAST) as c,
    ):
        org = await c.organizations.create(display_name="Acme")
        fake.fail_next(1, method="GET", path=f"/api/v1/organizations/{org.id}", status=503)
        await c.organizations.delete(org.id)
        with pytest.raises(sk.NotFoundError) as info:
            await c.organizations.get(org.id)  # a 503, a retry, then a real 404
        assert not info.value.after_lost_attempt
