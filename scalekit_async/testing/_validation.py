"""Validate like Scalekit: requests before dispatch, and (strict mode) the fake's own answers.

The schemas are the official OpenAPI spec's, and for the operations the official
SDKs call that it lacks, those of ``spec/extras.openapi.json`` (generated from the
protos and their buf.validate rules by ``tools/gen_extra_spec.py``). Both are
shipped as package data (``spec.json``, derived by ``tools/gen_fake_spec.py``
from the vendored ``spec/``), so an installed emulator needs no checkout.

Requests are checked the way Scalekit's gateway (grpc-gateway, protojson, then
protovalidate) checks them:

- the body must be JSON (an object, or empty: an empty body is ``{}``; an array
  where the body is a repeated request field), with no
  field the schema does not list (protojson rejects unknown fields), each of the
  right type, and within the schema's enums, patterns, lengths and ranges;
- protojson's leniencies hold: ``null`` means "not set" (so a required field
  given as ``null`` is missing, and a ``null`` clears a field in an update), an
  int64 may be a JSON number or a string, an integer may be a numeric string;
- query parameters are parsed as grpc-gateway parses them (``true``/``1``/``t``
  for booleans, base-10 integers, RFC 3339 timestamps, enum names), unknown
  ones are ignored, and a repeated one that is not a list is refused;
- a violation answers 400 ``INVALID_ARGUMENT`` whose ``details`` carry
  ``validation_error_info.field_violations`` (``field``, ``description``,
  ``constraint``), as Scalekit sends them. A field is named as protovalidate
  names it: from the request message, so a body that fills the request field
  ``organization`` names ``organization.display_name``.

Answers (strict mode): a 2xx body must match its operation's documented response
schema (undocumented keys refused, like the contract test), and every error body
must be a ``google.rpc.Status``.

Where the spec is wrong, `SPEC_CORRECTIONS` says how, in this one place, so that
valid requests of the SDK (and of Scalekit's other clients) are never refused.

The validator is ``jsonschema`` (the ``fake`` extra installs it). Without it,
requests are not validated (a warning is logged once) and strict mode refuses
to start.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from importlib import resources
from typing import Any

import attrs

from ._http import ApiError, FakeRequest, Reply

__all__ = [
    "BODY_FIELDS",
    "SPEC_CORRECTIONS",
    "OperationCheck",
    "SpecChecks",
    "spec_checks",
    "status_problems",
]

logger = logging.getLogger("scalekit_async.testing")

SPEC_URI = "urn:scalekit-async:fake-spec"

BODY_FIELDS: Mapping[str, str] = {
    "POST /api/v1/organizations": "organization",
    "PATCH /api/v1/organizations/{}": "organization",
    "PATCH /api/v1/organizations/{}/settings": "settings",
    "POST /api/v1/organizations/{}/domains": "domain",
    "POST /api/v1/organizations/{}/clients": "client",
    "PATCH /api/v1/organizations/{}/clients/{}": "client",
    "POST /api/v1/organizations/{}/users": "user",
    "PATCH /api/v1/users/{}": "user",
    "PATCH /api/v1/users:external/{}": "user",
    "POST /api/v1/memberships/organizations/{}/users/{}": "membership",
    "POST /api/v1/memberships/organizations/{}/users:external/{}": "membership",
    "PATCH /api/v1/memberships/organizations/{}/users/{}": "membership",
    "PATCH /api/v1/memberships/organizations/{}/users:external/{}": "membership",
    "POST /api/v1/roles": "role",
    "PUT /api/v1/roles/{}": "role",
    "POST /api/v1/organizations/{}/roles": "role",
    "PUT /api/v1/organizations/{}/roles/{}": "role",
    "POST /api/v1/permissions": "permission",
    "PUT /api/v1/permissions/{}": "permission",
    "POST /api/v1/mcp/configs": "config",
    "POST /api/v1/custom-providers": "provider",
    "PUT /api/v1/custom-providers/{}": "provider",
}
"""The request field a JSON body fills, where it is one field (``body: "organization"``).

The public spec does not say; the proto HTTP bindings do. Field violations are
named from the request message, so they start with this name. Other bodies are
the whole request minus its path parameters (``body: "*"``). The operations of
the extras carry their own (``body_field`` in ``spec.json``).
"""

SPEC_CORRECTIONS = """\
- CreateMembership (both bindings): the body schema says ``required: ["membership"]``
  beside its ``$ref``, but the binding is ``body: "membership"``: the body *is* the
  membership. The ``required`` is dropped.
- ListPermissions: the ``type`` query enum omits ``ALL``, its zero value and default
  (the generator drops zero values). ``ALL`` is accepted.
