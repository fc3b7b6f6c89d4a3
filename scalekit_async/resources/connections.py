"""``client.connections``: SSO, environment (AgentKit) and custom-login connections.

A connection belongs to an organization (its SSO) or to the environment (an
AgentKit app connection, or a login method). Methods that take an optional
`organization_id` pick the route by it: `None` means the environment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .._pagination import AsyncPaginator
from .._routes import Route, operation, segment
from .._types import NOT_GIVEN, NotGiven, NotGivenOr, given
from ..models._common import IdentityProviderType
from ..models.connections import (
    Connection,
    ConnectionAuthMode,
    ConnectionConfigurationType,
    ConnectionSummary,
    ConnectionToggle,
    ConnectionType,
    LoginUser,
)
from ._base import Resource, check_page_size

__all__ = ["Connections"]

_LIST = Route("GET", "/api/v1/connections")
_GET = Route("GET", "/api/v1/organizations/{organization_id}/connections/{id}")
_DELETE = Route("DELETE", "/api/v1/organizations/{organization_id}/connections/{id}")
_ENABLE = Route("PATCH", "/api/v1/organizations/{organization_id}/connections/{id}:enable")
_DISABLE = Route("PATCH", "/api/v1/organizations/{organization_id}/connections/{id}:disable")
_CREATE_ENV = Route("POST", "/api/v1/connections")
_CREATE_ORG = Route("POST", "/api/v1/organizations/{organization_id}/connections")
_GET_ENV = Route("GET", "/api/v1/connections/{connection_id}")
_UPDATE_ENV = Route("PATCH", "/api/v1/connections/{connection_id}")
_LIST_APPS = Route("GET", "/api/v1/connections/app")
_UPDATE_LOGIN_USER = Route(
    "POST", "/api/v1/connections/{connection_id}/auth-requests/{login_request_id}/user"
)

_APPS_MAX_PAGE_SIZE = 30
_KEY_MAX_LEN = 300
_MAPPING_MAX_PAIRS = 30
_MAPPING_KEY_MAX_LEN = 100
_MAPPING_VALUE_MAX_LEN = 256
_CONTEXT_KEYS = frozenset({"domain", "version"})
_ORG_UNSUPPORTED_TYPES = frozenset({"OAUTH", "PASSWORDLESS", "WEBAUTHN"})
_ORGANIZATION_NAME_MAX_LEN = 200
_SETTINGS = (
    "oidc_config",
    "saml_config",
    "oauth_config",
    "passwordless_config",
    "static_config",
    "webauthn_config",
    "google_dwd_config",
)
_UNSPECIFIED_PROVIDERS = frozenset(
    {"IDENTITY_PROVIDER_UNSPECIFIED", "CONNECTION_PROVIDER_UNSPECIFIED"}
)
_LOGIN_USER_FIELDS = frozenset(f.name for f in attrs.fields(LoginUser))


class Connections(Resource):
    """Create, read, change, enable, disable and delete connections; finish custom logins."""

    __slots__ = ()

    @operation(_LIST)
    def list(
        self,
        *,
        organization_id: str | None = None,
        domain: str | None = None,
        include: str | None = None,
    ) -> AsyncPaginator[ConnectionSummary]:
        """List connections, by organization or by an email domain of its organization.

        The server answers with one unpaginated list. By default it holds only
        active connections (configured and enabled); ``include="all"`` lists
        every connection whatever its state. A filter passed as `None` is not sent.
        """
        params = {
            name: _filter(name, value)
            for name, value in (
                ("organization_id", organization_id),
                ("domain", domain),
                ("include", include),
            )
            if value is not None
        }
        return self._list_all(_LIST, key="connections", item=ConnectionSummary, params=params)

    @operation(_CREATE_ENV, _CREATE_ORG)
    async def create(
        self,
        *,
        organization_id: str | None = None,
        provider: IdentityProviderType | str | None = None,
        provider_key: str | None = None,
        type: ConnectionType | str | None = None,
        key: str | None = None,
        auth_mode: ConnectionAuthMode | str | None = None,
        context: Mapping[str, str] | None = None,
        is_login: bool | None = None,
        is_app: bool | None = None,
    ) -> Connection:
        """Create a connection: an organization's SSO connection, or an environment one.

        **Preview.** Scalekit marks these operations as preview: the API may
        change.

        With `organization_id`, an SSO connection of that organization (OIDC,
        SAML...; not OAUTH, PASSWORDLESS or WEBAUTHN). Without, a connection of
        the environment: `is_app` makes it an AgentKit app connection (listed by
        `list_apps`), `is_login` a login method; these two flags exist only for
        environment connections.

        `provider` (e.g. ``"OKTA"``) or `provider_key` (e.g. ``"gmail"``) is
        required. `key` is the connection's key (``key_id`` on the wire, e.g.
        ``"gmail_work"``): the name agents and connected accounts use for it; a
        WEBAUTHN connection's key must be ``"WEBAUTHN"``. `auth_mode` chooses
        whose credential an app connection uses (see `ConnectionAuthMode`).
        `context` (only ``domain`` and ``version``) resolves a provider's
        region-specific URL at creation and is not stored.

        Raises:
            TypeError: a flag with `organization_id`, or an argument of the wrong type.
            ValueError: neither `provider` nor `provider_key`, or a value the API refuses.

        """
        org = _scope(organization_id)
        if org is not None and (is_login is not None or is_app is not None):
            raise TypeError("is_login and is_app are flags of environment connections only")
        provider_value = _provider(provider)
        type_value = _enum("type", type, ConnectionType)
        body = given(
            provider=provider_value,
            type=type_value,
            provider_key=_text("provider_key", provider_key),
            key_id=_key(key),
            context=_context(context),
            auth_mode=_enum("auth_mode", auth_mode, ConnectionAuthMode),
        )
        _check_provider(provider_value, body.get("provider_key", NOT_GIVEN))
        _check_key(type_value, body.get("key_id", NOT_GIVEN))
        if org is not None:
            if type_value in _ORG_UNSUPPORTED_TYPES:
                raise ValueError(f"an organization connection cannot be of type {type_value}")
            data = await self._engine.call(_CREATE_ORG, org, body=body)
        else:
            params = {
                "flags.is_login": _flag("is_login", is_login),
                "flags.is_app": _flag("is_app", is_app),
            }
            data = await self._engine.call(_CREATE_ENV, params=params, body=body)
        return self._engine.unwrap(data, "connection", Connection)

    @operation(_GET, _GET_ENV)
    async def get(self, id: str, *, organization_id: str | None = None) -> Connection:
        """Fetch the connection *id*, with its protocol settings.

        With `organization_id`, a connection of that organization; without, a
        connection of the environment.

        **Preview.** Reading an environment connection (no `organization_id`)
        is a preview operation: its API may change.
        """
        segment("id", id)  # a bad id is named as the caller knows it
        org = _scope(organization_id)
        if org is None:
            data = await self._engine.call(_GET_ENV, id)
        else:
            data = await self._engine.call(_GET, org, id)
        return self._engine.unwrap(data, "connection", Connection)

    @operation(_UPDATE_ENV)
    async def update(
        self,
        id: str,
        *,
        provider: NotGivenOr[IdentityProviderType | str] = NOT_GIVEN,
        provider_key: NotGivenOr[str] = NOT_GIVEN,
        type: NotGivenOr[ConnectionType | str] = NOT_GIVEN,
        key: NotGivenOr[str] = NOT_GIVEN,
        debug_enabled: NotGivenOr[bool] = NOT_GIVEN,
        ui_button_title: NotGivenOr[str | None] = NOT_GIVEN,
        configuration_type: NotGivenOr[ConnectionConfigurationType | str] = NOT_GIVEN,
        attribute_mapping: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
        oidc_config: NotGivenOr[Mapping[str, Any]] = NOT_GIVEN,
        saml_config: NotGivenOr[Mapping[str, Any]] = NOT_GIVEN,
        oauth_config: NotGivenOr[Mapping[str, Any]] = NOT_GIVEN,
        passwordless_config: NotGivenOr[Mapping[str, Any]] = NOT_GIVEN,
        static_config: NotGivenOr[Mapping[str, Any]] = NOT_GIVEN,
        webauthn_config: NotGivenOr[Mapping[str, Any]] = NOT_GIVEN,
        google_dwd_config: NotGivenOr[Mapping[str, Any]] = NOT_GIVEN,
    ) -> Connection:
        """Change an environment connection *id*; returns it as it is afterwards.

        **Preview.** Scalekit marks this operation as preview: the API may change.

        The API has no field mask: the fields passed are sent, the others are
        left as they are, and every update must repeat `provider` or
        `provider_key` (the API requires one). At most one settings block
        (``oidc_config``, ``saml_config``, ...) may be passed, as the API's JSON
        for that protocol (e.g. ``{"client_id": "...", "issuer": "..."}``).
        `ui_button_title=None` clears the button title. `key` is the
        connection's key (``key_id`` on the wire).

        Raises:
            ValueError: neither `provider` nor `provider_key`, two settings
                blocks, or a value the API refuses.

        """
        segment("id", id)
        provider_value = _provider(provider)
        type_value = _enum("type", type, ConnectionType)
        if isinstance(ui_button_title, NotGiven):
            title: NotGivenOr[str] = NOT_GIVEN
        else:
            title = "" if ui_button_title is None else _text("ui_button_title", ui_button_title)
        body = given(
            provider=provider_value,
            type=type_value,
            provider_key=_text("provider_key", provider_key),
            key_id=_key(key),
            debug_enabled=_flag("debug_enabled", debug_enabled),
            ui_button_title=title,
            configuration_type=_enum(
                "configuration_type", configuration_type, ConnectionConfigurationType
            ),
            attribute_mapping=_attribute_mapping(attribute_mapping),
        )
        blocks = {
            name: value
            for name, value in zip(
                _SETTINGS,
                (
                    oidc_config,
                    saml_config,
                    oauth_config,
                    passwordless_config,
                    static_config,
                    webauthn_config,
                    google_dwd_config,
                ),
                strict=True,
            )
            if not isinstance(value, NotGiven)
        }
        if len(blocks) > 1:
            raise ValueError(f"pass at most one settings block, not {', '.join(blocks)}")
        for name, block in blocks.items():
            if not isinstance(block, Mapping):
                raise TypeError(f"{name} must be a mapping, not {block.__class__.__name__}")
            body[name] = dict(block)
        _check_provider(provider_value, body.get("provider_key", NOT_GIVEN))
        _check_key(type_value, body.get("key_id", NOT_GIVEN))
        data = await self._engine.call(_UPDATE_ENV, id, body=body)
        return self._engine.unwrap(data, "connection", Connection)

    @operation(_LIST_APPS)
    def list_apps(
        self,
        *,
        provider: str | None = None,
        query: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPaginator[ConnectionSummary]:
        """List the environment's AgentKit app connections (at most 30 a page).

        **Preview.** Scalekit marks this operation as preview: the API may change.

        `provider` (1 to 50 characters) keeps one provider's connections;
        `query` (3 to 100 characters) matches connection keys and providers. An
        argument passed as `None` is not sent.
        """
        check_page_size(page_size, _APPS_MAX_PAGE_SIZE)
        params = {
            "provider": _bounded("provider", provider, 1, 50),
            "query": _bounded("query", query, 3, 100),
            "page_size": NOT_GIVEN if page_size is None else page_size,
        }
        return self._paginate(
            _LIST_APPS,
            key="connections",
            item=ConnectionSummary,
            params=params,
            page_token=NOT_GIVEN if page_token is None else page_token,
        )

    @operation(_DELETE)
    async def delete(self, id: str, *, organization_id: str) -> None:
        """Delete the connection *id*; its users can no longer sign in through it."""
        await self._engine.call(_DELETE, organization_id, id)

    @operation(_ENABLE)
    async def enable(self, id: str, *, organization_id: str) -> ConnectionToggle:
        """Let users sign in through the connection *id*; returns its state afterwards."""
        data = await self._engine.call(_ENABLE, organization_id, id)
        return self._engine.structure(data, ConnectionToggle)

    @operation(_DISABLE)
    async def disable(self, id: str, *, organization_id: str) -> ConnectionToggle:
        """Stop sign-ins through the connection *id*, keeping its settings; returns its state."""
        data = await self._engine.call(_DISABLE, organization_id, id)
        return self._engine.structure(data, ConnectionToggle)

    @operation(_UPDATE_LOGIN_USER)
    async def update_login_user(
        self,
        id: str,
        *,
        auth_request_id: str,
        user: LoginUser | Mapping[str, Any],
    ) -> str:
        """Hand the user your login page signed in to Scalekit, finishing a custom login.

        **Preview.** Scalekit marks this operation as preview: the API may change.

        With a custom (bring-your-own) login connection *id*, Scalekit sends
        users to your login page with a login request id (`auth_request_id`
        here; ``login_request_id`` in the URL). Once you have authenticated the
        user, pass them as a `LoginUser` (or a mapping of its fields, wire
        names); Scalekit then completes the login. `sub` and `email` are
        required unless ``login_failed`` is true. Returns the auth request's id.

        Raises:
            TypeError: *user* is not a `LoginUser` or mapping, or has unknown fields.
            ValueError: no `sub` or `email` (and not ``login_failed``), or an
                ``organization_external_name`` over 200 characters.

        """
        segment("id", id)
        segment("auth_request_id", auth_request_id)
        body = _login_user(user)
        data = await self._engine.call(_UPDATE_LOGIN_USER, id, auth_request_id, body=body)
        value = data.get("auth_request_id") if isinstance(data, Mapping) else None
        return value if isinstance(value, str) and value else auth_request_id


def _filter(name: str, value: object) -> str:
    """Check a string filter: a `str`, and not empty (the API needs 1+ chars)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value


