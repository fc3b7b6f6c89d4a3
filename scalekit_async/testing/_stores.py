"""The fake's record stores: wire JSON by key, indexed, with typed lookups beside the mapping.

Each area of a fake keeps its records in one store (``fake.users`` is a
`UserStore`, ``fake.memberships`` a `MembershipStore`, ...). A store is a
`dict` of key -> the record's wire JSON, exactly as before, so tests read
``fake.users[user_id]["email"]``, seed with ``fake.users[user_id] = {...}`` and
compare ``fake.users == {}``. Beside the mapping it offers typed reading:

- ``store.record(key)`` and ``store.records()``: `_records` snapshots
  (`UserRecord`, `MembershipRecord`, ...) with precise types;
- lookups through indexes, such as ``fake.users.by_email(email)``,
  ``fake.memberships.of_organization(org_id)`` or
  ``fake.organizations.by_external_id(external_id)``, which answer in constant
  time however many records there are; each has an ``id_for_*``/``ids_of_*``/
  ``keys_of_*`` twin that returns keys, for code that needs the stored JSON.

Indexes follow every change made through the store (``store[key] = record``,
``del store[key]``, ``pop``, ``update``, ``clear``...).
A record changed in place (``fake.users[uid]["external_id"] = "x"``) keeps its
old index entries until ``store.reindex(key)`` (or until it is stored again);
the fake's own endpoints reindex what they change.
"""

from __future__ import annotations

import copy
from collections.abc import Hashable
from typing import Any, Generic, Self, TypeVar, overload

from ._records import (
    ApiClientRecord,
    AuthRequestRecord,
    ConnectedAccountRecord,
    ConnectionRecord,
    CustomProviderRecord,
    DirectoryGroupRecord,
    DirectoryRecord,
    DirectoryUserRecord,
    DomainRecord,
    McpConfigRecord,
    MembershipRecord,
    OrganizationRecord,
    PasskeyRecord,
    PasswordlessRecord,
    PermissionRecord,
    RoleRecord,
    SessionRecord,
    UserRecord,
)

__all__ = [
    "ApiClientStore",
    "AuthRequestLog",
    "ConnectedAccountStore",
    "ConnectionStore",
    "CustomProviderStore",
    "DirectoryGroupStore",
    "DirectoryStore",
    "DirectoryUserStore",
    "DomainStore",
    "McpConfigStore",
    "MembershipKey",
    "MembershipStore",
    "OrganizationRoleStore",
    "OrganizationStore",
    "PasskeyStore",
    "PasswordlessStore",
    "PermissionStore",
    "RoleStore",
    "SessionStore",
    "Store",
    "UserStore",
    "WireRecord",
]

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")
T = TypeVar("T")

WireRecord = dict[str, Any]
"""A stored record: the API's wire JSON (plus a few keys of the fake's own)."""

MembershipKey = tuple[str, str]
"""The key of a membership or an organization role: ``(organization_id, user_id or name)``."""


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


