"""`FakeState`: what a fake Scalekit knows (credentials, records, routes, ids, webhooks).

The endpoint families (``_organizations``, ``_users``, ...) and the ``add_*``
seeding helpers take a `FakeState` and read and change it; `FakeScalekit` is
the `FakeState` that also answers requests. Keeping the state below the
families is what lets `FakeScalekit` install them without an import cycle.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from ._constants import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from ._delivery import Webhooks
from ._http import FakeRequest, Reply, Router

__all__ = ["FakeState", "GrantHandler"]

GrantHandler = Callable[[FakeRequest, Mapping[str, str]], Reply]
"""A token-endpoint handler: called with the request and its form, the client authenticated."""


class FakeState:
    """The state of a fake Scalekit: its credentials, stored records, routes, ids and webhooks.

    Args:
        client_id: The client id the fake's token endpoint accepts.
        client_secret: The client secret the fake's token endpoint accepts.
        seed: Seeds generated ids, so runs are reproducible.

    Records are kept as the API's wire JSON, each family's in its own
    attribute (the family's module documents the keys). Tests use
    `FakeScalekit`, the `FakeState` that answers requests.
    """

    def __init__(
        self,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        seed: int = 0,
    ) -> None:
        self.client_id = client_id
        self._client_secret = client_secret
        self._random = random.Random(seed)  # noqa: S311 - ids, not secrets
        self._ids = itertools.count(1)
        self.requests: list[FakeRequest] = []
        """Every request received, oldest first (token requests included)."""
        self.organizations: dict[str, dict[str, Any]] = {}
        """Organizations by id, as wire JSON."""
        # Each family's state, as wire JSON; the family's module documents its keys.
        self.connections: dict[str, dict[str, Any]] = {}
        self.domains: dict[str, dict[str, Any]] = {}
        self.directories: dict[str, dict[str, Any]] = {}
        self.directory_users: dict[str, dict[str, Any]] = {}
        self.directory_groups: dict[str, dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.memberships: dict[tuple[str, str], dict[str, Any]] = {}
        self.roles: dict[str, dict[str, Any]] = {}
        self.organization_roles: dict[tuple[str, str], dict[str, Any]] = {}
        self.permissions: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self.api_clients: dict[str, dict[str, Any]] = {}
        self.passkeys: dict[str, dict[str, Any]] = {}
        self.auth_requests: list[dict[str, Any]] = []
        self.passwordless: dict[str, dict[str, Any]] = {}
        self.connected_accounts: dict[str, dict[str, Any]] = {}
        self.mcp_configs: dict[str, dict[str, Any]] = {}
        self.custom_providers: dict[str, dict[str, Any]] = {}
        self.webhooks = Webhooks()
        """Webhook subscriptions and the events the fake emits (see `Webhooks`)."""
        self.deletion_hooks: list[Callable[[str], None]] = []
        """Called with an organization's id when it is deleted (cascades)."""
        self.grant_handlers: dict[str, GrantHandler] = {}
        """Token-endpoint handlers by ``grant_type``, called once the client is authenticated."""
        self.router = Router()
        """The API operations the families installed, by method and path template."""

    @property
    def client_secret(self) -> str:
        """The secret to give the client under test."""
        return self._client_secret

    def new_id(self, prefix: str) -> str:
        """A new id such as ``org_1234567890123456`` (prefixes: see ``_constants``)."""
        return f"{prefix}_{next(self._ids):04d}{self._random.randrange(10**12):012d}"

    @staticmethod
    def now() -> str:
        """The current time as an RFC 3339 string, as the API writes it."""
        return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
