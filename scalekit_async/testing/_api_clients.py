"""The fake's organization API client endpoints, backed by `FakeScalekit.api_clients`.

``fake.api_clients`` maps a client id to its ``clients.M2MClient`` wire JSON
(secrets listed without their values). A client belongs to an organization of
``fake.organizations`` and is deleted with it. Plain secret values are handed
out once and not kept; a secret's ``secret_suffix`` is the value's last 4
characters. An active secret's ``status`` is omitted (ACTIVE is the proto zero
value and the spec's enum lists INACTIVE only).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from ._constants import M2M_CLIENT_PREFIX, SECRET_PREFIX
from ._http import ApiError, FakeRequest, Reply, as_mapping
from ._paging import page
from ._state import FakeState

__all__ = ["install"]

_FIELDS = frozenset({"name", "description", "scopes", "audience", "custom_claims", "expiry"})
DEFAULT_EXPIRY = "3600"


def _string_list(body: Mapping[str, Any], key: str, violations: list[tuple[str, str]]) -> None:
    value = body.get(key)
    if value is not None and (
        not isinstance(value, list) or not all(isinstance(v, str) for v in value)
    ):
        violations.append((key, "must be a list of strings"))


def _validate(body: Mapping[str, Any], *, creating: bool) -> None:
    violations: list[tuple[str, str]] = [
        (key, "unknown field") for key in body if key not in _FIELDS
    ]
    if creating or "name" in body:
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 128:
            violations.append(("name", "value length must be between 1 and 128 runes"))
    description = body.get("description")
    if description is not None and (not isinstance(description, str) or len(description) > 512):
        violations.append(("description", "value length must be at most 512 runes"))
    _string_list(body, "scopes", violations)
    _string_list(body, "audience", violations)
    claims = body.get("custom_claims")
    if claims is not None:
        if not isinstance(claims, list):
            violations.append(("custom_claims", "must be a list"))
        else:
            for i, claim in enumerate(claims):
                key = claim.get("key") if isinstance(claim, Mapping) else None
                value = claim.get("value", "") if isinstance(claim, Mapping) else None
                if not isinstance(key, str) or not 1 <= len(key) <= 128:
                    violations.append(
                        (f"custom_claims[{i}].key", "value length must be between 1 and 128")
                    )
                if not isinstance(value, str):
                    violations.append((f"custom_claims[{i}].value", "must be a string"))
    expiry = body.get("expiry")
    if expiry is not None and not (
        (isinstance(expiry, str) and expiry.isdigit())
        or (isinstance(expiry, int) and not isinstance(expiry, bool) and expiry >= 0)
    ):
        violations.append(("expiry", "must be an int64 number of seconds"))
    if violations:
        raise ApiError(400, "invalid request", violations=tuple(violations))


def install(fake: FakeState) -> None:
    """Route the organization API client operations on *fake*."""
    clients = fake.api_clients

    def forget(org_id: str) -> None:
        for client_id in clients.ids_of_organization(org_id):
            del clients[client_id]

    fake.deletion_hooks.append(forget)

    def check_org(org_id: str) -> None:
        if org_id not in fake.organizations:
            raise ApiError(404, f"organization {org_id} not found")

    def find(org_id: str, client_id: str) -> dict[str, Any]:
        check_org(org_id)
        client = clients.get(client_id)
        if client is None or client["organization_id"] != org_id:
            raise ApiError(404, f"client {client_id} not found")
        return client

    def new_secret() -> tuple[dict[str, Any], str]:
        plain = "m2morg_secret_" + secrets.token_urlsafe(24)
        now = fake.now()
        secret = {
            "id": fake.new_id(SECRET_PREFIX),
            "create_time": now,
            "update_time": now,
            "secret_suffix": plain[-4:],
        }
        fake.remember_secret(secret["id"], plain)
        return secret, plain

    def apply(client: dict[str, Any], body: Mapping[str, Any]) -> None:
        for key in _FIELDS:
            if key not in body or body[key] is None:
                continue
            value = body[key]
            if key == "expiry":
                value = str(value)
            elif key == "custom_claims":
                value = [{"key": c["key"], "value": c.get("value", "")} for c in value]
            elif isinstance(value, list):
                value = list(value)
            client[key] = value

    def create(request: FakeRequest, organization_id: str) -> Reply:
        check_org(organization_id)
        body = as_mapping(request.json())
        _validate(body, creating=True)
        now = fake.now()
        secret, plain = new_secret()
        client: dict[str, Any] = {
            "client_id": fake.new_id(M2M_CLIENT_PREFIX),
            "secrets": [secret],
            "name": "",
            "description": "",
            "organization_id": organization_id,
            "create_time": now,
            "update_time": now,
            "scopes": [],
            "audience": [],
            "custom_claims": [],
            "expiry": DEFAULT_EXPIRY,
            "resource_id": "",
            "redirect_uris": [],
            "is_dcr": False,
            "is_cimd": False,
            "metadata_uri": "",
        }
        apply(client, body)
        clients[client["client_id"]] = client
        return Reply.json(201, {"client": client, "plain_secret": plain})

    def get(request: FakeRequest, organization_id: str, client_id: str) -> Reply:
        return Reply.json(200, {"client": find(organization_id, client_id)})

    def update(request: FakeRequest, organization_id: str, client_id: str) -> Reply:
        client = find(organization_id, client_id)
        body = as_mapping(request.json())
        _validate(body, creating=False)
        apply(client, body)
        client["update_time"] = fake.now()
        return Reply.json(200, {"client": client})

    def delete(request: FakeRequest, organization_id: str, client_id: str) -> Reply:
        find(organization_id, client_id)
        del clients[client_id]
        return Reply.json(200, {})

    def list_(request: FakeRequest, organization_id: str) -> Reply:
        check_org(organization_id)
        items = [clients[i] for i in clients.ids_of_organization(organization_id)]
        return Reply.json(200, page(request, items, "clients"))

    def create_secret(request: FakeRequest, organization_id: str, client_id: str) -> Reply:
        client = find(organization_id, client_id)
        secret, plain = new_secret()
        client["secrets"].append(secret)
        client["update_time"] = fake.now()
        return Reply.json(201, {"plain_secret": plain, "secret": secret})

    def delete_secret(
        request: FakeRequest, organization_id: str, client_id: str, secret_id: str
    ) -> Reply:
        client = find(organization_id, client_id)
        kept = [s for s in client["secrets"] if s["id"] != secret_id]
        if len(kept) == len(client["secrets"]):
            raise ApiError(404, f"secret {secret_id} not found")
        client["secrets"] = kept
        client["update_time"] = fake.now()
        return Reply.json(200, {})

    base = "/api/v1/organizations/{organization_id}/clients"
    add = fake.router.add
    add("POST", base, create)
    add("GET", base, list_)
    add("GET", base + "/{client_id}", get)
    add("PATCH", base + "/{client_id}", update)
    add("DELETE", base + "/{client_id}", delete)
    add("POST", base + "/{client_id}/secrets", create_secret)
    add("DELETE", base + "/{client_id}/secrets/{secret_id}", delete_secret)