class Store(dict[K, WireRecord], Generic[K, R]):
    """Records by key as wire JSON, with indexes and typed records (`R`) beside the mapping.

    A `dict` (``isinstance(fake.users, dict)``, ``json.dumps(fake.users)`` and
    ``fake.users == {}`` work as before) whose changes keep its indexes: set,
    delete, ``pop``, ``popitem``, ``setdefault``, ``update`` and ``clear`` all
    file or unfile the records. ``copy()`` returns a plain `dict`.

    Subclasses name their indexes by overriding `index_values` (one value per
    index, ``None`` to leave a record out of it) and their typed record with
    `to_record`.
    """

    indexes: tuple[str, ...] = ()
    """The names of this store's indexes, in the order `index_values` gives them."""

    def __init__(self) -> None:
        super().__init__()
        self._entries: dict[K, tuple[Hashable | None, ...]] = {}
        self._index: tuple[dict[Hashable, dict[K, None]], ...] = tuple({} for _ in self.indexes)

    # -- what subclasses define ----------------------------------------------------

    def index_values(self, key: K, record: WireRecord) -> tuple[Hashable | None, ...]:
        """The value *record* is filed under in each index (``None``: not in that index)."""
        return ()

    def to_record(self, key: K, record: WireRecord) -> R:
        """The typed record of the stored JSON *record* under *key*."""
        raise NotImplementedError

    # -- the dict's changes, indexed ------------------------------------------------------

    def __setitem__(self, key: K, record: WireRecord) -> None:
        values = self.index_values(key, record)
        old = self._entries.get(key)
        super().__setitem__(key, record)
        if old != values:
            if old is not None:
                self._unfile(key, old)
            self._file(key, values)

    def __delitem__(self, key: K) -> None:
        super().__delitem__(key)
        self._unfile(key, self._entries.pop(key))

    @overload
    def pop(self, key: K, /) -> WireRecord: ...
    @overload
    def pop(self, key: K, default: WireRecord, /) -> WireRecord: ...
    @overload
    def pop(self, key: K, default: T, /) -> WireRecord | T: ...
    def pop(self, key: K, *default: object) -> object:
        """Remove the record under *key* and return it (or *default* when there is none)."""
        if key not in self and default:
            return default[0]
        record = self[key]
        del self[key]
        return record

    def popitem(self) -> tuple[K, WireRecord]:
        """Remove and return the newest ``(key, record)``."""
        key, record = super().popitem()
        self._unfile(key, self._entries.pop(key))
        return key, record

    def setdefault(self, key: K, default: WireRecord, /) -> WireRecord:
        """The record under *key*, after storing *default* there if there was none."""
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *others: Any, **records: WireRecord) -> None:
        """Store every record of a mapping (or ``(key, record)`` pairs) and of *records*."""
        for key, record in dict(*others, **records).items():
            self[key] = record

    def __ior__(self, other: Any) -> Self:  # type: ignore[override,misc]
        self.update(other)
        return self

    def clear(self) -> None:
        """Remove every record."""
        super().clear()
        self._entries.clear()
        for index in self._index:
            index.clear()

    def __copy__(self) -> Self:
        copied = type(self)()
        copied.update(self)
        return copied

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        copied = type(self)()
        memo[id(self)] = copied
        for key, record in self.items():
            copied[key] = copy.deepcopy(record, memo)
        return copied

    # -- indexes ----------------------------------------------------------------------

    def reindex(self, key: K) -> None:
        """File the record under *key* again, after it was changed in place."""
        self[key] = self[key]

    def _file(self, key: K, values: tuple[Hashable | None, ...]) -> None:
        self._entries[key] = values
        for index, value in zip(self._index, values, strict=True):
            if value is not None:
                index.setdefault(value, {})[key] = None

    def _unfile(self, key: K, values: tuple[Hashable | None, ...]) -> None:
        for index, value in zip(self._index, values, strict=True):
            if value is None:
                continue
            bucket = index.get(value)
            if bucket is not None:
                bucket.pop(key, None)
                if not bucket:
                    del index[value]

    def _keys(self, index: int, value: Hashable) -> list[K]:
        """The keys filed under *value* in the *index*-th index, oldest first."""
        return list(self._index[index].get(value, ()))

    def _first(self, index: int, value: Hashable) -> K | None:
        return next(iter(self._index[index].get(value, ())), None)

    # -- typed records -------------------------------------------------------------------

    def record(self, key: K) -> R:
        """The typed record under *key* (a snapshot).

        Raises:
            KeyError: there is no record under *key*.
        """
        return self.to_record(key, self[key])

    def records(self) -> list[R]:
        """Every record, typed, oldest first."""
        return [self.to_record(k, v) for k, v in self.items()]

    def _records(self, keys: list[K]) -> list[R]:
        return [self.to_record(k, self[k]) for k in keys]


# -- organizations, users, memberships ---------------------------------------------------


class OrganizationStore(Store[str, OrganizationRecord]):
    """Organizations by id (``fake.organizations``), indexed by external id."""

    indexes = ("external_id",)

    def index_values(self, key: str, record: WireRecord) -> tuple[Hashable | None, ...]:
        return (_text(record.get("external_id")),)

    def to_record(self, key: str, record: WireRecord) -> OrganizationRecord:
        return OrganizationRecord.from_wire(record)

    def id_for_external_id(self, external_id: str) -> str | None:
        """The id of the organization with this external id, if any."""
        return self._first(0, external_id)

    def ids_for_external_id(self, external_id: str) -> list[str]:
        """The ids of every organization with this external id: one at most, unless seeded so."""
        return self._keys(0, external_id)

    def by_external_id(self, external_id: str) -> OrganizationRecord | None:
        """The organization with this external id, if any."""
        key = self.id_for_external_id(external_id)
        return None if key is None else self.record(key)