def _scope(organization_id: str | None) -> str | None:
    """The optional organization scope: `None` means the environment."""
    if organization_id is not None:
        segment("organization_id", organization_id)
    return organization_id


def _text(name: str, value: NotGivenOr[str | None]) -> NotGivenOr[str]:
    """An optional string argument (`None`: not given)."""
    if value is None or isinstance(value, NotGiven):
        return NOT_GIVEN
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value


def _bounded(name: str, value: str | None, low: int, high: int) -> NotGivenOr[str]:
    text = _text(name, value)
    if isinstance(text, str) and not low <= len(text) <= high:
        raise ValueError(f"{name} must be {low} to {high} characters")
    return text


def _key(value: NotGivenOr[str | None]) -> NotGivenOr[str]:
    text = _text("key", value)
    if isinstance(text, str) and not 1 <= len(text) <= _KEY_MAX_LEN:
        raise ValueError(f"key must be 1 to {_KEY_MAX_LEN} characters")
    return text


def _flag(name: str, value: NotGivenOr[bool | None]) -> NotGivenOr[bool]:
    if value is None or isinstance(value, NotGiven):
        return NOT_GIVEN
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, not {type(value).__name__}")
    return value


def _enum(name: str, value: object, kind: type[Any]) -> NotGivenOr[str]:
    """An enum argument as its wire name (a member or its string; `None`: not given)."""
    if value is None or isinstance(value, NotGiven):
        return NOT_GIVEN
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a {kind.__name__} or str, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return str(kind(value))


