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
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin

import attrs

from ._enums import OpenEnum

if TYPE_CHECKING:
    import cattrs

__all__ = ["format_timestamp", "make_converter", "mutable_twin", "parse_timestamp"]

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


def _plain_strings(value: dict[Any, Any], values_too: bool) -> bool:
    """Whether every key (and with *values_too*, every value) is a `str`: copy as is."""
    for k, v in value.items():
        if k.__class__ is not str or (values_too and v.__class__ is not str):
            return False
    return True


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
                if value.__class__ is not list and not isinstance(value, tuple):
                    raise TypeError(f"expected a list, got {type(value).__name__}")
                items = []  # a plain loop: cheaper than map() or a comprehension here
                for v in value:
                    items.append(item_hook(v, item))
                return tuple(items)

            return tuple_hook
        key_type, value_type = args if args else (str, Any)
        key_hook = conv.get_structure_hook(key_type)
        value_hook = conv.get_structure_hook(value_type)
        plain = key_type is str and value_type in (str, Any)
        values_too = value_type is str

        def mapping_hook(value: Any, _: Any) -> dict[Any, Any]:
            if value is None:
                return {}
            if value.__class__ is dict:
                if plain and _plain_strings(value, values_too):
                    return dict(value)
            elif not isinstance(value, Mapping):
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


_FAST_TYPES = (str, bool, int, float)


def mutable_twin(cls: type, names: set[str]) -> type | None:
    """A mutable twin of the frozen, slotted *cls*, or `None` when *cls* cannot have one.

    An instance of the twin gets its slots by plain attribute stores (a frozen
    class refuses those; ``object.__setattr__`` or a slot's ``__set__`` cost
    ten times more), then becomes a *cls* by ``__class__`` assignment, which
    Python allows because the twin adds nothing to *cls*'s layout. Every slot
    of *cls* must be one of *names* (the fields set from JSON).
    """
    slots = {s for k in cls.__mro__ for s in vars(k).get("__slots__", ()) if s != "__weakref__"}
    if "__dict__" in vars(cls) or slots != names:
        return None
    # Plain object's __init__, __setattr__ and __delattr__: Python then creates an
    # instance and stores its attributes without calling back into Python code.
    plain = {"__init__": object.__init__, "__setattr__": object.__setattr__}
    plain["__delattr__"] = object.__delattr__
    twin = type(f"{cls.__name__}Builder", (cls,), {"__slots__": (), **plain})
    probe: Any = twin()
    try:
        probe.__class__ = cls
    except TypeError:  # pragma: no cover - a layout Python refuses to swap
        return None
    return twin


def _value_expr(conv: cattrs.Converter, cls: Any, n: int, inner: Any, ns: dict[str, Any]) -> str:
    """The expression structuring a present, non-null ``v`` of type *inner* (field *n*)."""
    if inner is Any:
        return "v"
    ns[f"_t{n}"] = inner
    ns[f"_h{n}"] = _dispatch(conv) if inner is cls else conv.get_structure_hook(inner)
    call = f"_h{n}(v, _t{n})"
    if inner in _FAST_TYPES:
        return f"v if v.__class__ is _t{n} else {call}"
    if isinstance(inner, type) and issubclass(inner, OpenEnum):
        ns[f"_v{n}"] = inner._value2member_map_
        return f"e if (e := _v{n}.get(v, _M)) is not _M else {call}"
    if inner is datetime:
        ns["_iso"] = datetime.fromisoformat
        # The common case inline: an RFC 3339 string with an offset or Z.
        return f"t if v.__class__ is str and (t := _iso(v)).tzinfo else {call}"
    if _is_collection(inner):
        return _collection_expr(conv, cls, n, inner, ns, call)
    return call


