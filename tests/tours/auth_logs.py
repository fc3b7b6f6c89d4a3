"""Every authentication-log operation, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scalekit_async import ScalekitClient
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._auth_logs import add_auth_request


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    add_auth_request(fake, email="tour-logs@example.com", client_id="skc_tour")
    now = datetime.now(UTC)
    page = await client.auth_logs.list(
        page_size=10,
        email="tour-logs@example.com",
        status=["SUCCESS"],
        start_time=now - timedelta(hours=1),
        end_time=now + timedelta(hours=1),
        client_id="skc_tour",
    )
    assert len(page.items) == 1