def _provider(value: object) -> NotGivenOr[str]:
    """A provider as its wire name; the unspecified zero value is the same as none."""
    name = _enum("provider", value, IdentityProviderType)
    return NOT_GIVEN if name in _UNSPECIFIED_PROVIDERS else name


def _check_provider(provider: NotGivenOr[str], provider_key: NotGivenOr[str]) -> None:
    """The API's rules on the pair: one of them, and ``SCALEKIT`` only as itself."""
    if isinstance(provider, NotGiven) and not provider_key:
        raise ValueError("provider or provider_key is required")
    if provider == "SCALEKIT" and provider_key != "SCALEKIT":
        raise ValueError('the SCALEKIT provider needs provider_key="SCALEKIT"')


def _check_key(connection_type: NotGivenOr[str], key: NotGivenOr[str]) -> None:
    if connection_type == "WEBAUTHN" and key != "WEBAUTHN":
        raise ValueError('a WEBAUTHN connection needs key="WEBAUTHN"')


def _context(value: Mapping[str, str] | None) -> NotGivenOr[dict[str, str]]:
    if value is None:
        return NOT_GIVEN
    if not isinstance(value, Mapping):
        raise TypeError(f"context must be a mapping, not {type(value).__name__}")
    unknown = sorted(set(value) - _CONTEXT_KEYS)
    if unknown:
        raise ValueError(f"context takes only domain and version, not {', '.join(unknown)}")
    for name, item in value.items():
        if not isinstance(item, str):
            raise TypeError(f"context[{name!r}] must be a str, not {type(item).__name__}")
    return dict(value)


