"""The fake's Roles endpoints: environment roles and organization roles.

State, as wire JSON of ``roles.Role`` plus one key of the fake's own:

- ``fake.roles[name]``: an environment role (``id``, ``name``, ``display_name``,
  ``description``, ``default_creator``, ``default_member``, ``is_org_role``
  false, ``extends`` when set) and ``permission_names``, the names of the
  permissions it grants itself (the fake's key: never sent as such).
- ``fake.organization_roles[(org_id, name)]``: an organization role, the same
  shape with ``is_org_role`` true. Its ``extends`` names a role of the same
  organization or an environment role. A name is never both an environment
  role and an organization role (409), so a name means one role per scope.

``dependent_roles_count`` and ``permissions`` are computed when a role is
answered. Memberships (``fake.memberships``, values holding ``roles`` as
``{"name": ...}`` objects) are read for users counts (an organization's count:
its members holding the role that name means there) and rewritten when a
deleted role is reassigned. Deleting an organization deletes its roles. An
organization's own default member role is ``fake.default_member_roles[org_id]``.

Deleting a role's base (``DELETE .../roles/{role_name}/base``) drops its
``extends``: the role keeps only its own permissions. A role without a base is
left as it is (the DELETE succeeds, so a repeated one does too).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._constants import ROLE_PREFIX
from ._events import emit
from ._http import ApiError, FakeRequest, Reply, as_mapping
from ._state import FakeState

__all__ = [
    "PERMISSION_NAMES",
    "direct_permissions",
    "effective_permission_names",
    "effective_permissions",
    "find_role",
    "install",
    "known_permissions",
    "lineage",
]

PERMISSION_NAMES = "permission_names"
"""The key of a role record that lists the permissions it grants itself."""

_INCLUDES = ("", "permissions", "permissions:all")
_MAX_NAME = 100
_MAX_DESCRIPTION = 2000
_MAX_PERMISSIONS = 100
_BASE_ROLE_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")
_MAX_ORG_ID = 32

Record = dict[str, Any]


# -- helpers shared with the permissions endpoints (and other families) ------


def find_role(fake: FakeState, name: str, org_id: str | None = None) -> Record | None:
    """The role *name* means in an organization (its own roles first) or the environment."""
    if org_id is not None:
        role = fake.organization_roles.get((org_id, name))
        if role is not None:
            return role
    return fake.roles.get(name)


def lineage(fake: FakeState, role: Record, org_id: str | None = None) -> list[Record]:
    """*role*, its base role, that role's base... (stops at a missing base or a cycle)."""
    chain = [role]
    seen = {id(role)}
    while True:
        last = chain[-1]
        base_name = last.get("extends")
        if not base_name:
            return chain
        base = find_role(fake, base_name, org_id if last.get("is_org_role") else None)
        if base is None or id(base) in seen:
            return chain
        chain.append(base)
        seen.add(id(base))


def direct_permissions(fake: FakeState, role: Record) -> list[Record]:
    """The permission records a role grants itself, in the order they were granted."""
    names = role.get(PERMISSION_NAMES) or []
    return [fake.permissions[n] for n in names if n in fake.permissions]


def effective_permissions(
    fake: FakeState, role: Record, org_id: str | None = None
) -> list[tuple[Record, str]]:
    """Every permission a role grants, inherited ones too, with the role each comes from."""
    out: list[tuple[Record, str]] = []
    seen: set[str] = set()
    for source in lineage(fake, role, org_id):
        for permission in direct_permissions(fake, source):
            if permission["name"] not in seen:
                seen.add(permission["name"])
                out.append((permission, source["name"]))
    return out


def effective_permission_names(
    fake: FakeState, role_name: str, org_id: str | None = None
) -> list[str]:
    """The names of every permission *role_name* grants (empty for an unknown role)."""
    role = find_role(fake, role_name, org_id)
    if role is None:
        return []
    return [p["name"] for p, _ in effective_permissions(fake, role, org_id)]


def _holds(membership: Mapping[str, Any], name: str) -> bool:
    roles = membership.get("roles") or []
    return any(isinstance(r, Mapping) and r.get("name") == name for r in roles)


