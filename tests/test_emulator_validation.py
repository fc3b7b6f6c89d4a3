"""The fake validates like Scalekit: requests against the spec, before any handler runs.

A violation is a 400 INVALID_ARGUMENT whose details name each field as Scalekit
does (`validation_error_info.field_violations`), and the SDK reads them into
`error.field_violations`. The schemas come from the packaged compact spec, which
must match the vendored one.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit, FakeTransport

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[1]


def gen_fake_spec() -> Any:
    spec = importlib.util.spec_from_file_location(
        "gen_fake_spec", ROOT / "tools" / "gen_fake_spec.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_fake_spec"] = module
    spec.loader.exec_module(module)
    return module


def test_the_packaged_spec_is_derived_from_the_vendored_one() -> None:
    tool = gen_fake_spec()
    packaged = ROOT / "scalekit_async" / "testing" / "spec.json"
    assert packaged.read_text(encoding="utf-8") == tool.render(), (
        "scalekit_async/testing/spec.json is stale: run python tools/gen_fake_spec.py"
    )
    derived = json.loads(packaged.read_text(encoding="utf-8"))
    counts = []
    for name in ("scalekit.scalar.json", "extras.openapi.json"):
        vendored = json.loads((ROOT / "spec" / name).read_text(encoding="utf-8"))
        counts.append(
            sum(1 for ops in vendored["paths"].values() for m in ops if m in tool.METHODS)
        )
    assert counts == [111, 46]
    assert len(derived["operations"]) == sum(counts) == 157
    assert [s["file"] for s in derived["source"]] == [
        "spec/scalekit.scalar.json",
        "spec/extras.openapi.json",
    ]
    assert (
        len(packaged.read_bytes()) < len((ROOT / "spec" / "scalekit.scalar.json").read_bytes()) / 5
    )


@asynccontextmanager
async def raw(fake: FakeScalekit) -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client to *fake* in-process, with a bearer token."""
    async with httpx.AsyncClient(transport=FakeTransport(fake), base_url="http://f") as http:
        form = {
            "grant_type": "client_credentials",
            "client_id": fake.client_id,
            "client_secret": fake.client_secret,
        }
        token = (await http.post("/oauth/token", data=form)).json()["access_token"]
        http.headers["authorization"] = f"Bearer {token}"
        yield http


