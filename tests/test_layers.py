"""The architecture holds: each layer imports only the layers below it.

client -> auth -> transport -> errors; converter and models know no network;
library code never imports the testing package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "scalekit_async"

NETWORK = {
    "_client",
    "_engine",
    "_auth",
    "_sender",
    "_pool",
    "_aiohttp",
    "_oidc",
    "_jwks",
    "redis",
}


def imports_of(path: Path) -> set[str]:
    """The scalekit_async modules *path* imports, as dotted names under the package."""
    tree = ast.parse(path.read_text())
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            else:
                module = node.module or ""
            if module.startswith("scalekit_async"):
                found.add(module)
                found.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("scalekit_async"))
    return found


def modules(*parts: str) -> list[Path]:
    return sorted((PACKAGE.joinpath(*parts)).glob("*.py"))


def top(name: str) -> set[str]:
    """The first-level scalekit_async modules among imported names."""
    return top_of(PACKAGE / name)


def top_of(path: Path) -> set[str]:
    """The first-level scalekit_async modules *path* imports."""
    return {n.split(".")[1] for n in imports_of(path) if n.count(".") >= 1}


@pytest.mark.parametrize("path", [PACKAGE / "_converter.py", *modules("models")], ids=str)
def test_models_and_converter_know_no_network(path: Path) -> None:
    used = {n.split(".")[1] for n in imports_of(path) if n.count(".") >= 1}
    assert not used & NETWORK, f"{path.name} imports {used & NETWORK}"
    assert "resources" not in used


@pytest.mark.parametrize("name", ["_sender.py", "_pool.py", "_hooks.py", "_aiohttp.py"])
def test_the_transport_layer_imports_nothing_above_it(name: str) -> None:
    used = top(name)
    above = {"resources", "models", "_auth", "_client", "_engine", "_converter", "_oidc"}
    assert not used & above, used


def test_the_pool_knows_no_retries_and_hooks_know_no_network() -> None:
    assert not top("_pool.py") & {"_sender", "_retry", "_hooks"}
    assert not top("_hooks.py") & NETWORK


def test_the_engine_knows_no_resources_and_no_client() -> None:
    assert not top("_engine.py") & {"resources", "_client", "_oidc", "models"}


def test_resources_reach_the_network_only_through_the_engine() -> None:
    for path in modules("resources"):
        assert not top_of(path) & (NETWORK - {"_engine"}), path.name


def test_auth_does_not_import_the_client_or_resources() -> None:
    assert not top("_auth.py") & {"_client", "_engine", "resources", "models", "_sender"}


def test_errors_import_nothing_of_ours() -> None:
    assert top("_errors.py") == set()


@pytest.mark.parametrize(
    "path",
    [p for p in PACKAGE.rglob("*.py") if "testing" not in p.relative_to(PACKAGE).parts],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_library_code_never_imports_the_testing_package(path: Path) -> None:
    assert not any(n.startswith("scalekit_async.testing") for n in imports_of(path))


# -- no cycles, no private reaches ------------------------------------------------------

ALL_MODULES = sorted(PACKAGE.rglob("*.py"))
# The documented API of namedtuples and of enum members, underscored by their design.
PUBLIC_UNDERSCORED = {"_replace", "_asdict", "_fields", "_make", "_field_defaults"}


def dotted(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULE_NAMES = {dotted(p) for p in ALL_MODULES}


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports, anywhere in its body (functions too)."""
    graph: dict[str, set[str]] = {}
    for path in ALL_MODULES:
        found: set[str] = set()
        for name in imports_of(path):
            # "a.b.c" may be module a.b.c or name c of module a.b: keep the longest module.
            while name and name not in MODULE_NAMES:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
        found.discard(dotted(path))
        graph[dotted(path)] = found
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_package_has_no_import_cycles() -> None:
    """Imports inside functions count: hiding one there hides the cycle, not the coupling."""
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def private(name: str) -> bool:
    """An underscored name that is neither a dunder nor an enum ``_sunder_``."""
    return name.startswith("_") and not name.endswith("_")


def own_private_names(tree: ast.Module) -> set[str]:
    """Underscored attribute names a module's own classes define (methods, slots, self._x)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and private(node.name):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"}:
                names.add(node.attr)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)  # attrs fields
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == "__slots__":
                    value = node.value
                    if isinstance(value, ast.Tuple | ast.List):
                        names.update(e.value for e in value.elts if isinstance(e, ast.Constant))
    return names


@pytest.mark.parametrize("path", ALL_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_an_underscored_name(path: Path) -> None:
    tree = ast.parse(path.read_text())
    package = dotted(path) if path.name == "__init__.py" else dotted(path).rpartition(".")[0]
    bad = [
        f"line {node.lineno}: {alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and (node.level or (node.module or "").startswith("scalekit_async"))
        for alias in node.names
        if private(alias.name)
        # a private submodule (``from . import _errors``) is a module, not a private name
        and f"{node.module or package}.{alias.name}" not in MODULE_NAMES
    ]
    assert bad == []


@pytest.mark.parametrize("path", ALL_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_reads_another_modules_private_attributes(path: Path) -> None:
    """``x._name`` only where a class of this module defines ``_name`` (or on self/cls)."""
    tree = ast.parse(path.read_text())
    own = own_private_names(tree)
    bad = [
        f"line {node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and private(node.attr)
        and node.attr not in PUBLIC_UNDERSCORED
        and not (isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"})
        and node.attr not in own
    ]
    assert bad == []


def test_the_private_reach_check_catches_a_reach() -> None:
    tree = ast.parse("class A:\n    def f(self, c):\n        return c._request()\n")
    own = own_private_names(tree)
    reaches = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and private(n.attr)]
    assert [r.attr for r in reaches if r.attr not in own] == ["_request"]