- UpdateToken (from the protos, not the public spec): ``custom_claims`` values carry
  ``min_len: 1``, but the message's own description and Scalekit's UpdateToken samples
  remove a claim by sending it as ``""``. The empty value is accepted.
- int64 fields: the spec types some as ``string`` (``format: int64``) and shows
  numbers in examples; protojson reads both, so requests may send either.
- Error answers: the spec documents ``errdetailsErrorInfo`` (or nothing) as the body
  of some 400/404/500 answers; the body is a ``google.rpc.Status`` whose ``details``
  hold the ErrorInfo. Error bodies are checked against Status, whatever the spec says.
- Undocumented statuses: most operations document only 200, while Scalekit answers
  400, 401, 403, 404, 409, 429 and 5xx too. Any status may be answered; a 2xx is
  checked against the schema of its own status, else of the documented 2xx (creates
  document 201 where the gateway answers 200).
"""
"""How the fake departs from the spec's letter (each is a known defect of the spec)."""

_INT64_FORMATS = frozenset({"int64", "uint64"})
_INT_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint64": (0, 2**64 - 1),
}
_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|NaN|-?Infinity")
_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
    r"(?:[Zz]|[+-][0-9]{2}:[0-9]{2})",
    re.ASCII,
)
_EMAIL = re.compile(
    r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*",
    re.ASCII,
)
_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
_URI = re.compile(  # RFC 3986 absolute URI (protovalidate's string.uri); ASCII only
    r"[A-Za-z][A-Za-z0-9+.\-]*:"
    r"(?://(?:(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|%[0-9A-Fa-f]{2})*@)?"
    r"(?:\[(?P<ip>[0-9A-Fa-f:.]+)\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*)"
    rf"(?::[0-9]*)?(?:/{_PCHAR}*)*|/?(?:{_PCHAR}+(?:/{_PCHAR}*)*)?)"
    rf"(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?",
    re.ASCII,
)
_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})  # Go's strconv.ParseBool
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})
_STATUS_KEYS = frozenset({"code", "message", "details"})
_NON_FINITE = frozenset({"NaN", "Infinity", "-Infinity"})


def _normalize(template: str) -> str:
    """A template with its parameter names erased: ``/a/{id}`` and ``/a/{x}`` are one route."""
    return re.sub(r"\{[^}]*\}", "{}", template)


# -- the spec, loaded once ------------------------------------------------------------


