import json

import pytest

import scalekit_async as sk
from scalekit_async._errors import status_error, token_error


def body(**kw: object) -> bytes:
    return json.dumps(kw).encode()


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, sk.BadRequestError),
        (401, sk.AuthenticationError),
        (403, sk.PermissionDeniedError),
        (404, sk.NotFoundError),
        (409, sk.ConflictError),
        (429, sk.RateLimitError),
        (500, sk.ServerError),
        (502, sk.ServerError),
        (503, sk.ServerError),
        (418, sk.APIStatusError),
    ],
)
def test_status_maps_to_class(status: int, cls: type[sk.APIStatusError]) -> None:
    error = status_error(status, "Reason", b"")
    assert type(error) is cls
    assert isinstance(error, sk.ScalekitError)
    assert error.status_code == status


def test_status_body_is_parsed() -> None:
    content = body(
        code=3,
        message="invalid request",
        details=[
            {
                "@type": "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo",
                "error_code": "INVALID_ARGUMENT",
                "validation_error_info": {
                    "field_violations": [
                        {"field": "user.email", "description": "bad", "constraint": "string.email"}
                    ]
                },
                "request_info": {"request_id": "req_42"},
            }
        ],
    )
    error = status_error(400, "Bad Request", content)
    assert error.message == "invalid request"
    assert error.grpc_code == 3
    assert error.error_code == "INVALID_ARGUMENT"
    assert error.field_violations == (
        sk.FieldViolation(field="user.email", description="bad", constraint="string.email"),
    )
    assert error.request_id == "req_42"
    assert len(error.details) == 1
    assert "user.email" in str(error)
    assert "req_42" in str(error)


@pytest.mark.parametrize(
    "content",
    [
        b"<html><body><h1>502 Bad Gateway</h1></body></html>",
        b"",
        b'{"code": 14, "message": "unavail',
        b"\xff\xfe\x00garbage",
        b"[1, 2, 3]",
        b'{"details": "not a list", "code": "x", "message": 7}',
        b'{"details": [{"validation_error_info": {"field_violations": [1, "x", null]}}]}',
    ],
)
def test_any_body_becomes_a_typed_error(content: bytes) -> None:
    error = status_error(502, "Bad Gateway", content)
    assert isinstance(error, sk.ServerError)
    assert error.status_code == 502
    assert error.message
    assert isinstance(str(error), str)


def test_long_bodies_are_truncated_in_messages() -> None:
    error = status_error(500, "", body(message="x" * 10_000))
    assert len(error.message) < 600


def test_tool_error_is_its_own_class() -> None:
    content = body(
        code=13,
        message="tool failed",
        details=[
            {
                "error_code": "TOOL_ERROR",
                "tool_error_info": {
                    "execution_id": "exec_1",
                    "tool_error_code": "UPSTREAM_429",
                    "tool_error_message": "slow down",
                },
            }
        ],
    )
    error = status_error(500, "", content)
    assert isinstance(error, sk.ToolExecutionError)
    assert error.execution_id == "exec_1"
    assert error.tool_error_code == "UPSTREAM_429"
    assert error.tool_error_message == "slow down"


def test_token_error_reads_oauth_body() -> None:
    error = token_error(401, body(error="invalid_client", error_description="bad secret"))
    assert error.error == "invalid_client"
    assert error.description == "bad secret"
    assert not error.retryable


def test_token_error_reads_status_body() -> None:
    content = body(code=16, message="nope", details=[{"error_code": "UNAUTHENTICATED"}])
    error = token_error(401, content)
    assert error.error == "UNAUTHENTICATED"
    assert error.description == "nope"


def test_token_error_on_server_failure_is_retryable() -> None:
    assert token_error(503, b"<html>").retryable
    assert token_error(503, b"<html>").status_code == 503
