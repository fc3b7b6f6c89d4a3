"""The fake's own structure holds: no import cycles, nothing private shared across modules.

Every module under ``scalekit_async/testing/`` is read as an AST, so imports made
inside functions (or under ``if TYPE_CHECKING:``) count like the others:

1. the modules import each other without a cycle;
2. no module imports an underscored name (``from ._events import _emit``) from
   another scalekit_async module: what is shared gets a public name;
3. no module touches another object's underscored attribute (``fake._state``):
   only ``self._x`` and ``cls._x`` (dunders such as ``__name__`` are fine).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping, Set
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "scalekit_async"
TESTING = PACKAGE / "testing"
PATHS = sorted(TESTING.glob("*.py"))


def module_name(path: Path) -> str:
    """The dotted name of the module at *path* (a package by its ``__init__``)."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_from(node: ast.ImportFrom, module: str, *, is_package: bool) -> str:
    """The absolute name of the module a ``from ... import`` statement imports from."""
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports(source: str, module: str, *, is_package: bool = False) -> Iterator[tuple[int, str]]:
    """Every ``(line, dotted name)`` the source imports, anywhere in the file.

    ``from X import a`` yields both ``X`` and ``X.a`` (``a`` may be a submodule).
    """
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            origin = imported_from(node, module, is_package=is_package)
            yield node.lineno, origin
            for alias in node.names:
                yield node.lineno, f"{origin}.{alias.name}"


def import_graph(sources: Mapping[str, tuple[str, bool]]) -> dict[str, set[str]]:
    """Module -> the modules among *sources* it imports (*sources*: name -> source, is_package)."""
    return {
        module: {
            name
            for _, name in imports(source, module, is_package=is_package)
            if name in sources and name != module
        }
        for module, (source, is_package) in sources.items()
    }


def cycles(graph: Mapping[str, Set[str]]) -> list[list[str]]:
    """The strongly connected components of *graph* with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_imports(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """``from X import _name`` statements taking a private name from another of our modules."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ImportFrom):
            continue
        origin = imported_from(node, module, is_package=is_package)
        if origin.partition(".")[0] != "scalekit_async" or origin == module:
            continue
        found.extend(
            f"line {node.lineno}: from {origin} import {alias.name}"
            for alias in node.names
            if is_private(alias.name)
        )
    return found


def private_attributes(source: str) -> list[str]:
    """``expr._name`` uses where ``expr`` is not the bare name ``self`` or ``cls``."""
    return [
        f"line {node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute)
        and is_private(node.attr)
        and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
    ]


def fake_sources() -> dict[str, tuple[str, bool]]:
    return {module_name(p): (p.read_text(encoding="utf-8"), p.name == "__init__.py") for p in PATHS}


# -- the checks catch what they forbid --------------------------------------------


def test_a_cycle_through_a_function_level_import_is_found() -> None:
    sources = {
        "scalekit_async.testing._a": ("from ._b import helper\n", False),
        "scalekit_async.testing._b": ("def helper():\n    from ._a import thing\n", False),
        "scalekit_async.testing._c": ("from ._a import helper\n", False),
    }
    assert cycles(import_graph(sources)) == [
        ["scalekit_async.testing._a", "scalekit_async.testing._b"]
    ]


def test_importing_a_submodule_through_the_package_counts_the_package() -> None:
    sources = {
        "scalekit_async.testing": ("from ._fake import FakeScalekit\n", True),
        "scalekit_async.testing._fake": ("from . import _users\n", False),
        "scalekit_async.testing._users": ("", False),
    }
    graph = import_graph(sources)
    assert graph["scalekit_async.testing._fake"] == {
        "scalekit_async.testing",
        "scalekit_async.testing._users",
    }
    assert cycles(graph) == [["scalekit_async.testing", "scalekit_async.testing._fake"]]


def test_private_names_and_attributes_are_found() -> None:
    module = "scalekit_async.testing._domains"
    source = (
        "from ._events import _emit, emit\n"
        "from .._converter import format_timestamp\n"
        "from . import _paging\n"
        "def f(fake, self):\n"
        "    from ._http import _GRPC\n"
        "    return fake._state, self._ok, type(fake).__name__, fake.webhooks._pending\n"
    )
    assert private_imports(source, module) == [
        "line 1: from scalekit_async.testing._events import _emit",
        "line 3: from scalekit_async.testing import _paging",
        "line 5: from scalekit_async.testing._http import _GRPC",
    ]
    assert private_attributes(source) == [
        "line 6: fake._state",
        "line 6: fake.webhooks._pending",
    ]


# -- the fake itself ------------------------------------------------------------------


def test_the_testing_modules_import_each_other_without_cycles() -> None:
    graph = import_graph(fake_sources())
    assert len(graph) == len(PATHS) > 20
    found = cycles(graph)
    assert not found, "modules that import each other in a cycle:\n" + "\n".join(
        ", ".join(name.rpartition(".")[2] for name in cycle) for cycle in found
    )


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_no_private_name_is_imported_from_another_module(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    found = private_imports(source, module_name(path), is_package=path.name == "__init__.py")
    assert not found, f"{path.name} imports private names:\n" + "\n".join(found)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_no_private_attribute_of_another_object_is_used(path: Path) -> None:
    found = private_attributes(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name} uses private attributes of other objects:\n" + "\n".join(found)


def module_map() -> list[str]:
    """The modules the map in ``testing/__init__.py``'s docstring lists, in its order."""
    doc = ast.get_docstring(ast.parse((TESTING / "__init__.py").read_text(encoding="utf-8")))
    assert doc is not None
    return re.findall(r"^- ``(\w+)``", doc, re.MULTILINE)


def test_the_module_map_lists_every_module_once() -> None:
    listed = module_map()
    assert sorted(listed) == sorted(p.stem for p in PATHS if p.name != "__init__.py")


def test_each_module_imports_only_modules_above_it_in_the_map() -> None:
    graph = import_graph(fake_sources())
    order = {f"scalekit_async.testing.{name}": i for i, name in enumerate(module_map())}
    upward = [
        f"{module.rpartition('.')[2]} imports {target.rpartition('.')[2]}"
        for module, targets in graph.items()
        if module in order
        for target in targets
        if target not in order or order[target] >= order[module]
    ]
    assert not upward, "imports against the order of the module map:\n" + "\n".join(upward)