def _attribute_mapping(value: NotGivenOr[Mapping[str, str]]) -> NotGivenOr[dict[str, str]]:
    if isinstance(value, NotGiven):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"attribute_mapping must be a mapping, not {type(value).__name__}")
    if len(value) > _MAPPING_MAX_PAIRS:
        raise ValueError(f"attribute_mapping holds at most {_MAPPING_MAX_PAIRS} pairs")
    out: dict[str, str] = {}
    for name, item in value.items():
        if not isinstance(name, str) or not isinstance(item, str):
            raise TypeError("attribute_mapping maps strings to strings")
        if not 1 <= len(name) <= _MAPPING_KEY_MAX_LEN:
            raise ValueError(f"attribute_mapping keys are 1 to {_MAPPING_KEY_MAX_LEN} characters")
        if not 1 <= len(item) <= _MAPPING_VALUE_MAX_LEN:
            raise ValueError(
                f"attribute_mapping values are 1 to {_MAPPING_VALUE_MAX_LEN} characters"
            )
        out[name] = item
    return out


def _login_user(user: LoginUser | Mapping[str, Any]) -> dict[str, Any]:
    """The ``auth.User`` JSON of *user*: the fields it sets, checked as the API checks them."""
    if isinstance(user, LoginUser):
        fields = attrs.asdict(user, recurse=False)
    elif isinstance(user, Mapping):
        unknown = sorted(str(k) for k in set(user) - _LOGIN_USER_FIELDS)
        if unknown:
            raise TypeError(f"not LoginUser fields: {', '.join(unknown)}")
        fields = dict(user)
    else:
        raise TypeError(f"user must be a LoginUser or a mapping, not {type(user).__name__}")
    body: dict[str, Any] = {}
    for name, value in fields.items():
        if value is None:
            continue
        if name in ("groups", "roles"):
            if isinstance(value, str) or not isinstance(value, Iterable):
                raise TypeError(f"{name} must be a list of strings")
            items = list(value)
            if not all(isinstance(v, str) for v in items):
                raise TypeError(f"{name} must be a list of strings")
            if items:
                body[name] = items
        elif name == "custom_attributes":
            if not isinstance(value, Mapping):
                raise TypeError("custom_attributes must be a mapping")
            if value:
                body[name] = dict(value)
        elif name in ("email_verified", "phone_number_verified", "login_failed"):
            if not isinstance(value, bool):
                raise TypeError(f"{name} must be a bool, not {type(value).__name__}")
            if value:
                body[name] = True
        else:
            if not isinstance(value, str):
                raise TypeError(f"{name} must be a str, not {type(value).__name__}")
            if value or name.startswith("organization_external_"):
                body[name] = value
    if not body.get("login_failed") and not (body.get("sub") and body.get("email")):
        raise ValueError("sub and email are required unless login_failed is true")
    name = body.get("organization_external_name", "")
    if len(name) > _ORGANIZATION_NAME_MAX_LEN:
        raise ValueError(
            f"organization_external_name must be at most {_ORGANIZATION_NAME_MAX_LEN} characters"
        )
    return body
