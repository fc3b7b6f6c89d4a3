"""Derive the fake's compact spec (``scalekit_async/testing/spec.json``) from the vendored ones.

    python tools/gen_fake_spec.py          # (re)write the package data
    python tools/gen_fake_spec.py --check  # exit 1 if it is stale

The fake validates requests and (in strict mode) its own answers against the
official OpenAPI spec (``spec/scalekit.scalar.json``) and, for the operations the
official SDKs call that it lacks, against ``spec/extras.openapi.json`` (generated
from the protos by ``tools/gen_extra_spec.py``). An installed emulator has no
checkout, so the package ships this derived copy of both, keeping only what
validation needs:

- per operation (``"METHOD /template"``): its query parameters (name, required,
  schema), its JSON request body schema, and the schema of each documented 2xx
  response (error answers are checked against ``google.rpc.Status``);
- the component schemas those reference, transitively;
- for an operation of the extras whose JSON body is one request field
  (``body: "<field>"``), that field's name (``body_field``), so violations are
  named from the request message;
- only the schema keywords a validator reads (no descriptions, examples or
  titles), written minified with sorted keys, so a regeneration is stable.

The spec's known defects are not corrected here: the derived copy says what the
spec says, and ``scalekit_async/testing/_validation.py`` applies the corrections
in one documented place (`SPEC_CORRECTIONS`). ``tests/test_emulator_validation.py``
checks that the packaged copy is what this script derives from the vendored spec.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "spec" / "scalekit.scalar.json"
EXTRAS = ROOT / "spec" / "extras.openapi.json"
TARGET = ROOT / "scalekit_async" / "testing" / "spec.json"
METHODS = ("get", "post", "put", "patch", "delete")

# The JSON Schema keywords validation reads; everything else is documentation.
KEPT = frozenset(
    {
        "$ref",
        "additionalProperties",
        "allOf",
        "anyOf",
        "const",
        "enum",
        "exclusiveMaximum",
        "exclusiveMinimum",
        "format",
        "items",
        "maxItems",
        "maxLength",
        "maxProperties",
        "maximum",
        "minItems",
        "minLength",
        "minProperties",
        "minimum",
        "not",
        "nullable",
        "oneOf",
        "pattern",
        "properties",
        "propertyNames",
        "required",
        "type",
        "uniqueItems",
    }
)
# Keywords whose value is a map of names to schemas (the names are data, not keywords).
SCHEMA_MAPS = frozenset({"properties"})
SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf"})
SCHEMA_VALUES = frozenset({"items", "not", "additionalProperties", "propertyNames"})


def prune(schema: Any) -> Any:
    """*schema* with only the keywords validation reads."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key not in KEPT:
            continue
        if key in SCHEMA_MAPS:
            out[key] = {name: prune(sub) for name, sub in value.items()}
        elif key in SCHEMA_LISTS:
            out[key] = [prune(sub) for sub in value]
        elif key in SCHEMA_VALUES and isinstance(value, dict):
            out[key] = prune(value)
        else:
            out[key] = value
    return out


def refs(schema: Any) -> Iterator[str]:
    """The component names *schema* references (directly)."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str):
                yield value.rpartition("/")[2]
            else:
                yield from refs(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from refs(value)


def json_schema(content: dict[str, Any] | None) -> dict[str, Any] | None:
    """The ``application/json`` schema of a request body or response, pruned."""
    schema = (content or {}).get("application/json", {}).get("schema")
    return prune(schema) if schema else None


def derive(
    spec: dict[str, Any], digest: str, file: str = "spec/scalekit.scalar.json"
) -> dict[str, Any]:
    """The compact spec of *spec* (the file *file*, whose SHA-256 is *digest*)."""
    operations: dict[str, Any] = {}
    for template, item in spec["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            entry: dict[str, Any] = {}
            query = {
                p["name"]: {"required": bool(p.get("required")), "schema": prune(p["schema"])}
                for p in op.get("parameters", [])
                if p.get("in") == "query"
            }
            if query:
                entry["query"] = query
            body = json_schema(op.get("requestBody", {}).get("content"))
            if body is not None:
                entry["body"] = body
            responses = {  # error answers are google.rpc.Status, whatever the spec says
                status: json_schema(answer.get("content"))
                for status, answer in op.get("responses", {}).items()
                if status.startswith("2")
            }
            entry["responses"] = {k: v for k, v in responses.items() if v is not None}
            body_field = op.get("x-grpc", {}).get("body_field")
            if body_field:
                entry["body_field"] = body_field
            operations[f"{method.upper()} {template}"] = entry
    components = spec["components"]["schemas"]
    wanted: set[str] = set()
    pending = list(refs(operations))
    while pending:
        name = pending.pop()
        if name not in wanted:
            wanted.add(name)
            pending.extend(refs(components[name]))
    return {
        "source": [{"file": file, "sha256": digest}],
        "operations": operations,
        "components": {"schemas": {name: prune(components[name]) for name in sorted(wanted)}},
    }


def merge(public: dict[str, Any], extras: dict[str, Any]) -> dict[str, Any]:
    """One compact spec of the *public* one and the *extras* (no name may be in both)."""

    def routes(spec: dict[str, Any]) -> set[str]:  # parameter names erased, as the fake matches
        return {re.sub(r"\{[^}]*\}", "{}", key) for key in spec["operations"]}

    clash = sorted(routes(public) & routes(extras))
    if clash:
        raise ValueError(f"operations in both the public spec and the extras: {clash}")
    schemas = public["components"]["schemas"]
    for name, schema in extras["components"]["schemas"].items():
        if schemas.get(name, schema) != schema:
            raise ValueError(f"component {name} differs between the public spec and the extras")
    return {
        "source": public["source"] + extras["source"],
        "operations": {**public["operations"], **extras["operations"]},
        "components": {"schemas": {**schemas, **extras["components"]["schemas"]}},
    }


def render() -> str:
    """The text of the compact spec derived from the vendored ones."""
    derived = []
    for path in (SOURCE, EXTRAS):
        raw = path.read_bytes()
        file = path.relative_to(ROOT).as_posix()
        derived.append(derive(json.loads(raw), hashlib.sha256(raw).hexdigest(), file))
    merged = merge(*derived)
    return json.dumps(merged, separators=(",", ":"), sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the compact spec, or with ``--check`` report whether it is stale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the copy is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET.relative_to(ROOT)} is stale: run python tools/gen_fake_spec.py")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)} ({len(text.encode()) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
