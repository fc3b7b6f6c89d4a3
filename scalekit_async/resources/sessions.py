"""``client.sessions``: users' login sessions: inspect, list and revoke them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from .._pagination import AsyncPaginator
from .._routes import Route
from .._types import NOT_GIVEN, NotGivenOr, given
from ..models.sessions import RevokedSession, RevokedSessions, Session, SessionStatus
from ._base import Resource, check_page_size, check_time_range, string_list, timestamp_param

if TYPE_CHECKING:
    pass

__all__ = ["Sessions"]

T = TypeVar("T")

_GET = Route("GET", "/api/v1/sessions/{session_id}")
_REVOKE = Route("POST", "/api/v1/sessions/{session_id}/revoke")
_LIST_BY_USER = Route("GET", "/api/v1/users/{user_id}/sessions")
_REVOKE_ALL = Route("POST", "/api/v1/users/{user_id}/sessions/revoke")


class Sessions(Resource):
    """Inspect, list and revoke the login sessions of your users."""

    __slots__ = ()

    async def get(self, session_id: str) -> Session:
        """Fetch a session (``ses_...``): its status, expiry times and device."""
        data = await self._engine.call(_GET, session_id)
        return self._engine.structure(data, Session)

    async def revoke(self, session_id: str) -> RevokedSession:
        """End an active session now, e.g. when a device is lost or an account is locked."""
        data = await self._engine.call(_REVOKE, session_id)
        return self._engine.unwrap(data, "revoked_session", RevokedSession)

    def list_by_user(
        self,
        user_id: str,
        *,
        page_size: NotGivenOr[int] = NOT_GIVEN,
        page_token: NotGivenOr[str] = NOT_GIVEN,
        status: Iterable[SessionStatus | str] = (),
        start_time: NotGivenOr[datetime] = NOT_GIVEN,
        end_time: NotGivenOr[datetime] = NOT_GIVEN,
    ) -> AsyncPaginator[Session]:
        """List a user's sessions: await for the first page, or ``async for`` every one.

        `status` keeps sessions in any of the given states; `start_time` and
        `end_time` bound their creation time (inclusive).
        """
        check_page_size(page_size)
        params = given(page_size=page_size)
        statuses = string_list("status", status)
        if statuses:
            params["filter.status"] = statuses
        start = timestamp_param("start_time", start_time)
        end = timestamp_param("end_time", end_time)
        check_time_range(start_time, end_time)
        params.update(given(**{"filter.start_time": start, "filter.end_time": end}))
        return self._paginate(
            _LIST_BY_USER,
            user_id,
            key="sessions",
            item=Session,
            params=params,
            page_token=page_token,
        )

    async def revoke_all(self, user_id: str) -> RevokedSessions:
        """End every active session of a user (sign them out everywhere)."""
        data = await self._engine.call(_REVOKE_ALL, user_id)
        return self._engine.structure(data, RevokedSessions)