class UserStore(Store[str, UserRecord]):
    """Users by id (``fake.users``), indexed by email (any case) and external id."""

    indexes = ("email", "external_id")

    def index_values(self, key: str, record: WireRecord) -> tuple[Hashable | None, ...]:
        email = _text(record.get("email"))
        return (email.lower() if email else None, _text(record.get("external_id")))

    def to_record(self, key: str, record: WireRecord) -> UserRecord:
        return UserRecord.from_wire(record)

    def id_for_email(self, email: str) -> str | None:
        """The id of the user with this email, compared without case, if any."""
        return self._first(0, email.lower())

    def id_for_external_id(self, external_id: str) -> str | None:
        """The id of the user with this external id, if any."""
        return self._first(1, external_id)

    def ids_for_email(self, email: str) -> list[str]:
        """The ids of every user with this email (any case): one at most, unless seeded so."""
        return self._keys(0, email.lower())

    def ids_for_external_id(self, external_id: str) -> list[str]:
        """The ids of every user with this external id: one at most, unless seeded so."""
        return self._keys(1, external_id)

    def by_email(self, email: str) -> UserRecord | None:
        """The user with this email (any case), if any."""
        key = self.id_for_email(email)
        return None if key is None else self.record(key)

    def by_external_id(self, external_id: str) -> UserRecord | None:
        """The user with this external id, if any."""
        key = self.id_for_external_id(external_id)
        return None if key is None else self.record(key)


class MembershipStore(Store[MembershipKey, MembershipRecord]):
    """Memberships by ``(organization_id, user_id)`` (``fake.memberships``).

    The stored JSON has neither id: they are the key (and the record's
    ``organization_id`` / ``user_id``).
    """

    indexes = ("organization_id", "user_id")

    def index_values(self, key: MembershipKey, record: WireRecord) -> tuple[Hashable | None, ...]:
        return key

    def to_record(self, key: MembershipKey, record: WireRecord) -> MembershipRecord:
        return MembershipRecord.from_wire(key, record)

    def keys_of_organization(self, organization_id: str) -> list[MembershipKey]:
        """The keys of an organization's memberships, oldest first."""
        return self._keys(0, organization_id)

    def keys_of_user(self, user_id: str) -> list[MembershipKey]:
        """The keys of a user's memberships, oldest first."""
        return self._keys(1, user_id)

    def of_organization(self, organization_id: str) -> list[MembershipRecord]:
        """An organization's memberships, oldest first."""
        return self._records(self.keys_of_organization(organization_id))

    def of_user(self, user_id: str) -> list[MembershipRecord]:
        """A user's memberships, oldest first."""
        return self._records(self.keys_of_user(user_id))


# -- roles and permissions -----------------------------------------------------------------


class RoleStore(Store[str, RoleRecord]):
    """Environment roles by name (``fake.roles``)."""

    def to_record(self, key: str, record: WireRecord) -> RoleRecord:
        return RoleRecord.from_wire(record)


class OrganizationRoleStore(Store[MembershipKey, RoleRecord]):
    """Organization roles by ``(organization_id, name)`` (``fake.organization_roles``)."""

    indexes = ("organization_id", "name")

    def index_values(self, key: MembershipKey, record: WireRecord) -> tuple[Hashable | None, ...]:
        return key

    def to_record(self, key: MembershipKey, record: WireRecord) -> RoleRecord:
        return RoleRecord.from_wire(record, key[0])

    def keys_of_organization(self, organization_id: str) -> list[MembershipKey]:
        """The keys of an organization's own roles, oldest first."""
        return self._keys(0, organization_id)

    def keys_named(self, name: str) -> list[MembershipKey]:
        """The keys of the organization roles called *name*, in any organization."""
        return self._keys(1, name)

    def of_organization(self, organization_id: str) -> list[RoleRecord]:
        """An organization's own roles (not the environment's), oldest first."""
        return self._records(self.keys_of_organization(organization_id))


class PermissionStore(Store[str, PermissionRecord]):
    """Permissions by name (``fake.permissions``)."""

    def to_record(self, key: str, record: WireRecord) -> PermissionRecord:
        return PermissionRecord.from_wire(record)


# -- records that belong to an organization, a user or a directory ---------------------------


class _OwnedStore(Store[str, R]):
    """Records filed by the owner id stored in their ``owner_key`` field (index 0)."""

    owner_key = "organization_id"

    def index_values(self, key: str, record: WireRecord) -> tuple[Hashable | None, ...]:
        return (_text(record.get(self.owner_key)),)

    def _owned(self, owner_id: str) -> list[str]:
        return self._keys(0, owner_id)


class DomainStore(_OwnedStore[DomainRecord]):
    """Domains by id (``fake.domains``), indexed by organization."""

    indexes = ("organization_id",)

    def to_record(self, key: str, record: WireRecord) -> DomainRecord:
        return DomainRecord.from_wire(record)

    def ids_of_organization(self, organization_id: str) -> list[str]:
        """The ids of an organization's domains, oldest first."""
        return self._owned(organization_id)

    def of_organization(self, organization_id: str) -> list[DomainRecord]:
        """An organization's domains, oldest first."""
        return self._records(self._owned(organization_id))


