"""The fake's connected accounts endpoints, backed by `FakeScalekit.connected_accounts`.

``fake.connected_accounts`` maps an account id (``ca_...``) to the account as
wire JSON (``connectors.ConnectedAccount``: ``id``, ``identifier``,
``connector``, ``provider``, ``connection_id``, ``status``,
``authorization_type``, ``authorization_details``, ``api_config``,
``updated_at``, ...), plus the owner keys ``organization_id`` and ``user_id``
when the account belongs to one (they are not part of any response).

Connectors: the fake knows the built-in connectors in `CONNECTORS` (``gmail``,
``slack``, ``notion``, ``github``, ``weather``) and every custom provider in
``fake.custom_providers`` (by its identifier).

Authorization: `generate_magic_link` starts a flow; `complete_authorization`
plays the user who follows the link and authorizes at the provider. Without a
``user_verify_url`` the account becomes ``ACTIVE`` at once; with one, it
waits in ``PENDING_VERIFICATION`` until ``POST .../user/verify``. Flows are
kept in ``fake.authorization_flows`` (`AuthorizationFlow`, by flow id), and the
connection id given to each connector in ``fake.connector_connection_ids``.

The AgentKit proxy (``/proxy/...``, any of GET, HEAD, POST, PUT, PATCH,
DELETE; up to `PROXY_MAX_SEGMENTS` path segments) first checks what Scalekit
checks, answering its own errors in Scalekit's shape: the bearer token (401),
the ``connection_name`` and ``identifier`` headers (400), that such an account
exists (404) and is ``ACTIVE`` (400 ``FAILED_PRECONDITION``). It then plays
the third-party API:

- ``/proxy/status/{code}`` answers *code* with an upstream-shaped JSON body
  (``{"error": {"status": code, "message": ...}}``), e.g. an upstream 401 that
  the client must pass through, not take for its own token's rejection;
- ``/proxy/bytes/{n}`` answers *n* bytes (``application/octet-stream``, at
  most 16 MiB);
- any other path echoes the request as JSON: ``method``, ``path``, ``query``
  (pairs), ``headers`` (lowercased, without ``authorization``), ``body`` (as
  text), ``body_size``, and the ``connected_account_id`` it acted as.

Upstream answers carry ``x-upstream: fake``. Injected faults
(``fake.fail_next(path_prefix="/proxy/")``) are Scalekit's own errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from ._constants import (
    CONNECT_URL,
    CONNECTED_ACCOUNT_MAX_PAGE_SIZE,
    CONNECTED_ACCOUNT_PREFIX,
    CONNECTED_ACCOUNT_SEARCH_MAX_PAGE_SIZE,
    CONNECTION_PREFIX,
    FLOW_PREFIX,
    LINK_PREFIX,
    TOKEN_SERIAL_PREFIX,
)
from ._events import emit
from ._http import ApiError, FakeRequest, Reply, as_mapping
from ._paging import page
from ._state import AuthorizationFlow, FakeState

__all__ = ["CONNECTORS", "PROXY_MAX_SEGMENTS", "complete_authorization", "install"]

PROXY_MAX_SEGMENTS = 8
"""The deepest upstream path the fake proxy routes (``/proxy/a/b/.../h``)."""
_PROXY_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
_PROXY_MAX_BYTES = 16 * 1024 * 1024
_UPSTREAM = (("x-upstream", "fake"),)

CONNECTORS: Mapping[str, Mapping[str, str]] = {
    "gmail": {"provider": "GMAIL", "authorization_type": "OAUTH"},
    "slack": {"provider": "SLACK", "authorization_type": "OAUTH"},
    "notion": {"provider": "NOTION", "authorization_type": "OAUTH"},
    "github": {"provider": "GITHUB", "authorization_type": "OAUTH"},
    "weather": {"provider": "WEATHER", "authorization_type": "API_KEY"},
}
"""The fake's built-in connectors: name -> provider and default authorization type."""

