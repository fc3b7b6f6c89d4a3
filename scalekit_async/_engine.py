"""The request engine: the one path every HTTP exchange of the SDK takes.

Resource calls, the client-credentials token, every user-token grant and the
JWKS fetch all go through `Engine.exchange`, so the deadline, retries, the
retry budget, hooks, tracing, typed errors and redaction apply to each of them
by construction; nothing builds a request beside it.

The interface resources and ``client.auth`` depend on (and nothing else):

| member                          | what it does                                               |
|---------------------------------|------------------------------------------------------------|
| `Engine.call`                   | an authorized API call: JSON in, decoded JSON out          |
| `Engine.structure` / `unwrap`   | decoded JSON -> model, or `ResponseValidationError`        |
| `Engine.grant`                  | a token-endpoint grant with this client's credentials      |
| `Engine.fetch_public`           | an unauthenticated GET (the JWKS)                          |
| `Engine.exchange`               | one request as built, its answer decoded by the caller     |
|                                 | (the pass-through of ``connected_accounts.send_request``)  |
| `answer_error`                  | an error answer's typed exception (for such decoders)      |
| `Engine.environment_url`, `client_id`, `converter` | what the client is          |
| `Engine.with_options`           | the same engine (pool, token) with other call options      |

The engine gets its `Sender` from the client (``connect``), which owns the
lifecycle: opening and closing the pool and binding it to one event loop.
"""

from __future__ import annotations

import json
import logging
import math
import platform
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from contextlib import nullcontext
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import urlencode

import anyio
import attrs
import httpx

from ._auth import TokenGrant, TokenRefresher, TokenStore
from ._config import Credentials
from ._converter import format_timestamp
from ._errors import (
    APIStatusError,
    APITimeoutError,
    ResponseValidationError,
    ScalekitError,
    TokenError,
    decode_body,
    status_error,
    token_error,
)
from ._otel import traced
from ._pool import Answer, Body
from ._redact import Redactor
from ._retry import parse_retry_after
from ._routes import JWKS, TOKEN, Route
from ._sender import Call, RetryingSender, Timeouts
from ._types import NOT_GIVEN
from ._version import __version__

if TYPE_CHECKING:
    import cattrs

    from ._jwks import JwksCache

__all__ = [
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOKEN_LIFETIME",
    "JWKS_TIMEOUT",
    "USER_AGENT",
    "CallOptions",
    "Engine",
    "AnswerView",
    "RawResponse",
    "answer_error",
    "decode_answer",
    "parse_grant",
]

logger = logging.getLogger("scalekit_async")

T = TypeVar("T")

DEFAULT_TIMEOUT = 60.0
"""The deadline of one call, in seconds, when the client is given none."""
DEFAULT_TOKEN_LIFETIME = 300.0
"""The lifetime assumed for a token answer without ``expires_in``."""
JWKS_TIMEOUT = 15.0
"""The deadline of one JWKS fetch, in seconds (validation waits on it)."""

USER_AGENT = (
    f"scalekit-async/{__version__} python/{platform.python_version()} httpx/{httpx.__version__}"
)
"""What the SDK sends as ``User-Agent``."""

_BASE_HEADERS = [("Accept", "application/json"), ("User-Agent", USER_AGENT)]
_JSON_HEADERS = [*_BASE_HEADERS, ("Content-Type", "application/json")]
_FORM_HEADERS = [*_BASE_HEADERS, ("Content-Type", "application/x-www-form-urlencoded")]

# The span of a call when no tracer is set (a null context is reusable).
_NO_SPAN = nullcontext()
_JSON = json.JSONDecoder()
"""The decoder `json.loads` uses for a str, called directly (stateless, so shared)."""

# Form fields of a token request that are not credentials; every other field is.
_PUBLIC_FORM_FIELDS = frozenset({"grant_type", "redirect_uri", "client_id", "scope"})


@attrs.frozen(kw_only=True)
class CallOptions:
    """The options of the calls an engine makes: deadline, retries and phase limits."""

    timeout: float = DEFAULT_TIMEOUT
    max_retries: int | None = None
    """`None` means the retry policy's own count."""
    timeouts: Timeouts = attrs.Factory(Timeouts)
    """Per-phase limits of each attempt."""
    record: Callable[[RawResponse], None] | None = None
    """Told about the answer of every successful call (`ScalekitClient.with_raw_response`)."""


