"""The fake's Connections endpoints, backed by `FakeScalekit.connections`.

``fake.connections`` maps a connection id to its wire JSON
(``connections.Connection``) minus ``domains``, which is derived on every
answer from the owning organization's ``ORGANIZATION_DOMAIN`` domains (the
domains that route users to its SSO). The public API cannot create a
connection, so seed them with `add_connection`. A connection belongs to an
existing organization and goes when it is deleted; enable and disable flip
its stored ``enabled``.

``GET /api/v1/connections`` lists only active connections (``status``
``COMPLETED`` and ``enabled``) unless ``include=all``.
"""

from __future__ import annotations

from typing import Any

from ._constants import CONNECTION_PREFIX, DEFAULT_ENV_URL
from ._domains import organization_domains
from ._events import emit
from ._http import ApiError, FakeRequest, Reply
from ._state import FakeState

__all__ = ["add_connection", "install"]

_FIELDS = frozenset(
    {
        "id",
        "provider",
        "provider_key",
        "type",
        "status",
        "enabled",
        "debug_enabled",
        "configuration_type",
        "key_id",
        "test_connection_uri",
        "mcp_server_url",
        "attribute_mapping",
        "oidc_config",
        "saml_config",
        "oauth_config",
        "passwordless_config",
        "static_config",
        "webauthn_config",
        "google_dwd_config",
    }
)
_CONFIGS = (
    "oidc_config",
    "saml_config",
    "oauth_config",
    "passwordless_config",
    "static_config",
    "webauthn_config",
    "google_dwd_config",
)
_FILTER_MAX_LEN = 32


def _default_config(connection_type: str, base: str) -> tuple[str, dict[str, Any]] | None:
    if connection_type == "SAML":
        return "saml_config", {
            "sp_entity_id": f"{base}/saml/metadata",
            "sp_assertion_url": f"{base}/saml/acs",
            "sp_metadata_url": f"{base}/saml/metadata",
            "idp_certificates": [],
            "idp_name_id_format": "EMAIL",
            "idp_sso_request_binding": "HTTP_POST",
            "idp_slo_request_binding": "HTTP_REDIRECT",
            "saml_signing_option": "SAML_ONLY_RESPONSE_SIGNING",
            "idp_slo_required": False,
            "allow_idp_initiated_login": False,
            "force_authn": False,
            "assertion_encrypted": False,
            "want_request_signed": False,
        }
    if connection_type == "OIDC":
        return "oidc_config", {
            "redirect_uri": f"{base}/oidc/callback",
            "scopes": ["openid", "profile", "email"],
            "token_auth_type": "URL_PARAMS",
            "pkce_enabled": False,
        }
    return None


def add_connection(fake: FakeState, organization_id: str, **fields: Any) -> dict[str, Any]:
    """Seed a connection of an existing organization and return its stored record.

    By default it is a completed, enabled Okta SAML connection with SAML
    service-provider settings; any ``connections.Connection`` field (wire
    names and values, e.g. ``type="OIDC"``, ``enabled=False``,
    ``status="DRAFT"``) overrides the default.

    Raises:
        LookupError: the organization does not exist in *fake*.
        TypeError: a field is not a ``connections.Connection`` field.

    """
    if organization_id not in fake.organizations:
        raise LookupError(f"no organization {organization_id!r} in this fake; create it first")
    unknown = sorted(set(fields) - _FIELDS)
    if unknown:
        raise TypeError(f"not connection fields: {', '.join(unknown)}")
    connection_id = fields.get("id") or fake.new_id(CONNECTION_PREFIX)
    base = f"{DEFAULT_ENV_URL}/sso/v1/connections/{connection_id}"
    record: dict[str, Any] = {
        "id": connection_id,
        "organization_id": organization_id,
        "provider": "OKTA",
        "provider_key": "okta",
        "type": "SAML",
        "status": "COMPLETED",
        "enabled": True,
        "debug_enabled": False,
        "configuration_type": "MANUAL",
        "test_connection_uri": f"{base}/test",
        "attribute_mapping": {},
    }
    record.update(fields)
    record["id"] = connection_id
    if not any(key in record for key in _CONFIGS):
        config = _default_config(str(record["type"]), base)
        if config is not None:
            record[config[0]] = config[1]
    fake.connections[connection_id] = record
    emit(fake, "organization.sso_created", record)
    return record


