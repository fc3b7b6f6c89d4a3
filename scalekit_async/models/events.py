"""Webhook event payloads, and `parse_event`: raw JSON to the right event class by its ``type``.

Every event shares an envelope (``id``, ``type``, ``occurred_at``, ...) and a
``data`` object whose shape depends on the type. Unknown types become a
generic `WebhookEvent` with ``data`` as a plain mapping, so a new event type
never breaks a webhook handler.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs
import cattrs

from .._errors import ResponseValidationError

__all__ = ["WebhookEvent", "parse_event"]


@attrs.frozen(kw_only=True)
class WebhookEvent:
    """An event delivered to your webhook endpoint (the common envelope).

    Typed subclasses narrow `data` to a model; this class itself carries
    `data` as the raw mapping (it is used for event types this SDK does not know).
    """

    id: str = ""
    type: str = ""
    spec_version: str = ""
    object: str = ""
    occurred_at: datetime | None = None
    environment_id: str = ""
    organization_id: str | None = None
    display_name: str = ""
    data: Any = attrs.field(factory=dict)


EVENT_TYPES: dict[str, type[WebhookEvent]] = {}
"""Event classes by their ``type`` string; family modules register theirs here."""


def parse_event(
    payload: bytes | str | Mapping[str, Any], converter: cattrs.Converter | None = None
) -> WebhookEvent:
    """Turn a (verified) webhook payload into the event class named by its ``type``.

    Raises:
        ResponseValidationError: the payload is not a JSON object of an event's shape.
    """
    from .._converter import make_converter

    if isinstance(payload, bytes | str):
        try:
            data = json.loads(payload)
        except ValueError:
            raise ResponseValidationError("webhook payload is not JSON", status_code=200) from None
    else:
        data = payload
    if not isinstance(data, Mapping):
        raise ResponseValidationError("webhook payload is not a JSON object", status_code=200)
    cls = EVENT_TYPES.get(str(data.get("type", "")), WebhookEvent)
    conv = converter or make_converter()
    try:
        return conv.structure(dict(data), cls)
    except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
        raise ResponseValidationError(
            f"webhook payload is not a valid {cls.__name__}: {type(exc).__name__}",
            status_code=200,
            body=data,
        ) from exc
