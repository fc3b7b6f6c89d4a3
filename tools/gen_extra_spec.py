"""Generate ``spec/extras.openapi.json``, the OpenAPI 3.1 document of the SDK-only operations.

These are the operations the official SDKs call that the public OpenAPI spec lacks,
derived from their protos.

    python tools/gen_extra_spec.py                        # (re)write the document
    python tools/gen_extra_spec.py --check                # exit 1 if it is stale
    python tools/gen_extra_spec.py --extract DIR          # refresh spec/extras.source.json
                                                          # from the reference files in DIR

The input is ``spec/extras.source.json``, a verbatim extract of two reference files
(``scalekit-proto-http-bindings.json`` and ``scalekit-proto-messages.json``, decoded
from the protobuf descriptors of the official Python SDK): the HTTP bindings that are
not in the public spec (``in_public_openapi: false``) but that an official SDK calls
(``used_by_sdks`` set), and every message and enum those bindings reach. ``--extract``
rewrites it from a directory holding the two files; the generation itself needs only
the repository.

The schemas follow the protojson mapping the gateway (grpc-gateway, ``UseProtoNames``)
uses: proto (snake_case) field names; 64-bit integers as decimal strings (``type:
string``, ``format: int64``/``uint64``); 32-bit integers as integers; enums by value
name; ``Timestamp`` as an RFC 3339 string (``format: date-time``); ``Duration`` as
seconds with an ``s`` suffix; ``Struct``/``Value``/``ListValue`` as an object/anything/
an array; wrappers (``BoolValue``, ``StringValue``...) as their plain value;
``FieldMask`` as a string; maps as objects (``additionalProperties``); repeated fields
as arrays; the members of a oneof as optional fields.

Parameters and bodies follow each binding: path parameters from the template; with
``body: "*"`` the request message less its path parameters is the JSON body; with
``body: "<field>"`` the body is that field's value itself (an array for a repeated
field) and the other fields travel in the query; with no body every non-path field is
a query parameter, nested messages flattened with dots (``filter.provider_type``) and
repeated scalars as repeated parameters. Every answer is 200 with the response message
(``google.protobuf.Empty``: an empty object).

buf.validate (protovalidate) rules, which the server enforces on requests, become JSON
Schema keywords: ``min_len``/``max_len`` -> ``minLength``/``maxLength``; ``pattern``;
``prefix`` -> a ``pattern``; ``gte``/``lte``/``gt``/``lt`` -> ``minimum``/``maximum``/
``exclusiveMinimum``/``exclusiveMaximum``; ``string.in`` -> ``enum``; ``enum.in``/
``enum.not_in`` -> the enum's names narrowed; ``min_items``/``max_items``/``unique``;
``max_pairs``/``min_pairs`` -> ``maxProperties``/``minProperties``; map key rules ->
``propertyNames``; ``email``/``uri`` -> ``format``; ``required`` -> the field is listed
in ``required`` and may not be its zero value (a string ``minLength: 1``, a list
``minItems: 1``, an enum without its zero value). Rules JSON Schema cannot say (CEL
expressions, ``Duration`` bounds, rules of a type other than the field's) are kept
verbatim in ``x-protovalidate`` and not enforced by schema validators.

Each operation has ``operationId`` = the RPC name, ``x-grpc`` (service, RPC, body,
messages, the SDKs that call it), and ``x-visibility: PREVIEW`` with a ``PREVIEW``
note in its description when the binding is marked so. The output is written with
sorted keys and an indent of one, so a regeneration is stable.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "spec" / "extras.source.json"
TARGET = ROOT / "spec" / "extras.openapi.json"
BINDINGS_FILE = "scalekit-proto-http-bindings.json"
MESSAGES_FILE = "scalekit-proto-messages.json"
REF = "#/components/schemas/"

INT64 = {"int64": "int64", "sint64": "int64", "sfixed64": "int64",
         "uint64": "uint64", "fixed64": "uint64"}  # fmt: skip
INT32 = {"int32": "int32", "sint32": "int32", "sfixed32": "int32",
         "uint32": "uint32", "fixed32": "uint32"}  # fmt: skip
DURATION_PATTERN = r"^-?[0-9]+(\.[0-9]+)?s$"
INT64_PATTERN = {"int64": r"^-?[0-9]+$", "uint64": r"^[0-9]+$"}
WELL_KNOWN: dict[str, dict[str, Any]] = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {"type": "string", "pattern": DURATION_PATTERN},
    "google.protobuf.Struct": {"type": "object"},
    "google.protobuf.Value": {},
    "google.protobuf.ListValue": {"type": "array"},
    "google.protobuf.FieldMask": {"type": "string"},
    "google.protobuf.Empty": {"type": "object", "properties": {}},
    "google.protobuf.BoolValue": {"type": "boolean"},
    "google.protobuf.StringValue": {"type": "string"},
    "google.protobuf.BytesValue": {"type": "string", "format": "byte"},
    "google.protobuf.DoubleValue": {"type": "number", "format": "double"},
    "google.protobuf.FloatValue": {"type": "number", "format": "float"},
    "google.protobuf.Int32Value": {"type": "integer", "format": "int32"},
    "google.protobuf.UInt32Value": {"type": "integer", "format": "uint32"},
    "google.protobuf.Int64Value": {
        "type": "string", "format": "int64", "pattern": INT64_PATTERN["int64"]},
    "google.protobuf.UInt64Value": {
        "type": "string", "format": "uint64", "pattern": INT64_PATTERN["uint64"]},
}  # fmt: skip
# The scalar each wrapper holds: its buf.validate rules are the scalar's.
WRAPPED = {
    "google.protobuf.BoolValue": "bool",
    "google.protobuf.StringValue": "string",
    "google.protobuf.BytesValue": "bytes",
    "google.protobuf.DoubleValue": "double",
    "google.protobuf.FloatValue": "float",
    "google.protobuf.Int32Value": "int32",
    "google.protobuf.UInt32Value": "uint32",
    "google.protobuf.Int64Value": "int64",
    "google.protobuf.UInt64Value": "uint64",
}
# Well-known messages a query parameter can carry (as their string or scalar form).
QUERY_SCALAR_MESSAGES = frozenset(WRAPPED) | {
    "google.protobuf.Timestamp",
    "google.protobuf.Duration",
    "google.protobuf.FieldMask",
}


class Unsupported(Exception):
    """A proto construct or rule the generator does not translate (fail loudly)."""


# -- the vendored extract ------------------------------------------------------------------


def is_extra(binding: dict[str, Any]) -> bool:
    """Whether *binding* is one of the operations: called by an SDK, not in the public spec."""
    return binding["in_public_openapi"] is False and bool(binding["used_by_sdks"])


def extract(directory: Path) -> dict[str, Any]:
    """The extract of the two reference files in *directory* that the generation reads."""
    bindings_raw = (directory / BINDINGS_FILE).read_bytes()
    messages_raw = (directory / MESSAGES_FILE).read_bytes()
    bindings = [b for b in json.loads(bindings_raw)["bindings"] if is_extra(b)]
    messages = json.loads(messages_raw)
    types = messages["types"]
    wanted: set[str] = set()
    pending = [b[k] for b in bindings for k in ("request_message", "response_message")]
    while pending:
        name = pending.pop()
        if name in wanted or name not in types:
            continue
        wanted.add(name)
        pending.extend(f["type_name"] for f in types[name].get("fields", []) if f["type_name"])
        pending.extend(
            f["map"]["value_type_name"]
            for f in types[name].get("fields", [])
            if f.get("map") and f["map"].get("value_type_name")
        )
    return {
        "source": {
            "note": (
                "Verbatim extract of two reference files (decoded from the protobuf "
                "descriptors of PyPI scalekit-sdk-python 2.21.0): the HTTP bindings with "
                "in_public_openapi false and used_by_sdks set, and every message and enum "
                "they reach. Regenerate: python tools/gen_extra_spec.py --extract DIR"
            ),
            BINDINGS_FILE: {
                "sha256": hashlib.sha256(bindings_raw).hexdigest(),
                "source": json.loads(bindings_raw)["source"],
            },
            MESSAGES_FILE: {
                "sha256": hashlib.sha256(messages_raw).hexdigest(),
                "source": messages["source"],
            },
        },
        "conventions": messages["conventions"],
        "bindings": bindings,
        "types": {name: types[name] for name in sorted(wanted)},
        "well_known_types": messages["well_known_types"],
    }


# -- schemas ---------------------------------------------------------------------------------


class Generator:
    """Translate the messages of the extract into JSON Schema components."""

    def __init__(self, source: dict[str, Any]) -> None:
        self.types: dict[str, Any] = source["types"]
        self.components: dict[str, Any] = {}

    def ref(self, name: str) -> dict[str, Any]:
        """A ``$ref`` to the component of message or enum *name*, generated on first use."""
        if name not in self.components:
            definition = self.types.get(name)
            if definition is None:
                raise Unsupported(f"{name}: not in the extract")
            self.components[name] = {}  # a recursive reference finds it
            if "enum" in definition:
                self.components[name] = self.enum_schema(name, definition)
            else:
                self.components[name] = self.message_schema(name, definition)
        return {"$ref": REF + name}

    @staticmethod
    def enum_names(definition: dict[str, Any]) -> list[str]:
        """The value names of an enum (aliases included)."""
        return [value["name"] for value in definition["enum"]]

    def enum_schema(self, name: str, definition: dict[str, Any]) -> dict[str, Any]:
        """An enum by name: a string, one of its value names."""
        schema: dict[str, Any] = {"type": "string", "enum": self.enum_names(definition)}
        schema["title"] = name.rpartition(".")[2]
        return schema

    def message_schema(
        self, name: str, definition: dict[str, Any], skip: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        """The object schema of message *name* (less the fields in *skip*)."""
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in definition["fields"]:
            if field["name"] in skip:
                continue
            schema, needed = self.field_schema(name, field)
            properties[field["name"]] = schema
            if needed:
                required.append(field["name"])
        out: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            out["required"] = required
        doc = definition.get("openapi") or {}
        for key in ("title", "description"):
            if doc.get(key):
                out[key] = doc[key]
        if definition.get("validate"):
            out["x-protovalidate"] = definition["validate"]
        if definition.get("oneofs"):
            out["x-oneofs"] = {
                group: [f["name"] for f in definition["fields"] if f["oneof"] == group]
                for group in definition["oneofs"]
            }
        return out

    def value_schema(self, kind: str, type_name: str | None) -> dict[str, Any]:
        """The schema of one value of proto type *kind* (a scalar, an enum or a message)."""
        if kind in INT64:
            fmt = INT64[kind]
            return {"type": "string", "format": fmt, "pattern": INT64_PATTERN[fmt]}
        if kind in INT32:
            return {"type": "integer", "format": INT32[kind]}
        if kind in ("double", "float"):
            return {"type": "number", "format": kind}
        if kind == "bool":
            return {"type": "boolean"}
        if kind == "string":
            return {"type": "string"}
        if kind == "bytes":
            return {"type": "string", "format": "byte"}
        if kind in ("enum", "message") and type_name:
            if type_name in WELL_KNOWN:
                return dict(WELL_KNOWN[type_name])
            return self.ref(type_name)
        raise Unsupported(f"proto type {kind} {type_name}")

    def field_schema(self, message: str, field: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """The schema of *field* of *message*, and whether buf.validate requires it."""
        rules = dict(field.get("validate") or {})
        required = bool(rules.pop("required", False))
        rules.pop("ignore", None)
        kind, type_name = field["type"], field["type_name"]
        kept: dict[str, Any] = {}  # rules JSON Schema cannot say
        if field["map"]:
            mapping = field["map"]
            value = self.value_schema(mapping["value_type"], mapping["value_type_name"])
            schema: dict[str, Any] = {"type": "object", "additionalProperties": value}
            map_rules = rules.pop("map", {})
            for key, target in (("max_pairs", "maxProperties"), ("min_pairs", "minProperties")):
                if key in map_rules:
                    schema[target] = map_rules.pop(key)
            if "keys" in map_rules:
                names: dict[str, Any] = {}
                self.apply(names, "string", None, map_rules.pop("keys"), kept)
                schema["propertyNames"] = names
            if "values" in map_rules:
                self.apply(
                    value, mapping["value_type"], mapping["value_type_name"],
                    map_rules.pop("values"), kept,
                )  # fmt: skip
            if map_rules:
                kept["map"] = map_rules
            if required:
                schema["minProperties"] = max(1, schema.get("minProperties", 0))
        elif field["label"] == "repeated":
            item = self.value_schema(kind, type_name)
            schema = {"type": "array", "items": item}
            repeated = rules.pop("repeated", {})
            for key, target in (("min_items", "minItems"), ("max_items", "maxItems")):
                if key in repeated:
                    schema[target] = repeated.pop(key)
            if repeated.pop("unique", False):
                schema["uniqueItems"] = True
            if "items" in repeated:
                schema["items"] = item = self.narrowable(item)
                self.apply(item, kind, type_name, repeated.pop("items"), kept)
            if repeated:
                kept["repeated"] = repeated
            if required:
                schema["minItems"] = max(1, schema.get("minItems", 0))
            self.apply(schema, "", None, rules, kept)  # anything left is not for a list
            rules = {}
        else:
            schema = self.value_schema(kind, type_name)
            if rules or (required and kind in ("string", "enum", "bytes")):
                schema = self.narrowable(schema)
            if required and kind in ("string", "bytes"):
                schema["minLength"] = 1
            if required and kind == "enum" and type_name:
                zero = {v["name"] for v in self.types[type_name]["enum"] if v["number"] == 0}
                schema["enum"] = [n for n in schema["enum"] if n not in zero]
            scalar = WRAPPED.get(type_name or "", kind)
            self.apply(schema, scalar, type_name, rules, kept)
        doc = field.get("openapi") or {}
        if doc.get("description"):
            schema = self.described(schema, doc["description"])
        if "OUTPUT_ONLY" in (field.get("field_behavior") or ()):
            schema = self.described(schema, None)
            schema["readOnly"] = True
        if field.get("deprecated"):
            schema = self.described(schema, None)
            schema["deprecated"] = True
        if field.get("visibility"):
            schema = self.described(schema, None)
            schema["x-visibility"] = field["visibility"]
        if kept:
            schema = self.described(schema, None)
            schema["x-protovalidate"] = kept
        return schema, required

    def narrowable(self, schema: dict[str, Any]) -> dict[str, Any]:
        """*schema* as a schema rules can be added to: an enum ``$ref`` is inlined."""
        if "$ref" in schema:
            name = schema["$ref"].removeprefix(REF)
            definition = self.types.get(name, {})
            if "enum" in definition:
                return {"type": "string", "enum": self.enum_names(definition)}
        return dict(schema)

    @staticmethod
    def described(schema: dict[str, Any], description: str | None) -> dict[str, Any]:
        """A copy of *schema* with *description* (OpenAPI 3.1: beside a ``$ref`` too)."""
        schema = dict(schema)
        if description:
            schema["description"] = description
        return schema

    def apply(
        self,
        schema: dict[str, Any],
        scalar: str,
        type_name: str | None,
        rules: dict[str, Any],
        kept: dict[str, Any],
    ) -> None:
        """Add the buf.validate *rules* of a value of proto type *scalar* to *schema*."""
        for family, body in rules.items():
            if family == "required":
                continue
            handled = False
            if family == "string" and scalar == "string":
                handled = self.string_rules(schema, dict(body), kept)
            elif family == scalar and (scalar in INT32 or scalar in ("double", "float")):
                handled = self.number_rules(schema, dict(body), kept, family)
            elif family == "enum" and scalar == "enum" and type_name:
                handled = self.enum_rules(schema, dict(body), type_name, kept)
            if not handled:
                kept[family] = body

    @staticmethod
    def string_rules(schema: dict[str, Any], body: dict[str, Any], kept: dict[str, Any]) -> bool:
        """Add buf.validate ``string`` rules to *schema* (the rest go to *kept*)."""
        for key, target in (("min_len", "minLength"), ("max_len", "maxLength")):
            if key in body:
                value = body.pop(key)
                if value or target == "maxLength":
                    schema[target] = max(value, schema.get(target, 0))
        patterns = []
        if "prefix" in body:
            patterns.append("^" + re.escape(body.pop("prefix")))
        if "pattern" in body:
            patterns.append(body.pop("pattern"))
        if len(patterns) == 2:
            raise Unsupported("a string with both a prefix and a pattern")
        if patterns:
            schema["pattern"] = patterns[0]
        if "in" in body:
            schema["enum"] = body.pop("in")
        if body.pop("email", False):
            schema["format"] = "email"
        if body.pop("uri", False):
            schema["format"] = "uri"
        if body:
            kept["string"] = body
        return True

    @staticmethod
    def number_rules(
        schema: dict[str, Any], body: dict[str, Any], kept: dict[str, Any], family: str
    ) -> bool:
        """Add buf.validate number rules to *schema* (the rest go to *kept*)."""
        for key, target in (("gte", "minimum"), ("lte", "maximum"),
                            ("gt", "exclusiveMinimum"), ("lt", "exclusiveMaximum")):  # fmt: skip
            if key in body:
                schema[target] = body.pop(key)
        if "in" in body:
            schema["enum"] = body.pop("in")
        if body:
            kept[family] = body
        return True

    def enum_rules(
        self, schema: dict[str, Any], body: dict[str, Any], type_name: str, kept: dict[str, Any]
    ) -> bool:
        """Narrow the enum names of *schema* by buf.validate ``enum`` rules."""
        body.pop("defined_only", None)  # names only: an enum is always defined here
        values = self.types[type_name]["enum"]
        if "in" in body:
            allowed = set(body.pop("in"))
            schema["enum"] = [n for n in schema["enum"] if self.number(values, n) in allowed]
        if "not_in" in body:
            refused = set(body.pop("not_in"))
            schema["enum"] = [n for n in schema["enum"] if self.number(values, n) not in refused]
        if body:
            kept["enum"] = body
        return True

    @staticmethod
    def number(values: list[dict[str, Any]], name: str) -> int:
        """The number of the enum value *name*."""
        return next(int(v["number"]) for v in values if v["name"] == name)


# -- operations ------------------------------------------------------------------------------


def path_params(template: str) -> list[str]:
    """The names of the parameters of a path template."""
    return re.findall(r"\{([^}=]+)\}", template)


def query_params(
    gen: Generator, message: str, prefix: str, seen: tuple[str, ...]
) -> list[dict[str, Any]]:
    """The query parameters of the fields of *message*, nested ones flattened with dots."""
    out: list[dict[str, Any]] = []
    for field in gen.types[message]["fields"]:
        name = prefix + field["name"]
        type_name = field["type_name"]
        nested = (
            field["type"] == "message"
            and type_name not in QUERY_SCALAR_MESSAGES
            and not field["map"]
        )
        if nested:
            if field["label"] == "repeated" or type_name in seen or type_name in WELL_KNOWN:
                continue  # grpc-gateway cannot read these from a query string
            out += query_params(gen, type_name, name + ".", (*seen, type_name))
            continue
        if field["map"]:
            continue
        schema, required = gen.field_schema(message, field)
        schema.pop("readOnly", None)  # a parameter is input, whatever the field's behaviour
        param: dict[str, Any] = {"name": name, "in": "query", "schema": schema}
        if required and not prefix:
            param["required"] = True
        if "description" in schema:
            param["description"] = schema.pop("description")
        if field["label"] == "repeated":
            param["style"] = "form"
            param["explode"] = True
        out.append(param)
    return out


def operation(gen: Generator, binding: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI operation of *binding*."""
    request = binding["request_message"]
    fields = {f["name"]: f for f in gen.types[request]["fields"]}
    in_path = path_params(binding["path"])
    parameters: list[dict[str, Any]] = []
    for name in in_path:
        if name not in fields:
            raise Unsupported(f"{binding['rpc']}: path parameter {name} is not a field")
        schema, _ = gen.field_schema(request, fields[name])
        schema.pop("readOnly", None)  # a parameter is input, whatever the field's behaviour
        param = {"name": name, "in": "path", "required": True, "schema": schema}
        if "description" in schema:
            param["description"] = schema.pop("description")
        parameters.append(param)
    body = binding["body"]
    op: dict[str, Any] = {
        "operationId": binding["rpc"],
        "summary": binding["summary"],
        "tags": [binding["service"].rpartition(".")[2]],
        "x-grpc": {
            "service": binding["service"],
            "rpc": binding["rpc"],
            "body": body,
            "request": request,
            "response": binding["response_message"],
            "additional_binding": binding["additional_binding"],
            "used_by_sdks": binding["used_by_sdks"].split(","),
        },
    }
    description = "Not in Scalekit's public OpenAPI spec; called by the official SDKs."
    if binding["visibility"]:
        op["x-visibility"] = binding["visibility"]
        description = f"{binding['visibility']}: {description}"
    op["description"] = description
    rest = frozenset(in_path)
    if body == "*":
        if in_path:
            name = f"{request}Body"
            if name in gen.types:
                raise Unsupported(f"{name} is a message name")
            gen.components[name] = gen.message_schema(request, gen.types[request], rest)
            schema = {"$ref": REF + name}
        else:
            schema = gen.ref(request)
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
    elif body:
        field = fields[body]
        schema, _ = gen.field_schema(request, field)
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
        op["x-grpc"]["body_field"] = body
        rest |= {body}
    if body != "*":
        query = {"fields": [f for f in gen.types[request]["fields"] if f["name"] not in rest]}
        gen.types[f"{request} (query)"] = query
        parameters += query_params(gen, f"{request} (query)", "", (request,))
        del gen.types[f"{request} (query)"]
    if parameters:
        op["parameters"] = parameters
    response = binding["response_message"]
    answer = gen.ref(response) if response not in WELL_KNOWN else dict(WELL_KNOWN[response])
    status = {"$ref": REF + "google.rpc.Status"}
    op["responses"] = {
        "200": {"description": "A successful response.",
                "content": {"application/json": {"schema": answer}}},
        "default": {"description": "An error: a google.rpc.Status.",
                    "content": {"application/json": {"schema": status}}},
    }  # fmt: skip
    return op