def _holders(fake: FakeState, name: str, org_id: str | None = None) -> list[Record]:
    """The memberships (in one organization, or all) that hold the role *name*."""
    memberships = fake.memberships
    if org_id is None:
        return [m for m in memberships.values() if _holds(m, name)]
    keys = memberships.keys_of_organization(org_id)
    return [memberships[k] for k in keys if _holds(memberships[k], name)]


def _dependents(
    fake: FakeState, role: Record, org_id: str | None
) -> list[tuple[str | None, Record]]:
    """The roles that extend *role* directly, each with its organization (``None``: env)."""
    name = role["name"]
    if role.get("is_org_role"):
        if org_id is None:
            return []
        roles = fake.organization_roles
        own = [roles[k] for k in roles.keys_of_organization(org_id)]
        return [(org_id, r) for r in own if r.get("extends") == name]
    found: list[tuple[str | None, Record]] = [
        (None, r) for r in fake.roles.values() if r.get("extends") == name
    ]
    found += [(o, r) for (o, _), r in fake.organization_roles.items() if r.get("extends") == name]
    return found


def _role_permission(permission: Mapping[str, Any], role_name: str) -> Record:
    return {
        "id": permission["id"],
        "name": permission["name"],
        "description": permission.get("description", ""),
        "create_time": permission["create_time"],
        "update_time": permission["update_time"],
        "role_name": role_name,
    }


# -- request checks ------------------------------------------------------------


def _include(request: FakeRequest) -> str:
    include = request.param("include") or ""
    if include not in _INCLUDES:
        raise ApiError(
            400,
            "invalid include",
            violations=(("include", "value must be in list [, permissions, permissions:all]"),),
        )
    return include


def _check_text(
    violations: list[tuple[str, str]], body: Mapping[str, Any], key: str, low: int, high: int
) -> None:
    value = body.get(key)
    if not isinstance(value, str) or not low <= len(value) <= high:
        violations.append((key, f"value length must be between {low} and {high} runes"))


def _validate_role(body: Mapping[str, Any], *, creating: bool) -> None:
    violations: list[tuple[str, str]] = []
    if creating:
        _check_text(violations, body, "name", 1, _MAX_NAME)
        _check_text(violations, body, "display_name", 1, _MAX_NAME)
        if "description" in body:
            _check_text(violations, body, "description", 0, _MAX_DESCRIPTION)
    else:
        if "display_name" in body:
            _check_text(violations, body, "display_name", 1, _MAX_NAME)
        if "description" in body:
            _check_text(violations, body, "description", 1, _MAX_DESCRIPTION)
    if "extends" in body:
        _check_text(violations, body, "extends", 1, _MAX_NAME)
    permissions = body.get("permissions")
    if permissions is not None and (
        not isinstance(permissions, list)
        or len(permissions) > _MAX_PERMISSIONS
        or not all(isinstance(p, str) for p in permissions)
    ):
        violations.append(("permissions", f"at most {_MAX_PERMISSIONS} permission names"))
    if violations:
        raise ApiError(400, "invalid request", violations=tuple(violations))


def known_permissions(fake: FakeState, names: list[str], field: str) -> list[str]:
    """*names* without repeats, or a 400 naming the ones that do not exist."""
    missing = [n for n in names if n not in fake.permissions]
    if missing:
        raise ApiError(
            400,
            "permission not found",
            violations=((field, "unknown permissions: " + ", ".join(missing)),),
        )
    return list(dict.fromkeys(names))


def _check_base_request(role_name: str, org_id: str | None = None) -> None:
    """The API's rules for a base deletion: a plain role name, an ``org`` id (400)."""
    violations: list[tuple[str, str]] = []
    if org_id is not None and (not org_id.startswith("org") or len(org_id) > _MAX_ORG_ID):
        violations.append(("org_id", "value must be an organization id of at most 32 characters"))
    if not _BASE_ROLE_NAME.fullmatch(role_name):
        violations.append(("role_name", "value must be 1 to 64 letters, digits or underscores"))
    if violations:
        raise ApiError(400, "invalid request", violations=tuple(violations))


