"""The cattrs converter that turns wire JSON into models and back.

One converter is built per client (no global state) by `make_converter()`.
Wire rules it encodes (see the Scalekit wire reference §2.4):

- timestamps are RFC 3339 strings with 0-9 fractional digits and become aware
  `datetime`s (naive values are taken as UTC);
- int64 fields travel as JSON strings and become `int`;
- enums are `OpenEnum`s, so unknown values are kept;
- unknown keys are ignored; missing keys take the field's default.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import UnionType
from typing import Any, Union, get_args, get_origin

import attrs
import cattrs

from ._enums import OpenEnum

__all__ = ["make_converter", "parse_timestamp", "format_timestamp"]

_FRACTION = re.compile(r"\.(\d{7,})")


def parse_timestamp(value: Any) -> datetime:
    """Parse an RFC 3339 timestamp (nanoseconds truncated to microseconds)."""
    if isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value)  # 3.11+: ``Z`` and 1-9 fraction digits
        except ValueError:
            # Older formats: more than 6 digits some parsers refuse; truncate and retry.
            dt = datetime.fromisoformat(_FRACTION.sub(lambda m: "." + m.group(1)[:6], value, 1))
    elif isinstance(value, datetime):
        dt = value
    else:
        raise TypeError(f"expected an RFC 3339 string, got {type(value).__name__}")
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def format_timestamp(value: datetime) -> str:
    """Format an aware `datetime` as RFC 3339 in UTC with a ``Z`` suffix."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, bool):
        raise TypeError("expected an integer, got a bool")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise TypeError(f"expected an integer, got {type(value).__name__}")


def _structure_str(value: Any, _: type) -> str:
    if isinstance(value, str):
        return value
    raise TypeError(f"expected a string, got {type(value).__name__}")


def _structure_bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    raise TypeError(f"expected a bool, got {type(value).__name__}")


def _structure_open_enum(value: Any, cl: type[OpenEnum]) -> OpenEnum:
    if not isinstance(value, str):
        raise TypeError(f"expected an enum string, got {type(value).__name__}")
    member = cl._value2member_map_.get(value)
    return member if member is not None else cl(value)  # type: ignore[return-value]


def _is_collection(cl: Any) -> bool:
    origin = get_origin(cl)
    args = get_args(cl)
    if origin is tuple:
        return len(args) == 2 and args[1] is Ellipsis
    return origin in (Mapping, dict)


def _collection_hook(conv: cattrs.Converter) -> Callable[[Any], Callable[[Any, Any], Any]]:
    """Build hooks for ``tuple[X, ...]`` and ``Mapping[str, V]`` where JSON ``null`` means empty."""

    def factory(cl: Any) -> Callable[[Any, Any], Any]:
        origin, args = get_origin(cl), get_args(cl)
        if origin is tuple:
            item = args[0]
            item_hook = conv.get_structure_hook(item)

            def tuple_hook(value: Any, _: Any) -> tuple[Any, ...]:
                if value is None:
                    return ()
                if not isinstance(value, list | tuple):
                    raise TypeError(f"expected a list, got {type(value).__name__}")
                return tuple([item_hook(v, item) for v in value])

            return tuple_hook
        key_type, value_type = args if args else (str, Any)
        key_hook = conv.get_structure_hook(key_type)
        value_hook = conv.get_structure_hook(value_type)

        plain = key_type is str and value_type in (str, Any)

        def mapping_hook(value: Any, _: Any) -> dict[Any, Any]:
            if value is None:
                return {}
            if value.__class__ is not dict and not isinstance(value, Mapping):
                raise TypeError(f"expected an object, got {type(value).__name__}")
            if plain and all(
                k.__class__ is str and (value_type is Any or v.__class__ is str)
                for k, v in value.items()
            ):
                return dict(value)
            return {key_hook(k, key_type): value_hook(v, value_type) for k, v in value.items()}

        return mapping_hook

    return factory


def _is_optional(cl: Any) -> bool:
    args = get_args(cl)
    return get_origin(cl) in (Union, UnionType) and len(args) == 2 and type(None) in args


def _optional_hook(conv: cattrs.Converter) -> Callable[[Any], Callable[[Any, Any], Any]]:
    """Build hooks for ``X | None`` that resolve X's hook once, not on every value."""

    def factory(cl: Any) -> Callable[[Any, Any], Any]:
        inner = next(a for a in get_args(cl) if a is not type(None))
        inner_hook = conv.get_structure_hook(inner)

        def optional_hook(value: Any, _: Any) -> Any:
            return None if value is None else inner_hook(value, inner)

        return optional_hook

    return factory


_FAST_TYPES = (str, bool, int, float)


