"""The exception tree, and the one place that turns an HTTP answer into an error.

Every exception class the SDK defines is here, and each one derives from
`ScalekitError`. Wrong arguments are refused before any request is built with
plain `TypeError` (wrong type) and `ValueError` (bad value), like httpx and
attrs do; `ConfigurationError` is both a `ScalekitError` and a `ValueError`.

```
ScalekitError                          the root: catch it to catch every error below
├── ConfigurationError (also ValueError)    the client's settings are missing or invalid
├── ClientClosedError (also RuntimeError)   a call was made on a client after `aclose()`
├── WrongEventLoopError (also RuntimeError) a client was used from a second event loop
├── APIConnectionError                 the API could not be reached, or the connection broke
│   └── APITimeoutError                the call's deadline passed, or an attempt's phase timed out
├── APIStatusError                     a non-2xx answer whose status has no class of its own
│   ├── BadRequestError                400: the request was invalid (`field_violations`)
│   ├── AuthenticationError            401: the token was rejected, even after a refresh
│   ├── PermissionDeniedError          403: the credentials may not do this
│   ├── NotFoundError                  404: no such resource (or route)
│   ├── ConflictError                  409: the resource exists already or changed
│   ├── RateLimitError                 429: too many requests, once retries are spent
│   ├── ServerError                    5xx: the server failed, once retries are spent
│   └── ToolExecutionError             an AgentKit tool failed upstream (`TOOL_ERROR`)
├── TokenError                         the token endpoint refused a grant (`invalid_client`...)
├── ResponseValidationError            a 2xx answer that is not JSON or not the documented shape
├── TooManyItemsError                  `collect(limit=N)` met a list of more than N items
├── TokenValidationError               a JWT failed local validation; `reason` says which rule
│   └── JwksUnavailableError           the signing keys (JWKS) could not be fetched
└── WebhookVerificationError           a webhook or interceptor payload cannot be trusted
    ├── WebhookHeaderError             a signature header is missing, repeated or malformed
    ├── WebhookSecretError             the signing secret is not a `whsec_` base64 secret
    ├── WebhookSignatureError          no `v1` signature matches the body
    ├── WebhookTimestampError          the signed timestamp is outside the tolerance
    │   ├── WebhookTimestampTooOldError    signed longer ago than the tolerance (a replay?)
    │   └── WebhookTimestampTooNewError    signed further in the future than the tolerance
    └── WebhookPayloadError            the body is not a valid event (also from `parse_event`)
```

Parsing an error body never raises: any body (HTML, empty, truncated JSON)
becomes an error carrying the status and a short, secret-free message. This
module imports nothing of the package, so any module may import it.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = [
    "ScalekitError",
    "ConfigurationError",
    "ClientClosedError",
    "WrongEventLoopError",
    "APIConnectionError",
    "APITimeoutError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "RateLimitError",
    "ServerError",
    "ToolExecutionError",
    "TokenError",
    "ResponseValidationError",
    "TooManyItemsError",
    "FieldViolation",
    # local token validation
    "TokenValidationReason",
    "TokenValidationError",
    "JwksUnavailableError",
    # webhook and interceptor verification
    "WebhookVerificationError",
    "WebhookHeaderError",
    "WebhookSecretError",
    "WebhookSignatureError",
    "WebhookTimestampError",
    "WebhookTimestampTooOldError",
    "WebhookTimestampTooNewError",
    "WebhookPayloadError",
]

_MAX_MESSAGE = 500


class ScalekitError(Exception):
    """Root of every error this SDK raises; catch it to catch them all."""


class ConfigurationError(ScalekitError, ValueError):
    """The client was built with missing or invalid settings."""


class ClientClosedError(ScalekitError, RuntimeError):
    """A call was made on a client after `aclose()`."""


class WrongEventLoopError(ScalekitError, RuntimeError):
    """A client was used from another event loop than the one it first ran on.

    Connections belong to the loop that opened them; create one client per
    event loop (for example in each worker process, or in each `asyncio.run`).
    """


class APIConnectionError(ScalekitError):
    """The API could not be reached, or the connection failed mid-call.

    `outcome_unknown` is true when the request may have reached the server
    (the connection broke after it was sent): a write may have happened, so it
    was not retried unless the caller opted in.
    """

    def __init__(self, message: str, *, outcome_unknown: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.outcome_unknown = outcome_unknown


class APITimeoutError(APIConnectionError):
    """The call's deadline passed, or one phase of an attempt timed out."""


