"""``client.sessions``: users' login sessions: inspect, list and revoke them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .._pagination import AsyncPaginator
from .._routes import Route, operation
from .._types import NOT_GIVEN
from ..models.sessions import RevokedSession, RevokedSessions, Session, SessionStatus
from ._base import Resource, check_page_size, check_time_range, string_list, timestamp_param

__all__ = ["Sessions"]

_GET = Route("GET", "/api/v1/sessions/{session_id}")
_REVOKE = Route("POST", "/api/v1/sessions/{session_id}/revoke")
_LIST = Route("GET", "/api/v1/users/{user_id}/sessions")
_REVOKE_ALL = Route("POST", "/api/v1/users/{user_id}/sessions/revoke")


class Sessions(Resource):
    """Inspect, list and revoke the login sessions of your users."""

    __slots__ = ()

    @operation(_GET)
    async def get(self, id: str) -> Session:
        """Fetch the session *id* (``ses_...``): its status, expiry times and device."""
        data = await self._engine.call(_GET, id)
        return self._engine.structure(data, Session)

    @operation(_REVOKE)
    async def revoke(self, id: str) -> RevokedSession:
        """End the active session *id* now, e.g. when a device is lost or an account is locked."""
        data = await self._engine.call(_REVOKE, id)
        return self._engine.unwrap(data, "revoked_session", RevokedSession)

    @operation(_LIST)
    def list(
        self,
        *,
        user_id: str,
        page_size: int | None = None,
        page_token: str | None = None,
        status: Iterable[SessionStatus | str] | None = None,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
    ) -> AsyncPaginator[Session]:
        """List a user's sessions: await for the first page, or ``async for`` every one.

        Sessions belong to a user and the API lists them per user only, so
        `user_id` is required. A filter passed as `None` is not sent.

        Args:
            user_id: The user whose sessions to list (``usr_...``).
            page_size: Sessions per page, 1 to 100.
            page_token: Where to start: a page's `next_page_token` or `prev_page_token`.
            status: Keep sessions in any of these states.
            start_time: Keep sessions created at or after this time.
            end_time: Keep sessions created at or before this time.
        """
        size = NOT_GIVEN if page_size is None else page_size
        check_page_size(size)
        statuses = string_list("status", () if status is None else status)
        start = NOT_GIVEN if start_time is None else start_time
        end = NOT_GIVEN if end_time is None else end_time
        check_time_range(start, end)
        params = {  # the query drops not-given values
            "page_size": size,
            "filter.status": statuses or NOT_GIVEN,
            "filter.start_time": timestamp_param("start_time", start),
            "filter.end_time": timestamp_param("end_time", end),
        }
        return self._paginate(
            _LIST,
            user_id,
            key="sessions",
            item=Session,
            params=params,
            page_token=NOT_GIVEN if page_token is None else page_token,
        )

    @operation(_REVOKE_ALL)
    async def revoke_all(self, *, user_id: str) -> RevokedSessions:
        """End every active session of the user *user_id* (sign them out everywhere)."""
        data = await self._engine.call(_REVOKE_ALL, user_id)
        return self._engine.structure(data, RevokedSessions)