_CONNECTOR = re.compile(r"[A-Za-z0-9 _:-]{1,400}")
_LIST_FIELDS = (
    "id",
    "identifier",
    "connector",
    "provider",
    "connection_id",
    "status",
    "authorization_type",
    "token_expires_at",
    "updated_at",
    "last_used_at",
)
_OWNER_KEYS = ("organization_id", "user_id")
_LINK_TTL = timedelta(minutes=10)
_TOKEN_TTL = timedelta(hours=1)


def later(delta: timedelta) -> str:
    """An RFC 3339 time *delta* from now, in the API's format."""
    when = datetime.now(UTC) + delta
    return when.isoformat(timespec="microseconds").replace("+00:00", "Z")


def connector_info(fake: FakeState, name: str) -> dict[str, str] | None:
    """The provider, authorization type and connection id of connector *name*, if it exists."""
    builtin = CONNECTORS.get(name)
    if builtin is not None:
        info = dict(builtin)
    elif name in fake.custom_providers:
        custom = fake.custom_providers[name]
        patterns = custom.get("auth_patterns") or [{}]
        kind = patterns[0].get("type") if isinstance(patterns[0], Mapping) else None
        info = {
            "provider": name.upper(),
            "authorization_type": kind if isinstance(kind, str) and kind else "CUSTOM",
        }
    else:
        return None
    ids = fake.connector_connection_ids
    if name not in ids:
        ids[name] = fake.new_id(CONNECTION_PREFIX)
    info["connection_id"] = ids[name]
    return info


def public(account: Mapping[str, Any], *, credentials: bool) -> dict[str, Any]:
    """An account as ``connected_accounts.ConnectedAccount`` (credentials only if asked)."""
    out = {k: v for k, v in account.items() if k not in _OWNER_KEYS}
    if not credentials:
        out.pop("authorization_details", None)
    return out


def summary(account: Mapping[str, Any]) -> dict[str, Any]:
    """An account as ``connected_accounts.ConnectedAccountForList``."""
    return {k: account[k] for k in _LIST_FIELDS if k in account}


def _usable(details: object) -> bool:
    if not isinstance(details, Mapping):
        return False
    oauth = details.get("oauth_token")
    if isinstance(oauth, Mapping) and oauth.get("access_token"):
        return True
    static = details.get("static_auth")
    if isinstance(static, Mapping) and static.get("details"):
        return True
    return any(isinstance(details.get(k), Mapping) for k in ("google_dwd", "trusted_idp"))


def _kind(details: Mapping[str, Any], default: str) -> str:
    if isinstance(details.get("oauth_token"), Mapping):
        return "OAUTH"
    if isinstance(details.get("google_dwd"), Mapping):
        return "GOOGLE_DWD"
    if isinstance(details.get("trusted_idp"), Mapping):
        return "TRUSTED_IDP"
    return default


def _set_credentials(account: dict[str, Any], details: Mapping[str, Any]) -> None:
    account["authorization_details"] = dict(details)
    account["authorization_type"] = _kind(details, account["authorization_type"])
    if _usable(details):
        account["status"] = "ACTIVE"
        if isinstance(details.get("oauth_token"), Mapping):
            account["token_expires_at"] = later(_TOKEN_TTL)


