"""client.events against the fake: the event log is what the fake emitted, newest first."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio

EVENTS = "/api/v1/events/paginated"


async def test_the_log_holds_the_emitted_events_newest_first_as_their_classes(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org = await client.organizations.create(display_name="Acme")
    await client.organizations.update(org.id, display_name="Acme 2")
    page = await client.events.list()
    assert [e.type for e in page.items] == ["organization.updated", "organization.created"]
    assert [e.id for e in page.items] == [e["id"] for e in reversed(fake.webhooks.events)]
    updated, created = page.items
    assert isinstance(created, sk.OrganizationCreatedEvent)
    assert created.data.id == org.id
    assert isinstance(updated, sk.OrganizationUpdatedEvent)
    assert updated.data.display_name == "Acme 2"
    assert updated.organization_id == org.id
    assert updated.object == "Organization"
    assert page.total_size is None  # the API gives no count
    assert not page.has_next_page
    (request,) = fake.api_requests("POST", EVENTS)
    assert request.json() == {}
    assert request.query == ()


async def test_filters_travel_as_the_event_filter_body_and_paging_in_the_query(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org = await client.organizations.create(display_name="Acme")
    start = datetime(2020, 1, 1, tzinfo=UTC)
    end = datetime(2099, 1, 1)  # naive: UTC
    page = await client.events.list(
        event_types=["organization.created"],
        start_time=start,
        end_time=end,
        organization_id=org.id,
        source=sk.EventSource.SCALEKIT,
        page_size=5,
        page_token=None,
    )
    (request,) = fake.api_requests("POST", EVENTS)
    assert request.json() == {
        "event_types": ["organization.created"],
        "start_time": "2020-01-01T00:00:00Z",
        "end_time": "2099-01-01T00:00:00Z",
        "organization_id": org.id,
        "source": "SCALEKIT",
    }
    assert dict(request.query) == {"page_size": "5"}
    assert [e.type for e in page.items] == ["organization.created"]


async def test_each_filter_narrows_the_log(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    acme = await client.organizations.create(display_name="Acme")
    globex = await client.organizations.create(display_name="Globex")
    await client.organizations.update(acme.id, display_name="Acme 2")

    async def types(**filters: object) -> list[str]:
        return [e.type async for e in client.events.list(**filters)]  # type: ignore[arg-type]

    assert await types(organization_id=globex.id) == ["organization.created"]
    assert await types(event_types=["organization.updated"]) == ["organization.updated"]
    assert await types(source="DIR_SYNC") == []
    assert len(await types(source="SCALEKIT")) == 3
    future = datetime.now(UTC) + timedelta(hours=1)
    assert await types(start_time=future) == []
    assert len(await types(end_time=future)) == 3
    assert await types(connection_id="conn_1") == []
    # An event published by hand is in the log too.
    fake.webhooks.publish("user.signup", {"user": {"id": "usr_1"}}, organization_id=acme.id)
    assert await types(organization_id=acme.id) == [
        "user.signup",
        "organization.updated",
        "organization.created",
    ]


async def test_pages_are_cursors_that_new_events_do_not_shift(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    for name in "ABCDE":
        await client.organizations.create(display_name=name)
    names = [e["data"]["display_name"] for e in reversed(fake.webhooks.events)]
    assert names == list("EDCBA")
    first = await client.events.list(page_size=2)
    assert [e.data.display_name for e in first.items] == ["E", "D"]  # type: ignore[attr-defined]
    assert first.next_page_token
    assert first.prev_page_token is None
    await client.organizations.create(display_name="F")  # newer: does not shift the pages
    second = await client.events.list(page_size=2, page_token=first.next_page_token)
    assert [e.data.display_name for e in second.items] == ["C", "B"]  # type: ignore[attr-defined]
    assert dict(fake.api_requests("POST", EVENTS)[-1].query) == {
        "page_size": "2",
        "page_token": first.next_page_token,
    }
    back = await client.events.list(page_size=2, page_token=second.prev_page_token)
    assert [e.data.display_name for e in back.items] == ["E", "D"]  # type: ignore[attr-defined]
    assert back.prev_page_token  # F is newer still
    rest = [e.data.display_name async for e in client.events.list(page_size=2)]  # type: ignore[attr-defined]
    assert rest == list("FEDCBA")


async def test_a_post_that_only_reads_is_retried_like_a_get(fake: FakeScalekit) -> None:
    async with fake.client(fast_retries=True) as client:
        await client.organizations.create(display_name="Acme")
        fake.fail_next(1, path=EVENTS, status=503)
        page = await client.events.list()
        assert [e.type for e in page.items] == ["organization.created"]
        assert len(fake.api_requests("POST", EVENTS)) == 2
        # A POST that writes is not retried on a 503 (the default policy).
        created = await client.api_tokens.create(
            organization_id=(await client.organizations.list()).items[0].id
        )
        fake.fail_next(1, path="/api/v1/tokens:update", status=503)
        with pytest.raises(sk.ServerError):
            await client.api_tokens.update(created.token_id, description="x")
        assert len(fake.api_requests("POST", "/api/v1/tokens:update")) == 1


async def test_an_entry_that_does_not_fit_its_class_is_kept_as_a_generic_event(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    fake.webhooks.publish("organization.created", {"id": ["not", "a", "string"]})
    fake.webhooks.publish("brand.new_type", {"anything": 1})
    newest, odd = (await client.events.list()).items
    assert type(newest) is sk.WebhookEvent
    assert newest.type == "brand.new_type"
    assert newest.data == {"anything": 1}
    assert type(odd) is sk.WebhookEvent
    assert odd.data == {"id": ["not", "a", "string"]}


async def test_arguments_are_checked_before_anything_is_sent(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    events = client.events
    with pytest.raises(TypeError, match="event_types"):
        events.list(event_types="organization.created")
    with pytest.raises(TypeError, match="start_time"):
        events.list(start_time="2024-01-01")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="end_time"):
        events.list(start_time=datetime(2024, 2, 1), end_time=datetime(2024, 1, 1))
    with pytest.raises(TypeError, match="organization_id"):
        events.list(organization_id=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="source"):
        events.list(source=2)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="page_size"):
        events.list(page_size=0)
    assert fake.api_requests() == []


async def test_the_fake_refuses_bad_filters_and_page_tokens(fake: FakeScalekit) -> None:
    headers = {"authorization": f"Bearer {fake.issue_token()}"}

    async def status(body: object, query: str = "") -> int:
        reply = await fake.handle("POST", EVENTS + query, headers, json.dumps(body).encode())
        return reply.status

    assert await status({}) == 200
    assert await status({"source": "SOMEWHERE"}) == 400
    assert await status({"start_time": "yesterday"}) == 400
    assert await status({"colour": "red"}) == 400
    assert await status({}, "?page_token=garbage") == 400
    assert await status({}, "?page_size=-1") == 400
