import ast
import inspect
import json
import re

import pytest

import scalekit_async as sk
import scalekit_async._errors as errors
import scalekit_async._jwt as jwt_module
import scalekit_async._webhooks as webhooks_module
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


def test_token_error_reads_status_body() -> None:
    content = body(code=16, message="nope", details=[{"error_code": "UNAUTHENTICATED"}])
    error = token_error(401, content)
    assert error.error == "UNAUTHENTICATED"
    assert error.description == "nope"


def test_token_error_keeps_the_status_of_a_non_json_refusal() -> None:
    error = token_error(400, b"<html>")
    assert error.status_code == 400
    assert error.error is None


# -- one exception module, whose docstring draws the whole tree ----------------

_TREE_LINE = re.compile(r"^(?P<indent>[│ ]*(?:[├└]── )?)(?P<name>\w+)(?P<rest>.*)$")


def exported_exceptions() -> list[type[BaseException]]:
    found = [getattr(sk, name) for name in sk.__all__]
    return [obj for obj in found if isinstance(obj, type) and issubclass(obj, BaseException)]


def docstring_tree() -> dict[str, tuple[str | None, tuple[str, ...], str]]:
    """Each class of the drawn tree: (its parent, its "also" bases, its description)."""
    doc = errors.__doc__ or ""
    block = re.search(r"```\n(.*?)```", doc, re.S)
    assert block, "the _errors docstring has no tree"
    tree: dict[str, tuple[str | None, tuple[str, ...], str]] = {}
    stack: list[str] = []
    for line in block.group(1).splitlines():
        match = _TREE_LINE.match(line)
        assert match, line
        depth = len(match["indent"]) // 4
        del stack[depth:]
        rest = match["rest"]
        also = re.match(r"\s*\(also ([\w, ]+)\)", rest)
        bases = tuple(b.strip() for b in also.group(1).split(",")) if also else ()
        description = rest[also.end() :] if also else rest
        tree[match["name"]] = (stack[-1] if stack else None, bases, description.strip())
        stack.append(match["name"])
    return tree


def test_there_are_exceptions_to_check() -> None:
    names = {cls.__name__ for cls in exported_exceptions()}
    assert {"ScalekitError", "TokenValidationError", "WebhookPayloadError"} <= names
    assert len(names) >= 25


@pytest.mark.parametrize("cls", exported_exceptions(), ids=lambda cls: cls.__name__)
def test_every_exported_exception_is_defined_in_errors(cls: type[BaseException]) -> None:
    assert cls.__module__ == "scalekit_async._errors"
    assert getattr(errors, cls.__name__) is cls
    assert cls.__name__ in errors.__all__
    assert issubclass(cls, sk.ScalekitError)


@pytest.mark.parametrize("cls", exported_exceptions(), ids=lambda cls: cls.__name__)
def test_every_exported_exception_is_drawn_in_the_tree(cls: type[BaseException]) -> None:
    tree = docstring_tree()
    assert cls.__name__ in tree, f"{cls.__name__} is missing from the _errors docstring tree"
    parent, also, description = tree[cls.__name__]
    assert description, f"{cls.__name__} has no 'when it is raised' in the tree"
    expected = tuple(base.__name__ for base in cls.__bases__)
    if parent is None:
        assert cls is sk.ScalekitError
        return
    assert expected == (parent, *also), f"{cls.__name__}: the tree shows other bases"


def test_the_tree_draws_only_real_classes() -> None:
    for name in docstring_tree():
        cls = getattr(errors, name, None)
        assert isinstance(cls, type), name
        assert issubclass(cls, sk.ScalekitError), name


def test_every_exception_class_of_errors_is_exported() -> None:
    for name, obj in vars(errors).items():
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert getattr(sk, name) is obj, name


def test_errors_imports_nothing_of_the_package() -> None:
    source = ast.parse(inspect.getsource(errors))
    for node in ast.walk(source):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, ast.unparse(node)
            assert not (node.module or "").startswith("scalekit_async"), ast.unparse(node)
        elif isinstance(node, ast.Import):
            assert not any(a.name.startswith("scalekit_async") for a in node.names)


def test_old_homes_still_import_the_same_classes() -> None:
    for name in ("TokenValidationError", "JwksUnavailableError", "TokenValidationReason"):
        assert getattr(jwt_module, name) is getattr(errors, name)
    for name in webhooks_module.__all__:
        if name.startswith("Webhook"):
            assert getattr(webhooks_module, name) is getattr(errors, name)


def test_subclass_relations_users_rely_on() -> None:
    assert issubclass(sk.APITimeoutError, sk.APIConnectionError)
    assert issubclass(sk.JwksUnavailableError, sk.TokenValidationError)
    assert issubclass(sk.WebhookTimestampTooOldError, sk.WebhookTimestampError)
    assert issubclass(sk.WebhookPayloadError, sk.WebhookVerificationError)
    assert issubclass(sk.ConfigurationError, ValueError)
    assert issubclass(sk.ClientClosedError, RuntimeError)
    assert not issubclass(sk.WebhookPayloadError, sk.ResponseValidationError)