@attrs.frozen
class RawResponse:
    """The HTTP answer behind a successful call, for support tickets and rate-limit headers.

    Models stay frozen and clean; this is where the wire details live.
    """

    status_code: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    content: bytes = attrs.field(repr=False)

    @property
    def request_id(self) -> str | None:
        """Scalekit's request id (``x-request-id``), to quote when asking for support."""
        return self.headers.get("x-request-id")


@attrs.define(kw_only=True)
class _Core:
    """What every view of one client shares: credentials, pool, token, converter."""

    credentials: Credentials
    connect: Callable[[], RetryingSender]
    converter: cattrs.Converter
    tracer: Any
    redactor: Redactor
    tokens: TokenRefresher
    jwks: JwksCache | None = None
    list_hooks: dict[type, tuple[Callable[[Any, Any], Any], Any]] = attrs.Factory(dict)
    """The converter's hook for ``tuple[X, ...]`` by item type X (see `Engine.structure_items`)."""


class Engine:
    """Send the SDK's requests: one exchange path, one error boundary.

    Args:
        credentials: The environment and the API client's id and secret.
        connect: Returns the `RetryingSender` for a call (the client binds it to
            its event loop and opens it on first use).
        converter: The client's cattrs converter.
        options: Deadline, retries and phase limits of every call.
        tracer: An OpenTelemetry tracer, or `None`.
        token_store: Where client-credentials tokens come from, or `None`.

    """

    __slots__ = ("_core", "options")

    def __init__(
        self,
        credentials: Credentials,
        *,
        connect: Callable[[], RetryingSender],
        converter: cattrs.Converter,
        options: CallOptions,
        tracer: Any = None,
        token_store: TokenStore | None = None,
    ) -> None:
        self._core = _Core(
            credentials=credentials,
            connect=connect,
            converter=converter,
            tracer=tracer,
            redactor=Redactor(),
            tokens=TokenRefresher(
                self._fetch_client_token, store=token_store, fetch_timeout=options.timeout
            ),
        )
        self.options = options

    @classmethod
    def _view(cls, core: _Core, options: CallOptions) -> Engine:
        engine = cls.__new__(cls)
        engine._core = core
        engine.options = options
        return engine

    def with_options(self, **changes: Any) -> Engine:
        """An engine sharing this one's pool, token and converter, with other call options."""
        return Engine._view(self._core, attrs.evolve(self.options, **changes))

    def __repr__(self) -> str:
        return f"<Engine environment_url={self.environment_url!r}>"

    # -- what the client is -------------------------------------------------

    @property
    def environment_url(self) -> str:
        """The environment's base URL, without a trailing slash."""
        return self._core.credentials.environment_url

    @property
    def client_id(self) -> str:
        """The API client's id (public: it appears in login URLs)."""
        return self._core.credentials.client_id

    @property
    def converter(self) -> cattrs.Converter:
        """The client's converter (wire JSON <-> models)."""
        return self._core.converter

    @property
    def jwks(self) -> JwksCache:
        """The signing-key cache, shared by every view of the client (made on first use)."""
        core = self._core
        if core.jwks is None:
            from ._jwks import JwksCache  # PyJWT and cryptography: only for token validation

            core.jwks = JwksCache(self.fetch_jwks)
        return core.jwks

    @property
    def tokens(self) -> TokenRefresher:
        """The client-credentials token cache."""
        return self._core.tokens

    # -- the one exchange -----------------------------------------------------

    async def exchange(
        self,
        route: Route,
        url: str,
        *,
        headers: list[tuple[str, str]],
        content: Body = None,
        authorized: bool = True,
        idempotent: bool | None = None,
        timeout: float | None = None,
        timeouts: Timeouts | None = None,
        credentials: tuple[str, ...] = (),
        decode: Callable[[Answer], T],
        replay_401: Callable[[Answer], bool] | None = None,
    ) -> T:
        """Send one request through the retrying transport and return its decoded answer.

        This is the SDK's one error boundary: every `ScalekitError` raised while
        sending or decoding has the client secret, the client's tokens and
        *credentials* (the values this request carries) removed. An answer of
        401 to the client's token drops that token and replays the request once.

        Args:
            route: The operation (its template names the call in hooks, logs, spans).
            url: The full URL.
            headers: Headers without ``Authorization``.
            content: The body (an async iterable is streamed by the httpx
                transports; the caller must not let it be sent twice).
            authorized: Send the client-credentials token (and replay once on 401).
            idempotent: Whether a repeat cannot repeat a side effect
                (default: by the route's method).
            timeout: The call's deadline in seconds (default: the options').
            timeouts: Per-phase limits of each attempt (default: the options').
            credentials: Secret values in this request, to redact from errors.
            decode: Turns the answer into the result, or raises its typed error.
            replay_401: Whether a 401 answer means the client's token was
                rejected (then it is dropped and the request replayed once);
                `None`: every 401 does. For pass-through calls whose 401 may
                be another server's (the AgentKit proxy).

        """
        core = self._core
        options = self.options
        seconds = timeout or options.timeout
        try:
            sender = core.connect()
            call = Call(
                route.method,
                url,
                route.template,
                sender.clock() + seconds,
                route.idempotent if idempotent is None else idempotent,
                route.replayable,
                headers,
                content,
                self._authorize if authorized else None,
                timeouts or options.timeouts,
            )
            with traced(core.tracer, route) if core.tracer else _NO_SPAN:
                try:
                    answer, sent = await sender.send(call, options.max_retries)
                    if (
                        answer.status_code == 401
                        and sent is not None
                        and (replay_401 is None or replay_401(answer))
                    ):
                        # The token was rejected: forget it (if still cached) and replay once.
                        self.tokens.invalidate(sent.removeprefix("Bearer "))
                        answer, _ = await sender.send(call, 0)
                except TokenError as error:
                    if sender.clock() < call.deadline:
                        raise
                    raise APITimeoutError(
                        f"{route}: deadline of {seconds:g}s exceeded while fetching a token"
                    ) from error
                result = decode(answer)
                if options.record is not None:
                    options.record(RawResponse(answer.status_code, answer.headers, answer.content))
                return result
        except ScalekitError as error:
            core.redactor.scrub(error, (*self._secrets(), *credentials))
            raise

    def _secrets(self) -> tuple[str, ...]:
        """What never appears in an error: the client secret and the client's tokens."""
        return (self._core.credentials.client_secret.reveal(), *self.tokens.known_values())

    def _authorize(self, deadline: float) -> str | Awaitable[str]:
        """The ``Authorization`` value: at once while the cached token is fresh."""
        token = self._core.tokens.peek()
        if token is not None:
            return "Bearer " + token
        return self._await_token(deadline)

    async def _await_token(self, deadline: float) -> str:
        # Waiting for a fetch is bounded by the call's deadline (the fetch itself runs on).
        with anyio.move_on_after(deadline - anyio.current_time()) as scope:
            return "Bearer " + await self.tokens.token()
        assert scope.cancelled_caught
        raise APITimeoutError("the call's deadline passed while waiting for a token")

    # -- API calls ------------------------------------------------------------

    def call(
        self,
        route: Route,
        *path: str,
        params: Mapping[str, Any] | None = None,
        body: Any = NOT_GIVEN,
        timeout: float | None = None,
        timeouts: Timeouts | None = None,
        decode: Callable[[Answer], Any] | None = None,
    ) -> Coroutine[Any, Any, Any]:
        """Make one API call: awaited, its decoded JSON body (``{}`` when empty).

        A plain function returning the exchange's coroutine: no frame of its own
        stays alive (and is resumed) while the request is on the wire. A bad
        path value or body raises here, before anything is sent.

        Args:
            route: The operation.
            *path: The values of the route's path parameters, in order.
            params: The query; `None` and not-given values are left out.
            body: The JSON body (not given: no body).
            timeout: This call's deadline (long-running operations such as tool runs).
            timeouts: This call's per-phase limits.
            decode: Turns the answer into the result (`None`: `decode_answer`);
                a list's page step runs here, inside the error boundary.

        """
        url = self._core.credentials.environment_url + route.path(*path)
        if params:
            query = _query(params)
            if query:
                url += "?" + urlencode(query)
        if body is NOT_GIVEN:
            content, headers = None, _BASE_HEADERS
        else:
            content, headers = _dump_json(body), _JSON_HEADERS
        return self.exchange(
            route,
            url,
            headers=headers,
            content=content,
            timeout=timeout,
            timeouts=timeouts,
            decode=decode or decode_answer,
        )

    def structure(self, data: Any, cls: type[T]) -> T:
        """Structure decoded JSON into *cls*, or raise `ResponseValidationError`."""
        if (
            data.__class__ is not dict
            and isinstance(cls, type)
            and attrs.has(cls)
            and not isinstance(data, Mapping)
        ):
            raise ResponseValidationError(
                f"response is not a {cls.__name__} object", status_code=200, body=data
            )
        try:
            return self._core.converter.structure(data, cls)
        except _refused() as exc:
            raise _invalid(getattr(cls, "__name__", str(cls)), exc, data) from exc

    def structure_items(self, data: Any, item: type[T]) -> tuple[T, ...]:
        """Structure a JSON list (`None`: empty) into a tuple of *item*s.

        Raises `ResponseValidationError` when it does not fit. Every list call
        ends here, so the converter's hook for ``tuple[item, ...]`` is found once
        per client and item type, not dispatched on each call.
        """
        hooks = self._core.list_hooks
        found = hooks.get(item)
        if found is None:
            items_type: Any = tuple[item, ...]  # type: ignore[valid-type]
            found = hooks[item] = (self._core.converter.get_structure_hook(items_type), items_type)
        hook, items_type = found
        try:
            return hook(data, items_type)  # type: ignore[no-any-return]
        except _refused() as exc:
            raise _invalid(f"list of {item.__name__}", exc, data) from exc

    def unwrap(self, data: Any, key: str, cls: type[T]) -> T:
        """Structure the object under *key* of an answer into *cls*."""
        if not isinstance(data, Mapping) or not isinstance(data.get(key), Mapping):
            raise ResponseValidationError(
                f"response has no {key!r} object", status_code=200, body=data
            )
        return self.structure(data[key], cls)

    # -- the token endpoint and the keys ---------------------------------------

    async def grant(
        self,
        form: Mapping[str, str],
        *,
        idempotent: bool = False,
        client: tuple[str, str] | None = None,
    ) -> Mapping[str, Any]:
        """POST a grant to the token endpoint with this client's credentials.

        Every field of *form* other than ``grant_type``, ``redirect_uri``,
        ``client_id`` and ``scope`` is treated as a credential: a new grant is
        redacted from errors without anyone listing its fields.

        Args:
            form: The grant's fields (``grant_type`` and its parameters).
            idempotent: Whether the grant may be repeated after a lost answer
                (client credentials may; a code or a rotating refresh token may not).
            client: Another API client's id and secret to authenticate with
                instead of this client's (its secret is redacted the same way).

        Raises:
            TokenError: The endpoint refused the grant (``error`` says why).
            APIConnectionError: It could not be reached (a timeout is an `APITimeoutError`).
            ServerError: It failed with a 5xx.
            RateLimitError: It answered 429 after the retries.

        """
        creds = self._core.credentials
        client_id, client_secret = client or (creds.client_id, creds.client_secret.reveal())
        fields = {**form, "client_id": client_id, "client_secret": client_secret}
        secrets = tuple(v for k, v in fields.items() if k not in _PUBLIC_FORM_FIELDS)
        return await self.exchange(
            TOKEN,
            self.environment_url + TOKEN.template,
            headers=_FORM_HEADERS,
            content=urlencode(fields).encode(),
            authorized=False,
            idempotent=idempotent,
            credentials=secrets,
            decode=_grant_body,
        )

    async def fetch_public(self, route: Route, *, timeout: float = JWKS_TIMEOUT) -> Any:
        """An unauthenticated GET of *route* (such as the JWKS), decoded."""
        return await self.exchange(
            route,
            self.environment_url + route.template,
            headers=_BASE_HEADERS,
            authorized=False,
            timeout=timeout,
            decode=decode_answer,
        )

    async def fetch_jwks(self) -> Any:
        """The environment's signing keys (``GET /keys``), decoded."""
        return await self.fetch_public(JWKS)

    async def _fetch_client_token(self) -> TokenGrant:
        body = await self.grant({"grant_type": "client_credentials"}, idempotent=True)
        return parse_grant(body)


