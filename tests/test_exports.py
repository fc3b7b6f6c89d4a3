"""The public surface: every name exported exists, and nothing public is left out."""

from __future__ import annotations

import importlib
import pkgutil

import scalekit_async as sk
import scalekit_async.models as models
import scalekit_async.resources as resources
import scalekit_async.testing as testing


def test_every_exported_name_exists() -> None:
    for module in (sk, models, resources, testing):
        for name in module.__all__:
            assert getattr(module, name) is not None, f"{module.__name__}.{name}"


def test_models_export_every_family_module_name() -> None:
    expected: set[str] = set()
    for info in pkgutil.iter_modules(models.__path__):
        family = importlib.import_module(f"{models.__name__}.{info.name}")
        expected |= set(family.__all__)
    assert set(models.__all__) == expected


def test_top_level_reexports_every_model() -> None:
    assert set(models.__all__) <= set(sk.__all__)


def test_all_lists_have_no_duplicates() -> None:
    for module in (sk, models, resources, testing):
        assert len(module.__all__) == len(set(module.__all__)), module.__name__


def test_every_namespace_is_on_the_client() -> None:
    client = sk.ScalekitClient("https://x.test", "id", "secret-of-at-least-16-chars")
    for name in resources.__all__:
        if name == "Resource":
            continue
        namespaces = [getattr(client, n) for n in client.NAMESPACES]
        assert any(type(v).__name__ == name for v in namespaces), name


def test_version_is_a_string() -> None:
    assert isinstance(sk.__version__, str)
    assert sk.__version__.count(".") == 2


def test_top_level_all_is_built_from_the_errors_and_models_lists() -> None:
    """The hand-written part of ``__all__`` names no error and no model: those are derived."""
    import ast
    from pathlib import Path

    import scalekit_async._errors as errors

    tree = ast.parse(Path(sk.__file__).read_text())
    literal = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
    )
    assert isinstance(literal, ast.List)
    written = {e.value for e in literal.elts if isinstance(e, ast.Constant)}
    assert not written & set(errors.__all__)
    assert not written & set(models.__all__)
    assert set(errors.__all__) <= set(sk.__all__)
    assert set(models.__all__) <= set(sk.__all__)
