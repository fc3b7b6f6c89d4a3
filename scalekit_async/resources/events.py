"""``client.events``: the environment's event log, newest first.

The log holds the events Scalekit posts to webhook endpoints (an organization
created, a user logged in, a directory user synced, ...), so it is how to catch
up on events a webhook endpoint missed, or to audit without one. Each event is
the webhook event class of its type (`OrganizationCreatedEvent`, ...), or a
generic `WebhookEvent` for a type this SDK does not know.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from .._converter import format_timestamp
from .._errors import ResponseValidationError
from .._pagination import AsyncPaginator, Page
from .._routes import Route, operation
from ..models.event_log import EventSource
from ..models.events import EVENT_TYPES, WebhookEvent
from ._base import (
    Resource,
    check_page_size,
    check_strings,
    check_time_range,
    string_list,
    token_at,
)

__all__ = ["Events"]


# POST, but a read: the filter is the body (grpc-gateway ``body: "filter"``).
_LIST = Route("POST", "/api/v1/events/paginated", reads_only=True)

_MAX_PAGE_SIZE = 2**32 - 1  # ``page_size`` is a uint32; Scalekit documents no other limit


class Events(Resource):
    """The environment's event log: the events sent to webhooks, to read back and filter."""

    __slots__ = ()

    @operation(_LIST)
    def list(
        self,
        *,
        event_types: Iterable[str] | None = None,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        organization_id: str | None = None,
        source: EventSource | str | None = None,
        auth_request_id: str | None = None,
        connection_id: str | None = None,
        connected_account_id: str | None = None,
        interceptor_status: str | None = None,
        interceptor_decision: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPaginator[WebhookEvent]:
        """List events, newest first: await a page, or ``async for`` every one.

        Every filter given narrows the list: `event_types` (e.g.
        ``["organization.created"]``), the window from `start_time` to
        `end_time` (naive times are UTC), the `organization_id` the event
        belongs to, its `source` (``SCALEKIT`` or ``DIR_SYNC``), the login it
        came from (`auth_request_id`), the SSO connection or connected account
        it is about, and for interceptor events their status and decision.
        `None` means "no filter". Pages have no `total_size` (the API gives no
        count).

        The request is a POST, but it only reads: it is retried like a GET.

        Replaces the official SDK's ``events.list_events_paginated``.
        """
        check_strings(
            organization_id=organization_id,
            auth_request_id=auth_request_id,
            connection_id=connection_id,
            connected_account_id=connected_account_id,
            interceptor_status=interceptor_status,
            interceptor_decision=interceptor_decision,
            page_token=page_token,
        )
        check_page_size(page_size, _MAX_PAGE_SIZE)
        body: dict[str, Any] = {}
        if event_types is not None:
            body["event_types"] = string_list("event_types", event_types)
        for name, when in (("start_time", start_time), ("end_time", end_time)):
            if when is not None:
                if not isinstance(when, datetime):
                    raise TypeError(f"{name} must be a datetime, not {type(when).__name__}")
                body[name] = format_timestamp(when)
        if start_time is not None and end_time is not None:
            check_time_range(start_time, end_time)
        if source is not None:
            if not isinstance(source, str):
                raise TypeError(f"source must be an EventSource, not {type(source).__name__}")
            body["source"] = str(EventSource(source).value)
        for name, value in (
            ("organization_id", organization_id),
            ("auth_request_id", auth_request_id),
            ("connection_id", connection_id),
            ("connected_account_id", connected_account_id),
            ("interceptor_status", interceptor_status),
            ("interceptor_decision", interceptor_decision),
        ):
            if value is not None:
                body[name] = value
        query: dict[str, Any] = {} if page_size is None else {"page_size": page_size}
        engine = self._engine

        async def fetch(token: str | None) -> Page[WebhookEvent]:
            params = {**query, "page_token": token} if token else query
            data = await engine.call(_LIST, params=params, body=body)
            if not isinstance(data, Mapping):
                raise ResponseValidationError(
                    f"list answer of {_LIST} is not an object", status_code=200, body=data
                )
            items = data.get("events") or []
            if not isinstance(items, list):
                raise ResponseValidationError(
                    f"list answer of {_LIST} has no events list", status_code=200, body=data
                )
            return Page(
                items=tuple(self._event(item) for item in items),
                next_page_token=token_at(data, "next_page_token"),
                prev_page_token=token_at(data, "prev_page_token"),
            )

        return AsyncPaginator(fetch, page_token)

    def _event(self, item: Any) -> WebhookEvent:
        """One logged event as its type's class; a generic `WebhookEvent` if it does not fit.

        A log entry whose ``data`` does not have its type's documented shape
        must not make the whole log unreadable, so it falls back to the
        envelope with ``data`` as a plain mapping.
        """
        engine = self._engine
        if isinstance(item, Mapping):
            cls = EVENT_TYPES.get(str(item.get("type", "")), WebhookEvent)
            if cls is not WebhookEvent:
                try:
                    return engine.structure(item, cls)
                except ResponseValidationError:
                    pass
        return engine.structure(item, WebhookEvent)
