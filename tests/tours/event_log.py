"""Every event log operation, once."""

from __future__ import annotations

from datetime import UTC, datetime

from scalekit_async import EventSource, ScalekitClient
from scalekit_async.testing import FakeScalekit


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await client.organizations.create(display_name="Tour events")
    page = await client.events.list(
        event_types=["organization.created"],
        start_time=datetime(2020, 1, 1, tzinfo=UTC),
        end_time=datetime(2099, 1, 1, tzinfo=UTC),
        organization_id=org.id,
        source=EventSource.SCALEKIT,
        page_size=10,
    )
    assert [e.type for e in page.items] == ["organization.created"]
    assert fake.webhooks.events