def new_account(
    fake: FakeState,
    *,
    connector: str,
    identifier: str,
    organization_id: str | None = None,
    user_id: str | None = None,
    details: Mapping[str, Any] | None = None,
    api_config: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Create and store an account (``PENDING_AUTH`` unless *details* are usable credentials).

    Raises:
        ApiError: 400 for an unknown connector, 409 when the account exists.
    """
    info = connector_info(fake, connector)
    if info is None:
        raise ApiError(400, "invalid request", violations=(("connector", "unknown connector"),))
    if find_by_key(fake, connector, identifier, organization_id, user_id, exact=True):
        raise ApiError(409, "connected account with the same identifier already exists")
    account: dict[str, Any] = {
        "id": fake.new_id(CONNECTED_ACCOUNT_PREFIX),
        "identifier": identifier,
        "connector": connector,
        "provider": info["provider"],
        "connection_id": info["connection_id"],
        "status": "PENDING_AUTH",
        "authorization_type": info["authorization_type"],
        "api_config": dict(api_config or {}),
        "updated_at": fake.now(),
    }
    if details:
        _set_credentials(account, details)
    if organization_id:
        account["organization_id"] = organization_id
    if user_id:
        account["user_id"] = user_id
    fake.connected_accounts[account["id"]] = account
    emit(fake, "connected_account.created", account)
    return account


def find_by_key(
    fake: FakeState,
    connector: str,
    identifier: str,
    organization_id: str | None = None,
    user_id: str | None = None,
    *,
    exact: bool = False,
) -> dict[str, Any] | None:
    """The first account of *connector* and *identifier* (and the owner, when given).

    With *exact*, the owner must match exactly (absent means no owner).
    """
    accounts = fake.connected_accounts
    for account in [accounts[i] for i in accounts.ids_of_identifier(identifier)]:
        if account["connector"] != connector or account["identifier"] != identifier:
            continue
        if exact:
            if (account.get("organization_id"), account.get("user_id")) != (
                organization_id or None,
                user_id or None,
            ):
                continue
        elif (organization_id and account.get("organization_id") != organization_id) or (
            user_id and account.get("user_id") != user_id
        ):
            continue
        return account
    return None


def start_flow(
    fake: FakeState,
    account: dict[str, Any],
    *,
    state: str | None = None,
    user_verify_url: str | None = None,
) -> tuple[str, str]:
    """Start an authorization flow for *account*: its magic link and expiry."""
    link_id = fake.new_id(LINK_PREFIX)
    flow_id = fake.new_id(FLOW_PREFIX)
    fake.authorization_flows[flow_id] = AuthorizationFlow(
        account["id"], link_id, state, user_verify_url
    )
    return f"{CONNECT_URL}/magicLink/connect/{link_id}", later(_LINK_TTL)


def complete_authorization(fake: FakeState, link: str) -> str:
    """Play the user who follows a magic *link* and authorizes the account at the provider.

    Returns the URL the user is sent to: the flow's ``user_verify_url`` with
    ``auth_request_id`` (and ``state``) added, after which the account waits
    for ``POST /api/v1/connected_accounts/user/verify``; or, without one, a
    success page, and the account is ``ACTIVE`` already.

    Raises:
        KeyError: *link* is not a live magic link of this fake.
    """
    link_id = urlsplit(link).path.rsplit("/", 1)[-1]
    flows = fake.authorization_flows
    found = next(
        ((fid, f) for fid, f in flows.items() if f.link_id == link_id and not f.authorized),
        None,
    )
    account = fake.connected_accounts.get(found[1].account_id) if found else None
    if found is None or account is None:
        raise KeyError(f"no live magic link {link!r}")
    flow_id, flow = found
    flow.authorized = True
    if flow.user_verify_url is None:
        flow.consumed = True
        _grant(fake, account)
        return f"{CONNECT_URL}/connect/success?connected_account_id={account['id']}"
    old_status = account["status"]
    account["status"] = "PENDING_VERIFICATION"
    account["updated_at"] = fake.now()
    emit(fake, "connected_account.status_updated", account, old_status=old_status)
    query = {"auth_request_id": flow_id}
    if flow.state is not None:
        query["state"] = flow.state
    sep = "&" if urlsplit(flow.user_verify_url).query else "?"
    return flow.user_verify_url + sep + urlencode(query)


def _grant(fake: FakeState, account: dict[str, Any]) -> None:
    """Give *account* fresh (fake) OAuth tokens, as a finished authorization does."""
    old_status = account["status"]
    serial = fake.new_id(TOKEN_SERIAL_PREFIX)
    _set_credentials(
        account,
        {
            "oauth_token": {
                "access_token": f"fake_access_{serial}",
                "refresh_token": f"fake_refresh_{serial}",
                "scopes": ["openid"],
            }
        },
    )
    account["status"] = "ACTIVE"
    account["updated_at"] = fake.now()
    emit(fake, "connected_account.oauth_tokens_fetched", account)
    emit(fake, "connected_account.status_updated", account, old_status=old_status)
    emit(fake, "connected_account.oauth_succeeded", account)


def _text(body: Mapping[str, Any], name: str, *, max_len: int) -> str | None:
    """The string field *name* of a request, or `None` when absent or empty."""
    value = body.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > max_len:
        raise ApiError(
            400, "invalid request", violations=((name, f"at most {max_len} characters"),)
        )
    return value


def _need(body: Mapping[str, Any], name: str, *, max_len: int) -> str:
    """The required string field *name* of a request."""
    value = _text(body, name, max_len=max_len)
    if value is None:
        raise ApiError(400, "invalid request", violations=((name, "value is required"),))
    return value


def locate(fake: FakeState, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The account a request names by ``id``, or by ``connector`` and ``identifier``.

    Raises:
        ApiError: 400 when the request names no account, 404 when none matches.
    """
    account_id = _text(fields, "id", max_len=32)
    connector = _text(fields, "connector", max_len=400)
    identifier = _text(fields, "identifier", max_len=100)
    organization_id = _text(fields, "organization_id", max_len=32)
    user_id = _text(fields, "user_id", max_len=32)
    if account_id:
        account = fake.connected_accounts.get(account_id)
        if account is None or any(
            given and account.get(key) != given
            for key, given in (("organization_id", organization_id), ("user_id", user_id))
        ):
            raise ApiError(404, f"connected account {account_id} not found")
        return account
    if not connector or not identifier:
        raise ApiError(
            400,
            "invalid request",
            violations=(("id", "give id, or connector and identifier"),),
        )
    account = find_by_key(fake, connector, identifier, organization_id, user_id)
    if account is None:
        raise ApiError(404, "connected account not found")
    return account


def _page_size(request: FakeRequest, *, maximum: int) -> None:
    raw = request.param("page_size")
    if raw and (not raw.isdigit() or int(raw) > maximum):
        raise ApiError(
            400, "invalid request", violations=(("page_size", f"must be at most {maximum}"),)
        )


def install(fake: FakeState) -> None:
    """Route the connected accounts operations on *fake*."""
    accounts = fake.connected_accounts

    def forget_organization(org_id: str) -> None:
        for account_id in accounts.ids_of_organization(org_id):
            del accounts[account_id]

    fake.deletion_hooks.append(forget_organization)

    def check_connector(value: object) -> None:
        if value is not None and (not isinstance(value, str) or not _CONNECTOR.fullmatch(value)):
            raise ApiError(
                400,
                "invalid request",
                violations=(("connector", "letters, digits, spaces, -, _ and : only"),),
            )

    def account_body(body: Mapping[str, Any]) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
        inner = body.get("connected_account")
        if not isinstance(inner, Mapping):
            raise ApiError(
                400, "invalid request", violations=(("connected_account", "value is required"),)
            )
        details = inner.get("authorization_details") or {}
        config = inner.get("api_config") or {}
        if not isinstance(details, Mapping) or not isinstance(config, Mapping):
            raise ApiError(
                400,
                "invalid request",
                violations=(
                    ("connected_account", "authorization_details and api_config are objects"),
                ),
            )
        return details, config

    def list_(request: FakeRequest) -> Reply:
        _page_size(request, maximum=CONNECTED_ACCOUNT_MAX_PAGE_SIZE)
        names = request.params("connection_names")
        if names and request.param("connector"):
            raise ApiError(
                400,
                "invalid request",
                violations=(("connection_names", "cannot be combined with connector"),),
            )
        if len(names) > 20:
            raise ApiError(
                400, "invalid request", violations=(("connection_names", "at most 20 names"),)
            )
        items = list(accounts.values())
        for key in ("organization_id", "user_id", "connector", "identifier"):
            wanted = request.param(key)
            if wanted:
                items = [a for a in items if a.get(key) == wanted]
        provider = request.param("provider")
        if provider:
            items = [a for a in items if a["provider"].lower() == provider.lower()]
        if names:
            items = [a for a in items if a["connector"] in names]
        query = (request.param("query") or "").lower()
        if query:
            items = [
                a
                for a in items
                if any(query in a[k].lower() for k in ("identifier", "connector", "provider"))
            ]
        return Reply.json(
            200,
            page(
                request,
                [summary(a) for a in items],
                "connected_accounts",
                max_size=CONNECTED_ACCOUNT_MAX_PAGE_SIZE,
            ),
        )

    def search(request: FakeRequest) -> Reply:
        query = request.param("query") or ""
        if not 3 <= len(query) <= 200:
            raise ApiError(
                400, "invalid request", violations=(("query", "must be 3 to 200 characters"),)
            )
        _page_size(request, maximum=CONNECTED_ACCOUNT_SEARCH_MAX_PAGE_SIZE)
        items = [
            a
            for a in accounts.values()
            if any(query.lower() in a[k].lower() for k in ("identifier", "connector", "provider"))
        ]
        connection_id = request.param("connection_id")
        if connection_id:
            items = [a for a in items if a["connection_id"] == connection_id]
        return Reply.json(
            200,
            page(
                request,
                [summary(a) for a in items],
                "connected_accounts",
                max_size=CONNECTED_ACCOUNT_SEARCH_MAX_PAGE_SIZE,
            ),
        )

    def create(request: FakeRequest) -> Reply:
        body = as_mapping(request.json())
        check_connector(body.get("connector"))
        connector = _need(body, "connector", max_len=400)
        identifier = _need(body, "identifier", max_len=100)
        details, config = account_body(body)
        account = new_account(
            fake,
            connector=connector,
            identifier=identifier,
            organization_id=_text(body, "organization_id", max_len=32),
            user_id=_text(body, "user_id", max_len=32),
            details=details,
            api_config=config,
        )
        return Reply.json(201, {"connected_account": public(account, credentials=True)})

    def update(request: FakeRequest) -> Reply:
        body = as_mapping(request.json())
        account = locate(fake, body)
        details, config = account_body(body)
        old_status = account["status"]
        if details:
            _set_credentials(account, details)
        account["api_config"] = {**account.get("api_config", {}), **config}
        account["updated_at"] = fake.now()
        emit(fake, "connected_account.updated", account)
        emit(fake, "connected_account.status_updated", account, old_status=old_status)
        return Reply.json(200, {"connected_account": public(account, credentials=True)})

    def delete(request: FakeRequest) -> Reply:
        account = locate(fake, as_mapping(request.json()))
        del accounts[account["id"]]
        emit(fake, "connected_account.deleted", account)
        return Reply.json(200, {})

    def magic_link(request: FakeRequest) -> Reply:
        body = as_mapping(request.json())
        state = _text(body, "state", max_len=512)
        verify_url = _text(body, "user_verify_url", max_len=2048)
        if verify_url is not None and not verify_url.startswith(("https://", "http://")):
            raise ApiError(
                400, "invalid request", violations=(("user_verify_url", "must be a URL"),)
            )
        check_connector(body.get("connector"))
        connector = _text(body, "connector", max_len=400)
        identifier = _text(body, "identifier", max_len=100)
        if body.get("id") or not (connector and identifier):
            account = locate(fake, body)
        else:
            organization_id = _text(body, "organization_id", max_len=32)
            user_id = _text(body, "user_id", max_len=32)
            account = find_by_key(
                fake, connector, identifier, organization_id, user_id
            ) or new_account(
                fake,
                connector=connector,
                identifier=identifier,
                organization_id=organization_id,
                user_id=user_id,
            )
        link, expiry = start_flow(fake, account, state=state, user_verify_url=verify_url)
        emit(fake, "connected_account.magic_link_generated", account)
        return Reply.json(200, {"link": link, "expiry": expiry})

    def get_auth(request: FakeRequest) -> Reply:
        account = locate(fake, dict(request.query))
        return Reply.json(200, {"connected_account": public(account, credentials=True)})

    def get_details(request: FakeRequest) -> Reply:
        account = locate(fake, dict(request.query))
        return Reply.json(200, {"connected_account": public(account, credentials=False)})

    def verify_user(request: FakeRequest) -> Reply:
        body = as_mapping(request.json())
        flow_id = _need(body, "auth_request_id", max_len=1000)
        identifier = _need(body, "identifier", max_len=200)
        flow = fake.authorization_flows.get(flow_id)
        account = accounts.get(flow.account_id) if flow is not None else None
        if flow is None or account is None or not flow.authorized or flow.consumed:
            raise ApiError(404, "no pending verification for this auth_request_id")
        if account["identifier"] != identifier:
            raise ApiError(403, "identifier does not match the one of the auth request")
        flow.consumed = True
        _grant(fake, account)
        return Reply.json(
            200,
            {
                "post_user_verify_redirect_url": (
                    f"{CONNECT_URL}/connect/success?connected_account_id={account['id']}"
                )
            },
        )

    _install_proxy(fake)
    add = fake.router.add
    add("GET", "/api/v1/connected_accounts:search", search)
    add("POST", "/api/v1/connected_accounts:delete", delete)
    add("GET", "/api/v1/connected_accounts/auth", get_auth)
    add("GET", "/api/v1/connected_accounts/details", get_details)
    add("POST", "/api/v1/connected_accounts/magic_link", magic_link)
    add("POST", "/api/v1/connected_accounts/user/verify", verify_user)
    add("GET", "/api/v1/connected_accounts", list_)
    add("POST", "/api/v1/connected_accounts", create)
    add("PUT", "/api/v1/connected_accounts", update)


def _install_proxy(fake: FakeState) -> None:
    """Route the AgentKit proxy (``/proxy/...``) on *fake* (see the module's docstring).

    The fake checks the bearer token of proxy paths as it does the API's.
    """

    def proxy(request: FakeRequest, **_segments: str) -> Reply:
        headers = dict(request.headers)
        connector = headers.get("connection_name", "")
        identifier = headers.get("identifier", "")
        missing = tuple(
            (name, "header is required")
            for name, value in (("connection_name", connector), ("identifier", identifier))
            if not value
        )
        if missing:
            raise ApiError(400, "invalid request", violations=missing)
        account = find_by_key(fake, connector, identifier)
        if account is None:
            raise ApiError(404, f"no {connector} connected account for {identifier}")
        if account["status"] != "ACTIVE":
            raise ApiError(
                400,
                f"connected account {account['id']} is {account['status']}, not ACTIVE",
                error_code="FAILED_PRECONDITION",
            )
        account["last_used_at"] = fake.now()
        return _upstream(request, headers, account)

    for method in _PROXY_METHODS:
        for depth in range(1, PROXY_MAX_SEGMENTS + 1):
            template = "/proxy" + "".join(f"/{{s{i}}}" for i in range(depth))
            fake.router.add(method, template, proxy)


def _upstream(
    request: FakeRequest, headers: Mapping[str, str], account: Mapping[str, Any]
) -> Reply:
    """What the pretend third-party API answers to a proxied request."""
    path = request.path[len("/proxy") :]
    status = re.fullmatch(r"/status/([1-5][0-9][0-9])", path)
    if status is not None:
        code = int(status.group(1))
        body = {"error": {"status": code, "message": f"the upstream API answered {code}"}}
        return Reply.json(code, body, _UPSTREAM)
    size = re.fullmatch(r"/bytes/([0-9]{1,9})", path)
    if size is not None:
        count = min(int(size.group(1)), _PROXY_MAX_BYTES)
        content = bytes(i % 251 for i in range(count))
        return Reply(200, content, (("content-type", "application/octet-stream"), *_UPSTREAM))
    echo = {
        "method": request.method,
        "path": path,
        "query": [list(pair) for pair in request.query],
        "headers": {k: v for k, v in headers.items() if k != "authorization"},
        "body": request.body.decode("utf-8", "replace"),
        "body_size": len(request.body),
        "connected_account_id": account["id"],
    }
    return Reply(
        200,
        json.dumps(echo, separators=(",", ":")).encode(),
        (("content-type", "application/json"), *_UPSTREAM),
    )
