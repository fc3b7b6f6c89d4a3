"""client.auth_logs against the fake: list the authentication log with filters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._auth_logs import add_auth_request

pytestmark = pytest.mark.anyio


async def test_list_reads_the_authRequests_key_newest_first(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    older = add_auth_request(
        fake,
        email="ada@example.com",
        connection_type="OIDC",
        connection_provider="OKTA",
        connection_details=[{"connection_id": "conn_1", "organization_id": "org_1"}],
        timestamp="2025-01-01T10:00:00Z",
    )
    newer = add_auth_request(fake, email="bob@example.com", status="FAILED")
    page = await client.auth_logs.list()
    assert [log.auth_request_id for log in page.items] == [
        newer["auth_request_id"],
        older["auth_request_id"],
    ]
    assert page.total_size == 2
    log = page.items[1]
    assert isinstance(log, sk.AuthLog)
    assert log.email == "ada@example.com"
    assert log.status is sk.AuthRequestStatus.SUCCESS
    assert log.timestamp == datetime(2025, 1, 1, 10, tzinfo=UTC)
    assert log.connection_provider == "OKTA"
    assert log.connection_details == (
        sk.AuthLogConnection(connection_id="conn_1", organization_id="org_1"),
    )
    assert page.items[0].status is sk.AuthRequestStatus.FAILED


async def test_list_sends_plain_filter_names_and_the_fake_applies_them(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    add_auth_request(fake, email="ada@example.com", timestamp="2024-12-31T23:59:59Z")
    hit = add_auth_request(
        fake,
        email="Ada@Example.com",
        status="PENDING",
        timestamp="2025-01-01T12:00:00Z",
        resource_id="res_1",
        client_id="skc_1",
    )
    add_auth_request(fake, email="ada@example.com", timestamp="2025-01-01T13:00:00Z")
    add_auth_request(fake, email="bob@example.com", timestamp="2025-01-01T12:00:00Z")
    result = await client.auth_logs.list(
        email="ada@example.com",
        status=[sk.AuthRequestStatus.PENDING, "FAILED"],
        start_time=datetime(2025, 1, 1, tzinfo=UTC),
        end_time=datetime(2025, 1, 1, 12, 30, tzinfo=UTC),
        resource_id="res_1",
        client_id="skc_1",
        page_size=5,
    )
    assert [log.auth_request_id for log in result.items] == [hit["auth_request_id"]]
    (request,) = fake.api_requests("GET", "/api/v1/logs/authentication/requests")
    assert request.query == (
        ("page_size", "5"),
        ("email", "ada@example.com"),
        ("status", "PENDING"),
        ("status", "FAILED"),
        ("start_time", "2025-01-01T00:00:00Z"),
        ("end_time", "2025-01-01T12:30:00Z"),
        ("resource_id", "res_1"),
        ("client_id", "skc_1"),
    )


async def test_list_pages_through_the_log(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    ids = [add_auth_request(fake)["auth_request_id"] for _ in range(5)]
    every = [log.auth_request_id async for log in client.auth_logs.list(page_size=2)]
    assert every == ids[::-1]
    requests = fake.api_requests("GET")
    assert [r.param("page_token") for r in requests] == [None, "2", "4"]


async def test_passwordless_sends_show_up_in_the_log(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    sent = await client.passwordless.send(email="ada@example.com")
    code = fake.passwordless[sent.auth_request_id]["code"]
    (pending,) = (await client.auth_logs.list(status=["PENDING"])).items
    assert pending.auth_request_id == sent.auth_request_id
    assert pending.email == "ada@example.com"
    await client.passwordless.verify(code=code, auth_request_id=sent.auth_request_id)
    assert (await client.auth_logs.list(status=["PENDING"])).items == ()
    (done,) = (await client.auth_logs.list(status=["SUCCESS"])).items
    assert done.auth_request_id == sent.auth_request_id


async def test_unknown_status_is_a_field_violation(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.BadRequestError) as info:
        await client.auth_logs.list(status=["LOST"])
    assert [v.field for v in info.value.field_violations] == ["status"]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"status": "SUCCESS"}, TypeError),
        ({"email": 1}, TypeError),
        ({"start_time": "2025-01-01"}, TypeError),
        ({"page_size": 0}, ValueError),
        (
            {
                "start_time": datetime(2025, 1, 2, tzinfo=UTC),
                "end_time": datetime(2025, 1, 1, tzinfo=UTC),
            },
            ValueError,
        ),
    ],
)
async def test_list_checks_arguments_before_sending(
    client: sk.ScalekitClient, fake: FakeScalekit, kwargs: dict[str, object], error: type
) -> None:
    with pytest.raises(error):
        client.auth_logs.list(**kwargs)  # type: ignore[arg-type]
    assert fake.api_requests() == []


async def test_list_treats_none_as_not_given(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    add_auth_request(fake, email="ada@example.com")
    page = await client.auth_logs.list(
        page_size=None,
        page_token=None,
        email=None,
        status=None,
        start_time=None,
        end_time=None,
        resource_id=None,
        client_id=None,
    )
    assert len(page.items) == 1
    (request,) = fake.api_requests("GET", "/api/v1/logs/authentication/requests")
    assert request.query == ()
