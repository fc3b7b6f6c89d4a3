"""``client.connected_accounts``: AgentKit connected accounts (credentials tools act with).

A connected account is found either by its id (``ca_...``) or by the
connector it belongs to (``"gmail"``, ``"slack"``, ...) together with the
account's identifier at that connector (an email address, a workspace id),
optionally narrowed to an organization or a user. Every method that finds an
account takes the same keyword arguments: ``id=`` or ``connector=`` and
``identifier=`` (plus ``organization_id=``/``user_id=``).

`ConnectedAccounts.send_request` calls the third-party API itself through
Scalekit's proxy (``{environment}/proxy/...``), which adds the account's
credentials: the upstream's answer, of any status, comes back as an
``httpx.Response``; only Scalekit's own refusals raise.
"""

from __future__ import annotations

import json as _json
from collections.abc import AsyncIterable, Iterable, Mapping, Sequence
from typing import Any, Literal
from urllib.parse import quote, urlencode

import cattrs
import httpx

from .._engine import USER_AGENT, AnswerView, answer_error
from .._errors import ConflictError, NotFoundError
from .._pagination import AsyncPaginator
from .._routes import Route, operation
from .._types import NOT_GIVEN, NotGivenOr, given
from ..models.connected_accounts import (
    AuthorizationDetails,
    ConnectedAccount,
    ConnectedAccountMagicLink,
    ConnectedAccountSummary,
    ConnectedAccountVerification,
)
from ._base import Resource, check_page_size

__all__ = ["ConnectedAccounts"]

_LIST = Route("GET", "/api/v1/connected_accounts")
_SEARCH = Route("GET", "/api/v1/connected_accounts:search")
_CREATE = Route("POST", "/api/v1/connected_accounts")
_UPDATE = Route("PUT", "/api/v1/connected_accounts")
_DELETE = Route("POST", "/api/v1/connected_accounts:delete")
_MAGIC_LINK = Route("POST", "/api/v1/connected_accounts/magic_link")
_GET_AUTH = Route("GET", "/api/v1/connected_accounts/auth")
_GET_DETAILS = Route("GET", "/api/v1/connected_accounts/details")
_VERIFY_USER = Route("POST", "/api/v1/connected_accounts/user/verify")

# The AgentKit proxy: not an API operation (no spec entry), one route per method it carries.
# Kept in a dict, not module-level names: the contract test lists only API routes.
_PROXY_TEMPLATE = "/proxy/{path}"
_PROXY_ROUTES = {
    method: Route(method, _PROXY_TEMPLATE)
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
}
PROXY_METHODS = tuple(_PROXY_ROUTES)
"""The HTTP methods `ConnectedAccounts.send_request` sends."""
# Headers the SDK sets on a proxied request; a caller's header may not replace them.
_PROXY_OWN_HEADERS = frozenset(
    {"authorization", "connection_name", "identifier", "host", "content-length",
     "transfer-encoding"}
)  # fmt: skip
# Answer headers that describe the bytes on the wire, not the (decoded) content given back.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
# grpc-gateway's HTTP status of each gRPC code: a Scalekit error's ``code`` matches its status.
_GRPC_HTTP_STATUS = {
    1: 499, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429,
    9: 400, 10: 409, 11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401,
}  # fmt: skip
_STATUS_KEYS = frozenset({"code", "message", "details"})
_STATUS_SNIFF_LIMIT = 64 * 1024

LIST_PAGE_SIZE_MAX = 99
"""The largest ``page_size`` of `ConnectedAccounts.list` (the API takes fewer than 100)."""
SEARCH_PAGE_SIZE_MAX = 30
"""The largest ``page_size`` of `ConnectedAccounts.search`."""