def _grant_body(answer: Answer) -> Mapping[str, Any]:
    status = answer.status_code
    if status >= 500 or status == 429:
        raise status_error(
            status,
            answer.reason_phrase,
            answer.content,
            request_id=answer.headers.get("x-request-id"),
            retry_after=parse_retry_after(answer.headers),
        )
    if status != 200:
        raise token_error(status, answer.content)
    body = decode_body(answer.content)
    if not isinstance(body, Mapping):
        raise TokenError("token endpoint answered with a body that is not a JSON object")
    return body


def parse_grant(body: Mapping[str, Any]) -> TokenGrant:
    """The client-credentials token of a token answer, with its lifetime."""
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise TokenError("token endpoint answered without an access_token")
    return TokenGrant(token, _lifetime(body.get("expires_in")))


def _lifetime(value: Any) -> float:
    """``expires_in`` as seconds: missing, non-numeric or non-finite means the default.

    Zero or negative is passed on: the refresher then uses the token once.
    """
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return DEFAULT_TOKEN_LIFETIME
    if isinstance(value, bool) or not isinstance(value, int | float):
        return DEFAULT_TOKEN_LIFETIME
    if not math.isfinite(value):
        return DEFAULT_TOKEN_LIFETIME
    return float(value)


def decode_answer(answer: AnswerView) -> Any:
    """The decoded JSON of a 2xx answer (``{}`` when empty), or its typed error."""
    status = answer.status_code
    if 200 <= status < 300:
        content = answer.content
        if not content or content.isspace():  # isspace: no copy of the body, unlike strip
            return {}
        try:
            return _loads(content)
        except (ValueError, UnicodeDecodeError):
            raise ResponseValidationError(
                f"HTTP {status} answer is not JSON", status_code=status, body=decode_body(content)
            ) from None
    raise answer_error(answer)