@attrs.frozen
class FieldViolation:
    """One invalid request field, from `validation_error_info.field_violations`."""

    field: str
    description: str = ""
    constraint: str = ""


class APIStatusError(ScalekitError):
    """The API answered with a non-2xx status.

    Attributes:
        status_code: The HTTP status.
        message: The server's message (the Status `message`), or the reason phrase.
        grpc_code: The Status `code` (a gRPC code number), when given.
        error_code: `details[].error_code` of the Scalekit `ErrorInfo`, when given.
        field_violations: The invalid fields a 400 names.
        details: The raw `details` list of the Status body.
        request_id: The request id (from `request_info` or a response header).
        body: The decoded JSON body, or the text of a non-JSON body (truncated).
        after_lost_attempt: True when an earlier attempt of this same call may
            have been processed: its answer was lost and the SDK retried. A
            `NotFoundError` from a DELETE then most likely means the first
            attempt deleted the resource, not that it never existed.

    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        grpc_code: int | None = None,
        error_code: str | None = None,
        field_violations: tuple[FieldViolation, ...] = (),
        details: tuple[Any, ...] = (),
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.grpc_code = grpc_code
        self.error_code = error_code
        self.field_violations = field_violations
        self.details = details
        self.request_id = request_id
        self.body = body
        self.after_lost_attempt = False

    def __str__(self) -> str:
        parts = [f"{self.status_code}"]
        if self.error_code:
            parts.append(self.error_code)
        text = f"[{' '.join(parts)}] {self.message}"
        if self.field_violations:
            text += (
                " ("
                + "; ".join(
                    f"{v.field}: {v.description or v.constraint}" for v in self.field_violations
                )
                + ")"
            )
        if self.request_id:
            text += f" request_id={self.request_id}"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class BadRequestError(APIStatusError):
    """400: the request was invalid; `field_violations` names the fields."""


class AuthenticationError(APIStatusError):
    """401: the token was rejected, even after one refresh and replay."""


class PermissionDeniedError(APIStatusError):
    """403: the credentials may not perform this operation."""


class NotFoundError(APIStatusError):
    """404: no such resource (or route)."""


class ConflictError(APIStatusError):
    """409: the resource already exists or changed under the call."""


class RateLimitError(APIStatusError):
    """429: too many requests.

    `retry_after` is the wait, in seconds, the server asked for (or `None`).
    It is raised once retries are spent, or at once when the wait exceeds the
    client's cap or the call's deadline.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """5xx: the server failed; idempotent calls were retried before this."""


