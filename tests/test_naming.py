"""The naming rule of ``docs/design.md``, checked on every public method of every namespace."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import scalekit_async as sk
import scalekit_async.resources as resources
from scalekit_async._routes import Route, operations_of

CLIENT = sk.ScalekitClient("https://x.test", "id", "secret-of-at-least-16-chars")

VERBS = {
    "add",
    "create",
    "delete",
    "disable",
    "enable",
    "execute",
    "generate",
    "get",
    "list",
    "remove",
    "resend",
    "revoke",
    "search",
    "send",
    "set",
    "update",
    "upsert",
    "verify",
}
# The one spelling of each reference to another resource (rule 2). A new id joins here
# on purpose, after checking it is not another spelling of one already listed.
REFERENCES = {
    "agent_run_id",
    "auth_request_id",
    "client_id",
    "connected_account_id",
    "connection_id",
    "consent_id",
    "directory_group_id",
    "external_id",
    "new_external_id",
    "organization_id",
    "permission_name",
    "permission_names",
    "reassign_role_name",
    "resource_id",
    "role_name",
    "secret_id",
    "user_id",
}
OWN_KEYS = {"id", "name", "identifier", "external_id"}


def namespaces() -> Iterator[tuple[str, Any]]:
    for name in CLIENT.NAMESPACES:
        value = getattr(CLIENT, name)
        assert isinstance(value, resources.Resource)
        yield name, value


def methods() -> list[tuple[str, Callable[..., Any]]]:
    found = []
    for ns_name, ns in namespaces():
        for name, member in inspect.getmembers(type(ns), inspect.isfunction):
            if not name.startswith("_") and member.__qualname__.startswith(type(ns).__name__):
                found.append((f"{ns_name}.{name}", member))
    return found


METHODS = methods()
IDS = [name for name, _ in METHODS]


def test_every_namespace_is_checked() -> None:
    assert len(dict(namespaces())) == len(resources.__all__) - 1  # all but Resource
    assert len(METHODS) > 100


@pytest.mark.parametrize(("qualname", "method"), METHODS, ids=IDS)
def test_names_are_a_verb_or_a_verb_and_a_noun_without_a_scope(
    qualname: str, method: Callable[..., Any]
) -> None:
    namespace, name = qualname.split(".")
    assert re.fullmatch(r"[a-z]+(_[a-z]+)*", name)
    assert name.split("_")[0] in VERBS, f"{qualname}: not a verb"
    assert "_for_" not in name, f"{qualname}: a scope in the name"
    assert not re.search(r"_by_(?!external_id$)", name), f"{qualname}: a scope in the name"
    if namespace != "organizations":
        assert "organization" not in name, f"{qualname}: a scope in the name"


@pytest.mark.parametrize(("qualname", "method"), METHODS, ids=IDS)
def test_only_the_own_key_is_positional_and_references_are_spelled_one_way(
    qualname: str, method: Callable[..., Any]
) -> None:
    params = list(inspect.signature(method).parameters.values())[1:]  # without self
    positional = [p for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert len(positional) <= 1, f"{qualname}: {[p.name for p in positional]}"
    for param in params:
        if param.name in OWN_KEYS:
            continue
        if param.name.endswith(("_id", "_name", "_names")) and param.name not in {
            "display_name",
            "tool_names",
            "connection_names",
        }:
            assert param.name in REFERENCES, f"{qualname}: {param.name} is not a known spelling"
            assert param.kind is param.KEYWORD_ONLY, f"{qualname}: {param.name} is positional"


@pytest.mark.parametrize(("qualname", "method"), METHODS, ids=IDS)
def test_every_method_declares_the_routes_it_serves(
    qualname: str, method: Callable[..., Any]
) -> None:
    assert operations_of(method), f"{qualname} has no @operation(...)"


def test_every_route_has_exactly_one_method() -> None:
    marked: dict[Route, list[str]] = {}
    for qualname, method in METHODS:
        for route in operations_of(method):
            marked.setdefault(route, []).append(qualname)
    declared: set[Route] = set()
    for info in pkgutil.iter_modules(resources.__path__):
        module = importlib.import_module(f"{resources.__name__}.{info.name}")
        declared |= {v for v in vars(module).values() if isinstance(v, Route)}
    assert declared - set(marked) == set(), "routes no method serves"
    assert {str(r): m for r, m in marked.items() if len(m) > 1} == {}
