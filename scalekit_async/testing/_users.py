"""The fake's users endpoints, and the user/membership state both user families share.

State, as wire JSON:

- `FakeScalekit.users`: ``users.User`` objects by id, *without* ``memberships``
  (those are rendered from the memberships on every answer);
- `FakeScalekit.memberships`: ``commons.OrganizationMembership`` objects keyed by
  ``(organization_id, user_id)``, without the organization's names and the
  effective ``permissions`` (rendered too, so they follow the organization and
  the roles). Each role is stored as ``{"id", "name", "display_name"}``; the id
  and display name are looked up by name in `organization_roles` / `roles` when
  rendering, so role names are accepted as given. Effective permissions follow
  a role's ``extends`` and read its ``permission_names`` (or ``permissions``),
  with descriptions from `permissions`.

Role assignment (``POST .../users/{user_id}/roles``, a JSON *array* of
``users.AssignRoleRequest``) adds roles to the membership, keeping the ones it
holds, and answers every role it now holds; each role must exist (an
organization role of that organization or an environment role, by
``role_name`` or the deprecated ``id``), else 400. ``DELETE
.../roles/{role_name}`` takes one role away (404 when the membership does not
hold it). Both 400 on an organization id without ``org_`` or a user id without
``usr_``, as the API's validation does, and 404 on an unknown organization, user
or membership.

Deleting a user drops their memberships; deleting an organization drops its
memberships (a `deletion_hooks` entry). Email and external-id uniqueness, lookups
by external id and a user's or an organization's memberships go through the
stores' indexes (`UserStore`, `MembershipStore`), never a walk over every record;
a list renders only the page it answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ._constants import MAX_PAGE_SIZE, USER_PREFIX, USER_PROFILE_PREFIX, USER_SEARCH_MAX_PAGE_SIZE
from ._events import emit
from ._http import ApiError, FakeRequest, Reply, as_mapping, error_body
from ._paging import page
from ._state import FakeState

__all__ = ["install"]

INVITE_TTL = timedelta(days=7)
"""How long an invitation stays valid in the fake."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
_PROFILE_STRINGS = {
    "given_name": 255,
    "family_name": 255,
    "name": 0,
    "locale": 0,
    "phone_number": 0,
    "preferred_username": 512,
    "picture": 2048,
    "gender": 0,
    "first_name": 200,
    "last_name": 200,
}
_PROFILE_MAPS = ("metadata", "custom_attributes")
_MAX_ROLE_NAME = 100


# -- errors -------------------------------------------------------------------


def invalid(message: str, *violations: tuple[str, str, str]) -> ApiError:
    """A 400 whose ``field_violations`` carry (field, description, constraint)."""
    error = ApiError(400, message)
    body = error_body(400, message, violations=tuple((f, d) for f, d, _ in violations))
    for entry, (_, _, constraint) in zip(
        body["details"][0]["validation_error_info"]["field_violations"], violations, strict=True
    ):
        entry["constraint"] = constraint
    error.reply = Reply.json(400, body)
    return error


# -- time -----------------------------------------------------------------------


