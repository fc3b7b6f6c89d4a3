"""The fake's webhook events: signed, typed, and delivered before the causing request returns."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager

import anyio
import anyio.abc
import anyio.lowlevel
import h11
import pytest

import scalekit_async as sk
from scalekit_async.models import AuthorizationDetails, OauthToken
from scalekit_async.models.events import (
    ConnectedAccountCreatedEvent,
    ConnectedAccountMagicLinkGeneratedEvent,
    ConnectedAccountOauthSucceededEvent,
    ConnectedAccountOauthTokensFetchedEvent,
    ConnectedAccountStatusUpdatedEvent,
    ConnectedAccountUpdatedEvent,
    DirectoryUserCreatedEvent,
    OrganizationCreatedEvent,
    OrganizationDeletedEvent,
    OrganizationSsoCreatedEvent,
    OrganizationUpdatedEvent,
    RoleCreatedEvent,
    UserLoginEvent,
    UserOrganizationInvitationEvent,
    UserOrganizationMembershipCreatedEvent,
    UserSignupEvent,
    WebhookEvent,
    parse_event,
)
from scalekit_async.testing import (
    FakeScalekit,
    add_connection,
    add_directory,
    add_directory_user,
    new_webhook_secret,
)
from scalekit_async.testing._connected_accounts import complete_authorization
from scalekit_async.testing._events import EVENT_OBJECTS, emit, subscribe
from scalekit_async.testing._sessions import add_session

pytestmark = pytest.mark.anyio

Received = list[tuple[dict[str, str], bytes]]


@asynccontextmanager
async def loopback_receiver(status: int = 204) -> AsyncIterator[tuple[str, Received]]:
    """A minimal HTTP/1.1 webhook endpoint on 127.0.0.1 that records each request."""
    received: Received = []
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)

    async def handle(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            conn = h11.Connection(h11.SERVER)
            headers: dict[str, str] = {}
            body = b""
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    try:
                        conn.receive_data(await stream.receive())
                    except (anyio.EndOfStream, anyio.BrokenResourceError):
                        return
                elif isinstance(event, h11.Request):
                    headers = {k.decode().lower(): v.decode() for k, v in event.headers}
                elif isinstance(event, h11.Data):
                    body += event.data
                elif isinstance(event, h11.EndOfMessage):
                    break
                else:
                    return
            received.append((headers, body))
            answer = h11.Response(
                status_code=status, headers=[("content-length", "0"), ("connection", "close")]
            )
            await stream.send(conn.send(answer) + conn.send(h11.EndOfMessage()))

    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, handle)
        try:
            yield f"http://127.0.0.1:{port}/webhooks", received
        finally:
            tg.cancel_scope.cancel()


def verified(
    secret: str, received: Sequence[tuple[Mapping[str, str], bytes]]
) -> list[WebhookEvent]:
    return [sk.verify_webhook_payload(secret, headers, body) for headers, body in received]


async def test_state_changes_reach_a_loopback_endpoint_signed_typed_and_in_time() -> None:
    fake = FakeScalekit()
    async with loopback_receiver() as (url, received), fake.client() as client:
        sub = fake.webhooks.subscribe(url)

        org = await client.organizations.create(display_name="Acme", external_id="acme-1")
        # Delivered before the fake answered: visible as soon as the SDK call returns.
        assert len(received) == 1
        await client.organizations.update(org.id, display_name="Acme Inc")
        home = await client.organizations.create(display_name="Home")
        user = await client.users.create(
            "ada@example.com", organization_id=home.id, send_invitation_email=False
        )
        await client.memberships.create(organization_id=org.id, user_id=user.id, roles=["admin"])
        await client.organizations.delete(org.id)
        await client.organizations.get(home.id)  # no state change: no event
        await fake.aclose()

    events = verified(sub.secret, received)
    assert [type(e) for e in events] == [
        OrganizationCreatedEvent,
        OrganizationUpdatedEvent,
        OrganizationCreatedEvent,
        UserOrganizationMembershipCreatedEvent,
        UserOrganizationMembershipCreatedEvent,
        UserOrganizationInvitationEvent,  # the API's default sends an invitation
        OrganizationDeletedEvent,
    ]
    created, updated, _, joined_home, joined, invited, deleted = events
    assert isinstance(created, OrganizationCreatedEvent)
    assert created.data.id == org.id
    assert created.data.display_name == "Acme"  # the organization as it was then
    assert created.data.external_id == "acme-1"
    assert created.organization_id == org.id
    assert created.object == "Organization"
    assert created.spec_version == "1"
    assert created.id.startswith("evt_")
    assert created.environment_id.startswith("env_")
    assert created.occurred_at is not None
    assert isinstance(updated, OrganizationUpdatedEvent)
    assert updated.data.display_name == "Acme Inc"
    for event, org_id in ((joined_home, home.id), (joined, org.id), (invited, org.id)):
        assert isinstance(
            event, UserOrganizationMembershipCreatedEvent | UserOrganizationInvitationEvent
        )
        assert event.organization_id == org_id
        assert event.data.organization is not None
        assert event.data.organization.id == org_id
        assert event.data.user is not None
        assert event.data.user.id == user.id
        assert event.data.user.email == "ada@example.com"
    assert isinstance(deleted, OrganizationDeletedEvent)
    assert deleted.data.deleted_at is not None
    assert len({e.id for e in events}) == len(events)
    # The webhook-id is the event id, so a receiver can deduplicate redeliveries.
    assert [h["webhook-id"] for h, _ in received] == [e.id for e in events]
    assert [(d.status_code, d.error) for d in sub.deliveries] == [(204, None)] * len(events)
    assert [d.event_id for d in sub.deliveries] == [e.id for e in events]


async def test_a_tampered_delivery_fails_verification() -> None:
    fake = FakeScalekit()
    got: list[tuple[Mapping[str, str], bytes]] = []
    sub = fake.webhooks.subscribe(lambda headers, body: got.append((headers, body)))
    async with fake.client() as client:
        await client.organizations.create(display_name="Acme")
    ((headers, body),) = got
    assert isinstance(
        sk.verify_webhook_payload(sub.secret, headers, body), OrganizationCreatedEvent
    )
    with pytest.raises(sk.WebhookSignatureError):
        sk.verify_webhook_payload(sub.secret, headers, body.replace(b"Acme", b"Acne"))
    with pytest.raises(sk.WebhookSignatureError):
        sk.verify_webhook_payload(new_webhook_secret(), headers, body)


async def test_in_process_receivers_sync_and_async_with_an_event_filter() -> None:
    fake = FakeScalekit()
    every: list[bytes] = []
    roles_only: list[bytes] = []

    async def async_receiver(headers: Mapping[str, str], body: bytes) -> None:
        await anyio.lowlevel.checkpoint()
        roles_only.append(body)

    fake.webhooks.subscribe(lambda headers, body: every.append(body), secret="whsec_" + "A" * 44)
    filtered = subscribe(fake, async_receiver, event_types={"role.created"})
    async with fake.client() as client:
        await client.roles.create("viewer", display_name="Viewer")
        await client.permissions.create("docs:read")
        await client.roles.update("viewer", display_name="Viewer 2")
    assert [parse_event(b).type for b in every] == [
        "role.created",
        "permission.created",
        "role.updated",
    ]
    (only,) = [
        sk.verify_webhook_payload(filtered.secret, d.headers, d.body) for d in filtered.deliveries
    ]
    assert isinstance(only, RoleCreatedEvent)
    assert only.data.name == "viewer"
    assert len(roles_only) == 1
    filtered.cancel()
    async with fake.client() as client:
        await client.roles.create("editor", display_name="Editor")
    assert len(roles_only) == 1
    assert len(every) == 4


async def test_failed_deliveries_are_recorded_and_never_break_the_fake() -> None:
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    await listener.aclose()  # nothing listens there any more: connection refused

    def broken(headers: Mapping[str, str], body: bytes) -> None:
        raise RuntimeError("receiver bug")

    fake = FakeScalekit()
    refused = fake.webhooks.subscribe(f"http://127.0.0.1:{port}/hook")
    raising = fake.webhooks.subscribe(broken)
    rejecting = fake.webhooks.subscribe(lambda headers, body: 500)
    healthy: list[bytes] = []
    fake.webhooks.subscribe(lambda headers, body: healthy.append(body))
    async with loopback_receiver(status=503) as (url, received), fake.client() as client:
        unavailable = fake.webhooks.subscribe(url)
        org = await client.organizations.create(display_name="Acme")
        assert (await client.organizations.get(org.id)).display_name == "Acme"
        await fake.aclose()
    assert len(healthy) == 1
    assert len(received) == 1
    (failed,) = refused.failures
    assert failed.status_code is None
    assert failed.error
    assert "Connect" in failed.error
    assert raising.failures[0].error == "RuntimeError: receiver bug"
    assert (rejecting.failures[0].status_code, rejecting.failures[0].error) == (
        500,
        "the endpoint answered 500",
    )
    assert unavailable.failures[0].status_code == 503
    assert all(not d.ok for s in (refused, raising, rejecting, unavailable) for d in s.deliveries)


async def test_events_queued_outside_a_request_go_out_with_the_next_one_or_on_deliver() -> None:
    fake = FakeScalekit()
    got: list[bytes] = []
    sub = fake.webhooks.subscribe(lambda headers, body: got.append(body))
    async with fake.client() as client:
        org = await client.organizations.create(display_name="Acme")
        connection = add_connection(fake, org.id)  # a seeding helper: no request
        assert len(got) == 1
        await fake.webhooks.deliver()
        assert len(got) == 2
        directory = add_directory(fake, org.id)
        add_directory_user(fake, directory["id"], email="bob@example.com")
        await client.directories.get(directory["id"], organization_id=org.id)
        assert len(got) == 3
    sso, user = (
        sk.verify_webhook_payload(sub.secret, d.headers, d.body) for d in sub.deliveries[1:]
    )
    assert isinstance(sso, OrganizationSsoCreatedEvent)
    assert sso.data.id == connection["id"]
    assert sso.data.organization_id == org.id
    assert sso.data.connection_type == "SAML"
    assert sso.data.enabled is True
    assert isinstance(user, DirectoryUserCreatedEvent)
    assert user.organization_id == org.id
    assert user.data.email == "bob@example.com"


async def test_a_cancelled_delivery_stays_queued_for_the_next_one() -> None:
    fake = FakeScalekit()
    entered = anyio.Event()
    bodies: list[bytes] = []

    async def stuck_once(headers: Mapping[str, str], body: bytes) -> None:
        if not entered.is_set():
            entered.set()
            await anyio.sleep_forever()
        bodies.append(body)

    fake.webhooks.subscribe(stuck_once)
    async with fake.client() as client:
        async with anyio.create_task_group() as tg:
            tg.start_soon(client.organizations.create, "Acme")
            await entered.wait()
            tg.cancel_scope.cancel()  # the caller gives up while the endpoint hangs
        assert bodies == []
        await client.organizations.list()  # the next request delivers it
    assert [parse_event(b).type for b in bodies] == ["organization.created"]


async def test_connected_account_authorization_events_and_status_changes() -> None:
    fake = FakeScalekit()
    got: list[tuple[Mapping[str, str], bytes]] = []
    sub = fake.webhooks.subscribe(lambda headers, body: got.append((headers, body)))
    async with fake.client() as client:
        org = await client.organizations.create(display_name="Agents")
        link = await client.connected_accounts.generate_magic_link(
            connector="gmail", identifier="ada@example.com", organization_id=org.id
        )
        complete_authorization(fake, link.link)  # no verify URL: ACTIVE at once
        account = await client.connected_accounts.get(
            connector="gmail", identifier="ada@example.com"
        )
        await client.connected_accounts.update(id=account.id, api_config={"region": "eu"})
        await client.connected_accounts.create(
            connector="slack",
            identifier="ada@example.com",
            authorization_details=AuthorizationDetails(oauth_token=OauthToken(access_token="at")),
        )
    events = verified(sub.secret, got)[1:]
    assert [type(e) for e in events] == [
        ConnectedAccountCreatedEvent,
        ConnectedAccountMagicLinkGeneratedEvent,
        ConnectedAccountOauthTokensFetchedEvent,
        ConnectedAccountStatusUpdatedEvent,
        ConnectedAccountOauthSucceededEvent,
        ConnectedAccountUpdatedEvent,  # an unchanged status sends no status_updated
        ConnectedAccountCreatedEvent,  # created ACTIVE: a creation is not a status change
    ]
    created, _, _, status, _, _, slack = events
    assert isinstance(created, ConnectedAccountCreatedEvent)
    assert created.data.id == account.id
    assert created.data.status == "PENDING_AUTH"
    assert created.data.connection_name == "gmail"
    assert created.organization_id == org.id
    assert isinstance(status, ConnectedAccountStatusUpdatedEvent)
    assert (status.data.old_status, status.data.status) == ("PENDING_AUTH", "ACTIVE")
    assert status.organization_id is None
    assert isinstance(slack, ConnectedAccountCreatedEvent)
    assert slack.data.status == "ACTIVE"


async def test_publish_sends_any_event_and_sessions_emit_login_events() -> None:
    fake = FakeScalekit()
    got: list[tuple[Mapping[str, str], bytes]] = []
    sub = fake.webhooks.subscribe(lambda headers, body: got.append((headers, body)))
    async with fake.client() as client:
        org = await client.organizations.create(display_name="Acme")
        user = await client.users.create(
            "ada@example.com", organization_id=org.id, send_invitation_email=False
        )
    del got[:]
    fake.webhooks.publish(
        "user.signup",
        {"organization": {"id": org.id}, "user": {"id": user.id, "email": "ada@example.com"}},
        organization_id=org.id,
    )
    session = add_session(fake, user.id, organization_id=org.id)  # emits user.login itself
    await fake.webhooks.deliver()
    signup, login = verified(sub.secret, got)
    assert isinstance(signup, UserSignupEvent)
    assert signup.display_name == "User Signup"
    assert signup.data.user is not None
    assert signup.data.user.email == "ada@example.com"
    assert isinstance(login, UserLoginEvent)
    assert login.organization_id == org.id
    assert login.data.user is not None
    assert login.data.user.email == "ada@example.com"
    assert login.data.user_session is not None
    assert login.data.user_session.session_id == session["session_id"]
    assert login.data.user_session.status == "ACTIVE"
    assert login.data.user_session.authenticated_organizations == (org.id,)
    with pytest.raises(ValueError, match="not a documented event type"):
        emit(fake, "user.unknown", {})


def test_subscribe_checks_its_target_and_keeps_secrets_out_of_reprs() -> None:
    fake = FakeScalekit()
    with pytest.raises(ValueError, match="URL"):
        fake.webhooks.subscribe("ftp://example.com/hook")
    with pytest.raises(TypeError):
        fake.webhooks.subscribe(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"organisation\.created"):
        fake.webhooks.subscribe("http://127.0.0.1:9/hook", event_types=["organisation.created"])
    sub = fake.webhooks.subscribe("http://127.0.0.1:9/hook")
    assert sub.secret.startswith("whsec_")
    assert sub.secret not in repr(sub)
    assert sub.secret not in repr(fake.webhooks)
    assert len(EVENT_OBJECTS) == 41


async def test_no_subscription_still_logs_events() -> None:
    fake = FakeScalekit()
    async with fake.client() as client:
        await client.organizations.create(display_name="Acme")
    assert [e["type"] for e in fake.webhooks.events] == ["organization.created"]
    await fake.aclose()  # nothing to close: a no-op
