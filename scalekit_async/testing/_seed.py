"""Seed a `FakeScalekit` from fixtures: organizations, domains, connections, users.

A fixture is a JSON or YAML document (YAML needs PyYAML) with up to three lists::

    organizations:
      - id: org_acme              # optional: a stable id your tests can use
        display_name: Acme
        external_id: acme
        metadata: {plan: pro}
        domains: [acme.com]       # organization domains (they route SSO)
    connections:
      - organization: acme        # an organization's id or external_id
        type: OIDC                # any connections.Connection field
        provider: OKTA
    users:
      - email: ada@acme.com
        id: usr_ada               # optional
        external_id: ada
        user_profile: {given_name: Ada, family_name: Lovelace}
        memberships:              # at least one: a user belongs to an organization
          - organization: acme
            roles: [admin]
          - organization: globex
            invite: true          # a pending invitation instead of an active membership

Organizations, domains and users go through the fake's own handlers, so the
stored records have exactly the shape (and pass exactly the checks) of those
the API creates; connections, which the public API cannot create, go
through `add_connection`. A mistake names the entry: ``users[3].email: value
must be a valid email address``.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import attrs

from ._connections import add_connection
from ._http import ApiError, FakeRequest, Reply
from ._state import FakeState

__all__ = ["SeedError", "SeedSummary", "apply_seed", "load_seed", "parse_seed", "seed_fake"]

_TOP = frozenset({"organizations", "connections", "users"})
_ORG_KEYS = frozenset(
    {"id", "display_name", "external_id", "metadata", "region_code", "slug", "logo_url", "domains"}
)

_USER_KEYS = frozenset({"id", "email", "external_id", "metadata", "user_profile", "memberships"})
_MEMBERSHIP_KEYS = frozenset({"organization", "roles", "metadata", "invite"})


class SeedError(ValueError):
    """A fixture file cannot be read or does not describe valid Scalekit state."""


@attrs.frozen
class SeedSummary:
    """How many records a fixture added to the fake."""

    organizations: int = 0
    domains: int = 0
    connections: int = 0
    users: int = 0
    memberships: int = 0

    def __str__(self) -> str:
        return (
            f"{self.organizations} organizations, {self.domains} domains, "
            f"{self.connections} connections, {self.users} users, "
            f"{self.memberships} memberships"
        )


def parse_seed(text: str, *, fmt: str = "json") -> dict[str, Any]:
    """Parse fixture *text* written in *fmt* (``"json"`` or ``"yaml"``).

    Raises:
        SeedError: the text does not parse, is not a mapping, or is YAML and
            PyYAML is not installed.

    """
    if fmt == "yaml":
        try:
            yaml = importlib.import_module("yaml")
        except ImportError:
            raise SeedError(
                "YAML fixtures need PyYAML (pip install pyyaml); or write the fixture as JSON"
            ) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SeedError(f"fixture is not valid YAML: {exc}") from None
    elif fmt == "json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise SeedError(f"fixture is not valid JSON: {exc}") from None
    else:
        raise SeedError(f"unknown fixture format {fmt!r}: use 'json' or 'yaml'")
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise SeedError("a fixture must be a mapping with organizations, connections and users")
    return dict(data)


def load_seed(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a fixture file: YAML when it ends in ``.yaml``/``.yml``, JSON otherwise."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"cannot read fixture {str(file)!r}: {exc.strerror}") from None
    fmt = "yaml" if file.suffix.lower() in {".yaml", ".yml"} else "json"
    return parse_seed(text, fmt=fmt)


def seed_fake(fake: FakeState, path: str | os.PathLike[str]) -> SeedSummary:
    """Load the fixture file at *path* into *fake* (see the module docstring)."""
    return apply_seed(fake, load_seed(path))


def apply_seed(fake: FakeState, data: Mapping[str, Any]) -> SeedSummary:
    """Add the organizations, connections and users of a parsed fixture to *fake*.

    Entries are added in order (organizations, then connections, then users),
    so later entries may refer to earlier ones by id or external id, and to
    anything already in the fake.

    Raises:
        SeedError: an entry is malformed, refers to an unknown organization,
            repeats an id, or is refused by the fake (message and field named).

    """
    unknown = sorted(set(data) - _TOP)
    if unknown:
        raise SeedError(f"unknown fixture keys: {', '.join(unknown)} (expected {sorted(_TOP)})")
    counts = {"organizations": 0, "domains": 0, "connections": 0, "users": 0, "memberships": 0}
    for where, entry in _entries(data, "organizations"):
        counts["domains"] += _organization(fake, where, entry)
        counts["organizations"] += 1
    for where, entry in _entries(data, "connections"):
        fields = dict(entry)
        org_id = _organization_ref(fake, where, fields.pop("organization", None))
        try:
            add_connection(fake, org_id, **fields)
        except TypeError as exc:
            raise SeedError(f"{where}: {exc}") from None
        counts["connections"] += 1
    for where, entry in _entries(data, "users"):
        counts["memberships"] += _user(fake, where, entry)
        counts["users"] += 1
    return SeedSummary(**counts)


# -- entries ---------------------------------------------------------------------


def _entries(data: Mapping[str, Any], key: str) -> list[tuple[str, Mapping[str, Any]]]:
    items = data.get(key) or []
    if not isinstance(items, Sequence) or isinstance(items, str):
        raise SeedError(f"{key} must be a list")
    out = []
    for index, entry in enumerate(items):
        where = f"{key}[{index}]"
        if not isinstance(entry, Mapping):
            raise SeedError(f"{where} must be a mapping")
        out.append((where, entry))
    return out


def _check_keys(where: str, entry: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise SeedError(f"{where}: unknown keys {', '.join(unknown)} (allowed: {sorted(allowed)})")


def _wanted_id(where: str, entry: Mapping[str, Any], taken: Mapping[str, Any]) -> str | None:
    wanted = entry.get("id")
    if wanted is None:
        return None
    if not isinstance(wanted, str) or not wanted or "/" in wanted or ":" in wanted:
        raise SeedError(f"{where}.id must be a non-empty string without '/' or ':'")
    if wanted in taken:
        raise SeedError(f"{where}.id {wanted!r} already exists in the fake")
    return wanted


def _organization(fake: FakeState, where: str, entry: Mapping[str, Any]) -> int:
    _check_keys(where, entry, _ORG_KEYS)
    wanted = _wanted_id(where, entry, fake.organizations)
    domains = entry.get("domains") or []
    if not isinstance(domains, Sequence) or isinstance(domains, str):
        raise SeedError(f"{where}.domains must be a list of domain names")
    body = {k: v for k, v in entry.items() if k not in {"id", "domains"}}
    org = _call(fake, where, "POST", "/api/v1/organizations", body)["organization"]
    if wanted is not None:
        # Re-key before anything refers to the generated id.
        record = fake.organizations.pop(org["id"])
        record["id"] = wanted
        fake.organizations[wanted] = record
        org = record
    for index, domain in enumerate(domains):
        body = {"domain": domain} if isinstance(domain, str) else domain
        path = f"/api/v1/organizations/{quote(org['id'], safe='')}/domains"
        _call(fake, f"{where}.domains[{index}]", "POST", path, body)
    return len(domains)


def _organization_ref(fake: FakeState, where: str, ref: object) -> str:
    """The id of the organization *ref* names, by id or external id."""
    if not isinstance(ref, str) or not ref:
        raise SeedError(f"{where}.organization must name an organization (id or external_id)")
    if ref in fake.organizations:
        return ref
    org_id = fake.organizations.id_for_external_id(ref)
    if org_id is not None:
        return str(fake.organizations[org_id]["id"])
    raise SeedError(f"{where}.organization {ref!r}: no organization has this id or external_id")


def _membership_body(where: str, entry: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    _check_keys(where, entry, _MEMBERSHIP_KEYS)
    roles = entry.get("roles") or []
    if not isinstance(roles, Sequence) or isinstance(roles, str):
        raise SeedError(f"{where}.roles must be a list of role names")
    body: dict[str, Any] = {"roles": [{"name": r} for r in roles]}
    if entry.get("metadata") is not None:
        body["metadata"] = entry["metadata"]
    return body, bool(entry.get("invite", False))


def _user(fake: FakeState, where: str, entry: Mapping[str, Any]) -> int:
    _check_keys(where, entry, _USER_KEYS)
    wanted = _wanted_id(where, entry, fake.users)
    memberships = entry.get("memberships") or []
    if not isinstance(memberships, Sequence) or isinstance(memberships, str) or not memberships:
        raise SeedError(f"{where}.memberships must list at least one organization")
    resolved = []
    for index, membership in enumerate(memberships):
        at = f"{where}.memberships[{index}]"
        if isinstance(membership, str):
            membership = {"organization": membership}
        if not isinstance(membership, Mapping):
            raise SeedError(f"{at} must be an organization reference or a mapping")
        org_id = _organization_ref(fake, at, membership.get("organization"))
        resolved.append((at, org_id, *_membership_body(at, membership)))

    at, org_id, membership_body, invite = resolved[0]
    body = {k: v for k, v in entry.items() if k not in {"id", "memberships"}}
    body["membership"] = membership_body
    path = f"/api/v1/organizations/{quote(org_id, safe='')}/users"
    user = _call(fake, where, "POST", path, body, invite=invite)["user"]
    user_id = str(user["id"])
    if wanted is not None:
        record = fake.users.pop(user_id)
        record["id"] = wanted
        fake.users[wanted] = record
        fake.memberships[(org_id, wanted)] = fake.memberships.pop((org_id, user_id))
        user_id = wanted
    for at, org_id, membership_body, invite in resolved[1:]:
        path = (
            f"/api/v1/memberships/organizations/{quote(org_id, safe='')}"
            f"/users/{quote(user_id, safe='')}"
        )
        _call(fake, at, "POST", path, membership_body, invite=invite)
    return len(resolved)


# -- calling the fake's handlers ---------------------------------------------------


def _call(
    fake: FakeState,
    where: str,
    method: str,
    path: str,
    body: Mapping[str, Any],
    *,
    invite: bool | None = None,
) -> dict[str, Any]:
    """Run one of the fake's handlers directly (no token, not recorded in `fake.requests`)."""
    found = fake.router.match(method, path)
    if isinstance(found, int):  # pragma: no cover - the routes above all exist
        raise SeedError(f"{where}: the fake has no route {method} {path}")
    handler, values, _ = found
    query = () if invite is None else (("send_invitation_email", "true" if invite else "false"),)
    try:
        encoded = json.dumps(body).encode()
    except (TypeError, ValueError) as exc:
        raise SeedError(f"{where}: not JSON-serializable: {exc}") from None
    request = FakeRequest(method, path, query, encoded)
    try:
        reply = handler(request, **values)
    except ApiError as exc:
        reply = exc.reply
    assert isinstance(reply, Reply)
    answer = json.loads(reply.body) if reply.body else {}
    if reply.status >= 300:
        raise SeedError(f"{where}: {_describe(reply.status, answer)}")
    return dict(answer)


def _describe(status: int, answer: Any) -> str:
    """A readable message from the fake's error body (its message and field violations)."""
    if not isinstance(answer, Mapping):
        return f"refused with HTTP {status}"
    message = str(answer.get("message") or f"HTTP {status}")
    problems = []
    for detail in answer.get("details") or ():
        info = detail.get("validation_error_info") if isinstance(detail, Mapping) else None
        for violation in (info or {}).get("field_violations") or ():
            problems.append(f"{violation.get('field')}: {violation.get('description')}")
    return "; ".join(problems) if problems else message