def _collection_expr(
    conv: cattrs.Converter, cls: Any, n: int, kind: Any, ns: dict[str, Any], call: str
) -> str:
    """A list or map field's common case inline; anything else goes to *call* (its hook).

    A JSON list becomes a tuple in one comprehension, each item through its own
    hook; a map of strings is copied once its keys (and string values) are
    checked in C. Both skip a hook's frame and checks per field.
    """
    args = get_args(kind)
    if get_origin(kind) is tuple:
        item = args[0]
        ns[f"_x{n}"] = item
        ns[f"_i{n}"] = _dispatch(conv) if item is cls else conv.get_structure_hook(item)
        return f"tuple([_i{n}(x, _x{n}) for x in v]) if v.__class__ is list else {call}"
    key, value = args if args else (str, Any)
    if key is not str or value not in (str, Any):
        return call
    ns["_all"], ns["_str"] = all, str.__instancecheck__
    check = "_all(map(_str, v))" + (" and _all(map(_str, v.values()))" if value is str else "")
    return f"dict(v) if v.__class__ is dict and {check} else {call}"


def _field_expr(field: Any, n: int, optional: bool, expr: str, ns: dict[str, Any]) -> str:
    """The field's value from ``d``: *expr* when given, else its default.

    JSON ``null`` keeps the default, unless `None` is a value the field can hold.
    """
    key = repr(field.name)
    default = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        ns[f"_f{n}"] = default.factory
        fallback = f"_f{n}()"
    else:
        ns[f"_d{n}"] = default
        fallback = f"_d{n}"
    if expr == "v":  # Any: null is a value
        return f"{fallback} if (v := d.get({key}, _M)) is _M else v"
    if not optional:  # missing or null: the default
        return f"{fallback} if (v := d.get({key})) is None else ({expr})"
    if default is None:  # missing or null: None
        return f"None if (v := d.get({key})) is None else ({expr})"
    return f"{fallback} if (v := d.get({key}, _M)) is _M else None if v is None else ({expr})"


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
        fields = [f for f in attrs.fields(cls) if f.init]
        # Without converters, validators, required fields or a post-init, a
        # builder twin gets the fields (no keywords, no __init__); otherwise
        # keywords go to __init__.
        plain = all(
            f.converter is None
            and f.validator is None
            and f.default is not attrs.NOTHING
            and not (isinstance(f.default, attrs.Factory) and f.default.takes_self)  # type: ignore[arg-type]
            for f in fields
        ) and not hasattr(cls, "__attrs_post_init__")
        twin = mutable_twin(cls, {f.name for f in fields}) if plain else None
        ns: dict[str, Any] = {"_cls": cls, "_twin": twin, "_M": _MISSING, "_Mapping": Mapping}
        lines = [
            "def structure(d, _):",
            "    if d.__class__ is not dict and not isinstance(d, _Mapping):",
            "        raise TypeError(f'expected an object, got {type(d).__name__}')",
            "    o = _twin()" if twin else "    kw = {}",
        ]
        for n, field in enumerate(fields):
            kind = hints.get(field.name, Any)
            optional = _is_optional(kind)
            inner = next(a for a in get_args(kind) if a is not type(None)) if optional else kind
            expr = _value_expr(conv, cls, n, inner, ns)
            if twin:
                lines.append(f"    o.{field.name} = {_field_expr(field, n, optional, expr, ns)}")
                continue
            nullable = optional or inner is Any
            present = "v is not _M" if nullable else "v is not _M and v is not None"
            value = f"(None if v is None else ({expr}))" if optional else f"({expr})"
            lines.append(f"    v = d.get({field.name!r}, _M)")
            lines.append(f"    if {present}:")
            lines.append(f"        kw[{field.alias!r}] = {value}")
        lines.append("    o.__class__ = _cls\n    return o" if twin else "    return _cls(**kw)")
        exec(compile("\n".join(lines), f"<structure {cls.__qualname__}>", "exec"), ns)  # noqa: S102 - code we generate
        return ns["structure"]  # type: ignore[no-any-return]

    return factory


class _Missing:
    __slots__ = ()


_MISSING = _Missing()


def _dispatch(conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    return lambda value, cl: conv.structure(value, cl)


def make_converter() -> cattrs.Converter:
    """Build a converter configured for Scalekit's wire format.

    cattrs is imported here, with the first client, not with the package: it is
    a fifth of what ``import scalekit_async`` would otherwise cost.
    """
    import cattrs

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
