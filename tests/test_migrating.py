"""docs/migrating.md maps every public name of the official Python SDK to a real one of ours.

The official names (scalekit-sdk-python 2.21.0) are vendored in
tests/data/official_sdk_methods.txt, so this runs offline. Each table row of the page
whose header starts with "Official SDK" gives the official name(s) in its first cell,
ours in the second (backticked dotted names: ``client.<namespace>.<method>`` resolved on
a real client, ``scalekit_async.<module>.<name>...`` by import), or "no equivalent" with
the reason in the third cell. Names of ours the notes give must exist too.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import textwrap
from pathlib import Path
from typing import Any

import attrs
import pytest

import scalekit_async
from scalekit_async import ScalekitClient

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "migrating.md"
INVENTORY = Path(__file__).resolve().parent / "data" / "official_sdk_methods.txt"
NO_EQUIVALENT = "no equivalent"
OURS = ("client.", "scalekit_async.")
# A regression guard, not a target: a new "no equivalent" row needs a good reason.
MAX_NO_EQUIVALENT = 4
BACKTICKED = re.compile(r"`([^`]+)`")
DOTTED = re.compile(r"[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+")


@attrs.frozen
class Row:
    line: int
    official: tuple[str, ...]
    ours: tuple[str, ...]  # empty for a "no equivalent" row
    notes: str

    @property
    def mentioned(self) -> tuple[str, ...]:
        """The names of ours the notes give (they must exist too)."""
        return tuple(n for n in dotted_names(self.notes) if n.startswith(OURS))


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def dotted_names(cell: str) -> tuple[str, ...]:
    """The dotted names a cell gives in backticks (``name(...)`` counts as ``name``)."""
    names = []
    for text in BACKTICKED.findall(cell):
        match = DOTTED.match(text.strip())
        if match:
            names.append(match.group(0))
    return tuple(names)


def mapping_rows(text: str) -> list[Row]:
    """The rows of every table of the page whose first header cell starts "Official SDK"."""
    rows: list[Row] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("|") and cells(line)[0].startswith("Official SDK"):
            header = cells(line)
            assert len(header) == 3, f"docs/migrating.md:{index + 1}: expected 3 columns"
            index += 2  # the header and its |---| line
            while index < len(lines) and lines[index].startswith("|"):
                official, ours, notes = cells(lines[index])
                no_equivalent = ours.lower() == NO_EQUIVALENT
                rows.append(
                    Row(
                        index + 1,
                        dotted_names(official),
                        () if no_equivalent else dotted_names(ours),
                        notes,
                    )
                )
                if not no_equivalent:
                    assert dotted_names(ours), f"docs/migrating.md:{index + 1}: no name: {ours!r}"
                index += 1
        else:
            index += 1
    return rows


def inventory() -> list[str]:
    lines = INVENTORY.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def instance_attributes(cls: type) -> set[str]:
    """The ``self.<name>`` attributes the ``__init__`` of a class (or of a base) sets."""
    found: set[str] = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if not inspect.isfunction(init):
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(init)))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id == "self"
            ):
                found.add(node.attr)
    return found


def member(obj: Any, name: str) -> Any:
    """``getattr``, also finding attrs fields and the attributes ``__init__`` sets."""
    try:
        return getattr(obj, name)
    except AttributeError:
        pass
    cls = obj if inspect.isclass(obj) else None
    if cls is not None:
        if attrs.has(cls) and name in attrs.fields_dict(cls):
            return attrs.fields_dict(cls)[name]
        if not name.startswith("_") and name in instance_attributes(cls):
            return name
    raise AttributeError(name)


def resolve(path: str, client: ScalekitClient) -> Any:
    """The object a dotted name of ours names; raises LookupError when it does not exist."""
    head, *rest = path.split(".")
    if head == "client":
        obj: Any = client
    elif head == "scalekit_async":
        obj = scalekit_async
        module = "scalekit_async"
        while rest:  # import the longest module prefix (sub-packages are lazy)
            try:
                obj = importlib.import_module(f"{module}.{rest[0]}")
            except ModuleNotFoundError as error:
                if error.name != f"{module}.{rest[0]}":
                    raise
                break
            module = f"{module}.{rest.pop(0)}"
    else:
        raise LookupError(f"{path}: a name of ours starts with client. or scalekit_async.")
    for part in rest:
        try:
            obj = member(obj, part)
        except AttributeError:
            raise LookupError(path) from None
    return obj


def missing_names(rows: list[Row], client: ScalekitClient) -> list[str]:
    missing = []
    for row in rows:
        for name in (*row.ours, *row.mentioned):
            try:
                resolve(name, client)
            except LookupError:
                missing.append(f"docs/migrating.md:{row.line}: {name}")
    return missing


# -- the page ------------------------------------------------------------------------------


def test_the_inventory_is_the_official_sdk_s_public_api() -> None:
    names = inventory()
    assert len(names) == len(set(names)), "a name twice in the inventory"
    assert len(names) > 200
    assert "client.organization.create_organization" in names
    assert "scalekit.frameworks.fastapi.ScalekitAuth.requires_auth" in names
    assert all(n.startswith(("client.", "scalekit.")) for n in names)
    # The page states the size of what it maps.
    assert f"({len(names)} names" in PAGE.read_text(encoding="utf-8")


def test_every_official_name_has_exactly_one_row() -> None:
    rows = mapping_rows(PAGE.read_text(encoding="utf-8"))
    mapped = [name for row in rows for name in row.official]
    names = inventory()
    unmapped = sorted(set(names) - set(mapped))
    unknown = sorted(set(mapped) - set(names))
    twice = sorted({name for name in mapped if mapped.count(name) > 1})
    assert unmapped == [], f"official names with no row in docs/migrating.md: {unmapped}"
    assert unknown == [], f"rows for names the official SDK does not have: {unknown}"
    assert twice == [], f"official names mapped by more than one row: {twice}"
    assert all(row.official for row in rows)


async def test_every_name_of_ours_exists(client: ScalekitClient) -> None:
    rows = mapping_rows(PAGE.read_text(encoding="utf-8"))
    missing = missing_names(rows, client)
    assert missing == [], "names in docs/migrating.md that scalekit_async lacks:\n" + "\n".join(
        missing
    )


def test_a_row_without_an_equivalent_says_why() -> None:
    rows = mapping_rows(PAGE.read_text(encoding="utf-8"))
    without = [row for row in rows if not row.ours]
    for row in without:
        assert row.notes.lower().startswith("no equivalent:"), f"line {row.line}: {row.notes!r}"
        reason = row.notes.partition(":")[2].strip()
        assert len(reason) >= 20, f"docs/migrating.md:{row.line}: give the reason"
    assert len(without) <= MAX_NO_EQUIVALENT, [row.official for row in without]


# -- the checker itself ----------------------------------------------------------------------

SAMPLE = """\
| Official SDK | scalekit_async | Notes |
|---|---|---|
| `client.a.one`<br>`client.a.two` | `client.organizations.create(display_name=...)` | |
| `client.a.three` | no equivalent | No equivalent: a reason long enough to read. |

