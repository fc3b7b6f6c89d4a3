"""The architecture holds: each layer imports only the layers below it.

client -> auth -> transport -> errors; converter and models know no network;
library code never imports the testing package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "scalekit_async"

NETWORK = {"_client", "_auth", "_transport", "_aiohttp", "_oidc", "_jwks", "redis"}


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
    return {n.split(".")[1] for n in imports_of(PACKAGE / name) if n.count(".") >= 1}


@pytest.mark.parametrize("path", [PACKAGE / "_converter.py", *modules("models")], ids=str)
def test_models_and_converter_know_no_network(path: Path) -> None:
    used = {n.split(".")[1] for n in imports_of(path) if n.count(".") >= 1}
    assert not used & NETWORK, f"{path.name} imports {used & NETWORK}"
    assert "resources" not in used


def test_transport_imports_no_resources_models_or_auth() -> None:
    used = top("_transport.py")
    assert not used & {"resources", "models", "_auth", "_client", "_converter"}, used


def test_auth_does_not_import_the_client_or_resources() -> None:
    assert not top("_auth.py") & {"_client", "resources", "models", "_transport"}


def test_errors_import_nothing_of_ours() -> None:
    assert top("_errors.py") == set()


@pytest.mark.parametrize(
    "path",
    [p for p in PACKAGE.rglob("*.py") if "testing" not in p.relative_to(PACKAGE).parts],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_library_code_never_imports_the_testing_package(path: Path) -> None:
    assert not any(n.startswith("scalekit_async.testing") for n in imports_of(path))
