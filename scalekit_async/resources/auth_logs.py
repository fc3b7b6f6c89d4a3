"""``client.auth_logs``: the log of authentication requests (who signed in, how, outcome)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .._pagination import AsyncPaginator
from .._routes import Route
from .._types import NOT_GIVEN, NotGivenOr, given
from ..models.auth_logs import AuthLog, AuthRequestStatus
from ._base import Resource, check_page_size, check_time_range, string_list, timestamp_param

__all__ = ["AuthLogs"]

_LIST = Route("GET", "/api/v1/logs/authentication/requests")


class AuthLogs(Resource):
    """Search the authentication log of your environment."""

    __slots__ = ()

    def list(
        self,
        *,
        page_size: NotGivenOr[int] = NOT_GIVEN,
        page_token: NotGivenOr[str] = NOT_GIVEN,
        email: NotGivenOr[str] = NOT_GIVEN,
        status: Iterable[AuthRequestStatus | str] = (),
        start_time: NotGivenOr[datetime] = NOT_GIVEN,
        end_time: NotGivenOr[datetime] = NOT_GIVEN,
        resource_id: NotGivenOr[str] = NOT_GIVEN,
        client_id: NotGivenOr[str] = NOT_GIVEN,
    ) -> AsyncPaginator[AuthLog]:
        """List authentication requests: await for the first page, or ``async for`` every one.

        Filters combine with AND; `status` keeps requests in any of the given
        states; `start_time`/`end_time` bound the request time (inclusive).
        """
        check_page_size(page_size)
        for name, value in (
            ("email", email),
            ("resource_id", resource_id),
            ("client_id", client_id),
        ):
            if value is not NOT_GIVEN and not isinstance(value, str):
                raise TypeError(f"{name} must be a str, not {type(value).__name__}")
        check_time_range(start_time, end_time)
        params = given(
            page_size=page_size,
            email=email,
            status=string_list("status", status) or NOT_GIVEN,
            start_time=timestamp_param("start_time", start_time),
            end_time=timestamp_param("end_time", end_time),
            resource_id=resource_id,
            client_id=client_id,
        )
        return self._paginate(
            _LIST, key="authRequests", item=AuthLog, params=params, page_token=page_token
        )