| Other table | x | y |
|---|---|---|
| `client.not.a.row` | `client.nope` | |
"""


def test_rows_are_read_from_the_mapping_tables_only() -> None:
    assert mapping_rows(SAMPLE) == [
        Row(3, ("client.a.one", "client.a.two"), ("client.organizations.create",), ""),
        Row(4, ("client.a.three",), (), "No equivalent: a reason long enough to read."),
    ]
    with pytest.raises(AssertionError, match="no name"):
        mapping_rows(SAMPLE.replace("no equivalent", "nothing"))


async def test_names_resolve_against_the_real_package(client: ScalekitClient) -> None:
    for name in (
        "client.organizations.create",
        "client.auth.validate_access_token",
        "client.auth.jwks.get",
        "scalekit_async.verify_webhook_payload",
        "scalekit_async.sessions.fastapi.ScalekitAuth.install",
        "scalekit_async.sessions.SessionCipher.seal",
        "scalekit_async.APIStatusError.status_code",  # set by __init__
        "scalekit_async.ToolExecutionError.execution_id",
        "scalekit_async.sessions.RequestSession.set_cookie_headers",
        "scalekit_async.AccessTokenClaims.scopes",  # attrs field
    ):
        resolve(name, client)
    for name in (
        "client.organizations.create_organization",
        "client.organization.create",
        "client.auth.nope",
        "scalekit_async.sessions.fastapi.ScalekitAuth.init_app",
        "scalekit_async.nope.thing",
        "scalekit_async.APIStatusError.http_status",
        "scalekit_async.APIStatusError._engine",
        "scalekit.ScalekitClient",
    ):
        with pytest.raises(LookupError):
            resolve(name, client)
    rows = [
        Row(7, ("client.x",), ("client.organizations.list", "client.users.nope"), ""),
        Row(8, ("client.y",), ("client.users.list",), "see `client.users.gone(x=...)`, `sk.X`"),
    ]
    assert missing_names(rows, client) == [
        "docs/migrating.md:7: client.users.nope",
        "docs/migrating.md:8: client.users.gone",
    ]
