"""The contract test: every spec operation has an SDK method, and every request the SDK
builds and every answer the fake gives are valid against the official OpenAPI spec.

It runs every tour in `tests/tours/` (each calls every operation of one family)
against the fake through a recording transport, then checks each exchange
against the official spec vendored in ``spec/``. "The spec" is the public one
(111 operations) and the extras (``spec/extras.openapi.json``: the 46 operations
the official SDKs call that it lacks, generated from their protos by
``tools/gen_extra_spec.py``), checked alike.
"""

from __future__ import annotations

import copy
import importlib
import json
import pkgutil
import re
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import anyio
import httpx
import jsonschema
import referencing
import tours as tours_pkg  # tests/ is on sys.path (rootdir of conftest.py)

import scalekit_async.resources as resources_pkg
from scalekit_async import ScalekitClient
from scalekit_async._routes import Route
from scalekit_async.testing import FakeScalekit, FakeTransport

SPEC_FILE = Path(__file__).resolve().parents[1] / "spec" / "scalekit.scalar.json"
EXTRAS_FILE = Path(__file__).resolve().parents[1] / "spec" / "extras.openapi.json"
METHODS = ("get", "post", "put", "patch", "delete")
PUBLIC_OPERATIONS = 111
EXTRA_OPERATIONS = 46


@cache
def public_spec() -> dict[str, Any]:
    return json.loads(SPEC_FILE.read_text())  # type: ignore[no-any-return]


@cache
def extras_spec() -> dict[str, Any]:
    return json.loads(EXTRAS_FILE.read_text())  # type: ignore[no-any-return]


@cache
def spec() -> dict[str, Any]:
    """The public spec with the extras' paths and component schemas merged in."""
    public, extras = public_spec(), extras_spec()
    paths = {path: dict(ops) for path, ops in public["paths"].items()}
    for path, ops in extras["paths"].items():
        assert not set(ops) & set(paths.get(path, {})), f"{path}: in both specs"
        paths.setdefault(path, {}).update(ops)
    schemas = public["components"]["schemas"]
    assert not set(schemas) & set(extras["components"]["schemas"])
    return {
        **public,
        "paths": paths,
        "components": {
            **public["components"],
            "schemas": {**schemas, **extras["components"]["schemas"]},
        },
    }


def extra_operations() -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, ops in extras_spec()["paths"].items()
        for method in ops
        if method in METHODS
    }


def spec_operations() -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): op
        for path, ops in spec()["paths"].items()
        for method, op in ops.items()
        if method in METHODS
    }


def sdk_routes() -> dict[tuple[str, str], str]:
    """Every module-level Route in scalekit_async.resources, by (method, template)."""
    found: dict[tuple[str, str], str] = {}
    for info in pkgutil.iter_modules(resources_pkg.__path__):
        module = importlib.import_module(f"{resources_pkg.__name__}.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, Route):
                found[(value.method, value.template)] = f"{info.name}.{name}"
    return found


def sdk_route_objects() -> dict[tuple[str, str], Route]:
    """Every module-level Route in scalekit_async.resources, by (method, template)."""
    found: dict[tuple[str, str], Route] = {}
    for info in pkgutil.iter_modules(resources_pkg.__path__):
        module = importlib.import_module(f"{resources_pkg.__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, Route):
                found[(value.method, value.template)] = value
    return found


def template_pattern(template: str) -> re.Pattern[str]:
    pattern = ""
    for literal, name in re.findall(r"([^{]*)(?:\{([a-z_]+)\})?", template):
        pattern += re.escape(literal)
        if name:
            pattern += rf"(?P<{name}>[^/:]+)"
    return re.compile(pattern + r"\Z")


def check_path(op: dict[str, Any], template: str, path: str) -> list[str]:
    """How the path parameters of an operation of the extras break their schemas (ids)."""
    if "x-grpc" not in op:
        return []
    found = template_pattern(template).match(path)
    assert found is not None
    schemas = {p["name"]: p["schema"] for p in op.get("parameters", []) if p["in"] == "path"}
    return [
        f"path {name}={value!r}: {e}"
        for name, value in found.groupdict().items()
        for e in errors_of(unquote(value), schemas[name])
    ]


def strict(schema: Any) -> Any:
    """Forbid undocumented keys wherever the spec lists an object's properties."""
    if isinstance(schema, dict):
        out = {k: strict(v) for k, v in schema.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [strict(v) for v in schema]
    return schema


RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})"
)
FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time")
def is_rfc3339(instance: object) -> bool:
    """protojson's Timestamp: RFC 3339 (the extras use it; the public spec's are not checked)."""
    if not isinstance(instance, str) or RFC3339.fullmatch(instance) is None:
        return not isinstance(instance, str)
    try:
        datetime.fromisoformat(instance[:19].upper())
    except ValueError:
        return False
    return True


