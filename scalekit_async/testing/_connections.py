"""The fake's Connections endpoints, backed by `FakeScalekit.connections`.

``fake.connections`` maps a connection id to its wire JSON
(``connections.Connection``) minus ``domains``, which is derived on every
answer from the owning organization's ``ORGANIZATION_DOMAIN`` domains (the
domains that route users to its SSO), plus the bookkeeping key ``flags``
(``{"is_login": bool, "is_app": bool}``, never answered). A connection
belongs to an existing organization (and goes when it is deleted) or, without
``organization_id``, to the environment. Create them through the API
(``POST /api/v1/connections`` for the environment, ``POST
/api/v1/organizations/{organization_id}/connections`` for an organization's
SSO) or seed them with `add_connection`. A created connection starts
``IN_PROGRESS`` and disabled; its ``type`` defaults to ``OIDC`` for an
organization and ``OAUTH`` for the environment, its ``provider_key`` to the
lowercased provider, and a connection with a key (``key_id``) in the
environment gets an ``mcp_server_url``. Keys are unique among the
environment's connections and among each organization's.

Organization routes find only that organization's connections; the
environment routes (``GET``/``PATCH /api/v1/connections/{connection_id}``)
only the environment's. ``GET /api/v1/connections`` lists only active
connections (``status`` ``COMPLETED`` and ``enabled``) unless ``include=all``;
``GET /api/v1/connections/app`` lists the environment connections created
with ``flags.is_app=true``, paginated (at most 30 a page).

Custom login: `add_login_request` starts a login request of a connection (as
Scalekit does when it sends a user to a custom login page);
``POST /api/v1/connections/{connection_id}/auth-requests/{login_request_id}/user``
stores the user handed back for it in ``fake.login_requests``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._constants import AUTH_REQUEST_PREFIX, CONNECT_URL, CONNECTION_PREFIX, DEFAULT_ENV_URL
from ._domains import organization_domains
from ._events import emit
from ._http import ApiError, FakeRequest, Reply, as_mapping
from ._paging import page
from ._state import FakeState

__all__ = ["add_connection", "add_login_request", "install"]

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
        "resolved_proxy_url",
        "ui_button_title",
        "auth_mode",
        "create_time",
        "update_time",
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
_BOOKKEEPING = ("flags",)
# Fields the public spec's Connection lacks (newer or preview): answered only by the
# routes outside it (create, the environment routes), as their proto messages have them.
_PREVIEW_FIELDS = (
    "ui_button_title",
    "auth_mode",
    "resolved_proxy_url",
    "create_time",
    "update_time",
)
_PROVIDERS = frozenset(
    {
        "CONNECTION_PROVIDER_UNSPECIFIED",
        "OKTA",
        "GOOGLE",
        "MICROSOFT_AD",
        "AUTH0",
        "ONELOGIN",
        "PING_IDENTITY",
        "JUMPCLOUD",
        "CUSTOM",
        "GITHUB",
        "GITLAB",
        "LINKEDIN",
        "SALESFORCE",
        "MICROSOFT",
        "IDP_SIMULATOR",
        "SCALEKIT",
        "ADFS",
    }
)
_TYPES = frozenset(
    {
        "INVALID",
        "OIDC",
        "SAML",
        "PASSWORD",
        "OAUTH",
        "PASSWORDLESS",
        "BASIC",
        "BEARER",
        "API_KEY",
        "WEBAUTHN",
        "OAUTH_M2M",
        "TRELLO_OAUTH1",
        "GOOGLE_DWD",
        "TRUSTED_IDP",
        "SMART_FHIR",
        "NO_AUTH",
    }
)
_AUTH_MODES = frozenset({"CONNECTION_AUTH_MODE_UNSPECIFIED", "USER", "ORG_WIDE"})
_CONFIGURATION_TYPES = frozenset({"CONFIGURATION_TYPE_UNSPECIFIED", "DISCOVERY", "MANUAL"})
_ORG_UNSUPPORTED_TYPES = frozenset({"OAUTH", "PASSWORDLESS", "WEBAUTHN"})
_SETTINGS_OF_TYPE = {
    "OIDC": "oidc_config",
    "SAML": "saml_config",
    "OAUTH": "oauth_config",
    "PASSWORDLESS": "passwordless_config",
    "BASIC": "static_config",
    "BEARER": "static_config",
    "API_KEY": "static_config",
    "WEBAUTHN": "webauthn_config",
    "GOOGLE_DWD": "google_dwd_config",
}
_KEY_MAX_LEN = 300
_APPS_MAX_PAGE_SIZE = 30
_CONTEXT_KEYS = frozenset({"domain", "version"})
_LOGIN_USER_STRINGS = (
    "sub",
    "email",
    "given_name",
    "family_name",
    "phone_number",
    "name",
    "preferred_username",
    "picture",
    "gender",
    "locale",
    "organization_external_id",
    "organization_external_name",
)
_LOGIN_USER_BOOLS = ("email_verified", "phone_number_verified", "login_failed")
_LOGIN_USER_LISTS = ("groups", "roles")
_ORGANIZATION_NAME_MAX_LEN = 200


def _bad(field: str, description: str) -> ApiError:
    return ApiError(400, "invalid request", violations=((field, description),))


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


def add_connection(
    fake: FakeState,
    organization_id: str | None,
    *,
    is_app: bool = False,
    is_login: bool = False,
    **fields: Any,
) -> dict[str, Any]:
    """Seed a connection of an existing organization (or of the environment) and return it.

    By default it is a completed, enabled Okta SAML connection with SAML
    service-provider settings; any ``connections.Connection`` field (wire
    names and values, e.g. ``type="OIDC"``, ``enabled=False``,
    ``status="DRAFT"``) overrides the default. With *organization_id* `None`
    it is a connection of the environment; *is_app* and *is_login* are its
    creation flags (*is_app* lists it among the app connections).

    Raises:
        LookupError: the organization does not exist in *fake*.
        TypeError: a field is not a ``connections.Connection`` field.

    """
    if organization_id is not None and organization_id not in fake.organizations:
        raise LookupError(f"no organization {organization_id!r} in this fake; create it first")
    unknown = sorted(set(fields) - _FIELDS)
    if unknown:
        raise TypeError(f"not connection fields: {', '.join(unknown)}")
    connection_id = fields.get("id") or fake.new_id(CONNECTION_PREFIX)
    base = f"{DEFAULT_ENV_URL}/sso/v1/connections/{connection_id}"
    record: dict[str, Any] = {"id": connection_id}
    if organization_id is not None:
        record["organization_id"] = organization_id
    record.update(
        {
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
    )
    record.update(fields)
    record["id"] = connection_id
    if not any(key in record for key in _CONFIGS):
        config = _default_config(str(record["type"]), base)
        if config is not None:
            record[config[0]] = config[1]
    record["flags"] = {"is_login": is_login, "is_app": is_app}
    fake.connections[connection_id] = record
    if organization_id is not None:
        emit(fake, "organization.sso_created", record)
    return record


def add_login_request(fake: FakeState, connection_id: str) -> str:
    """Start a custom-login request of connection *connection_id*; return its id.

    This is what Scalekit does when it sends a user to your custom login page
    (the id arrives there as ``login_request_id``); hand the user back with
    ``client.connections.update_login_user(connection_id, auth_request_id=...)``.

    Raises:
        LookupError: the connection does not exist in *fake*.

    """
    if connection_id not in fake.connections:
        raise LookupError(f"no connection {connection_id!r} in this fake; add it first")
    request_id = fake.new_id(AUTH_REQUEST_PREFIX)
    fake.login_requests[request_id] = {
        "id": request_id,
        "connection_id": connection_id,
        "user": None,
    }
    return request_id


def _enum(body: Mapping[str, Any], name: str, allowed: frozenset[str], field: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or value not in allowed:
        raise _bad(f"{field}.{name}", "value must be one of the defined enum values")
    return value


def _string(body: Mapping[str, Any], name: str, field: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad(f"{field}.{name}", "must be a string")
    return value


def _query_flag(request: FakeRequest, name: str) -> bool:
    raw = request.param(name)
    if raw in (None, "", "false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise _bad(name, "must be true or false")


def _check_pair(body: Mapping[str, Any], field: str) -> None:
    """The message-level rules of ``CreateConnection``/``UpdateConnection``."""
    provider = body.get("provider") or "CONNECTION_PROVIDER_UNSPECIFIED"
    if provider == "CONNECTION_PROVIDER_UNSPECIFIED" and not body.get("provider_key"):
        raise _bad(field, "provider or provider_key is required")
    if provider == "SCALEKIT" and body.get("provider_key") != "SCALEKIT":
        raise _bad(field, "invalid value for provider_key")
    if body.get("type") == "WEBAUTHN" and body.get("key_id") != "WEBAUTHN":
        raise _bad(field, "invalid value for key_id")


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
        if connection is None or connection.get("organization_id") != org_id:
            raise ApiError(404, f"connection {conn_id} not found")
        return connection

    def find_env(conn_id: str) -> dict[str, Any]:
        connection = connections.get(conn_id)
        if connection is None or connection.get("organization_id"):
            raise ApiError(404, f"connection {conn_id} not found")
        return connection

    def full(connection: dict[str, Any], *, preview: bool = True) -> dict[str, Any]:
        hidden = _BOOKKEEPING if preview else _BOOKKEEPING + _PREVIEW_FIELDS
        out = {k: v for k, v in connection.items() if k not in hidden}
        org_id = connection.get("organization_id")
        out["domains"] = sso_domains(org_id) if org_id else []
        return out

    def summary(connection: dict[str, Any], *, preview: bool = True) -> dict[str, Any]:
        org_id = connection.get("organization_id") or ""
        org = fake.organizations.get(org_id, {}) if org_id else {}
        out = {
            "id": connection["id"],
            "provider": connection.get("provider", "CONNECTION_PROVIDER_UNSPECIFIED"),
            "type": connection.get("type", "INVALID"),
            "status": connection.get("status", "CONNECTION_STATUS_UNSPECIFIED"),
            "enabled": connection.get("enabled", False),
            "organization_id": org_id,
            "organization_name": org.get("display_name", ""),
            "domains": [d["domain"] for d in sso_domains(org_id)] if org_id else [],
            "provider_key": connection.get("provider_key", ""),
            "key_id": connection.get("key_id", ""),
            "mcp_server_url": connection.get("mcp_server_url", ""),
        }
        if not preview:
            return out
        for name in ("ui_button_title", "auth_mode"):
            if connection.get(name):
                out[name] = connection[name]
        if connection.get("create_time"):
            out["created_at"] = connection["create_time"]
        return out

    def key_taken(org_id: str | None, key: str, but: str | None = None) -> bool:
        return any(
            c.get("key_id") == key
            and (c.get("organization_id") or None) == org_id
            and c["id"] != but
            for c in connections.values()
        )

    def create(request: FakeRequest, org_id: str | None) -> Reply:
        body = as_mapping(request.json())
        field = "connection"
        provider = _enum(body, "provider", _PROVIDERS, field)
        connection_type = _enum(body, "type", _TYPES, field)
        auth_mode = _enum(body, "auth_mode", _AUTH_MODES, field)
        provider_key = _string(body, "provider_key", field)
        key = _string(body, "key_id", field)
        _check_pair(body, field)
        if org_id is not None and connection_type in _ORG_UNSUPPORTED_TYPES:
            raise _bad(field, "OAUTH, PASSWORDLESS and WEBAUTHN are not supported yet")
        context = body.get("context")
        if context is not None and (
            not isinstance(context, Mapping) or set(context) - _CONTEXT_KEYS
        ):
            raise _bad(f"{field}.context", "only domain and version are recognized")
        if key is not None and key_taken(org_id, key):
            raise ApiError(409, f"a connection with key {key} already exists")
        if connection_type is None or connection_type == "INVALID":
            connection_type = "OIDC" if org_id is not None else "OAUTH"
        if provider is None:
            provider = "CONNECTION_PROVIDER_UNSPECIFIED"
        fields: dict[str, Any] = {
            "provider": provider,
            "provider_key": provider_key or provider.lower(),
            "type": connection_type,
            "status": "IN_PROGRESS",
            "enabled": False,
            "configuration_type": "MANUAL",
            "create_time": fake.now(),
            "update_time": fake.now(),
        }
        if key is not None:
            fields["key_id"] = key
            if org_id is None:
                fields["mcp_server_url"] = f"{CONNECT_URL}/mcp/v3/connections/{key}"
        if auth_mode is not None:
            fields["auth_mode"] = auth_mode
        elif org_id is None:
            fields["auth_mode"] = "USER"
        flags = {}
        if org_id is None:
            flags = {
                "is_login": _query_flag(request, "flags.is_login"),
                "is_app": _query_flag(request, "flags.is_app"),
            }
        connection = add_connection(fake, org_id, **flags, **fields)
        return Reply.json(201, {"connection": full(connection)})

    def create_env(request: FakeRequest) -> Reply:
        return create(request, None)

    def create_org(request: FakeRequest, organization_id: str) -> Reply:
        if len(organization_id) > _FILTER_MAX_LEN:
            raise _bad("organization_id", "value length must be at most 32 runes")
        if organization_id not in fake.organizations:
            raise ApiError(404, f"organization {organization_id} not found")
        return create(request, organization_id)

    def get_env(request: FakeRequest, connection_id: str) -> Reply:
        return Reply.json(200, {"connection": full(find_env(connection_id))})

    def update_env(request: FakeRequest, connection_id: str) -> Reply:
        connection = find_env(connection_id)
        body = as_mapping(request.json())
        field = "connection"
        provider = _enum(body, "provider", _PROVIDERS, field)
        connection_type = _enum(body, "type", _TYPES, field)
        configuration_type = _enum(body, "configuration_type", _CONFIGURATION_TYPES, field)
        provider_key = _string(body, "provider_key", field)
        key = _string(body, "key_id", field)
        title = _string(body, "ui_button_title", field)
        _check_pair(body, field)
        if key is not None:
            if not 1 <= len(key) <= _KEY_MAX_LEN:
                raise _bad(f"{field}.key_id", f"value length must be 1 to {_KEY_MAX_LEN} runes")
            if key_taken(None, key, but=connection_id):
                raise ApiError(409, f"a connection with key {key} already exists")
        debug = body.get("debug_enabled")
        if debug is not None and not isinstance(debug, bool):
            raise _bad(f"{field}.debug_enabled", "must be a bool")
        mapping = body.get("attribute_mapping")
        if mapping is not None and not (
            isinstance(mapping, Mapping)
            and len(mapping) <= 30
            and all(
                isinstance(k, str)
                and isinstance(v, str)
                and 1 <= len(k) <= 100
                and 1 <= len(v) <= 256
                for k, v in mapping.items()
            )
        ):
            raise _bad(f"{field}.attribute_mapping", "at most 30 non-empty string pairs")
        blocks = [name for name in _CONFIGS if body.get(name) is not None]
        if len(blocks) > 1:
            raise _bad(field, "only one of the settings fields may be set")
        new_type = connection_type if connection_type not in (None, "INVALID") else None
        effective_type = new_type or connection.get("type", "")
        for name in blocks:
            if not isinstance(body[name], Mapping):
                raise _bad(f"{field}.{name}", "must be an object")
            expected = _SETTINGS_OF_TYPE.get(effective_type)
            if expected is not None and expected != name:
                raise _bad(f"{field}.{name}", f"not the settings of a {effective_type} connection")
        if provider not in (None, "CONNECTION_PROVIDER_UNSPECIFIED"):
            connection["provider"] = provider
        if provider_key:
            connection["provider_key"] = provider_key
        if new_type is not None:
            connection["type"] = new_type
        if configuration_type not in (None, "CONFIGURATION_TYPE_UNSPECIFIED"):
            connection["configuration_type"] = configuration_type
        if key is not None:
            connection["key_id"] = key
            connection["mcp_server_url"] = f"{CONNECT_URL}/mcp/v3/connections/{key}"
        if debug is not None:
            connection["debug_enabled"] = debug
        if title is not None:
            connection["ui_button_title"] = title
        if mapping is not None:
            connection["attribute_mapping"] = dict(mapping)
        for name in blocks:
            for other in _CONFIGS:
                if other != name:
                    connection.pop(other, None)
            connection[name] = {**(connection.get(name) or {}), **body[name]}
        connection["update_time"] = fake.now()
        connections.reindex(connection_id)
        return Reply.json(200, {"connection": full(connection)})

    def list_apps(request: FakeRequest) -> Reply:
        raw_size = request.param("page_size")
        if raw_size and raw_size.isdigit() and int(raw_size) > _APPS_MAX_PAGE_SIZE:
            raise _bad("page_size", f"value must be less than or equal to {_APPS_MAX_PAGE_SIZE}")
        provider = request.param("provider")
        if provider is not None and not 1 <= len(provider) <= 50:
            raise _bad("provider", "value length must be between 1 and 50 runes")
        query = request.param("query")
        if query is not None and not 3 <= len(query) <= 100:
            raise _bad("query", "value length must be between 3 and 100 runes")
        items = [
            c
            for c in connections.values()
            if not c.get("organization_id") and (c.get("flags") or {}).get("is_app")
        ]
        if provider is not None:
            wanted = provider.lower()
            items = [
                c
                for c in items
                if wanted in (str(c.get("provider", "")).lower(), c.get("provider_key", "").lower())
            ]
        if query is not None:
            needle = query.lower()
            items = [
                c
                for c in items
                if any(
                    needle in str(c.get(name) or "").lower()
                    for name in ("key_id", "provider_key", "provider")
                )
            ]
        body = page(request, items, "connections", max_size=_APPS_MAX_PAGE_SIZE)
        body["connections"] = [summary(c) for c in body["connections"]]
        return Reply.json(200, body)

    def update_login_user(request: FakeRequest, connection_id: str, login_request_id: str) -> Reply:
        if len(connection_id) > _FILTER_MAX_LEN:
            raise _bad("connection_id", "value length must be at most 32 runes")
        if connection_id not in connections:
            raise ApiError(404, f"connection {connection_id} not found")
        login = fake.login_requests.get(login_request_id)
        if login is None or login["connection_id"] != connection_id:
            raise ApiError(404, f"login request {login_request_id} not found")
        body = as_mapping(request.json() or {})
        user = _login_user(body)
        login["user"] = user
        fake.login_requests.reindex(login_request_id)
        return Reply.json(200, {"auth_request_id": login_request_id})

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
                if c.get("organization_id")
                and any(d["domain"] == wanted for d in sso_domains(c["organization_id"]))
            ]
        if include != "all":
            items = [c for c in items if c["status"] == "COMPLETED" and c["enabled"]]
        return Reply.json(200, {"connections": [summary(c, preview=False) for c in items]})

    def get(request: FakeRequest, organization_id: str, id: str) -> Reply:
        connection = find(organization_id, id)
        return Reply.json(200, {"connection": full(connection, preview=False)})

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
    add("POST", "/api/v1/connections", create_env)
    # Before {connection_id}, which would match "app" too: the gateway routes it here.
    add("GET", "/api/v1/connections/app", list_apps)
    add("GET", "/api/v1/connections/{connection_id}", get_env)
    add("PATCH", "/api/v1/connections/{connection_id}", update_env)
    add(
        "POST",
        "/api/v1/connections/{connection_id}/auth-requests/{login_request_id}/user",
        update_login_user,
    )
    add("POST", "/api/v1/organizations/{organization_id}/connections", create_org)
    add("GET", "/api/v1/organizations/{organization_id}/connections/{id}", get)
    add("DELETE", "/api/v1/organizations/{organization_id}/connections/{id}", delete)
    add("PATCH", "/api/v1/organizations/{organization_id}/connections/{id}:enable", toggle(True))
    add("PATCH", "/api/v1/organizations/{organization_id}/connections/{id}:disable", toggle(False))


def _login_user(body: Mapping[str, Any]) -> dict[str, Any]:
    """Check an ``auth.User`` body as the API does; return what is kept of it."""
    user: dict[str, Any] = {}
    for name, value in body.items():
        if name in _LOGIN_USER_STRINGS:
            ok = isinstance(value, str)
        elif name in _LOGIN_USER_BOOLS:
            ok = isinstance(value, bool)
        elif name in _LOGIN_USER_LISTS:
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        elif name == "custom_attributes":
            ok = isinstance(value, Mapping)
        else:
            raise _bad(name, "unknown field")
        if not ok:
            raise _bad(name, "wrong type")
        user[name] = value
    if not user.get("login_failed") and not (user.get("sub") and user.get("email")):
        raise ApiError(
            400,
            "invalid request",
            violations=(
                (
                    "user",
                    "sub and email must be non-empty unless login_failed is true",
                    "user.sub_email_required_unless_login_failed",
                ),
            ),
        )
    if len(user.get("organization_external_name") or "") > _ORGANIZATION_NAME_MAX_LEN:
        raise _bad(
            "user.organization_external_name",
            f"value length must be at most {_ORGANIZATION_NAME_MAX_LEN} runes",
        )
    return user
