"""The fake's Domains endpoints, backed by `FakeScalekit.domains`.

``fake.domains`` maps a domain id to its wire JSON (``domains.Domain``:
``id``, ``domain``, ``organization_id``, ``environment_id``, ``domain_type``,
``verification_status``, ``verification_method``, ``create_time``,
``update_time``). A domain belongs to an existing organization and goes when
it is deleted. Names are stored lowercase; the same name twice in one
organization is a 409; a malformed or public (webmail) name is a 400 naming
``domain.domain``. Without a ``domain_type`` a domain is an
``ORGANIZATION_DOMAIN``. Lists are numbered from page 0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._constants import DOMAIN_PAGE_SIZE, DOMAIN_PREFIX, ENVIRONMENT_ID, MAX_PAGE_SIZE
from ._events import emit
from ._http import ApiError, FakeRequest, Reply, as_mapping
from ._state import FakeState

__all__ = ["install", "organization_domains"]

_TYPES = ("ALLOWED_EMAIL_DOMAIN", "ORGANIZATION_DOMAIN")
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+[a-z]{{2,63}}\Z")
_PUBLIC = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "icloud.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "mailinator.com",
    }
)


def organization_domains(fake: FakeState, organization_id: str) -> list[dict[str, Any]]:
    """The domains of an organization, oldest first (shared with the connections fake)."""
    return [fake.domains[i] for i in fake.domains.ids_of_organization(organization_id)]


def _int_param(request: FakeRequest, name: str, default: int, maximum: int) -> int:
    raw = request.param(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"invalid {name}", violations=((name, "not a number"),)) from None
    if not 0 <= value <= maximum:
        raise ApiError(
            400, f"invalid {name}", violations=((name, f"must be between 0 and {maximum}"),)
        )
    return value


def _validate(body: Mapping[str, Any]) -> tuple[str, str]:
    violations: list[tuple[str, str]] = []
    name = body.get("domain")
    if not isinstance(name, str) or not 4 <= len(name) <= 255:
        violations.append(("domain.domain", "value length must be between 4 and 255 runes"))
        name = ""
    else:
        name = name.strip().lower().rstrip(".")
        if not _DOMAIN.match(name):
            violations.append(("domain.domain", "must be a valid domain name"))
        elif name in _PUBLIC:
            violations.append(("domain.domain", "public and disposable domains are not allowed"))
    domain_type = body.get("domain_type")
    if domain_type in (None, "", "DOMAIN_TYPE_UNSPECIFIED"):
        domain_type = "ORGANIZATION_DOMAIN"
    elif domain_type not in _TYPES:
        violations.append(("domain.domain_type", "value must be one of the defined enum values"))
    unknown = sorted(set(body) - {"domain", "domain_type"})
    if unknown:
        violations.extend((f"domain.{key}", "unknown field") for key in unknown)
    if violations:
        raise ApiError(400, "invalid request", violations=tuple(violations))
    return name, str(domain_type)


def install(fake: FakeState) -> None:
    """Route the Domains operations on *fake*."""
    domains = fake.domains

    def forget(org_id: str) -> None:
        for domain_id in [d["id"] for d in organization_domains(fake, org_id)]:
            del domains[domain_id]

    fake.deletion_hooks.append(forget)

    def check_org(org_id: str) -> None:
        if org_id not in fake.organizations:
            raise ApiError(404, f"organization {org_id} not found")

    def find(org_id: str, domain_id: str) -> dict[str, Any]:
        check_org(org_id)
        domain = domains.get(domain_id)
        if domain is None or domain["organization_id"] != org_id:
            raise ApiError(404, f"domain {domain_id} not found")
        return domain

    def create(request: FakeRequest, organization_id: str) -> Reply:
        check_org(organization_id)
        name, domain_type = _validate(as_mapping(request.json()))
        if any(d["domain"] == name for d in organization_domains(fake, organization_id)):
            raise ApiError(409, f"domain {name} already exists in this organization")
        now = fake.now()
        organization_domain = domain_type == "ORGANIZATION_DOMAIN"
        domain = {
            "id": fake.new_id(DOMAIN_PREFIX),
            "domain": name,
            "organization_id": organization_id,
            "environment_id": ENVIRONMENT_ID,
            "domain_type": domain_type,
            "verification_status": "AUTO_VERIFIED",
            "verification_method": "ADMIN" if organization_domain else "NOT_APPLICABLE",
            "create_time": now,
            "update_time": now,
        }
        domains[domain["id"]] = domain
        emit(fake, "organization.domain_created", domain)
        return Reply.json(200, {"domain": domain})

    def get(request: FakeRequest, organization_id: str, id: str) -> Reply:
        return Reply.json(200, {"domain": find(organization_id, id)})

    def delete(request: FakeRequest, organization_id: str, id: str) -> Reply:
        domain = find(organization_id, id)
        del domains[id]
        emit(fake, "organization.domain_deleted", domain)
        return Reply.json(200, {})

    def list_(request: FakeRequest, organization_id: str) -> Reply:
        check_org(organization_id)
        items = organization_domains(fake, organization_id)
        domain_type = request.param("domain_type")
        if domain_type:
            if domain_type not in (*_TYPES, "DOMAIN_TYPE_UNSPECIFIED"):
                raise ApiError(
                    400, "invalid domain_type", violations=(("domain_type", "unknown value"),)
                )
            if domain_type != "DOMAIN_TYPE_UNSPECIFIED":
                items = [d for d in items if d["domain_type"] == domain_type]
        size = _int_param(request, "page_size", DOMAIN_PAGE_SIZE, MAX_PAGE_SIZE) or DOMAIN_PAGE_SIZE
        number = _int_param(request, "page_number", 0, 2**31 - 1)
        chunk = items[number * size : (number + 1) * size]
        return Reply.json(200, {"domains": chunk, "page_number": number, "page_size": len(chunk)})

    add = fake.router.add
    add("GET", "/api/v1/organizations/{organization_id}/domains", list_)
    add("POST", "/api/v1/organizations/{organization_id}/domains", create)
    add("GET", "/api/v1/organizations/{organization_id}/domains/{id}", get)
    add("DELETE", "/api/v1/organizations/{organization_id}/domains/{id}", delete)
