"""The extras: the OpenAPI document of the 46 operations the official SDKs call that the
public spec lacks (``spec/extras.openapi.json``), generated from the vendored proto extract
(``spec/extras.source.json``) by ``tools/gen_extra_spec.py``.

It must be what the generator writes now (so an edit to either is regenerated), and it
must say what protojson and the protos' buf.validate rules say.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import referencing
import referencing.jsonschema

ROOT = Path(__file__).resolve().parents[1]
EXTRAS = ROOT / "spec" / "extras.openapi.json"
METHODS = ("get", "post", "put", "patch", "delete")


@cache
def tool() -> Any:
    spec = importlib.util.spec_from_file_location(
        "gen_extra_spec", ROOT / "tools" / "gen_extra_spec.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_extra_spec"] = module
    spec.loader.exec_module(module)
    return module


@cache
def document() -> dict[str, Any]:
    return json.loads(EXTRAS.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def operations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    """The operations by operationId: (method, path, operation)."""
    return {
        op["operationId"]: (method.upper(), path, op)
        for path, ops in document()["paths"].items()
        for method, op in ops.items()
        if method in METHODS
    }


def component(name: str) -> dict[str, Any]:
    return document()["components"]["schemas"][name]  # type: ignore[no-any-return]


def prop(message: str, field: str) -> dict[str, Any]:
    return component(message)["properties"][field]  # type: ignore[no-any-return]


def params(rpc: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in operations()[rpc][2].get("parameters", [])}


def body(rpc: str) -> dict[str, Any]:
    return operations()[rpc][2]["requestBody"]["content"]["application/json"]["schema"]  # type: ignore[no-any-return]


def validator(schema: dict[str, Any]) -> Any:
    resource = referencing.Resource.from_contents(
        document(), default_specification=referencing.jsonschema.DRAFT202012
    )
    registry = referencing.Registry().with_resource("urn:extras", resource)
    absolute = json.loads(json.dumps(schema).replace('"#/components', '"urn:extras#/components'))
    return jsonschema.Draft202012Validator(absolute, registry=registry)


# -- freshness ---------------------------------------------------------------------------------


def test_the_document_is_what_the_generator_writes() -> None:
    assert EXTRAS.read_text(encoding="utf-8") == tool().render(), (
        "spec/extras.openapi.json is stale: run python tools/gen_extra_spec.py"
    )
    assert tool().main(["--check"]) == 0


def test_the_generator_needs_only_the_repository() -> None:
    source = json.loads((ROOT / "spec" / "extras.source.json").read_text(encoding="utf-8"))
    assert len(source["bindings"]) == 46
    assert all(tool().is_extra(b) for b in source["bindings"])
    reached = {name for b in source["bindings"] for name in (b["request_message"],)}
    assert reached <= set(source["types"])
    assert set(source["source"]) >= {tool().BINDINGS_FILE, tool().MESSAGES_FILE}


# -- the operations ----------------------------------------------------------------------------


def test_46_operations_none_in_the_public_spec_37_preview() -> None:
    ops = operations()
    assert len(ops) == 46
    public = json.loads((ROOT / "spec" / "scalekit.scalar.json").read_text(encoding="utf-8"))
    public_keys = {(m.upper(), p) for p, item in public["paths"].items() for m in item}
    assert not {(m, p) for m, p, _ in ops.values()} & public_keys
    preview = {rpc for rpc, (_, _, op) in ops.items() if op.get("x-visibility") == "PREVIEW"}
    assert len(preview) == 37
    for rpc, (_, _, op) in ops.items():
        assert op["x-grpc"]["rpc"] == rpc
        assert op["description"].startswith("PREVIEW: ") == (rpc in preview)
        assert set(op["responses"]) == {"200", "default"}
    assert {"ListTokens", "CreateToken", "ListEventsPaginated"}.isdisjoint(preview)


def test_every_schema_is_valid_and_every_reference_resolves() -> None:
    text = EXTRAS.read_text(encoding="utf-8")
    schemas = document()["components"]["schemas"]
    missing = {r for r in re.findall(r'"#/components/schemas/([^"]+)"', text) if r not in schemas}
    assert missing == set()
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    for _, path, op in operations().values():
        in_path = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        assert in_path == set(re.findall(r"\{([^}]+)\}", path))


# -- the protojson mapping ---------------------------------------------------------------------


def test_scalars_and_well_known_types_are_mapped_as_protojson_maps_them() -> None:
    count = prop("scalekit.v1.roles.GetOrganizationRoleUsersCountResponse", "count")
    assert (count["type"], count["format"]) == ("string", "int64")  # int64: a string
    answer = validator(component("scalekit.v1.roles.GetOrganizationRoleUsersCountResponse"))
    assert answer.is_valid({"count": "3"})
    assert not answer.is_valid({"count": 3})
    assert not answer.is_valid({"count": "three"})
    page_size = params("ListTokens")["page_size"]["schema"]
    assert (page_size["type"], page_size["format"]) == ("integer", "int32")
    assert prop("scalekit.v1.tokens.CreateToken", "expiry") == {
        "description": "Optional expiry timestamp; if absent token does not expire",
        "format": "date-time",
        "type": "string",
    }
    expiry = prop("scalekit.v1.mcp.CreateMcpSessionTokenRequestBody", "expiry")
    assert re.fullmatch(expiry["pattern"], "3600s")
    assert re.fullmatch(expiry["pattern"], "1.5s")
    assert not re.fullmatch(expiry["pattern"], "3600")
    enum = component("scalekit.v1.clients.ResourceType")  # by name, the zero value too
    assert enum["type"] == "string"
    assert enum["enum"][:4] == ["RESOURCE_TYPE_UNSPECIFIED", "WEB", "MOBILE", "DESKTOP"]
    required = params("ListResources")["resource_type"]["schema"]  # required: not the zero
    assert required["enum"] == enum["enum"][1:]


def test_bodies_and_parameters_follow_the_http_bindings() -> None:
    # body "token": the body is the CreateToken message itself
    assert body("CreateToken")["$ref"].endswith("/scalekit.v1.tokens.CreateToken")
    assert operations()["CreateToken"][2]["x-grpc"]["body_field"] == "token"
    # body "roles" (repeated): the body is an array
    roles = body("AssignUserRoles")
    assert roles["type"] == "array"
    assert roles["minItems"] == 1  # buf.validate required
    # body "filter": the other fields travel in the query
    assert set(params("ListEventsPaginated")) == {"page_size", "page_token"}
    # body "*" with path parameters: the request less them
    assert body("UpdateMcpInstance")["$ref"].endswith("UpdateMcpInstanceRequestBody")
    assert (
        "instance_id" not in component("scalekit.v1.mcp.UpdateMcpInstanceRequestBody")["properties"]
    )
    # no body: nested messages flattened with dots, repeated scalars as repeated parameters
    consents = params("ListResourceUserConsents")
    external = consents["filter.external_user_id"]
    assert external["in"] == "query"
    assert external["schema"]["type"] == "array"
    assert external["schema"]["maxItems"] == 25
    assert params("ListResources")["resource_type"]["required"] is True


def test_buf_validate_rules_become_json_schema() -> None:
    consent = params("RevokeUserConsent")["consent_id"]["schema"]
    assert consent == {"maxLength": 32, "minLength": 1, "pattern": "^usrcnst_", "type": "string"}
    claims = prop("scalekit.v1.tokens.CreateToken", "custom_claims")
    assert claims["maxProperties"] == 20
    assert claims["propertyNames"] == {"maxLength": 30, "minLength": 1}
    assert claims["additionalProperties"] == {"maxLength": 256, "minLength": 1, "type": "string"}
    access = prop("scalekit.v1.mcp.CreateMcpSessionTokenRequestBody", "access_level")
    assert access["enum"] == ["", "FULL", "READ_ONLY"]
    uris = prop("scalekit.v1.clients.CreateClient", "back_channel_logout_uris")
    assert uris["uniqueItems"] is True
    assert uris["items"]["format"] == "uri"
    client = component("scalekit.v1.clients.CreateClient")
    assert {"name", "client_type"} <= set(client["required"])
    assert params("ListTokens")["page_size"]["schema"]["maximum"] == 30
    # what JSON Schema cannot say is kept, not dropped
    assert "cel" in component("scalekit.v1.connections.CreateConnection")["x-protovalidate"]
    timeout = component("scalekit.v1.connections.WebAuthConfiguration.Timeout")
    assert timeout["properties"]["login"]["x-protovalidate"] == {
        "duration": {"gte": "120s", "lte": "1800s"}
    }


@pytest.mark.parametrize(
    ("instance", "valid"),
    [
        ({"organization_id": "org_1"}, True),
        ({"organization_id": "org_1", "custom_claims": {"team": "core"}}, True),
        ({"custom_claims": {"": "core"}}, False),
        ({"custom_claims": {"team": ""}}, False),
        ({"custom_claims": {f"k{n}": "v" for n in range(21)}}, False),
        ({"description": "x" * 256}, False),
    ],
)
def test_a_create_token_body_is_checked_by_its_rules(instance: Any, valid: bool) -> None:
    assert validator(body("CreateToken")).is_valid(instance) is valid


def test_an_openapi_tool_loads_every_operation() -> None:
    schemathesis = pytest.importorskip("schemathesis")
    loaded = schemathesis.openapi.from_path(str(EXTRAS))
    results = list(loaded.get_all_operations())
    assert len(results) == 46
    assert all(result.ok() for result in results)
