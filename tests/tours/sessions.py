"""Every Sessions operation, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scalekit_async import ScalekitClient
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._sessions import add_session


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    user_id = fake.new_id("usr")
    fake.users[user_id] = {"id": user_id, "email": "tour-sessions@example.com"}
    first = add_session(fake, user_id, organization_id="org_tour")
    add_session(fake, user_id)
    session = await client.sessions.get(first["session_id"])
    assert session.session_id == first["session_id"]
    now = datetime.now(UTC)
    page = await client.sessions.list(
        user_id=user_id,
        page_size=10,
        status=["active"],
        start_time=now - timedelta(days=1),
        end_time=now + timedelta(days=1),
    )
    assert len(page.items) == 2
    revoked = await client.sessions.revoke(first["session_id"])
    assert revoked.status == "revoked"
    everything = await client.sessions.revoke_all(user_id=user_id)
    assert everything.total_revoked == 1
