"""A Griffe extension (mkdocs.yml) that gives attrs classes the ``__init__`` attrs generates.

Griffe reads the source, where an ``@attrs.define``/``@attrs.frozen`` class has no
``__init__``: its signature would be empty and every name of its ``Args:`` section
would be reported as unknown. This extension imports each such class and builds
``__init__`` from ``attrs.fields()`` (alias, ``kw_only``, ``init=False``, default or
factory), reusing the annotation Griffe parsed for the field so cross-references
still work. Griffe's own dataclasses extension does the same for dataclasses.
"""

from __future__ import annotations

import importlib
from typing import Any

import attrs
from griffe import (
    Class,
    Extension,
    Function,
    Module,
    Parameter,
    ParameterKind,
    Parameters,
)


def _runtime(cls: Class) -> Any:
    module = importlib.import_module(cls.module.path)
    obj: Any = module
    for part in cls.path.removeprefix(cls.module.path + ".").split("."):
        obj = getattr(obj, part, None)
    return obj


def _default(field: Any) -> str | None:
    if field.default is attrs.NOTHING:
        return None
    if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
        factory = field.default.factory
        return f"{getattr(factory, '__qualname__', repr(factory))}()"
    return repr(field.default)


def _set_init(cls: Class) -> None:
    if "__init__" in cls.members:
        return
    runtime = _runtime(cls)
    if not isinstance(runtime, type) or not attrs.has(runtime):
        return
    if "__init__" not in vars(runtime):  # init=False: whatever it inherits
        return
    positional: list[Parameter] = []
    keyword: list[Parameter] = []
    for field in attrs.fields(runtime):
        if not field.init:
            continue
        member = cls.all_members.get(field.name)
        annotation = getattr(member, "annotation", None)
        if annotation is None and field.type is not None:
            annotation = field.type if isinstance(field.type, str) else repr(field.type)
        kind = ParameterKind.keyword_only if field.kw_only else ParameterKind.positional_or_keyword
        parameter = Parameter(
            field.alias, annotation=annotation, kind=kind, default=_default(field)
        )
        (keyword if field.kw_only else positional).append(parameter)
    cls.set_member(
        "__init__",
        Function(
            "__init__",
            lineno=0,
            endlineno=0,
            parent=cls,
            parameters=Parameters(
                Parameter("self", kind=ParameterKind.positional_or_keyword),
                *positional,
                *keyword,
            ),
            returns="None",
        ),
    )


def _walk(obj: Module | Class, seen: set[str]) -> None:
    if obj.path in seen:
        return
    seen.add(obj.path)
    if isinstance(obj, Class):
        _set_init(obj)
    for member in list(obj.members.values()):
        if not member.is_alias and (member.is_module or member.is_class):
            _walk(member, seen)  # type: ignore[arg-type]


class AttrsExtension(Extension):
    """Create the ``__init__`` of attrs classes, from the runtime classes."""

    def on_package(self, *, pkg: Module, **kwargs: Any) -> None:
        """Give every attrs class of the loaded package its ``__init__``."""
        _walk(pkg, set())