@cache
def registry() -> Any:
    contents = strict(copy.deepcopy(spec()))
    resource = referencing.Resource.from_contents(
        contents, default_specification=referencing.jsonschema.DRAFT202012
    )
    return referencing.Registry().with_resource("urn:spec", resource)


def absolute(schema: Any) -> Any:
    """*schema* with its local ``$ref``s pointing into the spec resource."""
    if isinstance(schema, dict):
        return {
            k: ("urn:spec" + v if k == "$ref" and v.startswith("#") else absolute(v))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [absolute(v) for v in schema]
    return schema


@cache
def validator_for(text: str) -> Any:
    """A validator of the schema serialized as *text* (refs resolved in the merged spec)."""
    schema = absolute(strict(json.loads(text)))
    format_checker = FORMATS if text in extra_schema_texts() else None
    return jsonschema.Draft202012Validator(
        schema, registry=registry(), format_checker=format_checker
    )


@cache
def extra_schema_texts() -> frozenset[str]:
    """The serialized request and answer schemas of the extras (checked with formats too)."""
    found = set()
    for ops in extras_spec()["paths"].values():
        for op in ops.values():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            answer = op["responses"]["200"]["content"]["application/json"]
            for schema in (body.get("schema"), answer["schema"]):
                if schema is not None:
                    schema = {"$ref": schema["$ref"]} if "$ref" in schema else schema
                    found.add(json.dumps(schema, sort_keys=True))
    return frozenset(found)


def errors_of(instance: Any, schema: dict[str, Any]) -> list[str]:
    if "$ref" in schema:  # the schema it names; the public spec's siblings are defects
        schema = {"$ref": schema["$ref"]}
    validator = validator_for(json.dumps(schema, sort_keys=True))
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


def check_query(op: dict[str, Any], query: list[tuple[str, str]]) -> list[str]:
    params = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
    problems = []
    for name, value in query:
        param = params.get(name)
        if param is None:
            problems.append(f"query {name!r} is not a documented parameter")
            continue
        schema = param.get("schema", {})
        kind = schema.get("type")
        if kind == "array":
            schema = schema.get("items", {})
            kind = schema.get("type")
        if kind == "integer" and not re.fullmatch(r"-?\d+", value):
            problems.append(f"query {name}={value!r} is not an integer")
        if kind == "boolean" and value not in {"true", "false"}:
            problems.append(f"query {name}={value!r} is not a boolean")
        if "enum" in schema and value not in schema["enum"]:
            problems.append(f"query {name}={value!r} is not one of {schema['enum']}")
        if "x-grpc" in op:  # the extras: each value against its schema's rules too
            problems += check_query_value(name, value, schema, kind)
    if "x-grpc" in op:
        sent = {name for name, _ in query}
        problems += [
            f"query {name!r} is required but not sent"
            for name, param in params.items()
            if param.get("required") and name not in sent
        ]
    return problems


def check_query_value(name: str, value: str, schema: dict[str, Any], kind: Any) -> list[str]:
    """How one query *value* breaks its (item) *schema*: lengths, patterns, ranges."""
    parsed: Any = value
    if kind == "integer" and re.fullmatch(r"-?\d+", value):
        parsed = int(value)
    elif kind == "boolean" and value in {"true", "false"}:
        parsed = value == "true"
    elif kind in ("integer", "boolean"):
        return []  # reported above
    return [f"query {name}={value!r}: {e}" for e in errors_of(parsed, schema)]


class Recorder(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        self.exchanges.append((request, response))
        return response


def tour_modules() -> Iterator[Any]:
    for info in sorted(pkgutil.iter_modules(tours_pkg.__path__), key=lambda i: i.name):
        yield importlib.import_module(f"{tours_pkg.__name__}.{info.name}")


@cache
def recorded() -> list[tuple[httpx.Request, httpx.Response]]:
    async def run() -> list[tuple[httpx.Request, httpx.Response]]:
        fake = FakeScalekit()
        recorder = Recorder(FakeTransport(fake))
        async with ScalekitClient(
            "http://fake.test", fake.client_id, fake.client_secret, transport=recorder
        ) as client:
            for module in tour_modules():
                await module.tour(client, fake)
        return recorder.exchanges

    return anyio.run(run)


def match(method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    for (op_method, template), op in spec_operations().items():
        if op_method == method and template_pattern(template).match(path):
            return template, op
    return None


def test_the_spec_is_the_public_one_and_the_extras() -> None:
    assert len(spec_operations()) == PUBLIC_OPERATIONS + EXTRA_OPERATIONS == 157
    assert len(extra_operations()) == EXTRA_OPERATIONS


def test_the_checks_hold_the_extras_to_protojson_and_their_rules() -> None:
    """The checks below catch what the extras forbid (so a green run means something)."""
    ops = spec_operations()
    count = ops[("GET", "/api/v1/organizations/{org_id}/roles/{role_name}/users:count")]
    answer = count["responses"]["200"]["content"]["application/json"]["schema"]
    assert errors_of({"count": "2"}, answer) == []
    assert errors_of({"count": 2}, answer)  # int64: a string, strictly
    assert errors_of({"count": "2", "users": []}, answer)  # an undocumented key
    tokens = ops[("GET", "/api/v1/tokens")]
    assert check_query(tokens, [("organization_id", "org_1"), ("page_size", "30")]) == []
    assert check_query(tokens, [("page_size", "31")])  # buf.validate lte 30
    assert check_query(tokens, [("organization_id", "acme")])  # prefix org_
    assert check_query(tokens, [("pageSize", "5")])  # protojson names, not json_name
    create = ops[("POST", "/api/v1/tokens")]["requestBody"]["content"]["application/json"]
    assert (
        errors_of({"organization_id": "org_1", "expiry": "2030-01-01T00:00:00Z"}, create["schema"])
        == []
    )
    assert errors_of({"expiry": "tomorrow"}, create["schema"])  # Timestamp: RFC 3339
    assert errors_of({"custom_claims": {"k": 1}}, create["schema"])
    search = ops[("GET", "/api/v1/organizations:search")]
    assert check_query(search, []) == ["query 'query' is required but not sent"]
    empty = ops[("DELETE", "/api/v1/roles/{role_name}/base")]
    empty_answer = empty["responses"]["200"]["content"]["application/json"]["schema"]
    assert errors_of({}, empty_answer) == []
    assert errors_of({"deleted": True}, empty_answer)  # google.protobuf.Empty


def test_every_spec_operation_has_exactly_one_sdk_route() -> None:
    ops = set(spec_operations())
    routes = sdk_routes()
    missing = sorted(ops - set(routes))
    undocumented = sorted(set(routes) - ops)
    assert not missing, f"spec operations with no SDK method: {missing}"
    assert not undocumented, f"SDK routes not in the spec: {undocumented}"


def test_every_request_and_answer_matches_the_spec() -> None:
    problems: list[str] = []
    for request, response in recorded():
        path = request.url.raw_path.decode().partition("?")[0]
        if not path.startswith("/api/"):
            continue
        found = match(request.method, path)
        where = f"{request.method} {path}"
        if found is None:
            problems.append(f"{where}: no spec operation matches")
            continue
        template, op = found
        problems += [
            f"{where}: {p}" for p in check_query(op, list(request.url.params.multi_items()))
        ]
        problems += [f"{where}: {p}" for p in check_path(op, template, path)]
        body_schema = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        if request.content:
            if "schema" not in body_schema:
                problems.append(f"{where}: sends a body the spec does not take")
            else:
                problems += [
                    f"{where} request: {e}"
                    for e in errors_of(json.loads(request.content), body_schema["schema"])
                ]
        if 200 <= response.status_code < 300:
            documented = op["responses"].get(str(response.status_code)) or op["responses"].get(
                "200"
            )
            if documented is None:
                problems.append(f"{where}: status {response.status_code} is not documented")
                continue
            schema = documented.get("content", {}).get("application/json", {}).get("schema")
            if schema:
                problems += [f"{where} response: {e}" for e in errors_of(response.json(), schema)]
    assert not problems, "\n".join(problems[:60])


def test_every_spec_operation_is_exercised_by_a_tour() -> None:
    seen: set[tuple[str, str]] = set()
    for request, response in recorded():
        path = request.url.raw_path.decode().partition("?")[0]
        found = match(request.method, path)
        if found is not None and response.status_code < 300:
            seen.add((request.method, found[0]))
    alternates = {key for key, route in sdk_route_objects().items() if route.alternate}
    missing = sorted(set(spec_operations()) - seen - alternates)
    assert not missing, f"spec operations no tour exercised successfully: {missing}"


def test_alternate_bindings_answer_like_their_primary() -> None:
    """The SDK sends one binding of an operation; the fake serves the other one too."""

    async def run() -> list[str]:
        fake = FakeScalekit()
        problems = []
        async with ScalekitClient(
            "http://fake.test", fake.client_id, fake.client_secret, transport=FakeTransport(fake)
        ) as client:
            await client.roles.create("viewer", display_name="Viewer")
        alternates = [r for r in sdk_route_objects().values() if r.alternate]
        assert alternates
        async with httpx.AsyncClient(transport=FakeTransport(fake), base_url="http://f") as http:
            form = {"grant_type": "client_credentials", "client_id": fake.client_id,
                    "client_secret": fake.client_secret}  # fmt: skip
            bearer = (await http.post("/oauth/token", data=form)).json()["access_token"]
            for route in alternates:
                body = {"default_member_role": "viewer"}
                response = await http.request(
                    route.method, route.template, json=body,
                    headers={"Authorization": f"Bearer {bearer}"},
                )  # fmt: skip
                op = spec_operations()[(route.method, route.template)]
                schema = op["responses"]["200"]["content"]["application/json"]["schema"]
                if response.status_code != 200:
                    problems.append(f"{route}: HTTP {response.status_code}")
                else:
                    problems += [f"{route}: {e}" for e in errors_of(response.json(), schema)]
        return problems

    assert anyio.run(run) == []


def test_readme_lists_every_spec_operation() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    rows = set(re.findall(r"^\| (GET|POST|PUT|PATCH|DELETE) (\S+) \| client\.", readme, re.M))
    missing = sorted(set(spec_operations()) - rows)
    assert not missing, f"README operation table lacks: {missing}"


def test_fake_webhook_events_match_the_spec() -> None:
    """Every event the fake emits during the tours is signed, typed and valid against its
    spec schema; every spec example parses into its event class; and every event type
    the fake claims to emit was emitted."""
    from scalekit_async import verify_webhook_payload
    from scalekit_async.models.events import EVENT_TYPES, parse_event
    from scalekit_async.testing._events import EMITTED_EVENT_TYPES

    async def run() -> tuple[str, list[tuple[dict[str, str], bytes]]]:
        fake = FakeScalekit()
        received: list[tuple[dict[str, str], bytes]] = []
        subscription = fake.webhooks.subscribe(lambda h, b: received.append((dict(h), b)))
        async with fake.client() as client:
            for module in tour_modules():
                await module.tour(client, fake)
        await fake.webhooks.deliver()  # anything a seeding helper queued after the last call
        await fake.aclose()
        assert not subscription.failures
        return subscription.secret, received

    secret, received = anyio.run(run)
    webhooks = spec()["webhooks"]
    assert len(webhooks) == 41
    problems: list[str] = []
    seen: set[str] = set()
    for headers, body in received:
        event = verify_webhook_payload(secret, headers, body)
        payload = json.loads(body)
        event_type = payload["type"]
        seen.add(event_type)
        documented = webhooks.get(event_type)
        if documented is None:
            problems.append(f"{event_type}: not a documented event type")
            continue
        content = documented["post"]["requestBody"]["content"]["application/json"]
        problems += [f"{event_type}: {e}" for e in errors_of(payload, content["schema"])]
        if type(event) is not EVENT_TYPES.get(event_type):
            problems.append(f"{event_type}: parsed as {type(event).__name__}")
    for event_type, documented in webhooks.items():
        example = documented["post"]["requestBody"]["content"]["application/json"]["example"]
        event = parse_event(example)
        cls = EVENT_TYPES.get(event_type)
        if cls is None or type(event) is not cls or event.id != example["id"]:
            problems.append(f"{event_type} example: parsed as {type(event).__name__}")
    missing = sorted(EMITTED_EVENT_TYPES - seen)
    unclaimed = sorted(seen - EMITTED_EVENT_TYPES)
    assert not problems, "\n".join(problems[:60])
    assert not missing, f"event types the fake claims to emit but no tour caused: {missing}"
    assert not unclaimed, f"event types emitted but not listed in EMITTED_EVENT_TYPES: {unclaimed}"
