"""The contract test: every spec operation has an SDK method, and every request the SDK
builds and every answer the fake gives are valid against the official OpenAPI spec.

It runs every tour in `tests/tours/` (each calls every operation of one family)
against the fake through a recording transport, then checks each exchange
against the official spec vendored in ``spec/``.
"""

from __future__ import annotations

import copy
import importlib
import json
import pkgutil
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

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
METHODS = ("get", "post", "put", "patch", "delete")


@cache
def spec() -> dict[str, Any]:
    return json.loads(SPEC_FILE.read_text())  # type: ignore[no-any-return]


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
            pattern += r"[^/:]+"
    return re.compile(pattern + r"\Z")


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


@cache
def validator_for(ref: str) -> Any:
    contents = strict(copy.deepcopy(spec()))
    resource = referencing.Resource.from_contents(
        contents, default_specification=referencing.jsonschema.DRAFT202012
    )
    registry = referencing.Registry().with_resource("urn:spec", resource)
    return jsonschema.Draft202012Validator({"$ref": "urn:spec" + ref}, registry=registry)


def schema_ref(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"])
    raise AssertionError(f"inline schema not supported: {schema}")


def errors_of(instance: Any, schema: dict[str, Any]) -> list[str]:
    validator = validator_for(schema_ref(schema))
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
    return problems


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
        _, op = found
        problems += [
            f"{where}: {p}" for p in check_query(op, list(request.url.params.multi_items()))
        ]
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
            if schema and "$ref" in schema:
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