def install(fake: FakeState) -> None:
    """Route the Connections operations on *fake*."""
    connections = fake.connections

    def forget(org_id: str) -> None:
        for conn_id in connections.ids_of_organization(org_id):
            del connections[conn_id]

    fake.deletion_hooks.append(forget)

    def sso_domains(org_id: str) -> list[dict[str, Any]]:
        return [
            d
            for d in organization_domains(fake, org_id)
            if d["domain_type"] == "ORGANIZATION_DOMAIN"
        ]

    def find(org_id: str, conn_id: str) -> dict[str, Any]:
        if org_id not in fake.organizations:
            raise ApiError(404, f"organization {org_id} not found")
        connection = connections.get(conn_id)
        if connection is None or connection["organization_id"] != org_id:
            raise ApiError(404, f"connection {conn_id} not found")
        return connection

    def full(connection: dict[str, Any]) -> dict[str, Any]:
        return {**connection, "domains": sso_domains(connection["organization_id"])}

    def summary(connection: dict[str, Any]) -> dict[str, Any]:
        org_id = connection["organization_id"]
        org = fake.organizations.get(org_id, {})
        return {
            "id": connection["id"],
            "provider": connection["provider"],
            "type": connection["type"],
            "status": connection["status"],
            "enabled": connection["enabled"],
            "organization_id": org_id,
            "organization_name": org.get("display_name", ""),
            "domains": [d["domain"] for d in sso_domains(org_id)],
            "provider_key": connection.get("provider_key", ""),
            "key_id": connection.get("key_id", ""),
            "mcp_server_url": connection.get("mcp_server_url", ""),
        }

    def filter_param(request: FakeRequest, name: str) -> str | None:
        value = request.param(name)
        if value is not None and not 1 <= len(value) <= _FILTER_MAX_LEN:
            raise ApiError(
                400,
                "invalid request",
                violations=((name, "value length must be between 1 and 32 runes"),),
            )
        return value

    def list_(request: FakeRequest) -> Reply:
        org_id = filter_param(request, "organization_id")
        domain = filter_param(request, "domain")
        include = request.param("include") or ""
        if include not in ("", "all"):
            raise ApiError(
                400, "invalid request", violations=(("include", "must be empty or 'all'"),)
            )
        if org_id is not None:
            items = [connections[i] for i in connections.ids_of_organization(org_id)]
        else:
            items = list(connections.values())
        if domain is not None:
            wanted = domain.lower()
            items = [
                c
                for c in items
                if any(d["domain"] == wanted for d in sso_domains(c["organization_id"]))
            ]
        if include != "all":
            items = [c for c in items if c["status"] == "COMPLETED" and c["enabled"]]
        return Reply.json(200, {"connections": [summary(c) for c in items]})

    def get(request: FakeRequest, organization_id: str, id: str) -> Reply:
        return Reply.json(200, {"connection": full(find(organization_id, id))})

    def delete(request: FakeRequest, organization_id: str, id: str) -> Reply:
        connection = find(organization_id, id)
        del connections[id]
        emit(fake, "organization.sso_deleted", connection)
        return Reply.json(200, {})

    def toggle(on: bool) -> Any:
        def handler(request: FakeRequest, organization_id: str, id: str) -> Reply:
            connection = find(organization_id, id)
            connection["enabled"] = on
            emit(fake, f"organization.sso_{'enabled' if on else 'disabled'}", connection)
            return Reply.json(200, {"enabled": on})

        return handler

    add = fake.router.add
    add("GET", "/api/v1/connections", list_)
    add("GET", "/api/v1/organizations/{organization_id}/connections/{id}", get)
    add("DELETE", "/api/v1/organizations/{organization_id}/connections/{id}", delete)
    add("PATCH", "/api/v1/organizations/{organization_id}/connections/{id}:enable", toggle(True))
    add("PATCH", "/api/v1/organizations/{organization_id}/connections/{id}:disable", toggle(False))