class ConnectionStore(_OwnedStore[ConnectionRecord]):
    """SSO connections by id (``fake.connections``), indexed by organization."""

    indexes = ("organization_id",)

    def to_record(self, key: str, record: WireRecord) -> ConnectionRecord:
        return ConnectionRecord.from_wire(record)

    def ids_of_organization(self, organization_id: str) -> list[str]:
        """The ids of an organization's connections, oldest first."""
        return self._owned(organization_id)

    def of_organization(self, organization_id: str) -> list[ConnectionRecord]:
        """An organization's connections, oldest first."""
        return self._records(self._owned(organization_id))


class DirectoryStore(_OwnedStore[DirectoryRecord]):
    """SCIM directories by id (``fake.directories``), indexed by organization."""

    indexes = ("organization_id",)

    def to_record(self, key: str, record: WireRecord) -> DirectoryRecord:
        return DirectoryRecord.from_wire(record)

    def ids_of_organization(self, organization_id: str) -> list[str]:
        """The ids of an organization's directories, oldest first."""
        return self._owned(organization_id)

    def of_organization(self, organization_id: str) -> list[DirectoryRecord]:
        """An organization's directories, oldest first."""
        return self._records(self._owned(organization_id))


class ApiClientStore(_OwnedStore[ApiClientRecord]):
    """Organization API clients by client id (``fake.api_clients``), indexed by organization."""

    indexes = ("organization_id",)

    def to_record(self, key: str, record: WireRecord) -> ApiClientRecord:
        return ApiClientRecord.from_wire(record)

    def ids_of_organization(self, organization_id: str) -> list[str]:
        """The client ids of an organization's API clients, oldest first."""
        return self._owned(organization_id)

    def of_organization(self, organization_id: str) -> list[ApiClientRecord]:
        """An organization's API clients, oldest first."""
        return self._records(self._owned(organization_id))


class DirectoryUserStore(_OwnedStore[DirectoryUserRecord]):
    """Directory users by id (``fake.directory_users``), indexed by directory."""

    indexes = ("directory_id",)
    owner_key = "directory_id"

    def to_record(self, key: str, record: WireRecord) -> DirectoryUserRecord:
        return DirectoryUserRecord.from_wire(record)

    def ids_of_directory(self, directory_id: str) -> list[str]:
        """The ids of a directory's users, oldest first."""
        return self._owned(directory_id)

    def of_directory(self, directory_id: str) -> list[DirectoryUserRecord]:
        """A directory's users, oldest first."""
        return self._records(self._owned(directory_id))


class DirectoryGroupStore(_OwnedStore[DirectoryGroupRecord]):
    """Directory groups by id (``fake.directory_groups``), indexed by directory."""

    indexes = ("directory_id",)
    owner_key = "directory_id"

    def to_record(self, key: str, record: WireRecord) -> DirectoryGroupRecord:
        return DirectoryGroupRecord.from_wire(record)

    def ids_of_directory(self, directory_id: str) -> list[str]:
        """The ids of a directory's groups, oldest first."""
        return self._owned(directory_id)

    def of_directory(self, directory_id: str) -> list[DirectoryGroupRecord]:
        """A directory's groups, oldest first."""
        return self._records(self._owned(directory_id))


class SessionStore(_OwnedStore[SessionRecord]):
    """Sessions by session id (``fake.sessions``), indexed by user."""

    indexes = ("user_id",)
    owner_key = "user_id"

    def to_record(self, key: str, record: WireRecord) -> SessionRecord:
        return SessionRecord.from_wire(record)

    def ids_of_user(self, user_id: str) -> list[str]:
        """The ids of a user's sessions, oldest first."""
        return self._owned(user_id)

    def of_user(self, user_id: str) -> list[SessionRecord]:
        """A user's sessions, oldest first (their status as last read by the API)."""
        return self._records(self._owned(user_id))


class PasskeyStore(_OwnedStore[PasskeyRecord]):
    """Passkeys by id (``fake.passkeys``), indexed by user."""

    indexes = ("user_id",)
    owner_key = "user_id"

    def to_record(self, key: str, record: WireRecord) -> PasskeyRecord:
        return PasskeyRecord.from_wire(record)

    def ids_of_user(self, user_id: str) -> list[str]:
        """The ids of a user's passkeys, oldest first."""
        return self._owned(user_id)

    def of_user(self, user_id: str) -> list[PasskeyRecord]:
        """A user's passkeys, oldest first."""
        return self._records(self._owned(user_id))


# -- passwordless, auth logs -------------------------------------------------------------------


