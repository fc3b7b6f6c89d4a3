"""The fake's Directory endpoints, backed by `FakeScalekit.directories` and friends.

State, as wire JSON plus bookkeeping keys that never reach an answer:

- ``fake.directories``: directory id -> ``directories.Directory`` without
  ``total_users``, ``total_groups`` and ``stats`` (counted on every answer).
- ``fake.directory_groups``: group id -> ``directories.DirectoryGroup``
  without ``total_users``, plus ``directory_id``.
- ``fake.directory_users``: user id -> ``directories.DirectoryUser`` without
  ``groups``, plus ``directory_id`` and ``group_ids`` (ids of its groups).

``POST /api/v1/organizations/{organization_id}/directories`` creates a
directory (disabled, ``IN_PROGRESS``, named after its provider and type, with
no secret yet); ``DELETE .../directories/{id}`` deletes one with its users and
groups. Seed configured directories, their groups and users with
`add_directory`, `add_directory_group` and `add_directory_user`. A directory
belongs to an existing organization and goes (with its users and groups) when
it is deleted; enable and disable flip its stored ``enabled``. User and group lists
are token-paginated, at most 30 a page (a larger ``page_size`` is a 400), and
carry ``user_detail``/``group_detail`` only with ``include_detail=true``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from .._converter import format_timestamp, parse_timestamp
from ._constants import (
    DEFAULT_ENV_URL,
    DIRECTORY_GROUP_PREFIX,
    DIRECTORY_MAX_PAGE_SIZE,
    DIRECTORY_PREFIX,
    DIRECTORY_USER_PREFIX,
)
from ._events import emit
from ._http import ApiError, FakeRequest, Reply, as_mapping
from ._paging import page
from ._state import FakeState

__all__ = ["add_directory", "add_directory_group", "add_directory_user", "install"]

_DIRECTORY_FIELDS = frozenset(
    {
        "id",
        "name",
        "directory_type",
        "directory_provider",
        "enabled",
        "status",
        "directory_endpoint",
        "email",
        "groups_tracked",
        "last_synced_at",
        "secrets",
        "role_assignments",
        "attribute_mappings",
    }
)
_GROUP_FIELDS = frozenset({"id", "display_name", "updated_at", "group_detail"})
_USER_FIELDS = frozenset(
    {
        "id",
        "email",
        "emails",
        "preferred_username",
        "given_name",
        "family_name",
        "updated_at",
        "user_detail",
        "group_ids",
    }
)
_BOOKKEEPING = ("directory_id", "group_ids")
_GROUP_ID_PREFIX = f"{DIRECTORY_GROUP_PREFIX}_"
_GROUP_ID_MAX_LEN = 37
_ORGANIZATION_ID_MAX_LEN = 32
_DIRECTORY_TYPES = frozenset({"SCIM", "LDAP", "POLL"})
_DIRECTORY_PROVIDERS = frozenset(
    {
        "DIRECTORY_PROVIDER_UNSPECIFIED",
        "OKTA",
        "GOOGLE",
        "MICROSOFT_AD",
        "AUTH0",
        "ONELOGIN",
        "JUMPCLOUD",
        "PING_IDENTITY",
    }
)
_PROVIDER_NAMES = {
    "OKTA": "Okta",
    "GOOGLE": "Google",
    "MICROSOFT_AD": "Microsoft Entra ID",
    "AUTH0": "Auth0",
    "ONELOGIN": "OneLogin",
    "JUMPCLOUD": "JumpCloud",
    "PING_IDENTITY": "Ping Identity",
}


def _check_fields(kind: str, fields: Iterable[str], allowed: frozenset[str]) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise TypeError(f"not {kind} fields: {', '.join(unknown)}")


def _stamp(value: Any) -> Any:
    """A timestamp field as the wire writes it (a `datetime` becomes RFC 3339)."""
    return format_timestamp(value) if isinstance(value, datetime) else value


def _directory(fake: FakeState, directory_id: str) -> dict[str, Any]:
    directory = fake.directories.get(directory_id)
    if directory is None:
        raise LookupError(f"no directory {directory_id!r} in this fake; add it first")
    return directory


def add_directory(fake: FakeState, organization_id: str, **fields: Any) -> dict[str, Any]:
    """Seed a directory of an existing organization and return its stored record.

    By default it is a disabled, fully configured Okta SCIM directory; any
    ``directories.Directory`` field (wire names and values, e.g.
    ``enabled=True``, ``directory_provider="GOOGLE"``) overrides the default.

    Raises:
        LookupError: the organization does not exist in *fake*.
        TypeError: a field is not a stored ``directories.Directory`` field.

    """
    if organization_id not in fake.organizations:
        raise LookupError(f"no organization {organization_id!r} in this fake; create it first")
    _check_fields("directory", fields, _DIRECTORY_FIELDS)
    directory_id = fields.get("id") or fake.new_id(DIRECTORY_PREFIX)
    record: dict[str, Any] = {
        "id": directory_id,
        "organization_id": organization_id,
        "name": "Okta SCIM",
        "directory_type": "SCIM",
        "directory_provider": "OKTA",
        "enabled": False,
        "status": "COMPLETED",
        "directory_endpoint": f"{DEFAULT_ENV_URL}/api/v1/directoriessync/{directory_id}/v2",
        "email": "",
        "groups_tracked": "ALL",
        "last_synced_at": fake.now(),
        "secrets": [],
        "role_assignments": {"assignments": []},
        "attribute_mappings": {"attributes": []},
    }
    record.update(fields)
    record["id"] = directory_id
    record["last_synced_at"] = _stamp(record["last_synced_at"])
    fake.directories[directory_id] = record
    return record


def add_directory_group(fake: FakeState, directory_id: str, **fields: Any) -> dict[str, Any]:
    """Seed a group in an existing directory and return its stored record.

    Any ``directories.DirectoryGroup`` field but ``total_users`` (counted from
    the users) overrides the default; ``updated_at`` may be a `datetime`.

    Raises:
        LookupError: the directory does not exist in *fake*.
        TypeError: a field is not a stored ``directories.DirectoryGroup`` field.

    """
    _directory(fake, directory_id)
    _check_fields("directory group", fields, _GROUP_FIELDS)
    group_id = fields.get("id") or fake.new_id(DIRECTORY_GROUP_PREFIX)
    record: dict[str, Any] = {
        "id": group_id,
        "display_name": f"Group {len(fake.directory_groups) + 1}",
        "updated_at": fake.now(),
        "group_detail": {},
    }
    record.update(fields)
    record["id"] = group_id
    record["updated_at"] = _stamp(record["updated_at"])
    record["directory_id"] = directory_id
    fake.directory_groups[group_id] = record
    emit(fake, "organization.directory.group_created", record)
    return record


def add_directory_user(fake: FakeState, directory_id: str, **fields: Any) -> dict[str, Any]:
    """Seed a user in an existing directory and return its stored record.

    Any ``directories.DirectoryUser`` field but ``groups`` overrides the
    default; ``group_ids`` names the user's groups (groups of the same
    directory), and ``updated_at`` may be a `datetime`.

    Raises:
        LookupError: the directory or one of the groups does not exist in *fake*.
        TypeError: a field is not a stored ``directories.DirectoryUser`` field.

    """
    _directory(fake, directory_id)
    _check_fields("directory user", fields, _USER_FIELDS)
    group_ids = list(fields.pop("group_ids", ()))
    for group_id in group_ids:
        group = fake.directory_groups.get(group_id)
        if group is None or group["directory_id"] != directory_id:
            raise LookupError(f"no group {group_id!r} in directory {directory_id!r}")
    user_id = fields.get("id") or fake.new_id(DIRECTORY_USER_PREFIX)
    email = fields.get("email") or f"{user_id}@example.com"
    record: dict[str, Any] = {
        "id": user_id,
        "email": email,
        "emails": [email],
        "preferred_username": email,
        "given_name": "Test",
        "family_name": "User",
        "updated_at": fake.now(),
        "user_detail": {},
    }
    record.update(fields)
    record["id"] = user_id
    record["updated_at"] = _stamp(record["updated_at"])
    record["directory_id"] = directory_id
    record["group_ids"] = group_ids
    fake.directory_users[user_id] = record
    emit(fake, "organization.directory.user_created", record)
    return record


def _bool_param(request: FakeRequest, name: str) -> bool:
    raw = request.param(name)
    if raw in (None, "", "false"):
        return False
    if raw == "true":
        return True
    raise ApiError(400, f"invalid {name}", violations=((name, "must be true or false"),))


def _updated_after(request: FakeRequest) -> datetime | None:
    raw = request.param("updated_after")
    if not raw:
        return None
    try:
        return parse_timestamp(raw)
    except (TypeError, ValueError):
        raise ApiError(
            400, "invalid updated_after", violations=(("updated_after", "not an RFC 3339 time"),)
        ) from None


def _check_page_size(request: FakeRequest) -> None:
    raw = request.param("page_size")
    if raw and raw.isdigit() and int(raw) > DIRECTORY_MAX_PAGE_SIZE:
        raise ApiError(
            400,
            "invalid page_size",
            violations=(
                ("page_size", f"value must be less than or equal to {DIRECTORY_MAX_PAGE_SIZE}"),
            ),
        )


def _latest(stamps: Iterable[str]) -> str | None:
    return max(stamps, key=parse_timestamp, default=None)


def install(fake: FakeState) -> None:
    """Route the Directory operations on *fake*."""
    directories = fake.directories
    users = fake.directory_users
    groups = fake.directory_groups

    def forget(org_id: str) -> None:
        gone = directories.ids_of_organization(org_id)
        for directory_id in gone:
            for user_id in users.ids_of_directory(directory_id):
                del users[user_id]
            for group_id in groups.ids_of_directory(directory_id):
                del groups[group_id]
        for directory_id in gone:
            del directories[directory_id]

    fake.deletion_hooks.append(forget)

    def drop(directory_id: str) -> None:
        for user_id in users.ids_of_directory(directory_id):
            del users[user_id]
        for group_id in groups.ids_of_directory(directory_id):
            del groups[group_id]
        del directories[directory_id]

    def find(org_id: str, directory_id: str) -> dict[str, Any]:
        if org_id not in fake.organizations:
            raise ApiError(404, f"organization {org_id} not found")
        directory = directories.get(directory_id)
        if directory is None or directory["organization_id"] != org_id:
            raise ApiError(404, f"directory {directory_id} not found")
        return directory

    def users_of(directory_id: str) -> list[dict[str, Any]]:
        return [users[i] for i in users.ids_of_directory(directory_id)]

    def groups_of(directory_id: str) -> list[dict[str, Any]]:
        return [groups[i] for i in groups.ids_of_directory(directory_id)]

    def render_group(group: dict[str, Any], *, detail: bool) -> dict[str, Any]:
        out = {k: v for k, v in group.items() if k not in _BOOKKEEPING}
        members = users_of(str(group["directory_id"]))
        out["total_users"] = sum(group["id"] in u["group_ids"] for u in members)
        if not detail:
            out.pop("group_detail", None)
        return out

    def render_user(user: dict[str, Any], *, detail: bool) -> dict[str, Any]:
        out = {k: v for k, v in user.items() if k not in _BOOKKEEPING}
        out["groups"] = [
            render_group(groups[g], detail=False) for g in user["group_ids"] if g in groups
        ]
        if not detail:
            out.pop("user_detail", None)
        return out

    def render(directory: dict[str, Any]) -> dict[str, Any]:
        its_users = users_of(directory["id"])
        its_groups = groups_of(directory["id"])
        stats: dict[str, Any] = {"total_users": len(its_users), "total_groups": len(its_groups)}
        user_updated = _latest(u["updated_at"] for u in its_users)
        group_updated = _latest(g["updated_at"] for g in its_groups)
        if user_updated is not None:
            stats["user_updated_at"] = user_updated
        if group_updated is not None:
            stats["group_updated_at"] = group_updated
        return {
            **directory,
            "total_users": len(its_users),
            "total_groups": len(its_groups),
            "stats": stats,
        }

    def list_(request: FakeRequest, organization_id: str) -> Reply:
        if organization_id not in fake.organizations:
            raise ApiError(404, f"organization {organization_id} not found")
        items = [directories[i] for i in directories.ids_of_organization(organization_id)]
        return Reply.json(200, {"directories": [render(d) for d in items]})

    def get(request: FakeRequest, organization_id: str, id: str) -> Reply:
        return Reply.json(200, {"directory": render(find(organization_id, id))})

    def create(request: FakeRequest, organization_id: str) -> Reply:
        if len(organization_id) > _ORGANIZATION_ID_MAX_LEN:
            raise ApiError(
                400,
                "invalid organization_id",
                violations=(("organization_id", "value length must be at most 32 runes"),),
            )
        if organization_id not in fake.organizations:
            raise ApiError(404, f"organization {organization_id} not found")
        body = as_mapping(request.json())
        kind = body.get("directory_type")
        if kind not in _DIRECTORY_TYPES:
            raise ApiError(
                400,
                "invalid directory_type",
                violations=(("directory.directory_type", "value is required (SCIM, LDAP, POLL)"),),
            )
        provider = body.get("directory_provider", "DIRECTORY_PROVIDER_UNSPECIFIED")
        if provider not in _DIRECTORY_PROVIDERS:
            raise ApiError(
                400,
                "invalid directory_provider",
                violations=(
                    (
                        "directory.directory_provider",
                        "value must be one of the defined enum values",
                    ),
                ),
            )
        label = _PROVIDER_NAMES.get(str(provider), "Custom")
        directory = add_directory(
            fake,
            organization_id,
            name=f"{label} {kind}",
            directory_type=kind,
            directory_provider=provider,
            enabled=False,
            status="IN_PROGRESS",
            groups_tracked="",
        )
        directory.pop("last_synced_at", None)
        directories.reindex(directory["id"])
        return Reply.json(201, {"directory": render(directory)})

    def delete(request: FakeRequest, organization_id: str, id: str) -> Reply:
        find(organization_id, id)
        drop(id)
        return Reply.json(200, {})

    def toggle(on: bool) -> Any:
        def handler(request: FakeRequest, organization_id: str, id: str) -> Reply:
            directory = find(organization_id, id)
            directory["enabled"] = on
            emit(fake, f"organization.directory_{'enabled' if on else 'disabled'}", directory)
            return Reply.json(200, {"enabled": on})

        return handler

    def after(items: list[dict[str, Any]], since: datetime | None) -> list[dict[str, Any]]:
        if since is None:
            return items
        return [i for i in items if parse_timestamp(i["updated_at"]) > since]

    def list_users(request: FakeRequest, organization_id: str, directory_id: str) -> Reply:
        find(organization_id, directory_id)
        _check_page_size(request)
        detail = _bool_param(request, "include_detail")
        since = _updated_after(request)
        group_id = request.param("directory_group_id")
        items = after(users_of(directory_id), since)
        if group_id is not None:
            if not group_id.startswith(_GROUP_ID_PREFIX) or len(group_id) > _GROUP_ID_MAX_LEN:
                raise ApiError(
                    400,
                    "invalid directory_group_id",
                    violations=(
                        (
                            "directory_group_id",
                            f"value must start with {_GROUP_ID_PREFIX!r} and have at most "
                            f"{_GROUP_ID_MAX_LEN} characters",
                        ),
                    ),
                )
            items = [u for u in items if group_id in u["group_ids"]]
        body = page(request, items, "users", max_size=DIRECTORY_MAX_PAGE_SIZE)
        body["users"] = [render_user(u, detail=detail) for u in body["users"]]
        return Reply.json(200, body)

    def list_groups(request: FakeRequest, organization_id: str, directory_id: str) -> Reply:
        find(organization_id, directory_id)
        _check_page_size(request)
        detail = _bool_param(request, "include_detail")
        _bool_param(request, "include_external_groups")  # validated; no external groups here
        items = after(groups_of(directory_id), _updated_after(request))
        body = page(request, items, "groups", max_size=DIRECTORY_MAX_PAGE_SIZE)
        body["groups"] = [render_group(g, detail=detail) for g in body["groups"]]
        return Reply.json(200, body)

    add = fake.router.add
    add("GET", "/api/v1/organizations/{organization_id}/directories", list_)
    add("POST", "/api/v1/organizations/{organization_id}/directories", create)
    add("GET", "/api/v1/organizations/{organization_id}/directories/{id}", get)
    add("DELETE", "/api/v1/organizations/{organization_id}/directories/{id}", delete)
    add("PATCH", "/api/v1/organizations/{organization_id}/directories/{id}:enable", toggle(True))
    add("PATCH", "/api/v1/organizations/{organization_id}/directories/{id}:disable", toggle(False))
    add(
        "GET",
        "/api/v1/organizations/{organization_id}/directories/{directory_id}/users",
        list_users,
    )
    add(
        "GET",
        "/api/v1/organizations/{organization_id}/directories/{directory_id}/groups",
        list_groups,
    )
