"""The fake's Permissions endpoints, and the role-permission ones of the Roles tag.

State: ``fake.permissions[name]`` holds a permission's wire JSON (``id``,
``name``, ``description``, ``is_scalekit_permission``, ``create_time``,
``update_time``). Permissions created through the API are the environment's
own; put a record with ``is_scalekit_permission`` true there to stand for a
predefined one. What a role grants itself is the role record's
``permission_names`` (see `_roles`); deleting a permission removes it from
every role.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._constants import MAX_PAGE_SIZE, PERMISSION_PREFIX
from ._events import emit
from ._http import ApiError, FakeRequest, Reply, as_mapping
from ._paging import page
from ._roles import (
    PERMISSION_NAMES,
    direct_permissions,
    effective_permissions,
    known_permissions,
)
from ._state import FakeState

__all__ = ["install"]

_MAX_NAME = 64
_MAX_DESCRIPTION = 2000
_MAX_ADD = 100
_TYPES = ("", "ALL", "SCALEKIT", "ENVIRONMENT")


def _validate(body: Mapping[str, Any]) -> None:
    violations: list[tuple[str, str]] = []
    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= _MAX_NAME:
        violations.append(("name", f"value length must be between 1 and {_MAX_NAME} runes"))
    description = body.get("description", "")
    if not isinstance(description, str) or len(description) > _MAX_DESCRIPTION:
        violations.append(("description", f"value length must be at most {_MAX_DESCRIPTION} runes"))
    if violations:
        raise ApiError(400, "invalid request", violations=tuple(violations))


def _page_size(request: FakeRequest) -> None:
    raw = request.param("page_size")
    if raw is None or raw == "":
        return
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise ApiError(
            400,
            "invalid page_size",
            violations=(("page_size", f"value must be between 1 and {MAX_PAGE_SIZE}"),),
        )


def install(fake: FakeState) -> None:
    """Route the Permissions operations and the role-permission operations on *fake*."""
    permissions = fake.permissions

    def find(name: str) -> dict[str, Any]:
        permission = permissions.get(name)
        if permission is None:
            raise ApiError(404, f"permission {name} not found")
        return permission

    def env_role(name: str) -> dict[str, Any]:
        role = fake.roles.get(name)
        if role is None:
            raise ApiError(404, f"role {name} not found")
        return role

    def list_(request: FakeRequest) -> Reply:
        _page_size(request)
        kind = request.param("type") or ""
        if kind not in _TYPES:
            raise ApiError(
                400,
                "invalid type",
                violations=(("type", "value must be one of ALL, SCALEKIT, ENVIRONMENT"),),
            )
        items = list(permissions.values())
        if kind == "SCALEKIT":
            items = [p for p in items if p.get("is_scalekit_permission")]
        elif kind == "ENVIRONMENT":
            items = [p for p in items if not p.get("is_scalekit_permission")]
        return Reply.json(200, page(request, items, "permissions"))

    def create(request: FakeRequest) -> Reply:
        body = as_mapping(request.json())
        _validate(body)
        name = body["name"]
        if name in permissions:
            raise ApiError(409, f"permission {name} already exists")
        now = fake.now()
        permissions[name] = {
            "id": fake.new_id(PERMISSION_PREFIX),
            "name": name,
            "description": body.get("description") or "",
            "is_scalekit_permission": False,
            "create_time": now,
            "update_time": now,
        }
        emit(fake, "permission.created", permissions[name])
        return Reply.json(201, {"permission": permissions[name]})

    def get(request: FakeRequest, permission_name: str) -> Reply:
        return Reply.json(200, {"permission": find(permission_name)})

    def update(request: FakeRequest, permission_name: str) -> Reply:
        permission = find(permission_name)
        body = as_mapping(request.json())
        _validate(body)
        if body["name"] != permission_name:
            raise ApiError(
                400,
                "invalid request",
                violations=(("name", "must be the permission_name of the path"),),
            )
        permission["description"] = body.get("description") or ""
        permission["update_time"] = fake.now()
        emit(fake, "permission.updated", permission)
        return Reply.json(200, {"permission": permission})

    def delete(request: FakeRequest, permission_name: str) -> Reply:
        permission = find(permission_name)
        del permissions[permission_name]
        emit(fake, "permission.deleted", permission)
        for role in [*fake.roles.values(), *fake.organization_roles.values()]:
            names = role.get(PERMISSION_NAMES) or []
            role[PERMISSION_NAMES] = [n for n in names if n != permission_name]
        return Reply.json(200, {})

    def list_for_role(request: FakeRequest, role_name: str) -> Reply:
        role = env_role(role_name)
        return Reply.json(200, {"permissions": direct_permissions(fake, role)})

    def add_to_role(request: FakeRequest, role_name: str) -> Reply:
        role = env_role(role_name)
        body = as_mapping(request.json())
        names = body.get("permission_names")
        if (
            not isinstance(names, list)
            or not 1 <= len(names) <= _MAX_ADD
            or not all(isinstance(n, str) for n in names)
        ):
            raise ApiError(
                400,
                "invalid request",
                violations=(("permission_names", f"between 1 and {_MAX_ADD} permission names"),),
            )
        added = known_permissions(fake, names, "permission_names")
        current = list(role.get(PERMISSION_NAMES) or [])
        role[PERMISSION_NAMES] = current + [n for n in added if n not in current]
        emit(fake, "role.updated", role)
        return Reply.json(200, {"permissions": direct_permissions(fake, role)})

    def remove_from_role(request: FakeRequest, role_name: str, permission_name: str) -> Reply:
        role = env_role(role_name)
        find(permission_name)
        names = role.get(PERMISSION_NAMES) or []
        if permission_name not in names:
            raise ApiError(404, f"role {role_name} does not grant {permission_name} itself")
        role[PERMISSION_NAMES] = [n for n in names if n != permission_name]
        emit(fake, "role.updated", role)
        return Reply.json(200, {})

    def list_effective(request: FakeRequest, role_name: str) -> Reply:
        role = env_role(role_name)
        found = [p for p, _ in effective_permissions(fake, role)]
        return Reply.json(200, {"permissions": found})

    add = fake.router.add
    add("GET", "/api/v1/permissions", list_)
    add("POST", "/api/v1/permissions", create)
    add("GET", "/api/v1/permissions/{permission_name}", get)
    add("PUT", "/api/v1/permissions/{permission_name}", update)
    add("DELETE", "/api/v1/permissions/{permission_name}", delete)
    add("GET", "/api/v1/roles/{role_name}/permissions", list_for_role)
    add("POST", "/api/v1/roles/{role_name}/permissions", add_to_role)
    add("DELETE", "/api/v1/roles/{role_name}/permissions/{permission_name}", remove_from_role)
    add("GET", "/api/v1/roles/{role_name}/permissions:all", list_effective)