STATUS = {
    "type": "object",
    "properties": {
        "code": {"type": "integer", "format": "int32"},
        "message": {"type": "string"},
        "details": {
            "type": "array",
            "items": {"type": "object", "properties": {"@type": {"type": "string"}},
                      "additionalProperties": True},
        },
    },
}  # fmt: skip


def generate(source: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document of the extract *source*."""
    gen = Generator(source)
    paths: dict[str, dict[str, Any]] = {}
    ids: set[str] = set()
    for binding in sorted(source["bindings"], key=lambda b: (b["path"], b["http_method"])):
        op = operation(gen, binding)
        if op["operationId"] in ids:
            raise Unsupported(f"two bindings of {op['operationId']}")
        ids.add(op["operationId"])
        paths.setdefault(binding["path"], {})[binding["http_method"].lower()] = op
    gen.components["google.rpc.Status"] = STATUS
    hashes = {k: v["sha256"] for k, v in source["source"].items() if isinstance(v, dict)}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Scalekit API: the operations the official SDKs call beyond the public spec",
            "version": "1.0.0",
            "description": (
                "Derived by tools/gen_extra_spec.py from spec/extras.source.json (the proto "
                "HTTP bindings and messages of scalekit-sdk-python 2.21.0); see spec/EXTRAS.md."
            ),
            "x-source-sha256": hashes,
        },
        "servers": [{"url": "https://$SCALEKIT_ENVIRONMENT_URL"}],
        "security": [{"oauth2": []}],
        "paths": paths,
        "components": {
            "schemas": gen.components,
            "securitySchemes": {
                "oauth2": {
                    "type": "oauth2",
                    "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": {}}},
                }
            },
        },
    }


def render() -> str:
    """The text of the document generated from the vendored extract."""
    source = json.loads(SOURCE.read_text(encoding="utf-8"))
    return json.dumps(generate(source), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the document, check it, or refresh the extract."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the document is stale")
    parser.add_argument(
        "--extract",
        metavar="DIR",
        type=Path,
        help="first rewrite spec/extras.source.json from the reference files in DIR",
    )
    args = parser.parse_args(argv)
    if args.extract is not None:
        text = json.dumps(extract(args.extract), indent=1, sort_keys=True, ensure_ascii=False)
        SOURCE.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {SOURCE.relative_to(ROOT)}")
    text = render()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET.relative_to(ROOT)} is stale: run python tools/gen_extra_spec.py")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)} ({len(text.encode()) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
