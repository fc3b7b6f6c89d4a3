"""The stores of the environment OAuth clients, resources, resource clients and user consents.

Each is a `Store` of wire JSON (see `_stores`) with a typed record beside it:

- ``fake.oauth_clients``: environment OAuth clients (``clients.Client``) by id;
- ``fake.api_resources``: resources (``clients.Resource``) by id, indexed by type;
- ``fake.resource_clients``: resources' M2M clients (``clients.M2MClient``) by
  client id, indexed by resource id;
- ``fake.user_consents``: users' consents (``clients.ResourceUserConsent``) by
  id, indexed by client id.

The fake's id prefixes of these records are defined here too.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import datetime
from typing import Final

import attrs

from .._converter import parse_timestamp
from ._stores import Store, WireRecord

__all__ = [
    "API_RESOURCE_PREFIX",
    "OAUTH_CLIENT_PREFIX",
    "RESOURCE_CLIENT_PREFIX",
    "USER_CONSENT_PREFIX",
    "ApiResourceRecord",
    "ApiResourceStore",
    "OAuthClientRecord",
    "OAuthClientStore",
    "ResourceClientRecord",
    "ResourceClientStore",
    "UserConsentRecord",
    "UserConsentStore",
]

OAUTH_CLIENT_PREFIX: Final = "skc"
"""The id prefix of environment OAuth clients."""
API_RESOURCE_PREFIX: Final = "res"
"""The id prefix of resources."""
RESOURCE_CLIENT_PREFIX: Final = "m2m"
"""The id prefix of resource clients (the API's consent calls require it)."""
USER_CONSENT_PREFIX: Final = "usrcnst"
"""The id prefix of user consents (the API's consent calls require it)."""


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _texts(value: object) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _time(value: object) -> datetime | None:
    try:
        return parse_timestamp(value)
    except (TypeError, ValueError):
        return None


def _secret_ids(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(_text(s.get("id")) for s in value if isinstance(s, Mapping))


@attrs.frozen(kw_only=True)
class OAuthClientRecord:
    """An environment OAuth client (``fake.oauth_clients``)."""

    id: str
    name: str
    client_type: str
    secret_ids: tuple[str, ...]
    scopes: tuple[str, ...]
    post_login_uris: tuple[str, ...]
    create_time: datetime | None
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class ApiResourceRecord:
    """A resource: an API or MCP server (``fake.api_resources``)."""

    id: str
    name: str
    resource_type: str
    resource_id: str
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class ResourceClientRecord:
    """A resource's M2M client (``fake.resource_clients``)."""

    client_id: str
    resource_id: str
    name: str
    scopes: tuple[str, ...]
    secret_ids: tuple[str, ...]
    is_dcr: bool
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class UserConsentRecord:
    """A user's consent to a resource client (``fake.user_consents``)."""

    id: str
    client_id: str
    external_user_id: str
    scopes: tuple[str, ...]
    granted_at: datetime | None
    wire: Mapping[str, object] = attrs.field(eq=False, repr=False)


class OAuthClientStore(Store[str, OAuthClientRecord]):
    """Environment OAuth clients by id."""

    def to_record(self, key: str, record: WireRecord) -> OAuthClientRecord:
        """The typed record of a stored client."""
        return OAuthClientRecord(
            id=key,
            name=_text(record.get("name")),
            client_type=_text(record.get("client_type")),
            secret_ids=_secret_ids(record.get("secrets")),
            scopes=_texts(record.get("scopes")),
            post_login_uris=_texts(record.get("post_login_uris")),
            create_time=_time(record.get("create_time")),
            wire=record,
        )


class ApiResourceStore(Store[str, ApiResourceRecord]):
    """Resources by id, indexed by resource type."""

    indexes = ("resource_type",)

    def index_values(self, key: str, record: WireRecord) -> tuple[Hashable | None, ...]:
        """Filed under its ``resource_type``."""
        return (_text(record.get("resource_type")) or None,)

    def to_record(self, key: str, record: WireRecord) -> ApiResourceRecord:
        """The typed record of a stored resource."""
        return ApiResourceRecord(
            id=key,
            name=_text(record.get("name")),
            resource_type=_text(record.get("resource_type")),
            resource_id=_text(record.get("resource_id")),
            wire=record,
        )

    def ids_of_type(self, resource_type: str) -> list[str]:
        """The ids of the resources of *resource_type*, oldest first."""
        return self._keys(0, resource_type)


class ResourceClientStore(Store[str, ResourceClientRecord]):
    """Resource clients by client id, indexed by resource id."""

    indexes = ("resource_id",)

    def index_values(self, key: str, record: WireRecord) -> tuple[Hashable | None, ...]:
        """Filed under its ``resource_id``."""
        return (_text(record.get("resource_id")) or None,)

    def to_record(self, key: str, record: WireRecord) -> ResourceClientRecord:
        """The typed record of a stored client."""
        return ResourceClientRecord(
            client_id=key,
            resource_id=_text(record.get("resource_id")),
            name=_text(record.get("name")),
            scopes=_texts(record.get("scopes")),
            secret_ids=_secret_ids(record.get("secrets")),
            is_dcr=record.get("is_dcr") is True,
            wire=record,
        )

    def ids_of_resource(self, resource_id: str) -> list[str]:
        """The ids of the clients of the resource *resource_id*, oldest first."""
        return self._keys(0, resource_id)

    def of_resource(self, resource_id: str) -> list[ResourceClientRecord]:
        """The clients of the resource *resource_id*, oldest first."""
        return self._records(self.ids_of_resource(resource_id))


class UserConsentStore(Store[str, UserConsentRecord]):
    """User consents by id, indexed by the client holding them."""

    indexes = ("client_id",)

    def index_values(self, key: str, record: WireRecord) -> tuple[Hashable | None, ...]:
        """Filed under its ``client_id``."""
        return (_text(record.get("client_id")) or None,)

    def to_record(self, key: str, record: WireRecord) -> UserConsentRecord:
        """The typed record of a stored consent."""
        return UserConsentRecord(
            id=key,
            client_id=_text(record.get("client_id")),
            external_user_id=_text(record.get("external_user_id")),
            scopes=_texts(record.get("scopes")),
            granted_at=_time(record.get("granted_at")),
            wire=record,
        )

    def ids_of_client(self, client_id: str) -> list[str]:
        """The ids of the consents held by the client *client_id*, oldest first."""
        return self._keys(0, client_id)

    def of_client(self, client_id: str) -> list[UserConsentRecord]:
        """The consents held by the client *client_id*, oldest first."""
        return self._records(self.ids_of_client(client_id))