def timestamp(value: datetime) -> str:
    """*value* as the API writes timestamps (RFC 3339, UTC, ``Z``)."""
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_time(value: object) -> datetime | None:
    """A stored RFC 3339 timestamp as a `datetime` (`None` when absent or malformed)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


# -- lookups --------------------------------------------------------------------


def find_org(fake: FakeState, org_id: str) -> dict[str, Any]:
    """The organization *org_id*, or a 404."""
    org = fake.organizations.get(org_id)
    if org is None:
        raise ApiError(404, f"organization {org_id} not found")
    return org


def find_user(fake: FakeState, user_id: str) -> dict[str, Any]:
    """The user *user_id*, or a 404."""
    user = fake.users.get(user_id)
    if user is None:
        raise ApiError(404, f"user {user_id} not found")
    return user


def find_user_by_external(fake: FakeState, external_id: str) -> dict[str, Any]:
    """The user whose ``external_id`` is *external_id*, or a 404."""
    user_id = fake.users.id_for_external_id(external_id)
    if user_id is None:
        raise ApiError(404, f"user with external_id {external_id} not found")
    return fake.users[user_id]


def find_membership(fake: FakeState, org_id: str, user_id: str) -> dict[str, Any]:
    """The membership of *user_id* in *org_id*, or a 404."""
    membership = fake.memberships.get((org_id, user_id))
    if membership is None:
        raise ApiError(404, f"user {user_id} is not a member of organization {org_id}")
    return membership


def check_unique(
    fake: FakeState, *, email: object = None, external_id: object = None, own_id: str = ""
) -> None:
    """409 when another user already has this email (any case) or external id."""

    def other(ids: list[str]) -> str | None:
        return next((u for u in ids if u != own_id), None)

    by_email = other(fake.users.ids_for_email(email)) if isinstance(email, str) else None
    by_external = (
        other(fake.users.ids_for_external_id(external_id))
        if isinstance(external_id, str) and external_id
        else None
    )
    # Two users conflict: the older one decides the message, as a scan would find it.
    if (
        by_email is not None
        and by_external is not None
        and by_email != by_external
        and next(u for u in fake.users if u in (by_email, by_external)) == by_external
    ):
        by_email = None
    if by_email is not None:
        raise ApiError(409, "a user with this email already exists")
    if by_external is not None:
        raise ApiError(409, "a user with this external_id already exists")


# -- validation -------------------------------------------------------------------


def _string_map(value: object, field: str, out: list[tuple[str, str, str]]) -> None:
    if value is None:
        return
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        out.append((field, "must be a map of string to string", "map.type"))
    elif len(value) > 20:
        out.append((field, "map must be at most 20 pairs", "map.max_pairs"))


def _email(value: object, field: str, out: list[tuple[str, str, str]]) -> None:
    if not isinstance(value, str) or not _EMAIL.match(value) or len(value) > 254:
        out.append((field, "value must be a valid email address", "string.email"))


def membership_violations(body: Mapping[str, Any], prefix: str) -> list[tuple[str, str, str]]:
    """The violations of a ``users.CreateMembership``/``UpdateMembership`` object."""
    out: list[tuple[str, str, str]] = []
    roles = body.get("roles")
    if roles is not None and (
        not isinstance(roles, list)
        or not all(
            isinstance(r, Mapping) and isinstance(r.get("name"), str) and r["name"] for r in roles
        )
    ):
        out.append((prefix + "roles", "each role needs a name", "required"))
    _string_map(body.get("metadata"), prefix + "metadata", out)
    if body.get("inviter_email") is not None:
        _email(body["inviter_email"], prefix + "inviter_email", out)
    return out


def _profile_violations(profile: object, prefix: str) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    if profile is None:
        return out
    if not isinstance(profile, Mapping):
        return [(prefix, "must be an object", "type")]
    for key, value in profile.items():
        field = f"{prefix}.{key}"
        if key in _PROFILE_STRINGS:
            limit = _PROFILE_STRINGS[key]
            if not isinstance(value, str):
                out.append((field, "must be a string", "type"))
            elif limit and len(value) > limit:
                out.append((field, f"value length must be at most {limit}", "string.max_len"))
        elif key in _PROFILE_MAPS:
            _string_map(value, field, out)
        elif key == "groups":
            if not isinstance(value, list) or not all(
                isinstance(g, str) and 1 <= len(g) <= 250 for g in value
            ):
                out.append((field, "groups must be 1-250 character strings", "repeated.items"))
            elif len(value) > 50:
                out.append((field, "at most 50 groups", "repeated.max_items"))
        else:
            out.append((field, "unknown field", "unknown"))
    return out


def _user_violations(body: Mapping[str, Any], *, creating: bool) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    if creating:
        _email(body.get("email"), "user.email", out)
    external_id = body.get("external_id")
    if external_id is not None and not isinstance(external_id, str):
        out.append(("user.external_id", "must be a string", "type"))
    _string_map(body.get("metadata"), "user.metadata", out)
    out += _profile_violations(body.get("user_profile"), "user.user_profile")
    membership = body.get("membership")
    if membership is not None:
        if isinstance(membership, Mapping):
            out += membership_violations(membership, "user.membership.")
        else:
            out.append(("user.membership", "must be an object", "type"))
    return out


def send_invitation(request: FakeRequest) -> bool:
    """The ``send_invitation_email`` query flag (the API's default is true)."""
    raw = request.param("send_invitation_email")
    if raw is None or raw in {"true", "1"}:
        return True
    if raw in {"false", "0"}:
        return False
    raise invalid(
        "invalid send_invitation_email",
        ("send_invitation_email", "must be true or false", "bool"),
    )


# -- memberships and rendering --------------------------------------------------------


def _role_record(fake: FakeState, org_id: str, name: str) -> Mapping[str, Any] | None:
    record = fake.organization_roles.get((org_id, name)) or fake.roles.get(name)
    if record is None:  # the common case, and an ABC check of None is slow
        return None
    return record if isinstance(record, Mapping) else None


def render_role(fake: FakeState, org_id: str, role: Mapping[str, Any]) -> dict[str, str]:
    """A ``commons.Role`` for a stored role entry, its id and display name looked up by name."""
    name = str(role.get("name", ""))
    record = _role_record(fake, org_id, name) or {}
    return {
        "id": str(record.get("id") or role.get("id") or ""),
        "name": name,
        "display_name": str(record.get("display_name") or role.get("display_name") or ""),
    }


def effective_permissions(
    fake: FakeState, org_id: str, role_names: Iterable[str]
) -> list[dict[str, str]]:
    """The ``users.Permission``s the named roles grant, following ``extends``."""
    found: dict[str, dict[str, str]] = {}
    pending = list(role_names)
    seen: set[str] = set()
    while pending:
        name = pending.pop(0)
        if name in seen:
            continue
        seen.add(name)
        record = _role_record(fake, org_id, name)
        if record is None:
            continue
        # The roles fake keeps granted names under "permission_names"; wire JSON has
        # "permissions" objects. Read both, without importing that family.
        entries = [*(record.get("permission_names") or ()), *(record.get("permissions") or ())]
        for entry in entries:
            if isinstance(entry, str):
                entry = {"name": entry}
            if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
                continue
            perm_name = entry["name"]
            if perm_name in found:
                continue
            perm = fake.permissions.get(perm_name) or {}
            found[perm_name] = {
                "id": str(perm.get("id") or entry.get("id") or ""),
                "name": perm_name,
                "description": str(perm.get("description") or ""),
            }
        parent = record.get("extends")
        if isinstance(parent, str) and parent:
            pending.append(parent)
    return list(found.values())


def role_names(membership: Mapping[str, Any]) -> list[str]:
    """The names of a stored membership's roles."""
    return [str(r.get("name", "")) for r in membership.get("roles") or ()]


def membership_status(membership: Mapping[str, Any]) -> str:
    """The status as the API reports it now: a pending invite past its expiry is expired."""
    status = str(membership.get("membership_status", "ACTIVE"))
    expires = parse_time(membership.get("expires_at"))
    if status == "PENDING_INVITE" and expires is not None and expires <= datetime.now(UTC):
        return "INVITE_EXPIRED"
    return status


def render_membership(fake: FakeState, membership: Mapping[str, Any]) -> dict[str, Any]:
    """A ``commons.OrganizationMembership`` as the API answers it."""
    org_id = membership["organization_id"]
    org = fake.organizations.get(org_id, {})
    out: dict[str, Any] = {
        "organization_id": org_id,
        "join_time": membership.get("join_time"),
        "membership_status": membership_status(membership),
        "roles": [render_role(fake, org_id, r) for r in membership.get("roles") or ()],
        "name": org.get("display_name", ""),
        "display_name": org.get("display_name", ""),
        "metadata": dict(membership.get("metadata") or {}),
        "permissions": [
            p["name"] for p in effective_permissions(fake, org_id, role_names(membership))
        ],
    }
    for key in ("inviter_email", "created_at", "accepted_at", "expires_at", "provisioning_method"):
        if membership.get(key) is not None:
            out[key] = membership[key]
    return {k: v for k, v in out.items() if v is not None}


def render_user(fake: FakeState, user: Mapping[str, Any]) -> dict[str, Any]:
    """A ``users.User`` as the API answers it, memberships included."""
    memberships = [
        render_membership(fake, fake.memberships[key])
        for key in fake.memberships.keys_of_user(user["id"])
    ]
    return {**user, "memberships": memberships}


def new_membership(
    fake: FakeState, org_id: str, user_id: str, body: Mapping[str, Any], *, invite: bool
) -> dict[str, Any]:
    """Store a new membership from a validated ``users.CreateMembership`` object (409 if any)."""
    if (org_id, user_id) in fake.memberships:
        raise ApiError(409, f"user {user_id} is already a member of organization {org_id}")
    now = datetime.now(UTC)
    membership: dict[str, Any] = {
        "organization_id": org_id,
        "join_time": timestamp(now),
        "created_at": timestamp(now),
        "membership_status": "PENDING_INVITE" if invite else "ACTIVE",
        "roles": [
            {"id": "", "name": r["name"], "display_name": ""} for r in body.get("roles") or ()
        ],
        "metadata": dict(body.get("metadata") or {}),
        "provisioning_method": "invitation" if invite else "direct_provision",
    }
    if body.get("inviter_email") is not None:
        membership["inviter_email"] = body["inviter_email"]
    if invite:
        membership["expires_at"] = timestamp(now + INVITE_TTL)
    else:
        membership["accepted_at"] = timestamp(now)
    fake.memberships[(org_id, user_id)] = membership
    return membership


def _check_prefixes(org_id: str, user_id: str) -> None:
    """The API's prefix rules of the role-assignment paths (``org_``, ``usr_``), or a 400."""
    violations: list[tuple[str, str, str]] = []
    if not org_id.startswith("org_"):
        violations.append(("organization_id", "value does not have prefix `org_`", "string.prefix"))
    if not user_id.startswith("usr_"):
        violations.append(("user_id", "value does not have prefix `usr_`", "string.prefix"))
    if violations:
        raise invalid("invalid request", *violations)


def _role_by_id(fake: FakeState, org_id: str, role_id: str) -> Mapping[str, Any] | None:
    """The role (of the organization, else the environment) whose id is *role_id*."""
    own = fake.organization_roles
    for key in own.keys_of_organization(org_id):
        if own[key].get("id") == role_id:
            return own[key]
    return next((r for r in fake.roles.values() if r.get("id") == role_id), None)


def _assignments(body: object) -> list[tuple[str, str]]:
    """The ``(role_name, id)`` pairs of an ``AssignUserRoles`` body (a JSON array), or a 400."""
    if not isinstance(body, list) or not body:
        raise invalid(
            "invalid request", ("roles", "a non-empty JSON array of roles is required", "required")
        )
    pairs: list[tuple[str, str]] = []
    for index, entry in enumerate(body):
        field = f"roles[{index}]"
        if not isinstance(entry, Mapping) or not set(entry) <= {"id", "role_name"}:
            raise invalid("invalid request", (field, "must be {role_name} or {id}", "type"))
        name, role_id = entry.get("role_name") or "", entry.get("id") or ""
        if not isinstance(name, str) or len(name) > _MAX_ROLE_NAME:
            raise invalid(
                "invalid request",
                (f"{field}.role_name", "value length must be at most 100 runes", "string.max_len"),
            )
        if not isinstance(role_id, str):
            raise invalid("invalid request", (f"{field}.id", "must be a string", "type"))
        pairs.append((name, role_id))
    return pairs


def _resolve_roles(fake: FakeState, org_id: str, pairs: list[tuple[str, str]]) -> list[str]:
    """The names of the roles *pairs* name (by name, else by id), each existing, or a 400."""
    names: list[str] = []
    for index, (name, role_id) in enumerate(pairs):
        record = _role_record(fake, org_id, name) if name else _role_by_id(fake, org_id, role_id)
        if record is None:
            what = f"no role {name or role_id}" if name or role_id else "a role_name is required"
            raise invalid("role not found", (f"roles[{index}].role_name", what, "exists"))
        names.append(str(record["name"]))
    return names


def _new_profile(fake: FakeState, profile: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": fake.new_id(USER_PROFILE_PREFIX),
        "given_name": profile.get("given_name") or profile.get("first_name") or "",
        "family_name": profile.get("family_name") or profile.get("last_name") or "",
        "email_verified": False,
        "phone_number_verified": False,
        "groups": list(profile.get("groups") or []),
        "metadata": dict(profile.get("metadata") or {}),
        "custom_attributes": dict(profile.get("custom_attributes") or {}),
        "external_identities": [],
    }
    for key in ("name", "locale", "phone_number", "preferred_username", "picture", "gender"):
        out[key] = profile.get(key) or ""
    return out


def _merge_profile(current: dict[str, Any], changes: Mapping[str, Any]) -> None:
    aliases = {"first_name": "given_name", "last_name": "family_name"}
    for key, value in changes.items():
        if key in aliases and aliases[key] in changes:
            continue  # the current field wins over its deprecated alias
        target = aliases.get(key, key)
        if key in _PROFILE_MAPS:
            current[target] = dict(value or {})  # null: cleared (protojson: not set)
        elif key == "groups":
            current[target] = list(value or [])
        elif value is None:
            if isinstance(current.get(target), str):
                current[target] = ""
            else:
                current.pop(target, None)
        else:
            current[target] = value


# -- install ------------------------------------------------------------------------


def install(fake: FakeState) -> None:
    """Route the users operations on *fake*."""

    def forget_org(org_id: str) -> None:
        for key in fake.memberships.keys_of_organization(org_id):
            del fake.memberships[key]

    fake.deletion_hooks.append(forget_org)

    def answer(status: int, user: Mapping[str, Any]) -> Reply:
        return Reply.json(status, {"user": render_user(fake, user)})

    def create(request: FakeRequest, organization_id: str) -> Reply:
        body = as_mapping(request.json())
        violations = _user_violations(body, creating=True)
        if violations:
            raise invalid("invalid user", *violations)
        invite = send_invitation(request)
        find_org(fake, organization_id)
        check_unique(fake, email=body["email"], external_id=body.get("external_id"))
        now = fake.now()
        user: dict[str, Any] = {
            "id": fake.new_id(USER_PREFIX),
            "email": body["email"],
            "create_time": now,
            "update_time": now,
            "metadata": dict(body.get("metadata") or {}),
            "user_profile": _new_profile(fake, body.get("user_profile") or {}),
        }
        if body.get("external_id"):
            user["external_id"] = body["external_id"]
        fake.users[user["id"]] = user
        new_membership(
            fake, organization_id, user["id"], body.get("membership") or {}, invite=invite
        )
        emit(fake, "user.organization_membership_created", user, organization_id=organization_id)
        if invite:
            emit(fake, "user.organization_invitation", user, organization_id=organization_id)
        return answer(201, user)

    def update_user(request: FakeRequest, user: dict[str, Any]) -> Reply:
        body = as_mapping(request.json())
        violations = _user_violations(body, creating=False)
        if violations:
            raise invalid("invalid user", *violations)
        check_unique(fake, external_id=body.get("external_id"), own_id=user["id"])
        if "external_id" in body:
            if body["external_id"]:
                user["external_id"] = body["external_id"]
            else:
                user.pop("external_id", None)
            fake.users.reindex(user["id"])
        if body.get("metadata") is not None:
            user["metadata"] = dict(body["metadata"])
        if body.get("user_profile") is not None:
            _merge_profile(user["user_profile"], body["user_profile"])
        user["update_time"] = fake.now()
        return answer(200, user)

    def delete_user(user: Mapping[str, Any]) -> Reply:
        user_id = user["id"]
        for key in fake.memberships.keys_of_user(user_id):
            del fake.memberships[key]
            emit(fake, "user.organization_membership_deleted", user, organization_id=key[0])
        del fake.users[user_id]
        return Reply.json(200, {})

    def search_query(request: FakeRequest) -> str:
        query = request.param("query") or ""
        if len(query) < 3:
            raise invalid(
                "invalid query",
                ("query", "value length must be at least 3 characters", "string.min_len"),
            )
        if len(query) > 100:
            raise invalid(
                "invalid query",
                ("query", "value length must be at most 100 characters", "string.max_len"),
            )
        return query.lower()

    def check_size(request: FakeRequest, limit: int) -> None:
        raw = request.param("page_size")
        if raw and raw.isdigit() and int(raw) > limit:
            raise invalid(
                "invalid page_size",
                ("page_size", f"value must be less than or equal to {limit}", "uint32.lte"),
            )

    def matches(user: Mapping[str, Any], query: str) -> bool:
        fields = (user.get("email"), user.get("id"), user.get("external_id"))
        return any(isinstance(f, str) and query in f.lower() for f in fields)

    def members(org_id: str) -> list[dict[str, Any]]:
        ids = [uid for (_, uid) in fake.memberships.keys_of_organization(org_id)]
        return [fake.users[uid] for uid in ids if uid in fake.users]

    def listing(request: FakeRequest, users: list[dict[str, Any]], max_size: int) -> Reply:
        body = page(request, users, "users", max_size=max_size)
        body["users"] = [render_user(fake, u) for u in body["users"]]  # the page only
        return Reply.json(200, body)

    def list_users(request: FakeRequest) -> Reply:
        return listing(request, list(fake.users.values()), MAX_PAGE_SIZE)

    def search_users(request: FakeRequest) -> Reply:
        query = search_query(request)
        check_size(request, USER_SEARCH_MAX_PAGE_SIZE)
        found = [u for u in fake.users.values() if matches(u, query)]
        return listing(request, found, USER_SEARCH_MAX_PAGE_SIZE)

    def list_org_users(request: FakeRequest, organization_id: str) -> Reply:
        check_size(request, 100)
        find_org(fake, organization_id)
        return listing(request, members(organization_id), 100)

    def search_org_users(request: FakeRequest, organization_id: str) -> Reply:
        query = search_query(request)
        check_size(request, 30)
        find_org(fake, organization_id)
        found = [u for u in members(organization_id) if matches(u, query)]
        return listing(request, found, 30)

    def list_roles(request: FakeRequest, organization_id: str, user_id: str) -> Reply:
        find_org(fake, organization_id)
        find_user(fake, user_id)
        membership = find_membership(fake, organization_id, user_id)
        roles = [render_role(fake, organization_id, r) for r in membership.get("roles") or ()]
        return Reply.json(200, {"roles": roles})

    def add_roles(request: FakeRequest, organization_id: str, user_id: str) -> Reply:
        _check_prefixes(organization_id, user_id)
        pairs = _assignments(request.json())
        find_org(fake, organization_id)
        user = find_user(fake, user_id)
        membership = find_membership(fake, organization_id, user_id)
        names = _resolve_roles(fake, organization_id, pairs)
        held = role_names(membership)
        for name in dict.fromkeys(names):
            if name not in held:
                membership["roles"] = [
                    *(membership.get("roles") or ()),
                    {"id": "", "name": name, "display_name": ""},
                ]
        emit(fake, "user.organization_membership_updated", user, organization_id=organization_id)
        roles = [render_role(fake, organization_id, r) for r in membership["roles"]]
        return Reply.json(200, {"roles": roles})

    def remove_role(
        request: FakeRequest, organization_id: str, user_id: str, role_name: str
    ) -> Reply:
        _check_prefixes(organization_id, user_id)
        find_org(fake, organization_id)
        user = find_user(fake, user_id)
        membership = find_membership(fake, organization_id, user_id)
        if role_name not in role_names(membership):
            raise ApiError(404, f"user {user_id} does not hold role {role_name}")
        membership["roles"] = [
            r for r in membership.get("roles") or () if r.get("name") != role_name
        ]
        emit(fake, "user.organization_membership_updated", user, organization_id=organization_id)
        return Reply.json(200, {})

    def list_permissions(request: FakeRequest, organization_id: str, user_id: str) -> Reply:
        find_org(fake, organization_id)
        find_user(fake, user_id)
        membership = find_membership(fake, organization_id, user_id)
        permissions = effective_permissions(fake, organization_id, role_names(membership))
        return Reply.json(200, {"permissions": permissions})

    def get(request: FakeRequest, id: str) -> Reply:
        return answer(200, find_user(fake, id))

    def get_external(request: FakeRequest, external_id: str) -> Reply:
        return answer(200, find_user_by_external(fake, external_id))

    def update(request: FakeRequest, id: str) -> Reply:
        return update_user(request, find_user(fake, id))

    def update_external(request: FakeRequest, external_id: str) -> Reply:
        return update_user(request, find_user_by_external(fake, external_id))

    def delete(request: FakeRequest, id: str) -> Reply:
        return delete_user(find_user(fake, id))

    def delete_external(request: FakeRequest, external_id: str) -> Reply:
        return delete_user(find_user_by_external(fake, external_id))

    add = fake.router.add
    add("GET", "/api/v1/users", list_users)
    add("GET", "/api/v1/users:search", search_users)
    add("GET", "/api/v1/users:external/{external_id}", get_external)
    add("PATCH", "/api/v1/users:external/{external_id}", update_external)
    add("DELETE", "/api/v1/users:external/{external_id}", delete_external)
    add("GET", "/api/v1/users/{id}", get)
    add("PATCH", "/api/v1/users/{id}", update)
    add("DELETE", "/api/v1/users/{id}", delete)
    add("GET", "/api/v1/organizations/{organization_id}/users", list_org_users)
    add("POST", "/api/v1/organizations/{organization_id}/users", create)
    add("GET", "/api/v1/organizations/{organization_id}/users:search", search_org_users)
    add("GET", "/api/v1/organizations/{organization_id}/users/{user_id}/roles", list_roles)
    add("POST", "/api/v1/organizations/{organization_id}/users/{user_id}/roles", add_roles)
    add(
        "DELETE",
        "/api/v1/organizations/{organization_id}/users/{user_id}/roles/{role_name}",
        remove_role,
    )
    add(
        "GET",
        "/api/v1/organizations/{organization_id}/users/{user_id}/permissions",
        list_permissions,
    )