def _model_hook(conv: cattrs.Converter) -> Callable[[Any], Callable[[Any, Any], Any]]:
    """Build one structuring function per attrs model, with the type checks inline.

    cattrs' generated functions call a hook per field; for our flat wire models
    most fields are plain strings, bools and ints, so checking ``v.__class__``
    inline and calling a hook only for the rest is several times cheaper. JSON
    ``null`` in a field that cannot be `None` means "not set" (protojson), so the
    field keeps its default. Unknown keys are ignored.
    """

    def factory(cls: Any) -> Callable[[Any, Any], Any]:
        hints = typing.get_type_hints(cls)
        fields = attrs.fields(cls)
        # Without converters, validators or required fields, set slots directly
        # (no keyword dict, no __init__ call); otherwise build keywords for __init__.
        direct = all(
            f.init
            and f.converter is None
            and f.validator is None
            and f.default is not attrs.NOTHING
            and not (isinstance(f.default, attrs.Factory) and f.default.takes_self)  # type: ignore[arg-type]
            for f in fields
        ) and not hasattr(cls, "__attrs_post_init__")
        namespace: dict[str, Any] = {
            "_cls": cls,
            "_M": _MISSING,
            "_Mapping": Mapping,
            "_new": object.__new__,
            "_set": object.__setattr__,
        }
        lines = [
            "def structure(d, _):",
            "    if d.__class__ is not dict and not isinstance(d, _Mapping):",
            "        raise TypeError(f'expected an object, got {type(d).__name__}')",
            "    o = _new(_cls)" if direct else "    kw = {}",
        ]
        for n, field in enumerate(fields):
            if not field.init:
                continue
            kind = hints.get(field.name, Any)
            optional = _is_optional(kind)
            inner = next(a for a in get_args(kind) if a is not type(None)) if optional else kind
            namespace[f"_t{n}"] = inner
            if inner is Any:
                expr = "v"
            else:
                namespace[f"_h{n}"] = (
                    _dispatch(conv) if inner is cls else conv.get_structure_hook(inner)
                )
                expr = f"_h{n}(v, _t{n})"
                if inner in _FAST_TYPES:
                    expr = f"v if v.__class__ is _t{n} else {expr}"
                elif isinstance(inner, type) and issubclass(inner, OpenEnum):
                    namespace[f"_v{n}"] = inner._value2member_map_
                    expr = f"e if (e := _v{n}.get(v, _M)) is not _M else {expr}"
                elif inner is datetime:
                    namespace["_iso"] = datetime.fromisoformat
                    # The common case inline: an RFC 3339 string with an offset or Z.
                    expr = f"t if v.__class__ is str and (t := _iso(v)).tzinfo else {expr}"
            # JSON null keeps the default, unless None is a value the field can hold.
            nullable = optional or inner is Any
            present = "v is not _M" if nullable else "v is not _M and v is not None"
            value = f"(None if v is None else ({expr}))" if optional else f"({expr})"
            lines.append(f"    v = d.get({field.name!r}, _M)")
            if direct:
                default = field.default
                if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                    namespace[f"_f{n}"] = default.factory
                    fallback = f"_f{n}()"
                else:
                    namespace[f"_d{n}"] = default
                    fallback = f"_d{n}"
                lines.append(f"    _set(o, {field.name!r}, {value} if {present} else {fallback})")
            else:
                lines.append(f"    if {present}:")
                lines.append(f"        kw[{field.alias!r}] = {value}")
        lines.append("    return o" if direct else "    return _cls(**kw)")
        exec(compile("\n".join(lines), f"<structure {cls.__qualname__}>", "exec"), namespace)  # noqa: S102 - code we generate
        return namespace["structure"]  # type: ignore[no-any-return]

    return factory


class _Missing:
    __slots__ = ()


_MISSING = _Missing()


def _dispatch(conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    return lambda value, cl: conv.structure(value, cl)


def make_converter() -> cattrs.Converter:
    """Build a converter configured for Scalekit's wire format."""
    conv = cattrs.Converter(detailed_validation=False)
    conv.register_structure_hook(datetime, lambda v, _: parse_timestamp(v))
    conv.register_unstructure_hook(datetime, format_timestamp)
    # Dispatch picks the most specific class: bool before int, OpenEnum before str.
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(OpenEnum, _structure_open_enum)
    conv.register_unstructure_hook(OpenEnum, lambda e: e.value)
    conv.register_structure_hook(Any, lambda v, _: v)
    conv.register_structure_hook_factory(_is_collection, _collection_hook(conv))
    conv.register_structure_hook_factory(_is_optional, _optional_hook(conv))
    conv.register_structure_hook_factory(attrs.has, _model_hook(conv))
    return conv
