"""client.sessions against the fake: get, revoke, list a user's sessions, revoke them all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._sessions import add_session, stamp

pytestmark = pytest.mark.anyio


def seed_user(fake: FakeScalekit, email: str = "ada@example.com") -> str:
    user_id = fake.new_id("usr")
    fake.users[user_id] = {"id": user_id, "email": email}
    return user_id


async def test_get_returns_the_session(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    user_id = seed_user(fake)
    seeded = add_session(fake, user_id, organization_id="org_1")
    session = await client.sessions.get(seeded["session_id"])
    assert isinstance(session, sk.Session)
    assert session.session_id == seeded["session_id"]
    assert session.user_id == user_id
    assert session.status is sk.SessionStatus.ACTIVE
    assert session.organization_id == "org_1"
    assert session.authenticated_organizations == ("org_1",)
    assert session.device is not None
    assert session.device.browser == "Chrome"
    assert session.device.location is not None
    assert session.device.location.city == "San Francisco"
    assert isinstance(session.absolute_expires_at, datetime)
    assert session.absolute_expires_at.tzinfo is not None
    assert session.expired_at is None
    assert session.logout_at is None
    (request,) = fake.api_requests("GET")
    assert request.path == f"/api/v1/sessions/{seeded['session_id']}"


async def test_get_unknown_session_is_not_found(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.NotFoundError) as info:
        await client.sessions.get("ses_missing")
    assert info.value.status_code == 404


async def test_sessions_of_a_removed_user_are_gone(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    user_id = seed_user(fake)
    seeded = add_session(fake, user_id)
    del fake.users[user_id]
    with pytest.raises(sk.NotFoundError):
        await client.sessions.get(seeded["session_id"])
    with pytest.raises(sk.NotFoundError):
        await client.sessions.list(user_id=user_id)


def test_add_session_needs_an_existing_user(fake: FakeScalekit) -> None:
    with pytest.raises(ValueError, match="seed the user first"):
        add_session(fake, "usr_nobody")


async def test_a_session_past_its_expiry_reads_as_expired(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    user_id = seed_user(fake)
    past = stamp(datetime.now(UTC) - timedelta(minutes=1))
    seeded = add_session(fake, user_id, idle_expires_at=past)
    session = await client.sessions.get(seeded["session_id"])
    assert session.status is sk.SessionStatus.EXPIRED
    assert session.expired_at == datetime.fromisoformat(past)
    with pytest.raises(sk.BadRequestError):
        await client.sessions.revoke(seeded["session_id"])


async def test_revoke_ends_the_session(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    user_id = seed_user(fake)
    seeded = add_session(fake, user_id)
    revoked = await client.sessions.revoke(seeded["session_id"])
    assert isinstance(revoked, sk.RevokedSession)
    assert revoked.session_id == seeded["session_id"]
    assert revoked.user_id == user_id
    assert revoked.status is sk.SessionStatus.REVOKED
    assert revoked.expired_at is not None
    assert fake.sessions[seeded["session_id"]]["status"] == "revoked"
    (request,) = fake.api_requests("POST", f"/api/v1/sessions/{seeded['session_id']}/revoke")
    assert request.body == b""
    again = await client.sessions.get(seeded["session_id"])
    assert again.status is sk.SessionStatus.REVOKED


async def test_revoking_twice_is_a_bad_request(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    seeded = add_session(fake, seed_user(fake))
    await client.sessions.revoke(seeded["session_id"])
    with pytest.raises(sk.BadRequestError) as info:
        await client.sessions.revoke(seeded["session_id"])
    assert info.value.error_code == "FAILED_PRECONDITION"


async def test_revoke_unknown_session_is_not_found(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.sessions.revoke("ses_missing")


async def test_list_pages_through_only_that_users_sessions(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    user_id = seed_user(fake)
    other = seed_user(fake, "bob@example.com")
    mine = [add_session(fake, user_id)["session_id"] for _ in range(5)]
    add_session(fake, other)
    first = await client.sessions.list(user_id=user_id, page_size=2)
    assert [s.session_id for s in first.items] == mine[:2]
    assert first.total_size == 5
    assert first.has_next_page
    every = [s.session_id async for s in client.sessions.list(user_id=user_id, page_size=2)]
    assert every == mine
    requests = fake.api_requests("GET", f"/api/v1/users/{user_id}/sessions")
    assert [r.param("page_size") for r in requests] == ["2"] * 4
    assert [r.param("page_token") for r in requests[1:]] == [None, "2", "4"]


async def test_list_sends_dotted_filters_and_the_fake_applies_them(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    user_id = seed_user(fake)
    old = add_session(fake, user_id, created_at="2024-01-01T00:00:00Z", status="logout")
    new = add_session(fake, user_id, created_at="2025-06-01T12:00:00Z")
    add_session(fake, user_id, created_at="2025-06-02T12:00:00Z", status="revoked")
    result = await client.sessions.list(
        user_id=user_id,
        status=[sk.SessionStatus.ACTIVE, "logout"],
        start_time=datetime(2024, 1, 1, tzinfo=UTC),
        end_time=datetime(2025, 6, 1, 12, tzinfo=UTC),
    )
    assert {s.session_id for s in result.items} == {old["session_id"], new["session_id"]}
    (request,) = fake.api_requests("GET")
    assert request.params("filter.status") == ["active", "logout"]
    assert request.param("filter.start_time") == "2024-01-01T00:00:00Z"
    assert request.param("filter.end_time") == "2025-06-01T12:00:00Z"
    assert request.param("status") is None


async def test_list_unknown_user_is_not_found(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.sessions.list(user_id="usr_missing")


async def test_list_unknown_status_is_a_field_violation(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    user_id = seed_user(fake)
    with pytest.raises(sk.BadRequestError) as info:
        await client.sessions.list(user_id=user_id, status=["sleeping"])
    assert [v.field for v in info.value.field_violations] == ["filter.status"]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"status": "active"}, TypeError),
        ({"status": [1]}, TypeError),
        ({"start_time": "2024-01-01T00:00:00Z"}, TypeError),
        ({"page_size": 0}, ValueError),
        ({"page_size": 101}, ValueError),
        (
            {
                "start_time": datetime(2025, 1, 2, tzinfo=UTC),
                "end_time": datetime(2025, 1, 1, tzinfo=UTC),
            },
            ValueError,
        ),
    ],
)
async def test_list_rejects_bad_arguments_before_sending(
    client: sk.ScalekitClient, fake: FakeScalekit, kwargs: dict[str, object], error: type
) -> None:
    with pytest.raises(error):
        client.sessions.list(user_id="usr_1", **kwargs)  # type: ignore[arg-type]
    assert fake.api_requests() == []


async def test_empty_ids_are_refused_before_sending(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError):
        await client.sessions.get("")
    with pytest.raises(ValueError):
        client.sessions.list(user_id="")
    with pytest.raises(TypeError):
        await client.sessions.revoke_all(user_id=None)  # type: ignore[arg-type]
    assert fake.api_requests() == []


async def test_revoke_all_revokes_each_active_session(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    user_id = seed_user(fake)
    active = {add_session(fake, user_id)["session_id"] for _ in range(3)}
    logged_out = add_session(fake, user_id, status="logout", logout_at=fake.now())
    bystander = add_session(fake, seed_user(fake, "bob@example.com"))
    result = await client.sessions.revoke_all(user_id=user_id)
    assert isinstance(result, sk.RevokedSessions)
    assert result.total_revoked == 3
    assert {s.session_id for s in result.revoked_sessions} == active
    assert all(s.status is sk.SessionStatus.REVOKED for s in result.revoked_sessions)
    for session_id in active:
        assert fake.sessions[session_id]["status"] == "revoked"
    assert fake.sessions[logged_out["session_id"]]["status"] == "logout"
    assert fake.sessions[bystander["session_id"]]["status"] == "active"
    (request,) = fake.api_requests("POST", f"/api/v1/users/{user_id}/sessions/revoke")
    assert request.body == b""
    again = await client.sessions.revoke_all(user_id=user_id)
    assert again.total_revoked == 0
    assert again.revoked_sessions == ()


async def test_revoke_all_unknown_user_is_not_found(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.sessions.revoke_all(user_id="usr_missing")


async def test_none_filters_are_not_sent(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    user_id = seed_user(fake)
    seeded = add_session(fake, user_id)
    page = await client.sessions.list(
        user_id=user_id,
        page_size=None,
        page_token=None,
        status=None,
        start_time=None,
        end_time=None,
    )
    assert [s.session_id for s in page.items] == [seeded["session_id"]]
    (request,) = fake.api_requests("GET", f"/api/v1/users/{user_id}/sessions")
    assert request.query == ()


async def test_user_id_is_keyword_only(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    with pytest.raises(TypeError):
        client.sessions.list("usr_1")  # type: ignore[misc]
    with pytest.raises(TypeError):
        client.sessions.list()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        await client.sessions.revoke_all("usr_1")  # type: ignore[misc]
    assert fake.api_requests() == []


async def test_session_id_is_positional(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    seeded = add_session(fake, seed_user(fake))
    session = await client.sessions.get(id=seeded["session_id"])
    revoked = await client.sessions.revoke(id=seeded["session_id"])
    assert session.session_id == revoked.session_id == seeded["session_id"]
