"""``client.auth_logs``: the log of authentication requests (who signed in, how, outcome)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

from .._pagination import AsyncPaginator
from .._routes import Route, operation
from .._types import NOT_GIVEN, NotGivenOr
from ..models.auth_logs import AuthLog, AuthRequestStatus
from ._base import Resource, check_page_size, check_time_range, string_list, timestamp_param

__all__ = ["AuthLogs"]

T = TypeVar("T")

_LIST = Route("GET", "/api/v1/logs/authentication/requests")


class AuthLogs(Resource):
    """Search the authentication log of your environment."""

    __slots__ = ()

    @operation(_LIST)
    def list(
        self,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        email: str | None = None,
        status: Iterable[AuthRequestStatus | str] | None = None,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        resource_id: str | None = None,
        client_id: str | None = None,
    ) -> AsyncPaginator[AuthLog]:
        """List authentication requests: await for the first page, or ``async for`` every one.

        Filters combine with AND; `status` keeps requests in any of the given
        states; `start_time`/`end_time` bound the request time (inclusive). A
        filter passed as `None` is not sent.
        """
        size = _given(page_size)
        check_page_size(size)
        for name, value in (
            ("email", email),
            ("resource_id", resource_id),
            ("client_id", client_id),
        ):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{name} must be a str, not {type(value).__name__}")
        start, end = _given(start_time), _given(end_time)
        check_time_range(start, end)
        params = {
            "page_size": size,
            "email": _given(email),
            "status": string_list("status", () if status is None else status) or NOT_GIVEN,
            "start_time": timestamp_param("start_time", start),
            "end_time": timestamp_param("end_time", end),
            "resource_id": _given(resource_id),
            "client_id": _given(client_id),
        }
        return self._paginate(
            _LIST, key="authRequests", item=AuthLog, params=params, page_token=_given(page_token)
        )


def _given(value: T | None) -> NotGivenOr[T]:
    """`None` as not given: a filter passed as `None` is not sent."""
    return NOT_GIVEN if value is None else value
