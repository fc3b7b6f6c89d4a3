"""client.memberships against the stateful fake: memberships and invites."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scalekit_async import NOT_GIVEN, BadRequestError, ConflictError, NotFoundError, ScalekitClient
from scalekit_async.models import (
    MembershipStatus,
    Organization,
    OrganizationMembership,
    RoleRef,
    User,
)
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio


async def _setup(
    client: ScalekitClient, external_id: str | None = None
) -> tuple[Organization, Organization, User]:
    """A user who is an (active) member of `home` only, and a second organization `acme`."""
    home = await client.organizations.create("Home")
    acme = await client.organizations.create("Acme")
    user = await client.users.create(
        "ada@example.com",
        organization_id=home.id,
        external_id=NOT_GIVEN if external_id is None else external_id,
        send_invitation_email=False,
    )
    return home, acme, user


def _membership(user: User, org_id: str) -> OrganizationMembership:
    (found,) = [m for m in user.memberships if m.organization_id == org_id]
    return found


# -- create ---------------------------------------------------------------------------


async def test_create_adds_the_user_to_the_organization(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    _, acme, user = await _setup(client)

    updated = await client.memberships.create(
        organization_id=acme.id,
        user_id=user.id,
        roles=["admin", RoleRef(name="billing")],
        metadata={"team": "core"},
        inviter_email="boss@example.com",
        send_invitation_email=False,
    )

    path = f"/api/v1/memberships/organizations/{acme.id}/users/{user.id}"
    (request,) = fake.api_requests("POST", path)
    assert request.query == (("send_invitation_email", "false"),)
    assert request.json() == {
        "roles": [{"name": "admin"}, {"name": "billing"}],
        "metadata": {"team": "core"},
        "inviter_email": "boss@example.com",
    }
    membership = _membership(updated, acme.id)
    assert membership.membership_status == MembershipStatus.ACTIVE
    assert [r.name for r in membership.roles] == ["admin", "billing"]
    assert membership.metadata == {"team": "core"}
    assert membership.display_name == "Acme"
    assert len(updated.memberships) == 2
    listed = await client.users.list(organization_id=acme.id)
    assert [u.id for u in listed.items] == [user.id]
    assert fake.memberships[(acme.id, user.id)]["metadata"] == {"team": "core"}


async def test_create_invites_by_default(client: ScalekitClient, fake: FakeScalekit) -> None:
    _, acme, user = await _setup(client)

    updated = await client.memberships.create(organization_id=acme.id, user_id=user.id)

    path = f"/api/v1/memberships/organizations/{acme.id}/users/{user.id}"
    (request,) = fake.api_requests("POST", path)
    assert request.query == ()
    assert request.json() == {}
    membership = _membership(updated, acme.id)
    assert membership.membership_status == MembershipStatus.PENDING_INVITE
    assert membership.roles == ()


async def test_create_twice_conflicts(client: ScalekitClient, fake: FakeScalekit) -> None:
    home, _, user = await _setup(client)
    before = dict(fake.memberships[(home.id, user.id)])
    with pytest.raises(ConflictError):
        await client.memberships.create(organization_id=home.id, user_id=user.id, roles=["admin"])
    assert fake.memberships[(home.id, user.id)] == before


async def test_create_missing_organization_or_user_is_not_found(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    _, acme, user = await _setup(client)
    with pytest.raises(NotFoundError):
        await client.memberships.create(organization_id="org_missing", user_id=user.id)
    with pytest.raises(NotFoundError):
        await client.memberships.create(organization_id=acme.id, user_id="usr_0000000000000000")
    assert (acme.id, user.id) not in fake.memberships


async def test_create_malformed_inviter_email_is_a_field_violation(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    _, acme, user = await _setup(client)
    with pytest.raises(BadRequestError) as caught:
        await client.memberships.create(
            organization_id=acme.id, user_id=user.id, inviter_email="nobody"
        )
    (violation,) = caught.value.field_violations
    assert violation.field == "membership.inviter_email"
    assert violation.constraint == "string.email"
    assert (acme.id, user.id) not in fake.memberships


async def test_create_rejects_bad_arguments_before_sending(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    ids = {"organization_id": "org_1", "user_id": "usr_1"}
    with pytest.raises(TypeError):
        await client.memberships.create(**ids, roles="admin")
    with pytest.raises(TypeError):
        await client.memberships.create(**ids, roles=[1])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        await client.memberships.create(**ids, roles=[""])
    with pytest.raises(TypeError):
        await client.memberships.create(**ids, send_invitation_email=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await client.memberships.create(organization_id="org_1", user_id="")
    assert fake.api_requests() == []


async def test_create_by_external_id(client: ScalekitClient, fake: FakeScalekit) -> None:
    _, acme, user = await _setup(client, external_id="crm-7")

    updated = await client.memberships.create_by_external_id(
        organization_id=acme.id, external_id="crm-7", roles=["member"], send_invitation_email=False
    )

    path = f"/api/v1/memberships/organizations/{acme.id}/users:external/crm-7"
    (request,) = fake.api_requests("POST", path)
    assert request.json() == {"roles": [{"name": "member"}]}
    assert updated.id == user.id
    assert [r.name for r in _membership(updated, acme.id).roles] == ["member"]
    with pytest.raises(NotFoundError):
        await client.memberships.create_by_external_id(
            organization_id=acme.id, external_id="nobody"
        )


# -- update ---------------------------------------------------------------------------


async def test_update_replaces_roles_and_keeps_metadata(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    _, acme, user = await _setup(client)
    await client.memberships.create(
        organization_id=acme.id,
        user_id=user.id,
        roles=["admin"],
        metadata={"team": "core"},
        send_invitation_email=False,
    )

    updated = await client.memberships.update(
        organization_id=acme.id, user_id=user.id, roles=["viewer", "billing"]
    )

    path = f"/api/v1/memberships/organizations/{acme.id}/users/{user.id}"
    (request,) = fake.api_requests("PATCH", path)
    assert request.json() == {"roles": [{"name": "viewer"}, {"name": "billing"}]}
    membership = _membership(updated, acme.id)
    assert [r.name for r in membership.roles] == ["viewer", "billing"]
    assert membership.metadata == {"team": "core"}
    roles = await client.users.list_roles(user.id, organization_id=acme.id)
    assert [r.name for r in roles.items] == ["viewer", "billing"]


async def test_update_metadata(client: ScalekitClient) -> None:
    home, _, user = await _setup(client)
    updated = await client.memberships.update(
        organization_id=home.id, user_id=user.id, metadata={"seat": "42"}
    )
    assert _membership(updated, home.id).metadata == {"seat": "42"}


async def test_update_non_member_is_not_found(client: ScalekitClient) -> None:
    _, acme, user = await _setup(client)
    with pytest.raises(NotFoundError):
        await client.memberships.update(organization_id=acme.id, user_id=user.id, roles=["admin"])


async def test_update_needs_a_field(client: ScalekitClient, fake: FakeScalekit) -> None:
    with pytest.raises(ValueError):
        await client.memberships.update(organization_id="org_1", user_id="usr_1")
    assert fake.api_requests() == []


async def test_update_by_external_id(client: ScalekitClient, fake: FakeScalekit) -> None:
    home, _, _user = await _setup(client, external_id="crm-7")

    updated = await client.memberships.update_by_external_id(
        organization_id=home.id, external_id="crm-7", roles=["owner"]
    )

    path = f"/api/v1/memberships/organizations/{home.id}/users:external/crm-7"
    (request,) = fake.api_requests("PATCH", path)
    assert request.json() == {"roles": [{"name": "owner"}]}
    assert [r.name for r in _membership(updated, home.id).roles] == ["owner"]


# -- delete ---------------------------------------------------------------------------


async def test_delete_removes_the_membership_only(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    home, acme, user = await _setup(client)
    await client.memberships.create(
        organization_id=acme.id, user_id=user.id, send_invitation_email=False
    )

    await client.memberships.delete(organization_id=acme.id, user_id=user.id)

    path = f"/api/v1/memberships/organizations/{acme.id}/users/{user.id}"
    assert fake.api_requests("DELETE", path)
    assert (acme.id, user.id) not in fake.memberships
    assert (await client.users.list(organization_id=acme.id)).items == ()
    fetched = await client.users.get(user.id)
    assert [m.organization_id for m in fetched.memberships] == [home.id]
    with pytest.raises(NotFoundError):
        await client.memberships.delete(organization_id=acme.id, user_id=user.id)


async def test_delete_by_external_id(client: ScalekitClient, fake: FakeScalekit) -> None:
    home, _, user = await _setup(client, external_id="crm-7")

    await client.memberships.delete_by_external_id(organization_id=home.id, external_id="crm-7")

    path = f"/api/v1/memberships/organizations/{home.id}/users:external/crm-7"
    assert fake.api_requests("DELETE", path)
    assert (home.id, user.id) not in fake.memberships
    assert user.id in fake.users


# -- resend invite ----------------------------------------------------------------------


async def test_resend_invite_counts_resends(client: ScalekitClient, fake: FakeScalekit) -> None:
    _, acme, user = await _setup(client)
    ids = {"organization_id": acme.id, "user_id": user.id}
    await client.memberships.create(**ids, inviter_email="boss@example.com")

    first = await client.memberships.resend_invite(**ids)
    second = await client.memberships.resend_invite(**ids)

    path = f"/api/v1/invites/organizations/{acme.id}/users/{user.id}/resend"
    requests = fake.api_requests("PATCH", path)
    assert [r.json() for r in requests] == [{}, {}]
    assert first.organization_id == acme.id
    assert first.user_id == user.id
    assert first.inviter_email == "boss@example.com"
    assert first.status == "pending_invite"
    assert (first.resent_count, second.resent_count) == (1, 2)
    assert second.resent_at is not None
    assert second.expires_at == first.expires_at


async def test_resend_renews_an_expired_invite(client: ScalekitClient, fake: FakeScalekit) -> None:
    _, acme, user = await _setup(client)
    await client.memberships.create(organization_id=acme.id, user_id=user.id)
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    fake.memberships[(acme.id, user.id)]["expires_at"] = past
    expired = await client.users.get(user.id)
    assert _membership(expired, acme.id).membership_status == MembershipStatus.INVITE_EXPIRED

    invite = await client.memberships.resend_invite(organization_id=acme.id, user_id=user.id)

    assert invite.expires_at is not None
    assert invite.expires_at > datetime.now(UTC)
    renewed = await client.users.get(user.id)
    assert _membership(renewed, acme.id).membership_status == MembershipStatus.PENDING_INVITE


async def test_resend_for_an_active_member_is_a_bad_request(client: ScalekitClient) -> None:
    home, _, user = await _setup(client)
    with pytest.raises(BadRequestError):
        await client.memberships.resend_invite(organization_id=home.id, user_id=user.id)


async def test_resend_for_a_non_member_is_not_found(client: ScalekitClient) -> None:
    _, acme, user = await _setup(client)
    with pytest.raises(NotFoundError):
        await client.memberships.resend_invite(organization_id=acme.id, user_id=user.id)
    with pytest.raises(NotFoundError):
        await client.memberships.resend_invite(organization_id="org_missing", user_id=user.id)


async def test_recreated_membership_restarts_the_resend_count(client: ScalekitClient) -> None:
    _, acme, user = await _setup(client)
    ids = {"organization_id": acme.id, "user_id": user.id}
    await client.memberships.create(**ids)
    await client.memberships.resend_invite(**ids)
    await client.memberships.delete(**ids)
    await client.memberships.create(**ids)

    invite = await client.memberships.resend_invite(**ids)

    assert invite.resent_count == 1


# -- every id is a keyword argument ------------------------------------------------------


@pytest.mark.parametrize(
    "method",
    [
        "create",
        "create_by_external_id",
        "update",
        "update_by_external_id",
        "delete",
        "delete_by_external_id",
        "resend_invite",
    ],
)
async def test_ids_are_keyword_only(
    client: ScalekitClient, fake: FakeScalekit, method: str
) -> None:
    call = getattr(client.memberships, method)
    with pytest.raises(TypeError):
        await call("org_1", "usr_1", roles=["admin"])
    with pytest.raises(TypeError):
        await call("org_1", "usr_1")
    assert fake.api_requests() == []