class ConnectedAccounts(Resource):
    """Create, read, update, delete, list and authorize AgentKit connected accounts."""

    __slots__ = ()

    @operation(_LIST)
    def list(
        self,
        *,
        organization_id: str | None = None,
        user_id: str | None = None,
        connector: str | None = None,
        identifier: str | None = None,
        provider: str | None = None,
        query: str | None = None,
        connection_names: Iterable[str] | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPaginator[ConnectedAccountSummary]:
        """List connected accounts (without credentials), filtered by the given fields.

        `connection_names` (at most 20) matches any of the named connections and
        cannot be combined with `connector`. A filter passed as `None` is not sent.
        """
        if page_size is not None:
            check_page_size(page_size, LIST_PAGE_SIZE_MAX)
        names: list[str] | None = None
        if connection_names is not None:
            names = _str_list("connection_names", connection_names)
            if len(names) > 20:
                raise ValueError("connection_names takes at most 20 names")
            if connector is not None:
                raise ValueError("connection_names cannot be combined with connector")
        params = _present(
            organization_id=organization_id,
            user_id=user_id,
            connector=connector,
            identifier=identifier,
            provider=provider,
            query=query,
            connection_names=names,
            page_size=page_size,
        )
        return self._paginate(
            _LIST,
            key="connected_accounts",
            item=ConnectedAccountSummary,
            params=params,
            page_token=NOT_GIVEN if page_token is None else page_token,
        )

    @operation(_SEARCH)
    def search(
        self,
        query: str,
        *,
        connection_id: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPaginator[ConnectedAccountSummary]:
        """Find connected accounts whose identifier, provider or connector matches *query*.

        The query is case-insensitive and must be 3 to 200 characters long.
        `connection_id`, `page_size` and `page_token` passed as `None` are not sent.
        """
        if not isinstance(query, str):
            raise TypeError(f"query must be a str, not {type(query).__name__}")
        if not 3 <= len(query) <= 200:
            raise ValueError("query must be between 3 and 200 characters")
        if page_size is not None:
            check_page_size(page_size, SEARCH_PAGE_SIZE_MAX)
        params = _present(query=query, connection_id=connection_id, page_size=page_size)
        return self._paginate(
            _SEARCH,
            key="connected_accounts",
            item=ConnectedAccountSummary,
            params=params,
            page_token=NOT_GIVEN if page_token is None else page_token,
        )

    @operation(_CREATE)
    async def create(
        self,
        *,
        connector: str,
        identifier: str,
        organization_id: NotGivenOr[str] = NOT_GIVEN,
        user_id: NotGivenOr[str] = NOT_GIVEN,
        authorization_details: NotGivenOr[AuthorizationDetails | Mapping[str, Any]] = NOT_GIVEN,
        api_config: NotGivenOr[Mapping[str, Any]] = NOT_GIVEN,
        if_exists: Literal["raise", "get", "update"] = "raise",
    ) -> ConnectedAccount:
        """Create the account *identifier* of *connector*, for an organization or a user.

        With `authorization_details` (e.g. ``AuthorizationDetails(oauth_token=
        OauthToken(access_token=..., refresh_token=...))``) the account is
        usable at once; without, it waits for the user to authorize it (see
        `generate_magic_link`).

        *if_exists* says what to do when the account already exists:
        ``"raise"`` (`ConflictError`), ``"get"`` (return it unchanged: the
        official SDKs' ``get_or_create_connected_account``) or ``"update"``
        (replace its credentials and merge `api_config` when given, then
        return it: their ``upsert_connected_account``). With ``"get"`` or
        ``"update"`` the account is looked up first, scoped by the same
        `organization_id`/`user_id` as the creation (the official helpers
        drop them, so they can return another owner's account). If another
        caller creates it between the lookup and the creation, the creation's
        409 is answered by looking it up again, so concurrent callers all get
        the one account.
        """
        _require_str("connector", connector)
        _require_str("identifier", identifier)
        if if_exists not in ("raise", "get", "update"):
            raise ValueError('if_exists must be "raise", "get" or "update"')
        if if_exists != "raise":
            return await self._get_or_create(
                if_exists,
                connector=connector,
                identifier=identifier,
                organization_id=organization_id,
                user_id=user_id,
                authorization_details=authorization_details,
                api_config=api_config,
            )
        body = given(
            organization_id=organization_id,
            user_id=user_id,
            connector=connector,
            identifier=identifier,
        )
        body["connected_account"] = _account_body(
            self._engine.converter, authorization_details, api_config
        )
        data = await self._engine.call(_CREATE, body=body)
        return self._engine.unwrap(data, "connected_account", ConnectedAccount)

    async def _get_or_create(
        self,
        if_exists: Literal["get", "update"],
        *,
        connector: str,
        identifier: str,
        organization_id: NotGivenOr[str],
        user_id: NotGivenOr[str],
        authorization_details: NotGivenOr[AuthorizationDetails | Mapping[str, Any]],
        api_config: NotGivenOr[Mapping[str, Any]],
    ) -> ConnectedAccount:
        """`create` with ``if_exists`` "get" or "update": look up, create, look up on a 409."""
        locator = _locator(
            None,
            connector,
            identifier,
            None if organization_id is NOT_GIVEN else str(organization_id),
            None if user_id is NOT_GIVEN else str(user_id),
        )
        changes = authorization_details is not NOT_GIVEN or api_config is not NOT_GIVEN
        for attempt in range(2):
            try:
                found = await self._engine.call(_GET_DETAILS, params=locator)
            except NotFoundError:
                if attempt:
                    raise  # created by someone else, then deleted at once: give up
            else:
                if if_exists == "update" and changes:
                    body = dict(locator)
                    body["connected_account"] = _account_body(
                        self._engine.converter, authorization_details, api_config
                    )
                    found = await self._engine.call(_UPDATE, body=body)
                return self._engine.unwrap(found, "connected_account", ConnectedAccount)
            try:
                return await self.create(
                    connector=connector,
                    identifier=identifier,
                    organization_id=organization_id,
                    user_id=user_id,
                    authorization_details=authorization_details,
                    api_config=api_config,
                )
            except ConflictError:
                continue  # another caller created it since the lookup: read theirs
        raise AssertionError("unreachable")  # pragma: no cover

    @operation(_UPDATE)
    async def update(
        self,
        *,
        id: str | None = None,
        connector: str | None = None,
        identifier: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        authorization_details: NotGivenOr[AuthorizationDetails | Mapping[str, Any]] = NOT_GIVEN,
        api_config: NotGivenOr[Mapping[str, Any]] = NOT_GIVEN,
    ) -> ConnectedAccount:
        """Replace an account's credentials and/or merge into its API configuration.

        Find the account by ``id=``, or by ``connector=`` and ``identifier=``
        (a locator passed as `None` is not given).
        """
        body = _locator(id, connector, identifier, organization_id, user_id)
        if authorization_details is NOT_GIVEN and api_config is NOT_GIVEN:
            raise ValueError("update() needs authorization_details or api_config")
        body["connected_account"] = _account_body(
            self._engine.converter, authorization_details, api_config
        )
        data = await self._engine.call(_UPDATE, body=body)
        return self._engine.unwrap(data, "connected_account", ConnectedAccount)

    @operation(_DELETE)
    async def delete(
        self,
        *,
        id: str | None = None,
        connector: str | None = None,
        identifier: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
    ) -> None:
        """Delete a connected account and revoke its credentials.

        The API takes this as ``POST .../connected_accounts:delete`` with the
        account's locator in the body, so it is not retried on a 5xx by default.
        """
        body = _locator(id, connector, identifier, organization_id, user_id)
        await self._engine.call(_DELETE, body=body)

    @operation(_GET_DETAILS)
    async def get(
        self,
        *,
        id: str | None = None,
        connector: str | None = None,
        identifier: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
    ) -> ConnectedAccount:
        """Fetch an account's metadata (status, provider, ...) without its credentials."""
        params = _locator(id, connector, identifier, organization_id, user_id)
        data = await self._engine.call(_GET_DETAILS, params=params)
        return self._engine.unwrap(data, "connected_account", ConnectedAccount)

    @operation(_GET_AUTH)
    async def get_auth(
        self,
        *,
        id: str | None = None,
        connector: str | None = None,
        identifier: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
    ) -> ConnectedAccount:
        """Fetch an account with its credentials (``authorization_details``: tokens, keys).

        The secrets are kept out of the returned model's repr; handle them with care.
        """
        params = _locator(id, connector, identifier, organization_id, user_id)
        data = await self._engine.call(_GET_AUTH, params=params)
        return self._engine.unwrap(data, "connected_account", ConnectedAccount)

    @operation(_MAGIC_LINK)
    async def generate_magic_link(
        self,
        *,
        id: str | None = None,
        connector: str | None = None,
        identifier: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        state: NotGivenOr[str] = NOT_GIVEN,
        user_verify_url: NotGivenOr[str] = NOT_GIVEN,
    ) -> ConnectedAccountMagicLink:
        """Create a time-limited link that takes a user through the connector's authorization.

        With `user_verify_url`, Scalekit sends the user there afterwards with an
        ``auth_request_id`` (and your `state`); confirm the user with `verify_user`.
        """
        body = _locator(id, connector, identifier, organization_id, user_id)
        body.update(given(state=state, user_verify_url=user_verify_url))
        data = await self._engine.call(_MAGIC_LINK, body=body)
        return self._engine.structure(data, ConnectedAccountMagicLink)

    @operation(_VERIFY_USER)
    async def verify_user(
        self, *, auth_request_id: str, identifier: str
    ) -> ConnectedAccountVerification:
        """Confirm the user who authorized an account, which makes the account active.

        Call it from your ``user_verify_url`` handler with the ``auth_request_id``
        it received and the identifier of the user logged in to your app; a
        mismatch is refused (403).
        """
        _require_str("auth_request_id", auth_request_id)
        _require_str("identifier", identifier)
        body = {"auth_request_id": auth_request_id, "identifier": identifier}
        data = await self._engine.call(_VERIFY_USER, body=body)
        return self._engine.structure(data, ConnectedAccountVerification)

    @operation(*_PROXY_ROUTES.values())
    async def send_request(
        self,
        path: str,
        *,
        connector: str,
        identifier: str,
        method: str = "GET",
        params: Mapping[str, str | Sequence[str]] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = NOT_GIVEN,
        content: bytes | str | AsyncIterable[bytes] | None = None,
        form: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """Call a third-party API as a connected account, through Scalekit's proxy.

        Scalekit forwards the request to the API of *connector* at *path*
        (e.g. ``"/gmail/v1/users/me/profile"``), adding the credentials of
        the account *identifier*, and relays the answer. The official SDKs'
        ``actions.request``.

        Args:
            path: The upstream API path, starting with ``/`` (percent-encode
                reserved characters yourself; the query goes in *params*).
            connector: The connection's name (sent as ``connection_name``).
            identifier: The connected account's identifier.
            method: ``GET``, ``HEAD``, ``POST``, ``PUT``, ``PATCH`` or ``DELETE``.
            params: The query string (a list value repeats the key).
            headers: Headers for the upstream API. ``Authorization`` and the
                headers the SDK sets (``connection_name``, ``identifier``,
                ``Content-Length``...) are refused: Scalekit supplies the
                account's credentials.
            json: A JSON body (sent with ``Content-Type: application/json``).
            content: A raw body: bytes, text (UTF-8), or an async iterable of
                bytes, which is streamed as it is produced, never buffered
                (set ``Content-Type`` in *headers*).
            form: A form body (``application/x-www-form-urlencoded``).
            timeout: The deadline in seconds (default: the client's).

        At most one of *json*, *content* and *form* may be given.

        Returns the upstream's answer as an ``httpx.Response`` whatever its
        status (a 404 or 500 of the third-party API is an answer, not an
        error; check ``response.status_code`` or call ``raise_for_status()``).
        The body is read in full before this returns, within the deadline:
        the SDK's transport reads every answer whole, so this is not the way
        to download files larger than memory.

        The request is sent once: the answer may be the upstream's, and
        whether a third-party call may be repeated is the caller's decision.
        The one exception: when Scalekit itself refuses the client's token
        (a 401 in Scalekit's error shape, not the upstream's), an idempotent
        method with a non-streamed body gets a fresh token and is replayed
        once. The official SDK replays on any 401, whatever the method and
        whoever answered, which can send a POST twice.

        Raises:
            AuthenticationError, NotFoundError, BadRequestError, ...: Scalekit
                itself refused the request (its ``google.rpc.Status`` error
                body: e.g. no such connected account); see
                `is_scalekit_error` for how the two are told apart.
            APIConnectionError: Scalekit could not be reached, or the answer
                was cut (the request may have reached the upstream).

        """
        route = _PROXY_ROUTES.get(method.upper() if isinstance(method, str) else "")
        if route is None:
            raise ValueError(f"method must be one of {', '.join(PROXY_METHODS)}, got {method!r}")
        _require_str("connector", connector)
        _require_str("identifier", identifier)
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0
        ):
            raise ValueError("timeout must be a positive number of seconds")
        engine = self._engine
        url = engine.environment_url + "/proxy" + _proxy_path(path)
        if params:
            url += "?" + urlencode(_proxy_query(params), doseq=True)
        wire: list[tuple[str, str]] = [
            ("User-Agent", USER_AGENT),
            ("connection_name", connector),
            ("identifier", identifier),
        ]
        extra = _proxy_headers(headers)
        body, content_type = _proxy_body(json, content, form)
        if content_type is not None and not any(k.lower() == "content-type" for k, _ in extra):
            wire.append(("Content-Type", content_type))
        wire += extra
        streamed = body is not None and not isinstance(body, bytes)
        replayable = route.idempotent and not streamed

        def replay_401(answer: AnswerView) -> bool:
            return replayable and is_scalekit_error(answer)

        answer = await engine.with_options(max_retries=0).exchange(
            route,
            url,
            headers=wire,
            content=body,
            idempotent=replayable,
            timeout=None if timeout is None else float(timeout),
            decode=_pass_through,
            replay_401=replay_401,
        )
        request = httpx.Request(route.method, url, headers=wire)
        raw = answer.headers
        pairs = raw.multi_items() if isinstance(raw, httpx.Headers) else list(raw.items())
        return httpx.Response(
            answer.status_code,
            headers=[(k, v) for k, v in pairs if k.lower() not in _WIRE_HEADERS],
            content=answer.content,
            request=request,
        )


def is_scalekit_error(answer: AnswerView | httpx.Response) -> bool:
    """Whether a proxied answer is Scalekit's own error rather than the upstream API's.

    Scalekit's errors are grpc-gateway ``google.rpc.Status`` JSON: an object
    with only ``code`` (a gRPC code), ``message`` and ``details``, whose
    ``code`` is the one grpc-gateway maps to the answer's HTTP status (16 for
    401, 5 for 404...). Third-party APIs rarely answer that shape, and almost
    never with a gRPC code that matches the status (an upstream's
    ``{"code": 401, "message": ...}`` is not taken for Scalekit's).
    """
    if answer.status_code < 400:
        return False
    if "json" not in answer.headers.get("content-type", "").lower():
        return False
    raw = answer.content
    if len(raw) > _STATUS_SNIFF_LIMIT:
        return False
    try:
        body = _json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return False
    if not isinstance(body, dict) or not body.keys() <= _STATUS_KEYS:
        return False
    code, message = body.get("code"), body.get("message")
    if type(code) is not int or not isinstance(message, str):
        return False
    return _GRPC_HTTP_STATUS.get(code) == answer.status_code and isinstance(
        body.get("details", []), list
    )


def _pass_through(answer: AnswerView) -> AnswerView:
    """The proxied answer as it came, unless it is Scalekit's own error (raised typed)."""
    if is_scalekit_error(answer):
        raise answer_error(answer)
    return answer


def _proxy_path(path: object) -> str:
    if not isinstance(path, str):
        raise TypeError(f"path must be a str, not {type(path).__name__}")
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"path must start with a single '/', got {path[:100]!r}")
    if any(ch < " " or ch == "\x7f" for ch in path):
        raise ValueError("path must not contain control characters")
    if "?" in path or "#" in path:
        raise ValueError("path must not hold a query or fragment: pass the query as params")
    if any(seg in {".", ".."} for seg in path.split("/")):
        raise ValueError("path must not hold '.' or '..' segments")
    return quote(path, safe="/:@!$&'()*+,;=-._~%")


def _proxy_query(params: Mapping[str, str | Sequence[str]]) -> list[tuple[str, str]]:
    if not isinstance(params, Mapping):
        raise TypeError("params must be a mapping")
    out: list[tuple[str, str]] = []
    for key, value in params.items():
        values = [value] if isinstance(value, str) else value
        if not isinstance(key, str) or not isinstance(values, Sequence):
            raise TypeError("params must map str to str or a list of str")
        for item in values:
            if not isinstance(item, str):
                raise TypeError(f"params[{key!r}] must be a str or a list of str")
            out.append((key, item))
    return out


def _proxy_headers(headers: Mapping[str, str] | None) -> list[tuple[str, str]]:
    if headers is None:
        return []
    if not isinstance(headers, Mapping):
        raise TypeError("headers must be a mapping of str to str")
    out: list[tuple[str, str]] = []
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError("headers must be a mapping of str to str")
        if name.lower() in _PROXY_OWN_HEADERS:
            raise ValueError(f"header {name!r} is set by the SDK and Scalekit, not by the caller")
        if any(ch in name + value for ch in "\r\n\x00"):
            raise ValueError(f"header {name!r} must not contain line breaks")
        out.append((name, value))
    return out


def _proxy_body(
    json: Any, content: object, form: Mapping[str, str] | None
) -> tuple[bytes | AsyncIterable[bytes] | None, str | None]:
    """The body and its content type; at most one of the three may be given."""
    given_count = (json is not NOT_GIVEN) + (content is not None) + (form is not None)
    if given_count > 1:
        raise ValueError("pass at most one of json, content and form")
    if json is not NOT_GIVEN:
        try:
            data = _json.dumps(json, separators=(",", ":"), ensure_ascii=False).encode()
        except (TypeError, ValueError) as exc:
            raise TypeError(f"json is not JSON-serializable: {exc}") from None
        return data, "application/json"
    if form is not None:
        if not isinstance(form, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in form.items()
        ):
            raise TypeError("form must be a mapping of str to str")
        return urlencode(dict(form)).encode(), "application/x-www-form-urlencoded"
    if content is None:
        return None, None
    if isinstance(content, bytes | bytearray | memoryview):
        return bytes(content), None
    if isinstance(content, str):
        return content.encode(), None
    if isinstance(content, AsyncIterable):
        return content, None
    raise TypeError(
        f"content must be bytes, str or an async iterable of bytes, not {type(content).__name__}"
    )


def _require_str(name: str, value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")


def _str_list(name: str, values: Iterable[str]) -> list[str]:
    if isinstance(values, str):
        raise TypeError(f"{name} must be a list of str, not one str")
    out = list(values)
    if not all(isinstance(v, str) for v in out):
        raise TypeError(f"{name} must be a list of str")
    return out


def _present(**fields: object) -> dict[str, Any]:
    """The keyword arguments whose value is not `None` (a filter passed as `None` is not sent)."""
    return {k: v for k, v in fields.items() if v is not None}


def _locator(
    id: str | None,
    connector: str | None,
    identifier: str | None,
    organization_id: str | None,
    user_id: str | None,
) -> dict[str, Any]:
    """The fields that find one connected account: an id, or a connector and identifier.

    A field passed as `None` is not given.
    """
    fields = _present(
        organization_id=organization_id,
        user_id=user_id,
        connector=connector,
        identifier=identifier,
        id=id,
    )
    for name, value in fields.items():
        _require_str(name, value)
    if "id" not in fields and not ("connector" in fields and "identifier" in fields):
        raise ValueError("find the connected account by id=, or by connector= and identifier=")
    return fields


def _account_body(
    converter: cattrs.Converter,
    authorization_details: NotGivenOr[AuthorizationDetails | Mapping[str, Any]],
    api_config: NotGivenOr[Mapping[str, Any]],
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if authorization_details is not NOT_GIVEN:
        body["authorization_details"] = _details(converter, authorization_details)
    if api_config is not NOT_GIVEN:
        if not isinstance(api_config, Mapping):
            raise TypeError("api_config must be a mapping (a JSON object)")
        body["api_config"] = dict(api_config)
    return body


def _details(
    converter: cattrs.Converter, value: AuthorizationDetails | Mapping[str, Any]
) -> dict[str, Any]:
    """Wire JSON of credentials: a model's set fields only, or a mapping as given."""
    if isinstance(value, AuthorizationDetails):
        wire = _compact(converter.unstructure(value))
        return wire if isinstance(wire, dict) else {}
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError("authorization_details must be an AuthorizationDetails or a mapping")


def _compact(value: Any) -> Any:
    """Drop unset (``None``) and empty values: proto3 reads them as absent anyway."""
    if isinstance(value, Mapping):
        out = {k: _compact(v) for k, v in value.items() if v is not None}
        return {k: v for k, v in out.items() if v not in ("", [], (), {})}
    if isinstance(value, list | tuple):
        return [_compact(v) for v in value]
    return value