def install(fake: FakeState) -> None:
    """Route the Roles operations (all but role permissions) on *fake*."""
    org_defaults = fake.default_member_roles  # an organization's own default, by org id

    def forget(org_id: str) -> None:
        for key in fake.organization_roles.keys_of_organization(org_id):
            del fake.organization_roles[key]
        org_defaults.pop(org_id, None)

    fake.deletion_hooks.append(forget)

    def render(role: Record, org_id: str | None = None, include: str = "") -> Record:
        out = {k: v for k, v in role.items() if k != PERMISSION_NAMES}
        out["dependent_roles_count"] = len(_dependents(fake, role, org_id))
        if org_id is not None and org_id in org_defaults:
            out["default_member"] = role["name"] == org_defaults[org_id]
        if include == "permissions":
            out["permissions"] = [
                _role_permission(p, role["name"]) for p in direct_permissions(fake, role)
            ]
        elif include == "permissions:all":
            out["permissions"] = [
                _role_permission(p, source)
                for p, source in effective_permissions(fake, role, org_id)
            ]
        return out

    def env_role(name: str) -> Record:
        role = fake.roles.get(name)
        if role is None:
            raise ApiError(404, f"role {name} not found")
        return role

    def organization(org_id: str) -> None:
        if org_id not in fake.organizations:
            raise ApiError(404, f"organization {org_id} not found")

    def org_role(org_id: str, name: str) -> Record:
        organization(org_id)
        role = fake.organization_roles.get((org_id, name))
        if role is None:
            raise ApiError(404, f"organization role {name} not found")
        return role

    def check_unique(name: str) -> None:
        if name in fake.roles or fake.organization_roles.keys_named(name):
            raise ApiError(409, f"role {name} already exists")

    def check_base(role: Record | None, base_name: str, org_id: str | None) -> None:
        """A 400 unless *base_name* exists in scope and extending it makes no cycle."""
        base = find_role(fake, base_name, org_id)
        if base is None:
            raise ApiError(
                400, "base role not found", violations=(("extends", f"no role {base_name}"),)
            )
        if role is not None and any(r is role for r in lineage(fake, base, org_id)):
            raise ApiError(
                400,
                "invalid base role",
                violations=(("extends", "roles cannot extend in a cycle"),),
            )

    def new_role(body: Mapping[str, Any], org_id: str | None) -> Record:
        _validate_role(body, creating=True)
        check_unique(body["name"])
        if "extends" in body:
            check_base(None, body["extends"], org_id)
        role: Record = {
            "id": fake.new_id(ROLE_PREFIX),
            "name": body["name"],
            "display_name": body["display_name"],
            "description": body.get("description") or "",
            "default_creator": False,
            "default_member": False,
            "is_org_role": org_id is not None,
            PERMISSION_NAMES: known_permissions(
                fake, list(body.get("permissions") or []), "permissions"
            ),
        }
        if "extends" in body:
            role["extends"] = body["extends"]
        return role

    def change_role(role: Record, body: Mapping[str, Any], org_id: str | None) -> None:
        _validate_role(body, creating=False)
        if "extends" in body:
            check_base(role, body["extends"], org_id)
        permissions = body.get("permissions")
        if permissions:  # proto3: an empty list is the same as none
            role[PERMISSION_NAMES] = known_permissions(fake, permissions, "permissions")
        for key in ("display_name", "description", "extends"):
            if key in body:
                role[key] = body[key]

    def remove_role(
        role: Record, org_id: str | None, reassign: str | None, is_default: bool
    ) -> None:
        """Check that *role* may go, move its users and dependents to *reassign*."""
        name = role["name"]
        if is_default:
            raise ApiError(400, f"role {name} is a default role; choose another default first")
        target: Record | None = None
        if reassign:
            target = find_role(fake, reassign, org_id)
            if target is None or target is role:
                raise ApiError(
                    400,
                    "invalid reassign role",
                    violations=(("reassign_role_name", f"no other role {reassign}"),),
                )
            if any(r is role for r in lineage(fake, target, org_id)):
                raise ApiError(
                    400,
                    "invalid reassign role",
                    violations=(("reassign_role_name", f"{reassign} extends {name}"),),
                )
        dependents = _dependents(fake, role, org_id)
        holders = _holders(fake, name, org_id)
        if target is None:
            if dependents or holders:
                raise ApiError(
                    400,
                    f"role {name} is extended by {len(dependents)} roles "
                    f"and held by {len(holders)} memberships",
                    violations=(("reassign_role_name", "required while the role is in use"),),
                )
            return
        for _, dependent in dependents:
            dependent["extends"] = target["name"]
        ref = {"id": target["id"], "name": target["name"], "display_name": target["display_name"]}
        for membership in holders:
            kept = [
                r
                for r in membership["roles"]
                if not (isinstance(r, Mapping) and r.get("name") in (name, target["name"]))
            ]
            membership["roles"] = [*kept, dict(ref)]

    # -- environment roles ----------------------------------------------------

    def list_roles(request: FakeRequest) -> Reply:
        include = _include(request)
        return Reply.json(200, {"roles": [render(r, None, include) for r in fake.roles.values()]})

    def create_role(request: FakeRequest) -> Reply:
        role = new_role(as_mapping(request.json()), None)
        fake.roles[role["name"]] = role
        emit(fake, "role.created", role)
        return Reply.json(201, {"role": render(role)})

    def get_role(request: FakeRequest, role_name: str) -> Reply:
        include = _include(request)
        return Reply.json(200, {"role": render(env_role(role_name), None, include)})

    def update_role(request: FakeRequest, role_name: str) -> Reply:
        role = env_role(role_name)
        change_role(role, as_mapping(request.json()), None)
        emit(fake, "role.updated", role)
        return Reply.json(200, {"role": render(role)})

    def delete_role(request: FakeRequest, role_name: str) -> Reply:
        role = env_role(role_name)
        # reassign_role_id is deprecated but, per the spec, also carries a role name.
        reassign = request.param("reassign_role_name") or request.param("reassign_role_id")
        is_default = bool(
            role.get("default_creator")
            or role.get("default_member")
            or role_name in org_defaults.values()
        )
        remove_role(role, None, reassign, is_default)
        del fake.roles[role_name]
        emit(fake, "role.deleted", role)
        return Reply.json(200, {})

    def dependents(request: FakeRequest, role_name: str) -> Reply:
        role = env_role(role_name)
        roles = [render(r, o) for o, r in _dependents(fake, role, None)]
        return Reply.json(200, {"roles": roles})

    def users_count(request: FakeRequest, role_name: str) -> Reply:
        env_role(role_name)
        return Reply.json(200, {"count": str(len(_holders(fake, role_name)))})

    def delete_base(request: FakeRequest, role_name: str) -> Reply:
        _check_base_request(role_name)
        role = env_role(role_name)
        if role.pop("extends", None) is not None:
            emit(fake, "role.updated", role)
        return Reply.json(200, {})

    def default_name(body: Mapping[str, Any], key: str) -> str | None:
        name = body.get(f"{key}_role")
        if not name:  # the deprecated form: {"default_member": {"name": ...}}
            legacy = body.get(key)
            name = legacy.get("name") if isinstance(legacy, Mapping) else None
        if name is None or name == "":
            return None
        if not isinstance(name, str) or name not in fake.roles:
            raise ApiError(400, "role not found", violations=((f"{key}_role", f"no role {name}"),))
        return name

    def set_defaults(request: FakeRequest) -> Reply:
        body = as_mapping(request.json())
        chosen = {key: default_name(body, key) for key in ("default_creator", "default_member")}
        if not any(chosen.values()):
            raise ApiError(
                400,
                "no default role given",
                violations=(("default_member_role", "give a default creator or member role"),),
            )
        for key, name in chosen.items():
            if name is not None:
                for role in fake.roles.values():
                    role[key] = role["name"] == name
        answer: Record = {}
        for key in ("default_creator", "default_member"):
            current = next((r for r in fake.roles.values() if r.get(key)), None)
            if current is not None:
                answer[key] = render(current)
        return Reply.json(200, answer)

    # -- organization roles ---------------------------------------------------

    def list_org_roles(request: FakeRequest, org_id: str) -> Reply:
        organization(org_id)
        include = _include(request)
        roles = [render(r, org_id, include) for r in fake.roles.values()]
        roles += [
            render(fake.organization_roles[k], org_id, include)
            for k in fake.organization_roles.keys_of_organization(org_id)
        ]
        return Reply.json(200, {"roles": roles})

    def create_org_role(request: FakeRequest, org_id: str) -> Reply:
        organization(org_id)
        role = new_role(as_mapping(request.json()), org_id)
        fake.organization_roles[(org_id, role["name"])] = role
        emit(fake, "role.created", role, organization_id=org_id)
        return Reply.json(201, {"role": render(role, org_id)})

    def get_org_role(request: FakeRequest, org_id: str, role_name: str) -> Reply:
        organization(org_id)
        include = _include(request)
        role = find_role(fake, role_name, org_id)
        if role is None:
            raise ApiError(404, f"role {role_name} not found")
        return Reply.json(200, {"role": render(role, org_id, include)})

    def update_org_role(request: FakeRequest, org_id: str, role_name: str) -> Reply:
        role = org_role(org_id, role_name)
        change_role(role, as_mapping(request.json()), org_id)
        emit(fake, "role.updated", role, organization_id=org_id)
        return Reply.json(200, {"role": render(role, org_id)})

    def delete_org_role(request: FakeRequest, org_id: str, role_name: str) -> Reply:
        role = org_role(org_id, role_name)
        reassign = request.param("reassign_role_name")
        remove_role(role, org_id, reassign, org_defaults.get(org_id) == role_name)
        del fake.organization_roles[(org_id, role_name)]
        emit(fake, "role.deleted", role, organization_id=org_id)
        return Reply.json(200, {})

    def set_org_defaults(request: FakeRequest, org_id: str) -> Reply:
        organization(org_id)
        body = as_mapping(request.json())
        violations: list[tuple[str, str]] = []
        _check_text(violations, body, "default_member_role", 1, _MAX_NAME)
        if violations:
            raise ApiError(400, "invalid request", violations=tuple(violations))
        name = body["default_member_role"]
        role = find_role(fake, name, org_id)
        if role is None:
            raise ApiError(
                400, "role not found", violations=(("default_member_role", f"no role {name}"),)
            )
        org_defaults[org_id] = name
        return Reply.json(200, {"default_member": render(role, org_id)})

    def org_users_count(request: FakeRequest, org_id: str, role_name: str) -> Reply:
        organization(org_id)
        if find_role(fake, role_name, org_id) is None:
            raise ApiError(404, f"role {role_name} not found")
        return Reply.json(200, {"count": str(len(_holders(fake, role_name, org_id)))})

    def delete_org_base(request: FakeRequest, org_id: str, role_name: str) -> Reply:
        _check_base_request(role_name, org_id)
        role = org_role(org_id, role_name)
        if role.pop("extends", None) is not None:
            emit(fake, "role.updated", role, organization_id=org_id)
        return Reply.json(200, {})

    add = fake.router.add
    add("GET", "/api/v1/roles", list_roles)
    add("POST", "/api/v1/roles", create_role)
    add("PATCH", "/api/v1/roles:set_defaults", set_defaults)
    add("PATCH", "/api/v1/roles/default", set_defaults)
    add("GET", "/api/v1/roles/{role_name}", get_role)
    add("PUT", "/api/v1/roles/{role_name}", update_role)
    add("DELETE", "/api/v1/roles/{role_name}", delete_role)
    add("GET", "/api/v1/roles/{role_name}/dependents", dependents)
    add("GET", "/api/v1/roles/{role_name}/users:count", users_count)
    add("DELETE", "/api/v1/roles/{role_name}/base", delete_base)
    add("GET", "/api/v1/organizations/{org_id}/roles", list_org_roles)
    add("POST", "/api/v1/organizations/{org_id}/roles", create_org_role)
    add("PATCH", "/api/v1/organizations/{org_id}/roles:set_defaults", set_org_defaults)
    add("GET", "/api/v1/organizations/{org_id}/roles/{role_name}", get_org_role)
    add("PUT", "/api/v1/organizations/{org_id}/roles/{role_name}", update_org_role)
    add("DELETE", "/api/v1/organizations/{org_id}/roles/{role_name}", delete_org_role)
    add("GET", "/api/v1/organizations/{org_id}/roles/{role_name}/users:count", org_users_count)
    add("DELETE", "/api/v1/organizations/{org_id}/roles/{role_name}/base", delete_org_base)
