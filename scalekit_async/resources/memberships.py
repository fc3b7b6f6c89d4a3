"""``client.memberships``: users' memberships in organizations, and invites."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .._routes import Route, operation
from .._types import NOT_GIVEN, NotGivenOr
from ..models._common import RoleRef
from ..models.users import Invite, User
from ._base import Resource
from .users import membership_body, send_invitation_param

__all__ = ["Memberships"]

_CREATE = Route("POST", "/api/v1/memberships/organizations/{organization_id}/users/{id}")
_CREATE_EXTERNAL = Route(
    "POST", "/api/v1/memberships/organizations/{organization_id}/users:external/{external_id}"
)
_UPDATE = Route("PATCH", "/api/v1/memberships/organizations/{organization_id}/users/{id}")
_UPDATE_EXTERNAL = Route(
    "PATCH", "/api/v1/memberships/organizations/{organization_id}/users:external/{external_id}"
)
_DELETE = Route("DELETE", "/api/v1/memberships/organizations/{organization_id}/users/{id}")
_DELETE_EXTERNAL = Route(
    "DELETE", "/api/v1/memberships/organizations/{organization_id}/users:external/{external_id}"
)
_RESEND_INVITE = Route("PATCH", "/api/v1/invites/organizations/{organization_id}/users/{id}/resend")


class Memberships(Resource):
    """Add existing users to organizations, change their roles, remove them, re-invite them.

    A membership joins two resources, so both are keyword arguments:
    ``organization_id`` and ``user_id`` (or ``external_id``, your application's
    id for the user, in the ``*_by_external_id`` methods). `create` and `update`
    answer with the whole `User`, whose `memberships` show the result.
    """

    __slots__ = ()

    @operation(_CREATE)
    async def create(
        self,
        *,
        organization_id: str,
        user_id: str,
        roles: NotGivenOr[Iterable[str | RoleRef]] = NOT_GIVEN,
        metadata: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
        inviter_email: NotGivenOr[str] = NOT_GIVEN,
        send_invitation_email: NotGivenOr[bool] = NOT_GIVEN,
    ) -> User:
        """Add the existing user *user_id* to the organization *organization_id*.

        Args:
            organization_id: The organization the user joins.
            user_id: The user's Scalekit id (``usr_...``).
            roles: Role names the membership grants.
            metadata: Your own string key-value data about the membership.
            inviter_email: Who the invitation email says invited the user.
            send_invitation_email: Email the user an invite (server default: true); the
                membership then starts as ``PENDING_INVITE`` instead of ``ACTIVE``.
        """
        return await self._create(
            _CREATE, organization_id, user_id, roles, metadata, inviter_email, send_invitation_email
        )

    @operation(_CREATE_EXTERNAL)
    async def create_by_external_id(
        self,
        *,
        organization_id: str,
        external_id: str,
        roles: NotGivenOr[Iterable[str | RoleRef]] = NOT_GIVEN,
        metadata: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
        inviter_email: NotGivenOr[str] = NOT_GIVEN,
        send_invitation_email: NotGivenOr[bool] = NOT_GIVEN,
    ) -> User:
        """Like `create`, addressing the user by the external id your application gave them."""
        return await self._create(
            _CREATE_EXTERNAL,
            organization_id,
            external_id,
            roles,
            metadata,
            inviter_email,
            send_invitation_email,
        )

    @operation(_UPDATE)
    async def update(
        self,
        *,
        organization_id: str,
        user_id: str,
        roles: NotGivenOr[Iterable[str | RoleRef]] = NOT_GIVEN,
        metadata: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
    ) -> User:
        """Replace the roles and/or metadata of *user_id*'s membership of *organization_id*.

        Only the given fields change; at least one is needed.
        """
        body = _update_body(roles, metadata)
        data = await self._engine.call(_UPDATE, organization_id, user_id, body=body)
        return self._engine.unwrap(data, "user", User)

    @operation(_UPDATE_EXTERNAL)
    async def update_by_external_id(
        self,
        *,
        organization_id: str,
        external_id: str,
        roles: NotGivenOr[Iterable[str | RoleRef]] = NOT_GIVEN,
        metadata: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
    ) -> User:
        """Like `update`, addressing the user by external id."""
        body = _update_body(roles, metadata)
        data = await self._engine.call(_UPDATE_EXTERNAL, organization_id, external_id, body=body)
        return self._engine.unwrap(data, "user", User)

    @operation(_DELETE)
    async def delete(self, *, organization_id: str, user_id: str) -> None:
        """Remove the user *user_id* from the organization (the user itself is kept)."""
        await self._engine.call(_DELETE, organization_id, user_id)

    @operation(_DELETE_EXTERNAL)
    async def delete_by_external_id(self, *, organization_id: str, external_id: str) -> None:
        """Like `delete`, addressing the user by external id."""
        await self._engine.call(_DELETE_EXTERNAL, organization_id, external_id)

    @operation(_RESEND_INVITE)
    async def resend_invite(self, *, organization_id: str, user_id: str) -> Invite:
        """Email *user_id* their pending (or expired) invitation to the organization again.

        An expired invitation is renewed; an active member cannot be re-invited.
        """
        data = await self._engine.call(_RESEND_INVITE, organization_id, user_id, body={})
        return self._engine.unwrap(data, "invite", Invite)

    async def _create(
        self,
        route: Route,
        organization_id: str,
        user: str,
        roles: NotGivenOr[Iterable[str | RoleRef]],
        metadata: NotGivenOr[Mapping[str, str]],
        inviter_email: NotGivenOr[str],
        send_invitation_email: NotGivenOr[bool],
    ) -> User:
        body = membership_body(roles=roles, metadata=metadata, inviter_email=inviter_email)
        params = send_invitation_param(send_invitation_email)
        data = await self._engine.call(route, organization_id, user, params=params, body=body)
        return self._engine.unwrap(data, "user", User)


def _update_body(
    roles: NotGivenOr[Iterable[str | RoleRef]], metadata: NotGivenOr[Mapping[str, str]]
) -> dict[str, object]:
    body = membership_body(roles=roles, metadata=metadata)
    if not body:
        raise ValueError("update needs roles or metadata to change")
    return body
