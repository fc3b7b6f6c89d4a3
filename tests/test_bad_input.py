"""Bad input from callers: a clear ValueError/TypeError before anything is sent, or the
API's own 4xx, and never a request to another route than the one called.

Ids travel as exactly one percent-encoded path segment, checked on the paths the fake
recorded over a real socket, on both transports (each builds URLs its own way).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote, unquote

import pytest

import scalekit_async as sk
from scalekit_async.resources._base import Resource
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio

Call = Callable[[sk.ScalekitClient, str], Awaitable[Any]]


@asynccontextmanager
async def served(fake: FakeScalekit, kind: str) -> AsyncIterator[sk.ScalekitClient]:
    transport = sk.AiohttpTransport() if kind == "aiohttp" else None
    async with (
        fake.serve() as url,
        sk.ScalekitClient(
            url, fake.client_id, fake.client_secret, transport=transport, max_retries=0
        ) as client,
    ):
        yield client


# One operation per family, each taking ids: (call, method, template).
OPERATIONS: dict[str, tuple[Call, str, str]] = {
    "organizations.get": (
        lambda c, v: c.organizations.get(v),
        "GET",
        "/api/v1/organizations/{id}",
    ),
    "organizations.update": (
        lambda c, v: c.organizations.update(v, display_name="A"),
        "PATCH",
        "/api/v1/organizations/{id}",
    ),
    "organizations.delete": (
        lambda c, v: c.organizations.delete(v),
        "DELETE",
        "/api/v1/organizations/{id}",
    ),
    "organizations.get_by_external_id": (
        lambda c, v: c.organizations.get_by_external_id(v),
        "GET",
        "/api/v1/organizations:external/{external_id}",
    ),
    "users.get": (lambda c, v: c.users.get(v), "GET", "/api/v1/users/{id}"),
    "memberships.delete": (
        lambda c, v: c.memberships.delete(organization_id=v, user_id=v),
        "DELETE",
        "/api/v1/memberships/organizations/{organization_id}/users/{id}",
    ),
    "roles.get": (lambda c, v: c.roles.get(v), "GET", "/api/v1/roles/{role_name}"),
    "permissions.get": (
        lambda c, v: c.permissions.get(v),
        "GET",
        "/api/v1/permissions/{permission_name}",
    ),
    "connections.get": (
        lambda c, v: c.connections.get(v, organization_id=v),
        "GET",
        "/api/v1/organizations/{organization_id}/connections/{id}",
    ),
    "domains.delete": (
        lambda c, v: c.domains.delete(v, organization_id=v),
        "DELETE",
        "/api/v1/organizations/{organization_id}/domains/{id}",
    ),
    "api_clients.get": (
        lambda c, v: c.api_clients.get(v, organization_id=v),
        "GET",
        "/api/v1/organizations/{organization_id}/clients/{client_id}",
    ),
    "sessions.get": (lambda c, v: c.sessions.get(v), "GET", "/api/v1/sessions/{session_id}"),
    "mcp.get_config": (
        lambda c, v: c.mcp.get_config(v),
        "GET",
        "/api/v1/mcp/configs/{config_id}",
    ),
    "providers.delete": (
        lambda c, v: c.providers.delete(v),
        "DELETE",
        "/api/v1/custom-providers/{identifier}",
    ),
}

# Sent, each as one segment of the route called (the API then answers 404 or 400).
PATH_CHARACTERS = [
    "a/b",
    "../users",
    "org_1/../../users",
    "..%2F..%2Fusers",
    "a?b=c",
    "a#b",
    "a%2Fb",
    "org:external",
    " spaced out ",
    "ünïcødé",
    "a;b,c=d&e",
    "%",
]
# Refused before anything is sent.
REFUSED_VALUES: list[tuple[object, type[Exception]]] = [
    ("", ValueError),
    (".", ValueError),
    ("..", ValueError),
    ("a\nb", ValueError),
    ("a\x00b", ValueError),
    ("\x7f", ValueError),
    (None, TypeError),
    (123, TypeError),
    (b"org_1", TypeError),
    (["org_1"], TypeError),
]


async def status_of(call: Awaitable[Any]) -> int:
    """The API's status for *call*: 200 when it succeeded, else that of its typed error."""
    try:
        await call
    except sk.APIStatusError as exc:
        return exc.status_code
    return 200


def expected_path(template: str, value: str) -> str:
    out = template
    while "{" in out:
        start, end = out.index("{"), out.index("}")
        out = out[:start] + quote(value, safe="") + out[end + 1 :]
    return out


async def test_ids_with_path_characters_stay_in_their_segment(transport_kind: str) -> None:
    fake = FakeScalekit()
    fake.organizations["org_1"] = {
        "id": "org_1",
        "display_name": "Keep me",
        "create_time": "2025-01-01T00:00:00Z",
    }
    async with served(fake, transport_kind) as client:
        await client.organizations.list()
        for name, (call, method, template) in OPERATIONS.items():
            for value in PATH_CHARACTERS:
                before = len(fake.requests)
                status = await status_of(call(client, value))
                assert status in {200, 400, 404}, (name, value, status)
                sent = fake.requests[before:]
                assert [(r.method, r.path) for r in sent] == [
                    (method, expected_path(template, value))
                ], (name, value)
                segments = sent[0].path.split("/")
                assert len(segments) == template.count("/") + 1, (name, value)
                assert value in {unquote(s) for s in segments}, (name, value)
    # Nothing else was touched: in particular "org_1/../.." reached no other route.
    assert fake.organizations["org_1"]["display_name"] == "Keep me"


