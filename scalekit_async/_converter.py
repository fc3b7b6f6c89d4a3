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
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import UnionType
from typing import Any, Union, get_args, get_origin

import cattrs

from ._enums import OpenEnum

__all__ = ["make_converter", "parse_timestamp", "format_timestamp"]

_FRACTION = re.compile(r"\.(\d{7,})")


def parse_timestamp(value: Any) -> datetime:
    """Parse an RFC 3339 timestamp (nanoseconds truncated to microseconds)."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str):
        text = value
        if "." in text:
            text = _FRACTION.sub(lambda m: "." + m.group(1)[:6], text, count=1)
        dt = datetime.fromisoformat(text)
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
    return cl(value)


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

        def mapping_hook(value: Any, _: Any) -> dict[Any, Any]:
            if value is None:
                return {}
            if not isinstance(value, Mapping):
                raise TypeError(f"expected an object, got {type(value).__name__}")
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
    return conv
