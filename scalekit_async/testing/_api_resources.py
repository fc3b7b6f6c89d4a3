"""The fake's resource endpoints: resources, their M2M clients, and users' consents.

``fake.api_resources`` maps a resource id (``res_...``) to its ``clients.Resource``
wire JSON; the public API cannot create one, so tests seed them with
`add_resource`. ``fake.resource_clients`` maps a client id (``m2m_...``) to its
``clients.M2MClient`` wire JSON (``resource_id`` names its resource; its
``audience`` is set by the fake, never by the request). ``fake.user_consents``
maps a consent id (``usrcnst_...``) to its ``clients.ResourceUserConsent``;
users grant consents in OAuth flows, so tests seed them with `add_user_consent`.

As the API does, deleting a resource client checks only that the client
exists, not that it belongs to the resource in the path (the SDK checks it).
Updating one follows the API's quirks: ``scopes``, ``custom_claims`` and
``redirect_uris`` follow the ``update_mask`` (named and absent: cleared);
``name``, ``description`` and ``expiry`` change whenever they are not empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._constants import CONNECT_URL
from ._http import ApiError, FakeRequest, Reply, as_mapping
from ._oauth_clients import check_claims, check_id, new_secret
from ._paging import page
from ._state import FakeState
from ._stores_clients import API_RESOURCE_PREFIX, RESOURCE_CLIENT_PREFIX, USER_CONSENT_PREFIX

__all__ = ["add_resource", "add_user_consent", "install"]

PAGE_SIZE_MAX = 30
"""The largest page of the resource and consent lists (more is a 400)."""
USER_IDS_MAX = 25
"""The most ``filter.external_user_id`` values of one consent list."""
_TYPES = frozenset({"WEB", "MOBILE", "DESKTOP", "SERVER", "MCP_SERVER"})
_CLIENT_FIELDS = frozenset(
    {"name", "description", "scopes", "audience", "custom_claims", "expiry", "redirect_uris"}
)
_MASKED = ("scopes", "custom_claims", "redirect_uris")
_RESOURCE_FIELDS = frozenset(
    {
        "id",
        "name",
        "resource_uri",
        "description",
        "resource_type",
        "disable_dynamic_client_registration",
        "logo_uri",
        "access_token_expiry",
        "refresh_token_expiry",
        "create_time",
        "update_time",
        "provider",
        "protected_metadata",
        "protected_metadata_uri",
        "resource_id",
        "scopes",
        "connection_details",
        "disallow_connection_update",
        "intersect_scopes_user_permission",
        "enable_cimd",
        "xaa_enabled",
        "cimd_client_allowlist",
        "cimd_client_allowlist_enabled",
        "resource_scope_selection_allowed",
    }
)


def add_resource(
    fake: FakeState,
    *,
    name: str = "Tools API",
    resource_type: str = "MCP_SERVER",
    scopes: Mapping[str, bool] | Iterable[str] = (),
    **fields: Any,
) -> dict[str, Any]:
    """Seed a resource (an API or MCP server) and return its stored record.

    *scopes* names the environment's scopes, as a mapping of name to whether
    this resource enables it, or as the names it enables. Any other
    ``clients.Resource`` field (wire names and values) overrides the default.

    Raises:
        TypeError: a field is not a ``clients.Resource`` field.
        ValueError: *resource_type* is not a resource type.

    """
    unknown = sorted(set(fields) - _RESOURCE_FIELDS)
    if unknown:
        raise TypeError(f"not resource fields: {', '.join(unknown)}")
    if resource_type not in _TYPES:
        raise ValueError(f"resource_type must be one of {sorted(_TYPES)}, got {resource_type!r}")
    enabled = dict(scopes) if isinstance(scopes, Mapping) else dict.fromkeys(scopes, True)
    resource_id = str(fields.get("id") or fake.new_id(API_RESOURCE_PREFIX))
    now = fake.now()
    record: dict[str, Any] = {
        "id": resource_id,
        "name": name,
        "resource_uri": f"{CONNECT_URL}/mcp/{resource_id}",
        "description": "",
        "resource_type": resource_type,
        "disable_dynamic_client_registration": False,
        "logo_uri": "",
        "access_token_expiry": "3600",
        "refresh_token_expiry": "86400",
        "create_time": now,
        "update_time": now,
        "provider": "",
        "protected_metadata_uri": "",
        "resource_id": f"{CONNECT_URL}/mcp/{resource_id}",
        "scopes": [
            {"id": f"scope_{i + 1}", "name": scope, "description": "", "enabled": bool(on)}
            for i, (scope, on) in enumerate(enabled.items())
        ],
        "disallow_connection_update": False,
        "intersect_scopes_user_permission": False,
        "enable_cimd": False,
        "xaa_enabled": False,
        "cimd_client_allowlist": [],
        "cimd_client_allowlist_enabled": False,
        "resource_scope_selection_allowed": False,
    }
    record.update(fields)
    record["id"] = resource_id
    fake.api_resources[resource_id] = record
    return record


def add_user_consent(
    fake: FakeState,
    *,
    client_id: str,
    external_user_id: str,
    scopes: Iterable[str] = (),
) -> dict[str, Any]:
    """Seed a user's consent to the resource client *client_id*; return its stored record.

    Raises:
        LookupError: *client_id* is not a resource client of *fake*.

    """
    if client_id not in fake.resource_clients:
        raise LookupError(f"no resource client {client_id!r} in this fake; create it first")
    consent_id = fake.new_id(USER_CONSENT_PREFIX)
    record = {
        "id": consent_id,
        "external_user_id": external_user_id,
        "client_id": client_id,
        "client_name": fake.resource_clients[client_id]["name"],
        "scopes": list(scopes),
        "granted_at": fake.now(),
    }
    fake.user_consents[consent_id] = record
    return record


def _bad(field: str, description: str) -> ApiError:
    return ApiError(400, f"invalid {field}: {description}", violations=((field, description),))


def _page_size(request: FakeRequest) -> None:
    raw = request.param("page_size")
    if raw and (not raw.isdigit() or int(raw) > PAGE_SIZE_MAX):
        raise _bad("page_size", f"value must be less than or equal to {PAGE_SIZE_MAX}")


def _validate_client(body: Mapping[str, Any]) -> None:
    violations = [(f"client.{k}", "unknown field") for k in body if k not in _CLIENT_FIELDS]
    for key, limit in (("name", 128), ("description", 512)):
        value = body.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            violations.append((f"client.{key}", f"value length must be at most {limit} runes"))
    for key in ("scopes", "audience", "redirect_uris"):
        value = body.get(key)
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(v, str) for v in value)
        ):
            violations.append((f"client.{key}", "must be a list of strings"))
    check_claims(body, "client", violations)
    expiry = body.get("expiry")
    if expiry is not None and not (
        (isinstance(expiry, str) and expiry.isdigit())
        or (isinstance(expiry, int) and not isinstance(expiry, bool) and expiry >= 0)
    ):
        violations.append(("client.expiry", "must be an int64 number of seconds"))
    if violations:
        raise ApiError(400, "invalid request", violations=tuple(violations))


def _claims(value: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{"key": c["key"], "value": c.get("value", "")} for c in value]


def install(fake: FakeState) -> None:
    """Route the resource, resource client and user consent operations on *fake*."""
    resources = fake.api_resources
    clients = fake.resource_clients
    consents = fake.user_consents

    def find_resource(resource_id: str) -> dict[str, Any]:
        check_id("resource_id", resource_id)
        resource = resources.get(resource_id)
        if resource is None:
            raise ApiError(404, f"resource {resource_id} not found")
        return resource

    def find_client(resource_id: str, client_id: str) -> dict[str, Any]:
        find_resource(resource_id)
        check_id("client_id", client_id)
        client = clients.get(client_id)
        if client is None or client["resource_id"] != resource_id:
            raise ApiError(404, f"client {client_id} not found")
        return client

    def answer(consent: Mapping[str, Any]) -> dict[str, Any]:
        client = clients.get(consent["client_id"])
        name = client["name"] if client is not None else consent["client_name"]
        return {**consent, "client_name": name}

    def get(request: FakeRequest, resource_id: str) -> Reply:
        return Reply.json(200, {"resource": find_resource(resource_id)})

    def list_(request: FakeRequest) -> Reply:
        resource_type = request.param("resource_type")
        if not resource_type or resource_type == "RESOURCE_TYPE_UNSPECIFIED":
            raise _bad("resource_type", "value is required")
        if resource_type not in _TYPES:
            raise _bad("resource_type", f"unknown resource type {resource_type}")
        _page_size(request)
        items = [resources[i] for i in resources.ids_of_type(resource_type)]
        return Reply.json(200, page(request, items, "resources", max_size=PAGE_SIZE_MAX))

    def create_client(request: FakeRequest, resource_id: str) -> Reply:
        resource = find_resource(resource_id)
        body = as_mapping(request.json())
        _validate_client(body)
        now = fake.now()
        secret, plain = new_secret(fake, RESOURCE_CLIENT_PREFIX)
        client: dict[str, Any] = {
            "client_id": fake.new_id(RESOURCE_CLIENT_PREFIX),
            "secrets": [secret],
            "name": body.get("name") or "",
            "description": body.get("description") or "",
            "organization_id": "",
            "create_time": now,
            "update_time": now,
            "scopes": list(body.get("scopes") or []),
            "audience": [resource["resource_id"] or resource["resource_uri"]],
            "custom_claims": _claims(body.get("custom_claims") or []),
            "expiry": str(body.get("expiry") or resource.get("access_token_expiry") or "3600"),
            "resource_id": resource_id,
            "redirect_uris": list(body.get("redirect_uris") or []),
            "is_dcr": False,
            "is_cimd": False,
            "metadata_uri": "",
        }
        clients[client["client_id"]] = client
        return Reply.json(201, {"client": client, "plain_secret": plain})

    def get_client(request: FakeRequest, resource_id: str, client_id: str) -> Reply:
        client = find_client(resource_id, client_id)
        users = [
            {
                "consent_id": c.id,
                "external_user_id": c.external_user_id,
                "scopes": list(c.scopes),
            }
            for c in consents.of_client(client_id)
        ]
        return Reply.json(200, {"client": client, "consented_users": users})

    def list_clients(request: FakeRequest, resource_id: str) -> Reply:
        find_resource(resource_id)
        items = [clients[i] for i in clients.ids_of_resource(resource_id)]
        dcr = sum(1 for c in items if c.get("is_dcr"))
        return Reply.json(
            200,
            {"clients": items, "total_dcr_clients": dcr, "total_static_clients": len(items) - dcr},
        )

    def update_client(request: FakeRequest, resource_id: str, client_id: str) -> Reply:
        client = find_client(resource_id, client_id)
        body = as_mapping(request.json())
        _validate_client(body)
        raw = request.param("update_mask")
        paths = [p.strip() for p in (raw or "").split(",") if p.strip()]
        unknown = [p for p in paths if p not in _CLIENT_FIELDS]
        if unknown:
            raise _bad("update_mask", f"unknown field path {unknown[0]!r}")
        for key in ("name", "description"):
            if body.get(key):
                client[key] = body[key]
        if body.get("expiry") and str(body["expiry"]) != "0":
            client["expiry"] = str(body["expiry"])
        for key in _MASKED:
            if key in paths or (raw is None and body.get(key)):
                value = body.get(key) or []
                client[key] = _claims(value) if key == "custom_claims" else list(value)
        client["update_time"] = fake.now()
        return Reply.json(200, {"client": client})

    def delete_client(request: FakeRequest, resource_id: str, client_id: str) -> Reply:
        find_resource(resource_id)
        check_id("client_id", client_id)
        if client_id not in clients:  # as the API: the resource in the path is not checked
            raise ApiError(404, f"client {client_id} not found")
        del clients[client_id]
        for consent_id in consents.ids_of_client(client_id):
            del consents[consent_id]
        return Reply.json(200, {})

    def list_consents(request: FakeRequest) -> Reply:
        resource_id = request.param("resource_id") or ""
        if not 1 <= len(resource_id) <= 32:
            raise _bad("resource_id", "value length must be between 1 and 32 runes")
        _page_size(request)
        user_ids = [v for k, v in request.query if k == "filter.external_user_id"]
        if len(user_ids) > USER_IDS_MAX:
            raise _bad(
                "filter.external_user_id", f"value must contain at most {USER_IDS_MAX} items"
            )
        find_resource(resource_id)
        items = [
            answer(consents[i])
            for client_id in clients.ids_of_resource(resource_id)
            for i in consents.ids_of_client(client_id)
        ]
        items.sort(key=lambda c: c["granted_at"], reverse=True)
        wanted = {u for u in user_ids if u.strip()}
        search = (request.param("search") or "").lower()
        if wanted:  # exact ids win over the search
            items = [c for c in items if c["external_user_id"] in wanted]
        elif search:
            items = [c for c in items if search in c["external_user_id"].lower()]
        return Reply.json(200, page(request, items, "consents", max_size=PAGE_SIZE_MAX))

    add = fake.router.add
    base = "/api/v1/resources"
    add("GET", base, list_)
    add("GET", base + "/{resource_id}", get)
    add("POST", base + "/{resource_id}/clients", create_client)
    add("GET", base + "/{resource_id}/clients", list_clients)
    add("GET", base + "/{resource_id}/clients/{client_id}", get_client)
    add("PATCH", base + "/{resource_id}/clients/{client_id}", update_client)
    add("DELETE", base + "/{resource_id}/clients/{client_id}", delete_client)
    add("GET", "/api/v1/user_consents", list_consents)
