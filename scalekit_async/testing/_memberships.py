"""The fake's memberships endpoints: add, change and remove memberships, resend invites.

Memberships live in `FakeScalekit.memberships` keyed by ``(organization_id,
user_id)`` (see `._users` for their shape). Resend counters are kept in
``fake.invite_resends`` (`InviteResend`), per membership, and start over when
the membership or its invitation is recreated.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ._events import emit
from ._http import ApiError, FakeRequest, Reply, as_mapping
from ._records import InviteResend
from ._state import FakeState
from ._users import (
    INVITE_TTL,
    find_membership,
    find_org,
    find_user,
    find_user_by_external,
    invalid,
    membership_status,
    membership_violations,
    new_membership,
    render_user,
    send_invitation,
    timestamp,
)

__all__ = ["install"]

_UserLookup = Callable[[str], dict[str, Any]]


def install(fake: FakeState) -> None:
    """Route the memberships operations on *fake*."""
    resends = fake.invite_resends

    def forget_org(org_id: str) -> None:
        for key in [k for k in resends if k[0] == org_id]:
            del resends[key]

    fake.deletion_hooks.append(forget_org)

    def by_id(user_id: str) -> dict[str, Any]:
        return find_user(fake, user_id)

    def by_external(external_id: str) -> dict[str, Any]:
        return find_user_by_external(fake, external_id)

    def create(request: FakeRequest, organization_id: str, find: _UserLookup, key: str) -> Reply:
        body = as_mapping(request.json())
        violations = membership_violations(body, "membership.")
        if violations:
            raise invalid("invalid membership", *violations)
        invite = send_invitation(request)
        find_org(fake, organization_id)
        user = find(key)
        new_membership(fake, organization_id, user["id"], body, invite=invite)
        resends.pop((organization_id, user["id"]), None)
        emit(fake, "user.organization_membership_created", user, organization_id=organization_id)
        if invite:
            emit(fake, "user.organization_invitation", user, organization_id=organization_id)
        return Reply.json(201, {"user": render_user(fake, user)})

    def update(request: FakeRequest, organization_id: str, find: _UserLookup, key: str) -> Reply:
        body = as_mapping(request.json())
        violations = membership_violations(body, "membership.")
        if body.get("inviter_email") is not None:
            violations.append(("membership.inviter_email", "cannot be updated", "unknown"))
        if violations:
            raise invalid("invalid membership", *violations)
        find_org(fake, organization_id)
        user = find(key)
        membership = find_membership(fake, organization_id, user["id"])
        if body.get("roles") is not None:
            membership["roles"] = [
                {"id": "", "name": r["name"], "display_name": ""} for r in body["roles"]
            ]
        if body.get("metadata") is not None:
            membership["metadata"] = dict(body["metadata"])
        emit(fake, "user.organization_membership_updated", user, organization_id=organization_id)
        return Reply.json(200, {"user": render_user(fake, user)})

    def delete(organization_id: str, find: _UserLookup, key: str) -> Reply:
        find_org(fake, organization_id)
        user = find(key)
        find_membership(fake, organization_id, user["id"])
        del fake.memberships[(organization_id, user["id"])]
        resends.pop((organization_id, user["id"]), None)
        emit(fake, "user.organization_membership_deleted", user, organization_id=organization_id)
        return Reply.json(200, {})

    def resend(request: FakeRequest, organization_id: str, id: str) -> Reply:
        if request.body:
            as_mapping(request.json())
        find_org(fake, organization_id)
        user = find_user(fake, id)
        membership = find_membership(fake, organization_id, id)
        status = membership_status(membership)
        if status not in {"PENDING_INVITE", "INVITE_EXPIRED"}:
            raise ApiError(400, f"user {id} has no pending invitation (status {status})")
        now = datetime.now(UTC)
        counter = resends.get((organization_id, id))
        count = 0
        if counter is not None and counter.created_at == membership.get("created_at"):
            count = counter.resent_count
        if status == "INVITE_EXPIRED":  # an expired invitation is replaced by a new one
            membership["created_at"] = timestamp(now)
            membership["expires_at"] = timestamp(now + INVITE_TTL)
            membership["membership_status"] = "PENDING_INVITE"
        counter = InviteResend(str(membership["created_at"]), timestamp(now), count + 1)
        resends[(organization_id, id)] = counter
        emit(fake, "user.organization_invitation", user, organization_id=organization_id)
        invite: dict[str, Any] = {
            "organization_id": organization_id,
            "user_id": id,
            "status": "pending_invite",
            "created_at": membership["created_at"],
            "expires_at": membership["expires_at"],
            "resent_at": counter.resent_at,
            "resent_count": counter.resent_count,
        }
        if membership.get("inviter_email") is not None:
            invite["inviter_email"] = membership["inviter_email"]
        return Reply.json(200, {"invite": invite})

    def create_by_id(request: FakeRequest, organization_id: str, id: str) -> Reply:
        return create(request, organization_id, by_id, id)

    def create_by_external(request: FakeRequest, organization_id: str, external_id: str) -> Reply:
        return create(request, organization_id, by_external, external_id)

    def update_by_id(request: FakeRequest, organization_id: str, id: str) -> Reply:
        return update(request, organization_id, by_id, id)

    def update_by_external(request: FakeRequest, organization_id: str, external_id: str) -> Reply:
        return update(request, organization_id, by_external, external_id)

    def delete_by_id(request: FakeRequest, organization_id: str, id: str) -> Reply:
        return delete(organization_id, by_id, id)

    def delete_by_external(request: FakeRequest, organization_id: str, external_id: str) -> Reply:
        return delete(organization_id, by_external, external_id)

    add = fake.router.add
    by_id_path = "/api/v1/memberships/organizations/{organization_id}/users/{id}"
    by_external_path = (
        "/api/v1/memberships/organizations/{organization_id}/users:external/{external_id}"
    )
    add("POST", by_id_path, create_by_id)
    add("PATCH", by_id_path, update_by_id)
    add("DELETE", by_id_path, delete_by_id)
    add("POST", by_external_path, create_by_external)
    add("PATCH", by_external_path, update_by_external)
    add("DELETE", by_external_path, delete_by_external)
    add("PATCH", "/api/v1/invites/organizations/{organization_id}/users/{id}/resend", resend)