def _loads(content: bytes) -> Any:
    """JSON from bytes, read as UTF-8 first (the API's encoding, RFC 8259).

    `json.loads` on bytes sniffs for UTF-16 and UTF-32 on every call, then
    matches whitespace around the value; a UTF-8 body holding exactly one value
    (the API's answers) needs neither. Anything else (a byte-order mark, another
    encoding, whitespace around the value, trailing data) goes through
    `json.loads`, which accepts or refuses it as it always did.
    """
    try:
        text = content.decode()
        data, end = _JSON.raw_decode(text)
    except (ValueError, UnicodeDecodeError):
        return json.loads(content)
    if end != len(text):
        return json.loads(content)
    return data


class AnswerView(Protocol):
    """What a caller's decoder reads of an answer (`Engine.exchange` hands it an `Answer`)."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes
    reason_phrase: str
    after_lost_attempt: bool


def answer_error(answer: AnswerView) -> APIStatusError:
    """The typed error of an error answer: its status class, body, request id and retry hint.

    The one place an HTTP error answer becomes an exception (`decode_answer`
    and the proxy's pass-through, which raises it only for Scalekit's own errors).
    """
    error = status_error(
        answer.status_code,
        answer.reason_phrase,
        answer.content,
        request_id=answer.headers.get("x-request-id"),
        retry_after=parse_retry_after(answer.headers),
    )
    error.after_lost_attempt = answer.after_lost_attempt
    return error


def _refused() -> tuple[type[Exception], ...]:
    """What the converter raises for an answer that does not fit its model.

    Read only when structuring raised (an ``except`` clause is evaluated then),
    by which time the converter has imported cattrs.
    """
    from cattrs import BaseValidationError

    return (BaseValidationError, ValueError, TypeError, KeyError)


def _invalid(what: str, exc: Exception, data: Any) -> ResponseValidationError:
    """The error for a 200 answer the converter refused as *what*."""
    return ResponseValidationError(
        f"response is not a valid {what}: {type(exc).__name__}", status_code=200, body=data
    )


def _dump_json(body: Any) -> bytes:
    try:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    except (TypeError, ValueError) as exc:
        raise TypeError(f"request body is not JSON-serializable: {exc}") from None


def _query(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Flatten query params: lists repeat the key; bools are lowercase; None is dropped."""
    out: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None or value is NOT_GIVEN:
            continue
        values = value if isinstance(value, list | tuple) else (value,)
        for v in values:
            if isinstance(v, bool):
                out.append((key, "true" if v else "false"))
            elif isinstance(v, datetime):
                out.append((key, format_timestamp(v)))
            else:
                out.append((key, str(v)))
    return out
