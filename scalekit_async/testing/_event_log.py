"""The fake's event log endpoint (``POST /api/v1/events/paginated``).

The log is the fake's webhook event stream: every event the fake emitted
(``fake.webhooks.events``, see ``_events``), whether or not a webhook endpoint
is subscribed, and whatever `Webhooks.publish` added. So after
``client.organizations.create(...)``, ``client.events.list()`` starts with its
``organization.created`` event. Events are answered newest first as
``events.ScalekitEvent`` (the webhook payload's envelope).

How the fake filters, where Scalekit does not document it:

- ``start_time`` and ``end_time`` both include the events at that instant;
- ``source`` ``DIR_SYNC`` selects the directory user and group events
  (``organization.directory.*``), ``SCALEKIT`` every other event;
- ``connection_id`` and ``connected_account_id`` match the event's ``data.id``
  when the event is about that kind of object (or the same key in ``data``);
  ``auth_request_id`` and the interceptor filters match the same key in ``data``.

Page tokens are cursors on an event (``>:`` for older, ``<:`` for newer, as
Scalekit's look), so events emitted while a client pages do not shift pages.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from .._converter import parse_timestamp
from ._constants import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from ._http import ApiError, FakeRequest, Reply, as_mapping
from ._state import FakeState

__all__ = ["install"]

_SOURCES = {"SOURCE_UNSPECIFIED": 0, "SCALEKIT": 1, "DIR_SYNC": 2}
_STRING_FILTERS = (
    "organization_id",
    "auth_request_id",
    "interceptor_id",
    "interceptor_status",
    "interceptor_decision",
    "connection_id",
    "connected_account_id",
)
_FIELDS = frozenset({"event_types", "start_time", "end_time", "source", *_STRING_FILTERS})
_ENVELOPE = (
    "spec_version",
    "id",
    "type",
    "occurred_at",
    "environment_id",
    "organization_id",
    "object",
    "data",
    "display_name",
)
_OLDER, _NEWER = ">:", "<:"

Event = Mapping[str, Any]
Match = Callable[[Event], bool]


def _violation(field: str, description: str) -> ApiError:
    return ApiError(400, "invalid request", violations=((field, description),))


def _time(body: Mapping[str, Any], key: str) -> datetime | None:
    value = body.get(key)
    if value is None:
        return None
    try:
        return parse_timestamp(value)
    except (TypeError, ValueError):
        raise _violation(key, "must be an RFC 3339 timestamp") from None


def _occurred(event: Event) -> datetime | None:
    try:
        return parse_timestamp(event.get("occurred_at"))
    except (TypeError, ValueError):
        return None


def _data(event: Event) -> Mapping[str, Any]:
    data = event.get("data")
    return data if isinstance(data, Mapping) else {}


def _source(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        names = {n: name for name, n in _SOURCES.items()}
        if value in names:
            return names[value]
    elif isinstance(value, str) and value in _SOURCES:
        return value
    raise _violation("source", f"must be one of {', '.join(_SOURCES)}")


def _matchers(body: Mapping[str, Any]) -> list[Match]:
    """One predicate per filter given in the ``events.EventFilter`` *body*."""
    unknown = [key for key in body if key not in _FIELDS]
    if unknown:
        raise ApiError(
            400, "invalid request", violations=tuple((k, "unknown field") for k in unknown)
        )
    found: list[Match] = []
    types = body.get("event_types")
    if types is not None:
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            raise _violation("event_types", "must be a list of strings")
        if types:
            wanted = frozenset(types)
            found.append(lambda e: e.get("type") in wanted)
    start, end = _time(body, "start_time"), _time(body, "end_time")
    if start is not None or end is not None:

        def within(event: Event) -> bool:
            when = _occurred(event)
            return (
                when is not None
                and (start is None or start <= when)
                and (end is None or when <= end)
            )

        found.append(within)
    if body.get("source") is not None:
        source = _source(body["source"])
        if source != "SOURCE_UNSPECIFIED":
            dir_sync = source == "DIR_SYNC"
            found.append(
                lambda e: str(e.get("type", "")).startswith("organization.directory.") == dir_sync
            )
    for key in _STRING_FILTERS:
        value = body.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise _violation(key, "must be a string")
        if value:
            found.append(_string_match(key, value))
    return found


def _string_match(key: str, value: str) -> Match:
    if key == "organization_id":
        return lambda e: e.get("organization_id") == value
    about = {"connection_id": "Connection", "connected_account_id": "ConnectedAccount"}.get(key)

    def match(event: Event) -> bool:
        data = _data(event)
        if data.get(key) == value:
            return True
        return about is not None and event.get("object") == about and data.get("id") == value

    return match


def _cursor(direction: str, event_id: str) -> str:
    return direction + base64.b64encode(json.dumps([event_id]).encode()).decode()


def _uncursor(token: str) -> tuple[str, str]:
    direction, encoded = token[:2], token[2:]
    try:
        decoded = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        decoded = None
    if direction not in (_OLDER, _NEWER) or not (
        isinstance(decoded, list) and len(decoded) == 1 and isinstance(decoded[0], str)
    ):
        raise ApiError(400, "invalid page token")
    return direction, decoded[0]


def _page_size(request: FakeRequest) -> int:
    raw = request.param("page_size")
    if not raw:
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise _violation("page_size", "not a number") from None
    if size < 0:
        raise _violation("page_size", "must be an unsigned integer")
    return min(size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def _wire(event: Event) -> dict[str, Any]:
    """The ``events.ScalekitEvent`` JSON of an emitted webhook payload."""
    return {k: event[k] for k in _ENVELOPE if event.get(k) not in (None, "")}


def install(fake: FakeState) -> None:
    """Route the event log operation to `fake`."""

    def list_(request: FakeRequest) -> Reply:
        body = request.json()
        filters = _matchers({} if body is None else as_mapping(body))
        size = _page_size(request)
        # Oldest first, as emitted; the page is cut from the end (newest first).
        matching = [e for e in fake.webhooks.events if all(m(e) for m in filters)]
        positions = {str(e.get("id")): i for i, e in enumerate(matching)}
        token = request.param("page_token") or ""
        if not token:
            stop = len(matching)
            start = max(stop - size, 0)
        else:
            direction, event_id = _uncursor(token)
            if event_id not in positions:
                raise ApiError(400, "invalid page token")
            at = positions[event_id]
            if direction == _OLDER:
                stop = at
                start = max(stop - size, 0)
            else:
                start = at + 1
                stop = min(start + size, len(matching))
        window = matching[start:stop]
        return Reply.json(
            200,
            {
                "events": [_wire(e) for e in reversed(window)],
                "next_page_token": _cursor(_OLDER, window[0]["id"]) if window and start else "",
                "prev_page_token": (
                    _cursor(_NEWER, window[-1]["id"]) if window and stop < len(matching) else ""
                ),
            },
        )

    fake.router.add("POST", "/api/v1/events/paginated", list_)