def _absolute_refs(node: Any) -> Any:
    """Point every local ``$ref`` at the spec resource, so any sub-schema resolves it."""
    if isinstance(node, dict):
        return {
            k: (SPEC_URI + v if k == "$ref" and v.startswith("#") else _absolute_refs(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_absolute_refs(v) for v in node]
    return node


def _closed(node: Any) -> Any:
    """Refuse undocumented keys wherever a schema lists an object's properties."""
    if isinstance(node, dict):
        out = {
            k: ({n: _closed(s) for n, s in v.items()} if k == "properties" else _closed(v))
            for k, v in node.items()
        }
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_closed(v) for v in node]
    return node


def _correct(spec: dict[str, Any]) -> None:
    """Apply `SPEC_CORRECTIONS` that change schemas (the others are how checks read them)."""
    operations = spec["operations"]
    for key in (
        "POST /api/v1/memberships/organizations/{organization_id}/users/{id}",
        "POST /api/v1/memberships/organizations/{organization_id}/users:external/{external_id}",
    ):
        operations[key]["body"].pop("required", None)
    kind = operations["GET /api/v1/permissions"]["query"]["type"]["schema"]
    kind["enum"] = ["ALL", *kind["enum"]]
    update_token = spec["components"]["schemas"]["scalekit.v1.tokens.UpdateTokenRequest"]
    update_token["properties"]["custom_claims"]["additionalProperties"].pop("minLength", None)


def load_spec() -> dict[str, Any]:
    """The packaged compact spec, corrected and closed (undocumented keys refused)."""
    text = resources.files(__package__).joinpath("spec.json").read_text(encoding="utf-8")
    spec: dict[str, Any] = json.loads(text)
    _correct(spec)
    return _absolute_refs(_closed(spec))  # type: ignore[no-any-return]


# -- violations -------------------------------------------------------------------------


def _field(prefix: str | None, path: Iterator[Any] | Any) -> str:
    """A protovalidate field path: ``organization.metadata``, ``roles[0].name``."""
    out = prefix or ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out = f"{out}.{part}" if out else str(part)
    return out


def _describe(error: Any) -> tuple[str, str]:
    """The description and the protovalidate constraint id of a jsonschema error."""
    keyword = error.validator
    value = error.validator_value
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    kind = schema.get("format") if schema.get("format") in _INT_RANGES else "int64"
    if keyword == "required":
        return "value is required", "required"
    if keyword == "additionalProperties":
        return "unknown field", ""
    if keyword == "minLength":
        return f"value length must be at least {value} characters", "string.min_len"
    if keyword == "maxLength":
        return f"value length must be at most {value} characters", "string.max_len"
    if keyword == "pattern":
        return f"value does not match regex pattern `{value}`", "string.pattern"
    if keyword == "enum":
        return f"value must be one of {', '.join(map(str, value))}", "enum.defined_only"
    if keyword == "minimum":
        return f"value must be greater than or equal to {value}", f"{kind}.gte"
    if keyword == "maximum":
        return f"value must be less than or equal to {value}", f"{kind}.lte"
    if keyword == "exclusiveMinimum":
        return f"value must be greater than {value}", f"{kind}.gt"
    if keyword == "exclusiveMaximum":
        return f"value must be less than {value}", f"{kind}.lt"
    if keyword == "uniqueItems":
        return "repeated value must contain unique items", "repeated.unique"
    if keyword == "maxProperties":
        return f"map must be at most {value} entries", "map.max_pairs"
    if keyword == "minProperties":
        return f"map must be at least {value} entries", "map.min_pairs"
    if keyword == "minItems":
        return f"value must contain at least {value} item(s)", "repeated.min_items"
    if keyword == "maxItems":
        return f"value must contain no more than {value} item(s)", "repeated.max_items"
    if keyword == "format" and value == "email":
        return "value must be a valid email address", "string.email"
    if keyword == "format" and value == "uri":
        return "value must be a valid URI", "string.uri"
    if keyword == "format" and value == "date-time":
        return "value must be an RFC 3339 timestamp", ""
    if keyword == "format" and value in _INT_RANGES:
        return f"value out of range for {value}", ""
    if keyword == "type":
        return f"invalid value for {schema.get('format') or value} type", ""
    return str(error.message), ""


# -- shared by both validators: types, patterns, formats -----------------------------------


def _is_type(instance: Any, name: str) -> bool:
    """JSON Schema's types of a decoded JSON value (``1.0`` is an integer, ``True`` is not)."""
    if name == "string":
        return isinstance(instance, str)
    if name == "object":
        return isinstance(instance, dict)
    if name == "array":
        return isinstance(instance, list)
    if name == "boolean":
        return isinstance(instance, bool)
    if name == "null":
        return instance is None
    if isinstance(instance, bool) or not isinstance(instance, int | float):
        return False
    return name == "number" or isinstance(instance, int) or instance.is_integer()


def _lenient(instance: Any, names: list[str], schema: Mapping[str, Any]) -> bool:
    """Whether protojson reads *instance* as one of *names* though JSON Schema does not."""
    if isinstance(instance, str):
        if "integer" in names and _INTEGER.fullmatch(instance):
            return True
        return "number" in names and _NUMBER.fullmatch(instance) is not None
    return (
        isinstance(instance, int)
        and not isinstance(instance, bool)
        and "string" in names
        and schema.get("format") in _INT64_FORMATS
    )


_REGEXES: dict[str, re.Pattern[str]] = {}


def _regex(pattern: str) -> re.Pattern[str]:
    """A spec pattern as RE2 (protovalidate) reads it: ``$`` ends the text, classes are ASCII."""
    compiled = _REGEXES.get(pattern)
    if compiled is None:
        compiled = re.compile(re.sub(r"(?<!\\)\$", r"\\Z", pattern), re.ASCII)
        _REGEXES[pattern] = compiled
    return compiled


def _date_time(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    if _RFC3339.fullmatch(instance) is None:
        return False
    try:
        datetime.fromisoformat(instance[:19].upper())
    except ValueError:
        return False
    return True


def _email(instance: object) -> bool:
    return not isinstance(instance, str) or _EMAIL.fullmatch(instance) is not None


def _uri(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    match = _URI.fullmatch(instance)
    if match is None:
        return False
    if match["ip"] is not None:
        try:
            ipaddress.IPv6Address(match["ip"])
        except ValueError:
            return False
    return True


def _in_range(name: str) -> Callable[[object], bool]:
    low, high = _INT_RANGES[name]

    def check(instance: object) -> bool:
        if isinstance(instance, bool):
            return True
        if isinstance(instance, str) and _INTEGER.fullmatch(instance):
            instance = int(instance)
        if isinstance(instance, float) and instance.is_integer():
            instance = int(instance)
        return not isinstance(instance, int) or low <= instance <= high

    return check


_FORMATS: dict[str, Callable[[object], bool]] = {
    "date-time": _date_time,
    "email": _email,
    "uri": _uri,
    **{name: _in_range(name) for name in _INT_RANGES},
}
"""The formats checked (as protojson and protovalidate do); any other is an annotation."""


# -- jsonschema, extended with protojson's reading: the errors ----------------------------


def _build_validators() -> tuple[Any, Any, Any]:
    """The request validator class, the answer validator class, and the format checker."""
    import jsonschema  # type: ignore[import-untyped,unused-ignore]  # no stubs: kept Any
    from jsonschema import (  # type: ignore[import-untyped,unused-ignore]
        Draft202012Validator,
        ValidationError,
        validators,
    )

    def pattern(validator: Any, value: str, instance: Any, schema: Any) -> Iterator[Any]:
        if isinstance(instance, str) and _regex(value).search(instance) is None:
            yield ValidationError(f"{instance!r} does not match {value!r}")

    def additional_properties(
        validator: Any, allowed: Any, instance: Any, schema: Any
    ) -> Iterator[Any]:
        # One error per unknown key, named by its path (the stock one lists them all).
        if not validator.is_type(instance, "object"):
            return
        known = schema.get("properties", {})
        for key in instance:
            if key in known:
                continue
            if allowed is False:
                yield ValidationError(f"unknown field {key!r}", path=(key,))
            elif isinstance(allowed, Mapping):
                yield from validator.descend(instance[key], allowed, path=key)

    def properties(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
        # protojson: a field given as null is not set.
        if not validator.is_type(instance, "object"):
            return
        for name, subschema in value.items():
            if instance.get(name) is not None:
                yield from validator.descend(instance[name], subschema, path=name, schema_path=name)

    def required_request(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if not validator.is_type(instance, "object"):
            return
        for name in value:
            if instance.get(name) is None:
                yield ValidationError(f"{name!r} is a required property", path=(name,))

    def required_answer(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if not validator.is_type(instance, "object"):
            return
        for name in value:
            if name not in instance:
                yield ValidationError(f"{name!r} is a required property", path=(name,))

    def lenient_type(validator: Any, types: Any, instance: Any, schema: Any) -> Iterator[Any]:
        names = [types] if isinstance(types, str) else list(types)
        if not any(_is_type(instance, t) for t in names) and not _lenient(instance, names, schema):
            yield ValidationError(f"{instance!r} is not of type {', '.join(map(repr, names))}")

    checker = jsonschema.FormatChecker(formats=())
    for name, check in _FORMATS.items():
        checker.checks(name)(check)
    shared = {"pattern": pattern, "additionalProperties": additional_properties}
    request_class = validators.extend(
        Draft202012Validator,
        {**shared, "properties": properties, "required": required_request, "type": lenient_type},
    )
    answer_class = validators.extend(Draft202012Validator, {**shared, "required": required_answer})
    return request_class, answer_class, checker


# -- the fast path: the same rules, compiled to closures -----------------------------------

Check = Callable[[Any], bool]

_COMPILED_KEYWORDS = frozenset(
    {
        "$ref",
        "additionalProperties",
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
        "pattern",
        "properties",
        "propertyNames",
        "required",
        "type",
        "uniqueItems",
    }
)


class _Unsupported(Exception):
    """A keyword the fast path does not compile: jsonschema alone decides."""


class _Compiler:
    """Compile a schema to a predicate with exactly the rules of `_build_validators`' classes.

    jsonschema stays the authority: it names the violations, and anything the
    compiler does not know (a keyword, a schema shape) makes it give up, so
    jsonschema checks that schema alone. This predicate only lets the common
    case (a valid request) through without jsonschema's per-keyword overhead,
    which is about 20 times its cost. ``lenient`` notes whether a protojson
    leniency (a number as a string...) was used, so the body is canonicalized.
    """

    def __init__(self, components: Mapping[str, Any], *, request: bool) -> None:
        self._components = components
        self._request = request
        self._refs: dict[str, Check] = {}
        self.lenient = [False]

    def compile(self, schema: Any) -> Check:
        if not isinstance(schema, Mapping) or not _COMPILED_KEYWORDS.issuperset(schema):
            raise _Unsupported
        checks: list[Check] = []
        if "$ref" in schema:
            checks.append(self._ref(schema["$ref"].rpartition("/")[2]))
        if "type" in schema:
            checks.append(self._type(schema))
        if "properties" in schema or "additionalProperties" in schema or "required" in schema:
            checks.append(self._object(schema))
        if "items" in schema:
            checks.append(self._items(self.compile(schema["items"])))
        if "propertyNames" in schema:
            checks.append(self._names(self.compile(schema["propertyNames"])))
        checks.extend(self._sizes(schema))
        if "enum" in schema:
            checks.append(self._enum(schema["enum"]))
        checks.extend(self._string(schema))
        checks.extend(self._number(schema))
        if "format" in schema and schema["format"] in _FORMATS:
            checks.append(_FORMATS[schema["format"]])
        return _every(checks)

    @staticmethod
    def _items(item: Check) -> Check:
        def check(v: Any) -> bool:
            if isinstance(v, list):
                for x in v:
                    if not item(x):
                        return False
            return True

        return check

    @staticmethod
    def _names(name: Check) -> Check:
        def check(v: Any) -> bool:
            if isinstance(v, dict):
                for key in v:
                    if not name(key):
                        return False
            return True

        return check

    @staticmethod
    def _sizes(schema: Mapping[str, Any]) -> Iterator[Check]:
        if "minItems" in schema:
            low = schema["minItems"]
            yield lambda v: not isinstance(v, list) or len(v) >= low
        if "maxItems" in schema:
            high = schema["maxItems"]
            yield lambda v: not isinstance(v, list) or len(v) <= high
        if "minProperties" in schema:
            fewest = schema["minProperties"]
            yield lambda v: not isinstance(v, dict) or len(v) >= fewest
        if "maxProperties" in schema:
            most = schema["maxProperties"]
            yield lambda v: not isinstance(v, dict) or len(v) <= most
        if schema.get("uniqueItems") is True:
            yield lambda v: not isinstance(v, list) or len({_unique_key(x) for x in v}) == len(v)

    def _ref(self, name: str) -> Check:
        if name not in self._refs:
            self._refs[name] = _never  # a recursive reference sees the final one below
            compiled = self.compile(self._components[name])
            self._refs[name] = compiled
        refs = self._refs
        return lambda v: refs[name](v)

    def _type(self, schema: Mapping[str, Any]) -> Check:
        types = schema["type"]
        names = [types] if isinstance(types, str) else list(types)
        flag = self.lenient
        request = self._request
        python = _PYTHON_TYPES.get(names[0]) if len(names) == 1 else None

        def check(v: Any) -> bool:
            if python is not None:
                if isinstance(v, python):
                    return True
            elif any(_is_type(v, name) for name in names):
                return True
            if request and _lenient(v, names, schema):
                flag[0] = True
                return True
            return False

        return check

    def _object(self, schema: Mapping[str, Any]) -> Check:
        fields = [(n, self.compile(sub)) for n, sub in schema.get("properties", {}).items()]
        known = frozenset(schema.get("properties", {}))
        extra = schema.get("additionalProperties", True)
        if extra is not True and extra is not False:
            extra = self.compile(extra)
        required = list(schema.get("required", ()))
        request = self._request

        def check(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            for name, field in fields:
                if name in v:
                    value = v[name]
                    if (value is not None or not request) and not field(value):
                        return False
            if extra is not True:
                for key, value in v.items():
                    if key not in known and (extra is False or not extra(value)):
                        return False
            for name in required:  # noqa: SIM110 - a loop: the hot path, all() is slower
                if (v.get(name) is None) if request else (name not in v):
                    return False
            return True

        return check

    @staticmethod
    def _enum(values: list[Any]) -> Check:
        if not all(isinstance(e, str) for e in values):
            raise _Unsupported
        allowed = frozenset(values)
        return lambda v: isinstance(v, str) and v in allowed

    @staticmethod
    def _string(schema: Mapping[str, Any]) -> Iterator[Check]:
        if "pattern" in schema:
            search = _regex(schema["pattern"]).search
            yield lambda v: not isinstance(v, str) or search(v) is not None
        if "minLength" in schema:
            low = schema["minLength"]
            yield lambda v: not isinstance(v, str) or len(v) >= low
        if "maxLength" in schema:
            high = schema["maxLength"]
            yield lambda v: not isinstance(v, str) or len(v) <= high

    @staticmethod
    def _number(schema: Mapping[str, Any]) -> Iterator[Check]:
        def numeric(v: Any) -> bool:
            return isinstance(v, int | float) and not isinstance(v, bool)

        if "minimum" in schema:
            low = schema["minimum"]
            yield lambda v: not numeric(v) or v >= low
        if "maximum" in schema:
            high = schema["maximum"]
            yield lambda v: not numeric(v) or v <= high
        if "exclusiveMinimum" in schema:
            above = schema["exclusiveMinimum"]
            yield lambda v: not numeric(v) or v > above
        if "exclusiveMaximum" in schema:
            below = schema["exclusiveMaximum"]
            yield lambda v: not numeric(v) or v < below


def _never(value: Any) -> bool:
    return False


def _unique_key(value: Any) -> Any:
    """A key equal for two JSON values exactly when JSON Schema calls them equal."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", value)
    if isinstance(value, str):
        return ("string", value)
    return ("json", json.dumps(value, sort_keys=True))


def _every(checks: list[Check]) -> Check:
    """One predicate that holds when all *checks* do."""
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda v: first(v) and second(v)

    def check(v: Any) -> bool:
        for each in checks:  # noqa: SIM110 - a loop: the hot path, all() is slower
            if not each(v):
                return False
        return True

    return check


_PYTHON_TYPES: dict[str, type] = {
    "string": str,
    "object": dict,
    "array": list,
}
"""The JSON types that are exactly one Python type in decoded JSON."""


class SchemaValidator:
    """One schema's validator: a compiled fast path, and jsonschema to name the violations."""

    def __init__(self, full: Any, fast: Check | None, lenient: list[bool]) -> None:
        self._full = full
        self._fast = fast
        self._lenient = lenient

    def errors(self, instance: Any) -> list[Any]:
        """The errors jsonschema finds in *instance* (empty: valid)."""
        if self._fast is not None:
            self._lenient[0] = False
            if self._fast(instance):
                return []
        return list(self._full.iter_errors(instance))

    def verdicts(self, instance: Any) -> tuple[bool | None, bool]:
        """The fast path's verdict (`None`: none) and jsonschema's, which must agree."""
        fast = None if self._fast is None else self._fast(instance)
        return fast, not any(True for _ in self._full.iter_errors(instance))

    @property
    def used_leniency(self) -> bool:
        """Whether the last valid instance needed a protojson leniency (canonicalize it)."""
        return self._fast is None or self._lenient[0]


# -- the checks -------------------------------------------------------------------------


class OperationCheck:
    """The checks of one spec operation: its query, its body and its 2xx answers."""

    def __init__(self, checks: SpecChecks, key: str, operation: Mapping[str, Any]) -> None:
        self.key = key
        method, _, template = key.partition(" ")
        self.body_field = operation.get("body_field") or BODY_FIELDS.get(
            f"{method} {_normalize(template)}"
        )
        self._checks = checks
        self._query: Mapping[str, Mapping[str, Any]] = operation.get("query", {})
        self._query_required = any(q.get("required") for q in self._query.values())
        self._body_schema: Mapping[str, Any] | None = operation.get("body")
        self._responses: Mapping[str, Any] = operation.get("responses", {})
        self._body: SchemaValidator | None = None
        self._query_validator: SchemaValidator | None = None
        self._answers: dict[str, SchemaValidator] = {}

    # -- requests -----------------------------------------------------------------------

    def check_request(self, request: FakeRequest) -> FakeRequest:
        """*request* as its handler gets it, or `ApiError` (400) when it breaks the spec.

        The body a handler gets is the one protojson would have decoded: numbers
        sent as strings are numbers, int64 fields are strings (``null`` stays, so
        an update can tell "clear" from "not given").
        """
        violations = (
            self.query_violations(request.query) if request.query or self._query_required else []
        )
        data: Any = None
        if self._body_schema is not None:
            data, found = self.body_violations(request.body)
            violations += found
        if violations:
            raise ApiError(
                400,
                "invalid request: " + "; ".join(f"{v[0]}: {v[1]}" for v in violations[:10]),
                error_code="INVALID_ARGUMENT",
                violations=tuple(violations),
            )
        if data and self._body is not None and self._body.used_leniency:
            canonical = self._checks.canonical(data, self._body_schema)
            if canonical != data:
                body = json.dumps(canonical, separators=(",", ":")).encode()
                return attrs.evolve(request, body=body)
        return request

    def body_violations(self, body: bytes) -> tuple[Any, list[tuple[str, str, str]]]:
        """The decoded JSON request body and its field violations (empty: none)."""
        if not body.strip():
            data: Any = {}
        else:
            try:
                data = _strict_json(body)
            except ValueError as exc:
                return None, [(self.body_field or "body", f"invalid JSON: {exc}", "")]
        if self._body_schema is not None and self._body_schema.get("type") == "array":
            # the body is a repeated request field (``body: "roles"``): a JSON array
            if not body.strip():
                data = []
            if not isinstance(data, list):
                return None, [(self.body_field or "body", "the body must be a JSON array", "")]
        elif not isinstance(data, dict):
            return None, [(self.body_field or "body", "the body must be a JSON object", "")]
        if self._body is None:
            self._body = self._checks.validator(self._body_schema, request=True)
        return data, _violations(self._body.errors(data), self.body_field)

    def query_violations(self, query: tuple[tuple[str, str], ...]) -> list[tuple[str, str, str]]:
        """The field violations of the query parameters (unknown ones are ignored)."""
        values: dict[str, list[str]] = {}
        for name, value in query:
            if name in self._query:
                values.setdefault(name, []).append(value)
        found: list[tuple[str, str, str]] = []
        parsed: dict[str, Any] = {}
        for name, raw in values.items():
            schema = self._query[name]["schema"]
            if schema.get("type") == "array":
                items = [_parse_query(v, schema.get("items", {})) for v in raw]
                if any(item is _INVALID for item in items):
                    found.append((name, f"invalid value for {_kind(schema['items'])} type", ""))
                else:
                    parsed[name] = items
            elif len(raw) > 1:
                found.append((name, "too many values (the parameter is not a list)", ""))
            else:
                value = _parse_query(raw[0], schema)
                if value is _INVALID:
                    found.append((name, f"invalid value for {_kind(schema)} type", ""))
                else:
                    parsed[name] = value
        if self._query_validator is None:
            schema = {
                "type": "object",
                "properties": {n: q["schema"] for n, q in self._query.items()},
                "required": [n for n, q in self._query.items() if q.get("required")],
            }
            self._query_validator = self._checks.validator(schema, request=True)
        flagged = {f[0] for f in found}
        for field, description, constraint in _violations(
            self._query_validator.errors(parsed), None
        ):
            name = field.partition("[")[0]  # a parameter is named as sent, not per item
            if name not in flagged:
                found.append((name, description, constraint))
        return found

    def qualified(self, reply: Reply) -> Reply:
        """A handler's 400 *reply* with its body fields named from the request message.

        Handlers may name a body field as the JSON has it (``display_name``); Scalekit
        names it from the request (``organization.display_name``), as validation does.
        """
        if self.body_field is None or reply.status != 400 or self._body_schema is None:
            return reply
        schema = self._body_schema
        while "$ref" in schema:
            schema = self._checks.component(schema["$ref"])
        fields = set(schema.get("properties", {}))
        try:
            data = json.loads(reply.body)
            items = [d["validation_error_info"]["field_violations"] for d in data["details"]]
        except (ValueError, KeyError, TypeError):
            return reply
        changed = False
        for violations in items:
            for violation in violations:
                name = violation.get("field", "")
                if name.startswith(f"{self.body_field}."):
                    continue  # named from the request already
                if re.split(r"[.\[]", name, maxsplit=1)[0] in fields:
                    violation["field"] = f"{self.body_field}.{name}"
                    changed = True
        if not changed:
            return reply
        return Reply.json(400, data, tuple(h for h in reply.headers if h[0] != "content-type"))

    # -- answers ------------------------------------------------------------------------

    def answer_problems(self, reply: Reply) -> list[str]:
        """How a 2xx *reply* breaks the documented response schema (empty: it does not)."""
        status = str(reply.status)
        schema_key = status if status in self._responses else None
        if schema_key is None:
            schema_key = next((s for s in self._responses if s.startswith("2")), None)
        if schema_key is None:
            return []
        try:
            data = json.loads(reply.body)
        except ValueError:
            return [f"{self.key} -> {reply.status}: the body is not JSON"]
        validator = self._answers.get(schema_key)
        if validator is None:
            validator = self._answers[schema_key] = self._checks.validator(
                self._responses[schema_key], request=False
            )
        return [
            f"{self.key} -> {reply.status}: {_field(None, e.absolute_path) or '(body)'}: "
            f"{e.message}"
            for e in validator.errors(data)
        ]


def _violations(errors: list[Any], prefix: str | None) -> list[tuple[str, str, str]]:
    """Field violations, protovalidate style, of jsonschema *errors*."""
    found = set()
    for error in errors:
        description, constraint = _describe(error)
        found.add((_field(prefix, error.absolute_path), description, constraint))
    return sorted(found)


class SpecChecks:
    """The spec's checks, built lazily per operation (one instance per process, shared)."""

    def __init__(self) -> None:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        self._spec = load_spec()
        self._request_class, self._answer_class, self._formats = _build_validators()
        resource = Resource.from_contents(self._spec, default_specification=DRAFT202012)
        self._registry = Registry().with_resource(SPEC_URI, resource).crawl()
        self._keys = {
            (key.partition(" ")[0], _normalize(key.partition(" ")[2])): key
            for key in self._spec["operations"]
        }
        self._operations: dict[tuple[str, str], OperationCheck | None] = {}

    def operation(self, method: str, template: str) -> OperationCheck | None:
        """The checks of the spec operation routed as *method* *template* (`None`: not in it)."""
        found = self._operations.get((method, template), _MISSING)
        if found is _MISSING:
            key = self._keys.get((method, _normalize(template)))
            found = None
            if key is not None:
                found = OperationCheck(self, key, self._spec["operations"][key])
            self._operations[(method, template)] = found
        return found  # type: ignore[no-any-return]

    def validator(self, schema: Any, *, request: bool) -> SchemaValidator:
        """A validator of *schema*: of requests (read as protojson reads them) or of answers."""
        cls = self._request_class if request else self._answer_class
        full = cls(schema, registry=self._registry, format_checker=self._formats)
        compiler = _Compiler(self._spec["components"]["schemas"], request=request)
        try:
            fast: Check | None = compiler.compile(schema)
        except _Unsupported:
            fast = None
        return SchemaValidator(full, fast, compiler.lenient)

    def component(self, ref: str) -> Any:
        """The component schema *ref* points at."""
        return self._spec["components"]["schemas"][ref.rpartition("/")[2]]

    def canonical(self, value: Any, schema: Any) -> Any:
        """*value* (valid against *schema*) as protojson decodes it: numbers typed as declared."""
        while isinstance(schema, Mapping) and "$ref" in schema:
            schema = self._spec["components"]["schemas"][schema["$ref"].rpartition("/")[2]]
        if value is None or not isinstance(schema, Mapping):
            return value
        if isinstance(value, dict):
            known = schema.get("properties", {})
            extra = schema.get("additionalProperties")
            return {
                k: self.canonical(v, known.get(k, extra if isinstance(extra, Mapping) else None))
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.canonical(v, schema.get("items")) for v in value]
        kind = schema.get("type")
        if kind == "integer" and isinstance(value, str):
            return int(value)
        if kind == "number" and isinstance(value, str) and value not in _NON_FINITE:
            return float(value)
        if (
            kind == "string"
            and schema.get("format") in _INT64_FORMATS
            and isinstance(value, int)
            and not isinstance(value, bool)
        ):
            return str(value)
        return value


_MISSING: Any = object()
_INVALID: Any = object()
_loaded: list[SpecChecks | None] = []


def spec_checks() -> SpecChecks | None:
    """The process's `SpecChecks`, built on first use; `None` when jsonschema is missing."""
    if not _loaded:
        try:
            checks: SpecChecks | None = SpecChecks()
        except ImportError:
            logger.warning(
                "jsonschema is not installed: the fake does not validate requests "
                "(pip install 'scalekit-async[fake]')"
            )
            checks = None
        _loaded.append(checks)
    return _loaded[0]


def _kind(schema: Mapping[str, Any]) -> str:
    return str(schema.get("format") or schema.get("type") or "string")


def _parse_query(raw: str, schema: Mapping[str, Any]) -> Any:
    """A query value as grpc-gateway parses it for a field of *schema*, or `_INVALID`."""
    kind = schema.get("type")
    if kind == "integer":
        return int(raw) if _INTEGER.fullmatch(raw) else _INVALID
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            return _INVALID
    if kind == "boolean":
        return True if raw in _TRUE else False if raw in _FALSE else _INVALID
    return raw


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        names = [k for k, _ in pairs]
        duplicate = next(k for k in names if names.count(k) > 1)
        raise ValueError(f"duplicate field {duplicate!r}")
    return out


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)


def _strict_json(body: bytes) -> Any:
    """Decode JSON as protojson reads it: UTF-8, no NaN literals, no duplicate keys."""
    return _DECODER.decode(body.decode("utf-8"))


def status_problems(reply: Reply) -> list[str]:
    """How an error *reply* is not a ``google.rpc.Status`` JSON body (empty: it is one)."""
    try:
        data = json.loads(reply.body)
    except ValueError:
        return ["the body is not JSON"]
    if not isinstance(data, dict):
        return ["the body is not a JSON object"]
    problems = [f"unexpected key {k!r}" for k in data if k not in _STATUS_KEYS]
    code = data.get("code")
    if not isinstance(code, int) or isinstance(code, bool) or not 0 < code <= 16:
        problems.append(f"code {code!r} is not a gRPC status code")
    if not isinstance(data.get("message", ""), str):
        problems.append("message is not a string")
    details = data.get("details", [])
    if not isinstance(details, list) or not all(
        isinstance(d, dict) and isinstance(d.get("@type"), str) for d in details
    ):
        problems.append("details is not a list of typed (@type) messages")
    return problems
