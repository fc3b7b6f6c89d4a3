"""Event log models: what `client.events.list` filters on.

The events themselves are the webhook event classes of `events`
(`OrganizationCreatedEvent`, ..., or a generic `WebhookEvent`): the event log
answers the same envelope (``events.ScalekitEvent``) Scalekit posts to your
webhook endpoint, so one handler serves both.
"""

from __future__ import annotations

from .._enums import OpenEnum

__all__ = ["EventSource"]


class EventSource(OpenEnum):
    """Which part of Scalekit produced an event (``events.Source``), to filter the log.

    ``DIR_SYNC`` events come from directory (SCIM) synchronisation,
    ``SCALEKIT`` events from everything else.
    """

    SOURCE_UNSPECIFIED = "SOURCE_UNSPECIFIED"
    SCALEKIT = "SCALEKIT"
    DIR_SYNC = "DIR_SYNC"
