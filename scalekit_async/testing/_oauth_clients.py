"""The fake's environment OAuth client endpoints (``/api/v1/clients``).

``fake.oauth_clients`` maps a client id (``skc_...``) to its ``clients.Client``
wire JSON. A ``WEB_APP`` client is created with a first secret, whose value
is in the create answer only; ``SPA`` and ``NTV`` clients (public) get none
and enforce PKCE by default. Plain secret values are never kept.

The secret endpoints also serve the resource clients of ``fake.resource_clients``
(``m2m_...``), as the API does: they are keyed by the client id alone. A client
holds at most `MAX_SECRETS` secrets and at least one. Revoking a consent
deletes it from ``fake.user_consents``.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ._constants import SECRET_PREFIX
from ._http import ApiError, FakeRequest, Reply, as_mapping
from ._paging import page
from ._state import FakeState
from ._stores_clients import OAUTH_CLIENT_PREFIX, RESOURCE_CLIENT_PREFIX, USER_CONSENT_PREFIX

__all__ = ["MAX_SECRETS", "PAGE_SIZE_MAX", "check_claims", "check_id", "install", "new_secret"]

MAX_SECRETS = 5
"""How many secrets one client may hold (Scalekit's own environments: 5)."""
PAGE_SIZE_MAX = 30
"""The largest page of the client list (more is a 400)."""
_ID_MAX = 32
_TYPES = frozenset({"WEB_APP", "SPA", "NTV"})
_LIST_TYPES = frozenset({"ENV", "WEB_APP", "SPA", "NTV", "ALL"})
_PUBLIC = frozenset({"SPA", "NTV"})
_LISTS = (
    "post_login_uris",
    "post_logout_redirect_uris",
    "back_channel_logout_uris",
    "scopes",
    "grant_types",
)
_UPDATE_FIELDS = frozenset(
    {
        *_LISTS,
        "name",
        "initiate_login_uri",
        "access_token_expiry",
        "custom_claims",
        "disallow_scalekit_api_access",
        "enforce_pkce",
        "ip_allowlist",
    }
)
_CREATE_FIELDS = _UPDATE_FIELDS | {"client_type"}
_Violations = list[tuple[str, str]]


def new_secret(fake: FakeState, prefix: str) -> tuple[dict[str, Any], str]:
    """A new ``clients.ClientSecret`` (without its value) and its plain value."""
    plain = f"{prefix}_secret_" + secrets.token_urlsafe(24)
    now = fake.now()
    secret = {
        "id": fake.new_id(SECRET_PREFIX),
        "create_time": now,
        "update_time": now,
        "secret_suffix": plain[-4:],
    }
    fake.remember_secret(secret["id"], plain)
    return secret, plain


def check_claims(body: Mapping[str, Any], field: str, violations: _Violations) -> None:
    """Check a ``custom_claims`` list (keys of 1 to 128 characters, string values)."""
    claims = body.get("custom_claims")
    if claims is None:
        return
    if not isinstance(claims, list):
        violations.append((f"{field}.custom_claims", "must be a list"))
        return
    for i, claim in enumerate(claims):
        key = claim.get("key") if isinstance(claim, Mapping) else None
        value = claim.get("value", "") if isinstance(claim, Mapping) else None
        if not isinstance(key, str) or not 1 <= len(key) <= 128:
            violations.append(
                (f"{field}.custom_claims[{i}].key", "value length must be between 1 and 128")
            )
        if not isinstance(value, str):
            violations.append((f"{field}.custom_claims[{i}].value", "must be a string"))


def _int64(value: object) -> bool:
    if isinstance(value, str):
        return value.isdigit()
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _validate(body: Mapping[str, Any], *, creating: bool) -> None:
    allowed = _CREATE_FIELDS if creating else _UPDATE_FIELDS
    violations: _Violations = [(f"client.{k}", "unknown field") for k in body if k not in allowed]
    name = body.get("name")
    if (creating or name is not None) and (not isinstance(name, str) or not 1 <= len(name) <= 128):
        violations.append(("client.name", "value length must be between 1 and 128 runes"))
    if creating:
        client_type = body.get("client_type")
        if not isinstance(client_type, str) or client_type not in _TYPES:
            violations.append(("client.client_type", "must be one of WEB_APP, SPA, NTV"))
    for key in _LISTS:
        value = body.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            violations.append((f"client.{key}", "must be a list of strings"))
        elif key != "scopes" and key != "grant_types" and len(set(value)) != len(value):
            violations.append((f"client.{key}", "repeated value must contain unique items"))
        elif key == "back_channel_logout_uris":
            for i, uri in enumerate(value):
                parts = urlsplit(uri)
                if not parts.scheme or not parts.netloc:
                    violations.append((f"client.{key}[{i}]", "value must be a valid URI"))
    uri = body.get("initiate_login_uri")
    if uri is not None and not isinstance(uri, str):
        violations.append(("client.initiate_login_uri", "must be a string"))
    expiry = body.get("access_token_expiry")
    if expiry is not None and not _int64(expiry):
        violations.append(("client.access_token_expiry", "must be an int64 number of seconds"))
    for key in ("disallow_scalekit_api_access", "enforce_pkce"):
        if body.get(key) is not None and not isinstance(body[key], bool):
            violations.append((f"client.{key}", "must be a boolean"))
    check_claims(body, "client", violations)
    allowlist = body.get("ip_allowlist")
    if allowlist is not None:
        _check_allowlist(allowlist, violations)
    if violations:
        raise ApiError(400, "invalid request", violations=tuple(violations))


def _check_allowlist(allowlist: object, violations: _Violations) -> None:
    if not isinstance(allowlist, Mapping):
        violations.append(("client.ip_allowlist", "must be an object"))
        return
    cidrs = allowlist.get("cidrs") or []
    if not isinstance(cidrs, list):
        violations.append(("client.ip_allowlist.cidrs", "must be a list"))
        return
    if allowlist.get("opted_in") and not cidrs:
        violations.append(("client.ip_allowlist.cidrs", "cannot opt in with no CIDR block"))
    for i, entry in enumerate(cidrs):
        value = entry.get("value") if isinstance(entry, Mapping) else None
        try:
            network = ipaddress.ip_network(value, strict=False) if isinstance(value, str) else None
        except ValueError:
            network = None
        if network is None or network.prefixlen == 0:
            violations.append(
                (f"client.ip_allowlist.cidrs[{i}].value", "must be a CIDR block, not all addresses")
            )


def _allowlist(value: Mapping[str, Any]) -> dict[str, Any]:
    cidrs = []
    for entry in value.get("cidrs") or []:
        network = ipaddress.ip_network(entry["value"], strict=False)
        cidrs.append({"value": entry["value"], "type": f"IPV{network.version}"})
    return {"opted_in": bool(value.get("opted_in")), "cidrs": cidrs}


def _default(key: str) -> Any:
    if key in _LISTS or key == "custom_claims":
        return []
    if key in ("disallow_scalekit_api_access", "enforce_pkce"):
        return False
    if key == "initiate_login_uri":
        return ""
    return None  # access_token_expiry, ip_allowlist: left out


def _apply(client: dict[str, Any], body: Mapping[str, Any], paths: list[str]) -> None:
    """Set each field of *paths* from *body*, or reset it when *body* lacks it."""
    for key in paths:
        value = body.get(key)
        if value is None:
            value = _default(key)
            if key == "name":
                continue  # a name cannot be cleared
        elif key == "access_token_expiry":
            value = str(value)
        elif key == "custom_claims":
            value = [{"key": c["key"], "value": c.get("value", "")} for c in value]
        elif key == "ip_allowlist":
            value = _allowlist(value)
        elif isinstance(value, list):
            value = list(value)
        if value is None:
            client.pop(key, None)
        else:
            client[key] = value


def _mask(request: FakeRequest, name: str, fields: frozenset[str]) -> list[str] | None:
    """The paths of the request's field mask named *name* (`None`: no mask)."""
    raw = request.param(name)
    if raw is None:
        return None
    paths = [p.strip() for p in raw.split(",") if p.strip()]
    unknown = [p for p in paths if p not in fields]
    if unknown:
        raise ApiError(
            400,
            f"invalid {name}",
            violations=tuple((name, f"unknown field path {p!r}") for p in unknown),
        )
    return paths


def check_id(name: str, value: str, prefix: str | None = None) -> None:
    """A 400 when *value* breaks the id rules of the API (length, prefix)."""
    if not 1 <= len(value) <= _ID_MAX:
        raise ApiError(400, f"invalid {name}", violations=((name, "value length must be 1 to 32"),))
    if prefix is not None and not value.startswith(prefix):
        raise ApiError(
            400, f"invalid {name}", violations=((name, f"value does not have prefix {prefix!r}"),)
        )


def install(fake: FakeState) -> None:
    """Route the environment OAuth client, client secret and consent operations on *fake*."""
    clients = fake.oauth_clients

    def find(client_id: str) -> dict[str, Any]:
        check_id("client_id", client_id)
        client = clients.get(client_id)
        if client is None:
            raise ApiError(404, f"client {client_id} not found")
        return client

    def find_any(client_id: str) -> dict[str, Any]:
        """An OAuth client or a resource client: the secret calls serve both."""
        check_id("client_id", client_id)
        client = clients.get(client_id) or fake.resource_clients.get(client_id)
        if client is None:
            raise ApiError(404, f"client {client_id} not found")
        return client

    def list_(request: FakeRequest) -> Reply:
        raw_size = request.param("page_size")
        if raw_size and (not raw_size.isdigit() or int(raw_size) > PAGE_SIZE_MAX):
            raise ApiError(
                400, "invalid page_size", violations=(("page_size", "must be at most 30"),)
            )
        types = {v for k, v in request.query if k == "filter.client_type"} or {"ENV"}
        unknown = types - _LIST_TYPES
        if unknown:
            raise ApiError(
                400,
                "invalid filter",
                violations=(("filter.client_type", f"unknown client type {sorted(unknown)[0]}"),),
            )
        if "ALL" in types and request.param("include_plain_secret") == "true":
            raise ApiError(
                400,
                "include_plain_secret is not available with ALL",
                violations=(("include_plain_secret", "not available with the ALL client type"),),
            )
        items = [c for c in clients.values() if "ALL" in types or c["client_type"] in types]
        return Reply.json(200, page(request, items, "clients", max_size=PAGE_SIZE_MAX))

    def create(request: FakeRequest) -> Reply:
        body = as_mapping(request.json())
        _validate(body, creating=True)
        now = fake.now()
        client_type = body["client_type"]
        client: dict[str, Any] = {
            "id": fake.new_id(OAUTH_CLIENT_PREFIX),
            "create_time": now,
            "update_time": now,
            "secrets": [],
            "name": body["name"],
            "client_type": client_type,
            "enforce_pkce": client_type in _PUBLIC,
            **{key: _default(key) for key in (*_LISTS, "custom_claims", "initiate_login_uri")},
            "disallow_scalekit_api_access": False,
        }
        _apply(client, body, [k for k in _UPDATE_FIELDS if body.get(k) is not None])
        answer = client
        if client_type not in _PUBLIC:
            secret, plain = new_secret(fake, "skc")
            client["secrets"].append(secret)
            answer = {**client, "secrets": [{**secret, "plain_secret": plain}]}
        clients[client["id"]] = client
        return Reply.json(201, {"client": answer})

    def get(request: FakeRequest, client_id: str) -> Reply:
        return Reply.json(200, {"client": find(client_id)})

    def update(request: FakeRequest, client_id: str) -> Reply:
        client = find(client_id)
        body = as_mapping(request.json())
        _validate(body, creating=False)
        paths = _mask(request, "mask", _UPDATE_FIELDS)
        if paths is None:
            paths = [k for k in body if body[k] is not None]
        _apply(client, body, paths)
        client["update_time"] = fake.now()
        return Reply.json(200, {"client": client})

    def delete(request: FakeRequest, client_id: str) -> Reply:
        find(client_id)
        del clients[client_id]
        return Reply.json(200, {})

    def create_secret(request: FakeRequest, client_id: str) -> Reply:
        client = find_any(client_id)
        if len(client["secrets"]) >= MAX_SECRETS:
            raise ApiError(
                400,
                f"only {MAX_SECRETS} secrets are allowed",
                error_code="INVALID_ARGUMENT",
            )
        secret, plain = new_secret(fake, client_id.partition("_")[0])
        client["secrets"].append(secret)
        client["update_time"] = fake.now()
        return Reply.json(201, {"plain_secret": plain, "secret": secret})

    def delete_secret(request: FakeRequest, client_id: str, secret_id: str) -> Reply:
        client = find_any(client_id)
        check_id("secret_id", secret_id)
        kept = [s for s in client["secrets"] if s["id"] != secret_id]
        if len(kept) == len(client["secrets"]):
            raise ApiError(404, f"secret {secret_id} not found")
        if not kept:
            raise ApiError(400, "at least one secret is required", error_code="INVALID_ARGUMENT")
        client["secrets"] = kept
        client["update_time"] = fake.now()
        return Reply.json(200, {})

    def revoke_consent(request: FakeRequest, client_id: str, consent_id: str) -> Reply:
        check_id("client_id", client_id, RESOURCE_CLIENT_PREFIX + "_")
        check_id("consent_id", consent_id, USER_CONSENT_PREFIX + "_")
        consent = fake.user_consents.get(consent_id)
        if consent is None or consent["client_id"] != client_id:
            raise ApiError(404, f"consent {consent_id} not found")
        del fake.user_consents[consent_id]
        return Reply.json(200, {})

    add = fake.router.add
    add("GET", "/api/v1/clients", list_)
    add("POST", "/api/v1/clients", create)
    add("GET", "/api/v1/clients/{client_id}", get)
    add("PATCH", "/api/v1/clients/{client_id}", update)
    add("DELETE", "/api/v1/clients/{client_id}", delete)
    add("POST", "/api/v1/clients/{client_id}/secrets", create_secret)
    add("DELETE", "/api/v1/clients/{client_id}/secrets/{secret_id}", delete_secret)
    add("DELETE", "/api/v1/clients/{client_id}/consents/{consent_id}", revoke_consent)