async def test_unusable_ids_are_refused_before_sending(transport_kind: str) -> None:
    fake = FakeScalekit()
    async with served(fake, transport_kind) as client:
        for name, (call, _, _) in OPERATIONS.items():
            for value, error in REFUSED_VALUES:
                with pytest.raises(error):
                    await call(client, value)  # type: ignore[arg-type]
                with pytest.raises(error):  # and in list calls scoped by an id
                    await client.sessions.list(user_id=value)  # type: ignore[arg-type]
            assert fake.requests == [], name  # not even a token request


PLAUSIBLE = {"organization_id": "org_1", "resource_type": "API"}
"""Values of required keywords that pass their own checks, so page_size is the one refused."""


def list_operations(client: sk.ScalekitClient) -> list[tuple[str, Callable[..., Any], int]]:
    """Every namespace method that takes a page_size, and how many ids it needs first."""
    found = []
    for ns_name in client.NAMESPACES:
        namespace = getattr(client, ns_name)
        assert isinstance(namespace, Resource)
        for name, method in inspect.getmembers(namespace, inspect.ismethod):
            params = inspect.signature(method).parameters
            if name.startswith("_") or "page_size" not in params:
                continue
            required = [p for p in params.values() if p.default is inspect.Parameter.empty]
            ids = sum(p.kind is p.POSITIONAL_OR_KEYWORD for p in required)
            keywords = {
                p.name: PLAUSIBLE.get(p.name, "x") for p in required if p.kind is p.KEYWORD_ONLY
            }
            found.append((f"{ns_name}.{name}", functools.partial(method, **keywords), ids))
    return found


@pytest.mark.parametrize(
    ("page_size", "error"),
    [
        (0, ValueError),
        (-1, ValueError),
        (2**32, ValueError),  # past every limit, uint32 included (events.list)
        (True, TypeError),
        (1.5, TypeError),
        ("10", TypeError),
    ],
)
async def test_page_sizes_out_of_range_are_refused_before_sending(
    page_size: object, error: type[Exception]
) -> None:
    fake = FakeScalekit()
    async with fake.client() as client:
        operations = list_operations(client)
        assert len(operations) >= 15
        for name, method, ids in operations:
            with pytest.raises(error, match="page_size"):
                await method(*["org_1"] * ids, page_size=page_size)
            assert fake.requests == [], name


async def test_a_valid_page_size_at_the_limit_is_sent(transport_kind: str) -> None:
    fake = FakeScalekit()
    async with served(fake, transport_kind) as client:
        await client.organizations.list(page_size=100)
    assert fake.api_requests("GET")[0].param("page_size") == "100"


# -- bodies ---------------------------------------------------------------------------


async def test_wrong_types_and_bad_values_in_bodies(transport_kind: str) -> None:
    fake = FakeScalekit()
    async with served(fake, transport_kind) as client:
        await client.organizations.list()
        sent = len(fake.requests)
        for metadata in ({"plan": 1}, {1: "gold"}, "plan=gold", ["plan"]):
            with pytest.raises(TypeError):
                await client.organizations.create(display_name="A", metadata=metadata)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="display_name must be a str"):
            await client.organizations.create(display_name=object())  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="not JSON-serializable"):
            await client.organizations.update_session_policy(
                "org_1",
                absolute_session_timeout=object(),  # type: ignore[arg-type]
            )
        with pytest.raises(ValueError, match="at least one field"):
            await client.organizations.update("org_1")
        assert len(fake.requests) == sent  # none of those was sent
        with pytest.raises(TypeError, match="display_name must be a str"):
            await client.organizations.create(display_name=123)  # type: ignore[arg-type]
        assert len(fake.requests) == sent
        for name in ("", "x" * 10_000, None):
            with pytest.raises(sk.BadRequestError) as info:
                await client.organizations.create(display_name=name)  # type: ignore[arg-type]
            assert [v.field for v in info.value.field_violations] == ["organization.display_name"]
    assert fake.organizations == {}


async def test_huge_metadata_gets_the_apis_answer(transport_kind: str) -> None:
    fake = FakeScalekit()
    async with served(fake, transport_kind) as client:
        many = {f"key{i}": "value" for i in range(10_000)}
        with pytest.raises(sk.BadRequestError) as info:
            await client.organizations.create(display_name="A", metadata=many)
        assert [v.field for v in info.value.field_violations] == ["organization.metadata"]
    assert fake.organizations == {}


async def test_a_body_past_the_gateway_limit_gets_a_413(transport_kind: str) -> None:
    fake = FakeScalekit()
    async with served(fake, transport_kind) as client:
        # Past the fake gateway's 16 MB limit: a 413 answer, not a dropped connection.
        huge = {"blob": "x" * (17 * 1024 * 1024)}
        with pytest.raises(sk.APIStatusError) as too_large:
            await client.organizations.create(display_name="A", metadata=huge)
        assert too_large.value.status_code == 413
        assert len(str(too_large.value)) < 200
    assert fake.organizations == {}


async def test_a_wrong_type_never_becomes_a_write_the_caller_cannot_see(
    transport_kind: str,
) -> None:
    fake = FakeScalekit()
    async with served(fake, transport_kind) as client:
        for wrong in ({"external_id": 123}, {"region_code": 5}):
            with pytest.raises((TypeError, sk.BadRequestError)):
                await client.organizations.create(display_name="A", **wrong)  # type: ignore[arg-type]
    assert fake.organizations == {}