class ToolExecutionError(APIStatusError):
    """An AgentKit tool failed at its provider (``error_code == "TOOL_ERROR"``).

    Attributes:
        execution_id: The execution's id, to find it in Scalekit's logs.
        tool_error_code: The provider's error code.
        tool_error_message: The provider's error message.
    """

    def __init__(
        self,
        message: str,
        *,
        execution_id: str | None = None,
        tool_error_code: str | None = None,
        tool_error_message: str | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.execution_id = execution_id
        self.tool_error_code = tool_error_code
        self.tool_error_message = tool_error_message


class TokenError(ScalekitError):
    """The token endpoint refused to issue a token (a 4xx such as ``invalid_client``).

    Asking again with the same credentials or grant will not help. An endpoint
    that cannot be reached raises `APIConnectionError` (`APITimeoutError`), one
    that fails raises `ServerError` or `RateLimitError`, as every call does.

    Attributes:
        status_code: The HTTP status of the token endpoint, if it answered.
        error: The OAuth `error` (e.g. `invalid_client`, `invalid_grant`) or
            Scalekit `error_code`.
        description: The OAuth `error_description` or Status `message`.

    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        error: str | None = None,
        description: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.error = error
        self.description = description


class ResponseValidationError(ScalekitError):
    """A 2xx answer whose body is not JSON or not of the documented shape."""

    def __init__(self, message: str, *, status_code: int, body: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.body = body


class TooManyItemsError(ScalekitError):
    """A paginator's ``collect(limit=N)`` met more than *N* items; nothing was returned.

    Raise the limit if the whole list is really wanted, or walk it with
    ``async for`` to hold one page at a time.
    """

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.message = message
        self.limit = limit


# -- local token validation (see `scalekit_async._jwt`) -----------------------


class TokenValidationReason(enum.StrEnum):
    """Why a token was rejected (the `reason` of a `TokenValidationError`)."""

    MALFORMED = "malformed"
    ALGORITHM = "algorithm"
    UNKNOWN_KEY = "unknown_key"
    SIGNATURE = "signature"
    MISSING_CLAIM = "missing_claim"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    ISSUER = "issuer"
    AUDIENCE = "audience"
    SCOPE = "scope"
    NONCE = "nonce"
    JWKS_UNAVAILABLE = "jwks_unavailable"


class TokenValidationError(ScalekitError):
    """A token failed validation; `reason` says which rule, the message says how.

    Attributes:
        reason: A `TokenValidationReason`.
        message: A human-readable explanation; it never contains the token.
        missing_scopes: For reason ``scope``, the required scopes not granted.

    """

    def __init__(
        self,
        reason: TokenValidationReason | str,
        message: str,
        *,
        missing_scopes: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.reason = TokenValidationReason(reason)
        self.message = message
        self.missing_scopes = missing_scopes

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reason={self.reason.value!r}, message={self.message!r})"


class JwksUnavailableError(TokenValidationError):
    """Scalekit's signing keys could not be fetched, so no token can be checked.

    It is a `TokenValidationError` (a caller that only catches that one fails
    closed), but a service may catch it first to answer 503 instead of 401.
    """

    def __init__(self, message: str) -> None:
        super().__init__(TokenValidationReason.JWKS_UNAVAILABLE, message)


# -- webhook and interceptor verification (see `scalekit_async._webhooks`) ----


class WebhookVerificationError(ScalekitError):
    """A webhook or interceptor payload could not be verified; do not process it.

    Answer the delivery with 400 (or 401); Scalekit retries it later.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WebhookHeaderError(WebhookVerificationError):
    """A signature header is missing, repeated with different values, or malformed."""


class WebhookSecretError(WebhookVerificationError):
    """The signing secret is not a ``whsec_`` secret with a base64 key (a configuration error)."""


class WebhookSignatureError(WebhookVerificationError):
    """No ``v1`` signature matches: the body, id or timestamp changed, or the secret differs."""


class WebhookTimestampError(WebhookVerificationError):
    """The signed timestamp is outside the tolerance (a replay, or a skewed clock).

    Attributes:
        timestamp: The delivery's timestamp (Unix seconds).
        now: The local time it was compared with.

    """

    def __init__(self, message: str, *, timestamp: int, now: float) -> None:
        super().__init__(message)
        self.timestamp = timestamp
        self.now = now


class WebhookTimestampTooOldError(WebhookTimestampError):
    """The delivery was signed longer ago than the tolerance (a possible replay)."""


class WebhookTimestampTooNewError(WebhookTimestampError):
    """The delivery claims to be signed further in the future than the tolerance."""


class WebhookPayloadError(WebhookVerificationError):
    """The signature verified but the body is not a JSON object of the expected shape.

    `parse_event` raises it too, for any payload that is not a valid event.
    """


_STATUS_CLASSES: Mapping[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def _scrub_value(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            if secret and secret in value:
                value = value.replace(secret, "***")
        return value
    if isinstance(value, list | tuple):
        return type(value)(_scrub_value(v, secrets) for v in value)
    if isinstance(value, dict):
        return {k: _scrub_value(v, secrets) for k, v in value.items()}
    return value


def scrub(error: BaseException, secrets: tuple[str, ...]) -> None:
    """Remove *secrets* from an error's text and body, in place.

    A server or proxy that echoes the request (a debug gateway, a WAF page)
    would otherwise put the client secret or the bearer token into an
    exception message that ends up in logs.
    """
    for name in ("message", "body", "details", "description", "error"):
        if hasattr(error, name):
            setattr(error, name, _scrub_value(getattr(error, name), secrets))
    error.args = tuple(_scrub_value(a, secrets) for a in error.args)


def _truncate(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[:_MAX_MESSAGE] + "…"


def decode_body(content: bytes) -> Any:
    """Decode a JSON body; return the (truncated) text when it is not JSON."""
    if not content:
        return None
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return _truncate(content.decode("utf-8", "replace"))


def _error_info(details: tuple[Any, ...]) -> Mapping[str, Any]:
    for item in details:
        if isinstance(item, Mapping) and ("error_code" in item or "@type" in item):
            return item
    return {}


def _violations(info: Mapping[str, Any]) -> tuple[FieldViolation, ...]:
    block = info.get("validation_error_info")
    raw = block.get("field_violations") if isinstance(block, Mapping) else None
    if not isinstance(raw, list):
        return ()
    return tuple(
        FieldViolation(
            field=str(v.get("field", "")),
            description=str(v.get("description", "")),
            constraint=str(v.get("constraint", "")),
        )
        for v in raw
        if isinstance(v, Mapping)
    )


def status_error(
    status_code: int,
    reason: str,
    content: bytes,
    *,
    request_id: str | None = None,
    retry_after: float | None = None,
) -> APIStatusError:
    """Build the typed error for a non-2xx answer; never raises."""
    body = decode_body(content)
    message = reason or f"HTTP {status_code}"
    grpc_code: int | None = None
    details: tuple[Any, ...] = ()
    if isinstance(body, Mapping):
        if isinstance(body.get("message"), str) and body["message"]:
            message = _truncate(body["message"])
        elif isinstance(body.get("error_description"), str):
            message = _truncate(body["error_description"])
        code = body.get("code")
        grpc_code = code if isinstance(code, int) and not isinstance(code, bool) else None
        raw_details = body.get("details")
        details = tuple(raw_details) if isinstance(raw_details, list) else ()
    info = _error_info(details)
    error_code = info.get("error_code")
    request_info = info.get("request_info")
    if isinstance(request_info, Mapping) and isinstance(request_info.get("request_id"), str):
        request_id = request_info["request_id"]
    if status_code >= 500:
        cls: type[APIStatusError] = ServerError
    else:
        cls = _STATUS_CLASSES.get(status_code, APIStatusError)
    kwargs: dict[str, Any] = {
        "status_code": status_code,
        "grpc_code": grpc_code,
        "error_code": error_code if isinstance(error_code, str) else None,
        "field_violations": _violations(info),
        "details": details,
        "request_id": request_id,
        "body": body,
    }
    if cls is RateLimitError:
        kwargs["retry_after"] = retry_after
    if error_code == "TOOL_ERROR":
        tool = info.get("tool_error_info")
        tool = tool if isinstance(tool, Mapping) else {}
        return ToolExecutionError(
            message,
            execution_id=_str_or_none(tool.get("execution_id")),
            tool_error_code=_str_or_none(tool.get("tool_error_code")),
            tool_error_message=_str_or_none(tool.get("tool_error_message")),
            **kwargs,
        )
    return cls(message, **kwargs)


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def token_error(status_code: int, content: bytes) -> TokenError:
    """Build a `TokenError` from a token-endpoint answer (OAuth or Status body)."""
    body = decode_body(content)
    error: str | None = None
    description: str | None = None
    if isinstance(body, Mapping):
        if isinstance(body.get("error"), str):
            error = body["error"]
            desc = body.get("error_description")
            description = desc if isinstance(desc, str) else None
        else:
            info = _error_info(tuple(body.get("details") or ()))
            code = info.get("error_code")
            error = code if isinstance(code, str) else None
            msg = body.get("message")
            description = msg if isinstance(msg, str) else None
    label = error or f"HTTP {status_code}"
    text = f"token request failed: {label}"
    if description:
        text += f": {_truncate(description)}"
    return TokenError(text, status_code=status_code, error=error, description=description)