class PasswordlessStore(Store[str, PasswordlessRecord]):
    """Passwordless emails by auth request id (``fake.passwordless``), indexed by link token."""

    indexes = ("link_token",)

    def index_values(self, key: str, record: WireRecord) -> tuple[Hashable | None, ...]:
        return (_text(record.get("link_token")),)

    def to_record(self, key: str, record: WireRecord) -> PasswordlessRecord:
        return PasswordlessRecord.from_wire(record)

    def id_for_link_token(self, link_token: str) -> str | None:
        """The auth request id whose current magic link carries *link_token*, if any."""
        return self._first(0, link_token)

    def by_link_token(self, link_token: str) -> PasswordlessRecord | None:
        """The passwordless email whose current magic link carries *link_token*, if any."""
        key = self.id_for_link_token(link_token)
        return None if key is None else self.record(key)

    def for_email(self, email: str) -> list[PasswordlessRecord]:
        """The passwordless emails sent to *email* (any case), oldest first."""
        wanted = email.lower()
        return [
            self.to_record(k, v)
            for k, v in self.items()
            if str(v.get("email", "")).lower() == wanted
        ]


class AuthRequestLog(list[WireRecord]):
    """The authentication log (``fake.auth_requests``): entries as wire JSON, oldest first.

    A list, as before (``fake.auth_requests[0]["status"]``, ``== []``), with
    typed reading beside it.
    """

    def entry(self, auth_request_id: str) -> WireRecord | None:
        """The stored JSON of the (first) entry with this auth request id, if any."""
        return next((e for e in self if e.get("auth_request_id") == auth_request_id), None)

    def by_id(self, auth_request_id: str) -> AuthRequestRecord | None:
        """The (first) entry with this auth request id, typed, if any."""
        found = self.entry(auth_request_id)
        return None if found is None else AuthRequestRecord.from_wire(found)

    def records(self) -> list[AuthRequestRecord]:
        """Every entry, typed, oldest first."""
        return [AuthRequestRecord.from_wire(e) for e in self]


# -- AgentKit ------------------------------------------------------------------------------------


class ConnectedAccountStore(Store[str, ConnectedAccountRecord]):
    """Connected accounts by id (``fake.connected_accounts``).

    Indexed by owner organization, by connector and by identifier.
    """

    indexes = ("organization_id", "connector", "identifier")

    def index_values(self, key: str, record: WireRecord) -> tuple[Hashable | None, ...]:
        return (
            _text(record.get("organization_id")),
            _text(record.get("connector")),
            _text(record.get("identifier")),
        )

    def to_record(self, key: str, record: WireRecord) -> ConnectedAccountRecord:
        return ConnectedAccountRecord.from_wire(record)

    def ids_of_organization(self, organization_id: str) -> list[str]:
        """The ids of the accounts an organization owns, oldest first."""
        return self._keys(0, organization_id)

    def ids_of_connector(self, connector: str) -> list[str]:
        """The ids of the accounts of a connector (``gmail``, a custom provider...)."""
        return self._keys(1, connector)

    def ids_of_identifier(self, identifier: str) -> list[str]:
        """The ids of the accounts with this identifier (any connector), oldest first."""
        return self._keys(2, identifier)

    def of_identifier(self, identifier: str) -> list[ConnectedAccountRecord]:
        """The accounts with this identifier (any connector), oldest first."""
        return self._records(self.ids_of_identifier(identifier))

    def of_organization(self, organization_id: str) -> list[ConnectedAccountRecord]:
        """The accounts an organization owns, oldest first."""
        return self._records(self.ids_of_organization(organization_id))


class McpConfigStore(Store[str, McpConfigRecord]):
    """MCP configurations by id (``fake.mcp_configs``), indexed by name."""

    indexes = ("name",)

    def index_values(self, key: str, record: WireRecord) -> tuple[Hashable | None, ...]:
        return (_text(record.get("name")),)

    def to_record(self, key: str, record: WireRecord) -> McpConfigRecord:
        return McpConfigRecord.from_wire(record)

    def id_for_name(self, name: str) -> str | None:
        """The id of the configuration called *name*, if any."""
        return self._first(0, name)

    def by_name(self, name: str) -> McpConfigRecord | None:
        """The configuration called *name*, if any."""
        key = self.id_for_name(name)
        return None if key is None else self.record(key)


class CustomProviderStore(Store[str, CustomProviderRecord]):
    """Custom providers by identifier (``fake.custom_providers``)."""

    def to_record(self, key: str, record: WireRecord) -> CustomProviderRecord:
        return CustomProviderRecord.from_wire(record)
