"""``client.sessions``: users' login sessions: inspect, list and revoke them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from .._converter import format_timestamp
from .._errors import ResponseValidationError
from .._pagination import AsyncPaginator
from .._routes import Route
from .._types import NOT_GIVEN, NotGivenOr, given
from ..models.sessions import RevokedSession, RevokedSessions, Session, SessionStatus
from ._base import Resource, check_page_size

if TYPE_CHECKING:
    from .._client import ScalekitClient

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
        data = await self._client._request(_GET, session_id)
        return structure_object(self._client, data, Session)

    async def revoke(self, session_id: str) -> RevokedSession:
        """End an active session now, e.g. when a device is lost or an account is locked."""
        data = await self._client._request(_REVOKE, session_id)
        return self._client._unwrap(data, "revoked_session", RevokedSession)

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
        data = await self._client._request(_REVOKE_ALL, user_id)
        return structure_object(self._client, data, RevokedSessions)


def structure_object(client: ScalekitClient, data: Any, cls: type[T]) -> T:
    """Structure a response that is itself the model (not wrapped under a key)."""
    if not isinstance(data, Mapping):
        raise ResponseValidationError("response is not a JSON object", status_code=200, body=data)
    return client._structure(data, cls)


def string_list(name: str, values: Iterable[str]) -> list[str]:
    """A repeated query parameter's values, refusing a lone string (a common slip)."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a list of strings, not {type(values).__name__}")
    out = []
    for value in values:
        if not isinstance(value, str):
            raise TypeError(f"{name} values must be str, not {type(value).__name__}")
        out.append(str(value))
    return out


def timestamp_param(name: str, value: NotGivenOr[datetime]) -> NotGivenOr[str]:
    """A `datetime` as the RFC 3339 UTC string the API expects in a query."""
    if value is NOT_GIVEN:
        return NOT_GIVEN
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    return format_timestamp(value)


def check_time_range(start: NotGivenOr[datetime], end: NotGivenOr[datetime]) -> None:
    """Refuse a time window that ends before it starts (naive times count as UTC)."""
    if isinstance(start, datetime) and isinstance(end, datetime) and _utc(end) < _utc(start):
        raise ValueError("end_time must not be before start_time")


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