def violations(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == 3
    (info,) = body["details"]
    assert info["@type"] == "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo"
    assert info["error_code"] == "INVALID_ARGUMENT"
    found = info["validation_error_info"]["field_violations"]
    return [(v["field"], v.get("constraint", "")) for v in found]


# -- through the SDK: error.field_violations --------------------------------------------------


async def test_the_sdk_reads_the_field_violations(fake: FakeScalekit) -> None:
    async with fake.client() as client:
        org = await client.organizations.create(display_name="Acme")
        with pytest.raises(sk.BadRequestError) as caught:
            await client.organizations.update(org.id, slug="\u0084")
    error = caught.value
    assert error.status_code == 400
    assert error.grpc_code == 3
    assert error.error_code == "INVALID_ARGUMENT"
    (violation,) = error.field_violations
    assert violation.field == "organization.slug"
    assert violation.constraint == "string.pattern"
    assert "regex" in violation.description
    assert "slug" not in fake.organizations[org.id]  # nothing was written


@pytest.mark.parametrize("slug", ["", "\u0084", "UPPER", "-dash", "a" * 254, "a.b\n"])
async def test_an_organization_slug_outside_the_spec_is_never_stored(
    fake: FakeScalekit, slug: str
) -> None:
    async with fake.client() as client:
        with pytest.raises(sk.BadRequestError) as caught:
            await client.organizations.create(display_name="Acme", slug=slug)
    assert {v.field for v in caught.value.field_violations} == {"organization.slug"}
    assert fake.organizations == {}


async def test_an_empty_slug_in_an_update_clears_it(fake: FakeScalekit) -> None:
    async with fake.client() as client:
        org = await client.organizations.create(display_name="Acme", slug="acme")
        updated = await client.organizations.update(org.id, slug="")
    assert updated.slug is None
    assert "slug" not in fake.organizations[org.id]


# -- the four PATCH operations that echoed values the spec forbids ------------------------------


async def test_patches_with_values_the_spec_forbids_are_refused(fake: FakeScalekit) -> None:
    async with fake.client() as client:
        org = await client.organizations.create(display_name="Acme")
    before = json.dumps(fake.organizations[org.id], sort_keys=True)
    async with raw(fake) as http:
        base = f"/api/v1/organizations/{org.id}"
        cases: list[tuple[str, Any, list[tuple[str, str]]]] = [
            (base, {"slug": "\u0084"}, [("organization.slug", "string.pattern")]),
            (base, {"logo_url": "http://x"}, [("organization.logo_url", "string.pattern")]),
            (base, {"metadata": {"a": 1}}, [("organization.metadata.a", "")]),
            (base, {"shoe_size": 42}, [("organization.shoe_size", "")]),
            (f"{base}/settings", {"features": [{"name": "sso"}]},
             [("settings.features[0].enabled", "required")]),
            (f"{base}/settings", {"features": "sso"}, [("settings.features", "")]),
            (f"/api/v1/organizations/{org.id}/session-policy",
             {"absolute_session_timeout_unit": "WEEKS"},
             [("absolute_session_timeout_unit", "enum.defined_only")]),
            (f"/api/v1/organizations/{org.id}/session-policy",
             {"idle_session_timeout": 2**31}, [("idle_session_timeout", "")]),
            (f"/api/v1/organizations/{org.id}/session-policy", {"x": 1}, [("x", "")]),
            (f"/api/v1/organizations/{org.id}/settings/usermanagement",
             {"settings": {"max_allowed_users": "many"}},
             [("settings.max_allowed_users", "")]),
            (f"/api/v1/organizations/{org.id}/settings/usermanagement",
             {"settings": {"max_allowed_users": 1.5}},
             [("settings.max_allowed_users", "")]),
        ]  # fmt: skip
        for path, body, expected in cases:
            response = await http.patch(path, json=body)
            assert violations(response) == expected, (path, body)
    assert json.dumps(fake.organizations[org.id], sort_keys=True) == before


async def test_protojson_leniencies_are_accepted_and_answered_in_canonical_form(
    fake: FakeScalekit,
) -> None:
    async with fake.client() as client:
        org = await client.organizations.create(display_name="Acme")
    async with raw(fake) as http:
        response = await http.patch(
            f"/api/v1/organizations/{org.id}/session-policy",
            json={"absolute_session_timeout": "30", "absolute_session_timeout_unit": "DAYS"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["policy"]["absolute_session_timeout"] == 30
        response = await http.patch(
            f"/api/v1/organizations/{org.id}/settings/usermanagement",
            json={"settings": {"max_allowed_users": "12"}},
        )
        assert response.json() == {"settings": {"max_allowed_users": 12}}
        response = await http.patch(
            f"/api/v1/organizations/{org.id}/settings/usermanagement",
            json={"settings": {"max_allowed_users": None}},  # null: not set (no limit)
        )
        assert response.json() == {"settings": {}}
        response = await http.post(
            f"/api/v1/organizations/{org.id}/clients",
            json={"name": "ci", "expiry": 3600},  # int64: a number or a string
        )
        assert response.status_code in (200, 201), response.text
        assert response.json()["client"]["expiry"] == "3600"


# -- requests the SDK sends are never refused (the spec's known defects) -------------------------


async def test_an_unwrapped_membership_body_is_accepted(fake: FakeScalekit) -> None:
    async with fake.client() as client:
        org = await client.organizations.create(display_name="Acme")
        other = await client.organizations.create(display_name="Globex")
        user = await client.users.create("ada@acme.example", organization_id=org.id)
        await client.memberships.create(organization_id=other.id, user_id=user.id, roles=["member"])
    assert (other.id, user.id) in fake.memberships


async def test_permissions_of_type_all_are_listed(fake: FakeScalekit) -> None:
    async with raw(fake) as http:
        response = await http.get("/api/v1/permissions", params={"type": "ALL"})
        assert response.status_code == 200, response.text
        response = await http.get("/api/v1/permissions", params={"type": "SOME"})
        assert violations(response) == [("type", "enum.defined_only")]


# -- bodies --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"\x00", b"{", b"[]", b'"x"', b"1", b"\xff\xfe{}", b'{"a":1,"a":2}', b'{"a": NaN}'],
    ids=["nul", "truncated", "array", "string", "number", "not utf-8", "duplicate", "nan"],
)
async def test_a_body_that_is_not_a_json_object_is_a_400(fake: FakeScalekit, body: bytes) -> None:
    async with raw(fake) as http:
        response = await http.post("/api/v1/organizations", content=body)
        assert violations(response) == [("organization", "")]
    assert fake.organizations == {}


async def test_an_empty_body_is_an_empty_message(fake: FakeScalekit) -> None:
    async with raw(fake) as http:
        response = await http.post("/api/v1/organizations", content=b"")
        assert violations(response) == [("organization.display_name", "required")]
        response = await http.post("/api/v1/organizations", json={"display_name": None})
        assert violations(response) == [("organization.display_name", "required")]


async def test_wrong_types_and_unknown_fields_are_named(fake: FakeScalekit) -> None:
    async with raw(fake) as http:
        response = await http.post(
            "/api/v1/organizations",
            json={"display_name": 7, "metadata": ["x"], "displayName": "Acme"},
        )
        assert violations(response) == [
            ("organization.displayName", ""),  # protojson's camelCase alias: not accepted
            ("organization.display_name", ""),
            ("organization.metadata", ""),
        ]
        description = response.json()["details"][0]["validation_error_info"]
        assert "unknown field" in json.dumps(description)


async def test_a_verify_request_needs_its_required_fields(fake: FakeScalekit) -> None:
    async with raw(fake) as http:
        response = await http.post("/api/v1/connected_accounts/user/verify", json={})
        assert violations(response) == [("auth_request_id", "required"), ("identifier", "required")]


# -- query parameters: parsed as grpc-gateway parses them ------------------------------------


async def test_query_parameters_are_parsed_leniently_and_checked(fake: FakeScalekit) -> None:
    async with raw(fake) as http:
        ok = [
            ("/api/v1/organizations", {"page_size": "+5", "unknown": "ignored"}),
            ("/api/v1/users:search", {"query": "ada", "page_size": "30"}),
            ("/api/v1/logs/authentication/requests", {"start_time": "2024-01-01T00:00:00Z"}),
            ("/api/v1/tools", {"filter.summary": "t", "filter.tool_name": ["a", "b"]}),
        ]
        for path, params in ok:
            response = await http.get(path, params=params)
            assert response.status_code == 200, (path, response.text)
        search = "/api/v1/users:search"
        twice = [("page_size", "1"), ("page_size", "2")]
        bad: list[tuple[str, Any, list[tuple[str, str]]]] = [
            ("/api/v1/organizations", {"page_size": "ten"}, [("page_size", "")]),
            ("/api/v1/organizations", twice, [("page_size", "")]),
            (search, {"query": "ad"}, [("query", "string.min_len")]),
            (search, {}, [("query", "required")]),
            (search, {"query": "ada", "page_size": "31"}, [("page_size", "int64.lte")]),
            ("/api/v1/tools", {"filter.summary": "yes"}, [("filter.summary", "")]),
            ("/api/v1/logs/authentication/requests", {"start_time": "yesterday"},
             [("start_time", "")]),
            ("/api/v1/logs/authentication/requests", {"status": "LOST"},
             [("status", "enum.defined_only")]),
            ("/api/v1/tools/scoped", {}, [("identifier", "required")]),
        ]  # fmt: skip
        for path, params, expected in bad:
            response = await http.get(path, params=params)
            assert violations(response) == expected, (path, params)


async def test_validation_runs_after_authentication(fake: FakeScalekit) -> None:
    async with httpx.AsyncClient(transport=FakeTransport(fake), base_url="http://f") as http:
        response = await http.post("/api/v1/organizations", content=b"\x00")
        assert response.status_code == 401


# -- the spec operations the fake serves ------------------------------------------------------


def test_every_api_route_of_the_fake_is_a_spec_operation(fake: FakeScalekit) -> None:
    from scalekit_async.testing._validation import spec_checks

    checks = spec_checks()
    assert checks is not None
    missing = [
        (method, template)
        for method, template in fake.router.templates()
        if template.startswith("/api/") and checks.operation(method, template) is None
    ]
    assert missing == []


# -- the compiled fast path says what jsonschema says -------------------------------------------

STRINGS = ["", "a", "abc", "ORG", "acme.example", "-x", "x" * 300, "2024-01-01T00:00:00Z",
           "2024-13-01T00:00:00Z", "a@b.co", "not an email", "\u0084", "12", "-3", "1.5",
           "https://acme.example/logo.png", "SCALEKIT", "ACTIVE", "abc\n"]  # fmt: skip
NUMBERS = [0, 1, -1, 30, 31, 2**31, -(2**31) - 1, 2**64, 1.5, 2.0]
JUNK = [None, True, False, "x", 7, 1.5, [], {}, ["x"], {"k": "v"}]


def sample(schema: Any, components: Any, rng: Any, depth: int = 0) -> Any:
    """A value for *schema*: usually of its shape, with odd values and junk mixed in."""
    while "$ref" in schema:
        schema = components[schema["$ref"].rpartition("/")[2]]
    if depth > 5 or rng.random() < 0.1:
        return rng.choice(JUNK)
    kind = schema.get("type")
    if "enum" in schema and rng.random() < 0.7:
        return rng.choice(schema["enum"])
    if kind == "object" or "properties" in schema:
        out = {
            name: (None if rng.random() < 0.1 else sample(sub, components, rng, depth + 1))
            for name, sub in schema.get("properties", {}).items()
            if rng.random() < 0.6
        }
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for n in range(rng.randrange(3)):
                out[f"k{n}"] = sample(extra, components, rng, depth + 1)
        if rng.random() < 0.1:
            out["unknown_field"] = 1
        return out
    if kind == "array":
        return [sample(schema.get("items", {}), components, rng, depth + 1)
                for _ in range(rng.randrange(3))]  # fmt: skip
    if kind in ("integer", "number"):
        return rng.choice([*NUMBERS, "12", "x"])
    if kind == "boolean":
        return rng.choice([True, False, "true", 1])
    return rng.choice([*STRINGS, 3600] if schema.get("format") == "int64" else STRINGS)


def test_the_fast_path_agrees_with_jsonschema_on_every_schema() -> None:
    import random

    from scalekit_async.testing._validation import load_spec, spec_checks

    checks = spec_checks()
    assert checks is not None
    spec = load_spec()
    components = spec["components"]["schemas"]
    rng = random.Random(13)
    compared = 0
    for key, operation in spec["operations"].items():
        schemas = [(operation["body"], True)] if "body" in operation else []
        schemas += [(schema, False) for schema in operation["responses"].values()]
        for schema, request in schemas:
            validator = checks.validator(schema, request=request)
            for _ in range(60):
                value = sample(schema, components, rng)
                fast, full = validator.verdicts(value)
                assert fast is not None, key
                assert fast == full, (key, request, value)
                compared += 1
    assert compared > 5000


# -- the operations of the extras: validated from their protos' buf.validate rules ---------------


async def test_the_extras_are_validated_like_the_public_operations(fake: FakeScalekit) -> None:
    roles = "/api/v1/organizations/org_1/users/usr_1/roles"
    claims = {f"k{n}": "v" for n in range(21)}
    cases: list[tuple[str, Any, list[tuple[str, str]]]] = [
        ("/api/v1/tokens", {"organization_id": "org_1", "custom_claims": {"": "v"}},
         [("token.custom_claims", "string.min_len")]),
        ("/api/v1/tokens", {"organization_id": "org_1", "custom_claims": {"k": ""}},
         [("token.custom_claims.k", "string.min_len")]),
        ("/api/v1/tokens", {"organization_id": "org_1", "custom_claims": claims},
         [("token.custom_claims", "map.max_pairs")]),
        ("/api/v1/tokens", {"organizationId": "org_1"}, [("token.organizationId", "")]),
        ("/api/v1/tokens", {"expiry": "tomorrow"}, [("token.expiry", "")]),
        ("/api/v1/tokens", {"description": "d" * 256}, [("token.description", "string.max_len")]),
        ("/api/v1/tokens:validate", {"token": 7}, [("token", "")]),
        (roles, {"role_name": "admin"}, [("roles", "")]),  # the body is the list itself
        (roles, [], [("roles", "repeated.min_items")]),
        (roles, [{"role_name": 5}], [("roles[0].role_name", "")]),
        (roles, [{"role_name": "a" * 101}], [("roles[0].role_name", "string.max_len")]),
    ]  # fmt: skip
    async with raw(fake) as http:
        for path, body, expected in cases:
            response = await http.post(path, json=body)
            assert violations(response) == expected, (path, body)
        bad: list[tuple[str, Any, list[tuple[str, str]]]] = [
            ("/api/v1/tokens", {"page_size": "31"}, [("page_size", "int32.lte")]),
            ("/api/v1/tokens", {"page_size": "-1"}, [("page_size", "int32.gte")]),
            ("/api/v1/tokens", {"organization_id": "acme"},
             [("organization_id", "string.pattern")]),
            ("/api/v1/organizations:search", {"query": "ac"}, [("query", "string.min_len")]),
            ("/api/v1/organizations:search", {}, [("query", "required")]),
            ("/api/v1/organizations:search", {"query": "acme", "page_size": "31"},
             [("page_size", "uint32.lte")]),
            ("/api/v1/providers", {"identifier": "a b"}, [("identifier", "string.pattern")]),
        ]  # fmt: skip
        for path, params, expected in bad:
            response = await http.get(path, params=params)
            assert violations(response) == expected, (path, params)


def test_an_array_body_is_read_as_protojson_reads_it() -> None:
    from scalekit_async.testing._validation import spec_checks

    checks = spec_checks()
    assert checks is not None
    operation = checks.operation(
        "POST", "/api/v1/organizations/{organization_id}/users/{user_id}/roles"
    )
    assert operation is not None
    assert operation.body_field == "roles"
    assert operation.body_violations(b'[{"role_name": "admin"}]') == ([{"role_name": "admin"}], [])
    assert operation.body_violations(b"")[1] == [
        ("roles", "value must contain at least 1 item(s)", "repeated.min_items")
    ]
    assert operation.body_violations(b"{}")[1] == [("roles", "the body must be a JSON array", "")]
