"""Hypothesis round trips for every model: structure(unstructure(m)) == m, extra keys ignored."""

from __future__ import annotations

import typing
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import scalekit_async.models as models
from scalekit_async._converter import make_converter
from scalekit_async._enums import OpenEnum

MODELS = sorted(
    (
        getattr(models, name)
        for name in models.__all__
        if isinstance(getattr(models, name), type) and attrs.has(getattr(models, name))
    ),
    key=lambda cls: cls.__name__,
)

CONVERTER = make_converter()  # one for the module: hooks are generated once per model

json_scalars = st.none() | st.booleans() | st.integers(-(2**31), 2**31) | st.text(max_size=8)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
aware = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)


def strategy_for(kind: Any) -> st.SearchStrategy[Any]:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind is Any or kind is object:
        return json_values
    if kind is str:
        return st.text(max_size=12)
    if kind is bool:
        return st.booleans()
    if kind is int:
        return st.integers(-(2**53), 2**53)
    if kind is float:
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind is datetime:
        return aware
    if isinstance(kind, type) and issubclass(kind, OpenEnum):
        return st.sampled_from(list(kind)) | st.text(min_size=1, max_size=8).map(kind)
    if isinstance(kind, type) and attrs.has(kind):
        return model_strategy(kind)
    if origin in (typing.Union, __import__("types").UnionType):
        return st.one_of(*(strategy_for(a) for a in args))
    if kind is type(None):
        return st.none()
    if origin is tuple:
        return st.lists(strategy_for(args[0]), max_size=3).map(tuple)
    if origin in (dict, typing.Mapping, __import__("collections.abc").abc.Mapping):
        key, value = args if args else (str, Any)
        return st.dictionaries(strategy_for(key), strategy_for(value), max_size=3)
    raise NotImplementedError(f"no strategy for {kind!r}")


def model_strategy(cls: type) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls)
    fields = {
        f.alias: st.deferred(lambda k=hints[f.name]: strategy_for(k))
        for f in attrs.fields(cls)
        if f.init
    }
    return st.builds(cls, **fields)


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip_and_unknown_keys(cls: type, data: st.DataObject) -> None:
    conv = CONVERTER
    model = data.draw(model_strategy(cls))
    wire = conv.unstructure(model)
    assert conv.structure(wire, cls) == model
    extra = data.draw(st.dictionaries(st.text(min_size=1).map(lambda k: "zz_" + k), json_values))
    assert conv.structure({**wire, **extra}, cls) == model


def test_every_model_is_covered() -> None:
    assert len(MODELS) > 150
