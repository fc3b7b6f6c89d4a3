"""Every snippet of the docs/ pages runs, so the docs cannot rot.

Markers, on the line before a fenced block:

- ``<!-- test -->``: a Python block of the page's program. A page's marked
  blocks are joined in order into one module and executed; each ``test_*``
  function it defines is then run (async ones on asyncio and on trio).
- ``<!-- test: asyncio -->``: the same, for pages whose async tests need
  asyncio (aiohttp); mark any one block of the page.
- ``<!-- test: seed -->``: a JSON or YAML fixture; it must load into a fake.
- ``<!-- test: cli -->``: every ``scalekit-fake`` command in the block must
  parse with the emulator's own argument parser.
- ``<!-- not tested: why -->``: a block deliberately left out, with the reason.

Tracebacks point at the Markdown file's own line numbers.
"""

from __future__ import annotations

import inspect
import re
import shlex
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from scalekit_async.testing import FakeScalekit, mint_access_token, oauth
from scalekit_async.testing.__main__ import build_parser
from scalekit_async.testing._seed import apply_seed, parse_seed

DOCS = Path(__file__).resolve().parent.parent / "docs"
OWNED_PAGES = ("fastapi.md", "aiohttp.md", "worker.md", "testing.md")
MARKER = re.compile(r"<!--\s*(test(?::\s*(?P<options>[\w, -]+))?|not tested:\s*\S.*?)\s*-->")
TEST_FUNCTION = re.compile(r"^(?:async\s+)?def\s+(?P<name>test_\w+)\s*\(", re.MULTILINE)


@dataclass(frozen=True)
class Block:
    page: str
    line: int  # the first line of code, 1-based
    lang: str
    code: str
    marker: str | None  # "test", "not tested: ...", or None
    options: frozenset[str]

    @property
    def runnable(self) -> bool:
        return self.marker == "test" and self.lang == "python" and not self.options - {"asyncio"}


def blocks(page: str) -> list[Block]:
    """The fenced blocks of a docs/ page and the marker before each."""
    return parse_blocks(page, (DOCS / page).read_text(encoding="utf-8"))


def parse_blocks(page: str, text: str) -> list[Block]:
    found: list[Block] = []
    lines = text.splitlines()
    previous = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("```"):
            lang = line[3:].strip()
            start = index + 1
            index = start
            while not lines[index].startswith("```"):
                index += 1
            match = MARKER.fullmatch(previous.strip())
            options = frozenset()
            marker = None
            if match:
                marker = "test" if match.group(1).startswith("test") else match.group(1)
                raw = match.group("options") or ""
                options = frozenset(o.strip() for o in raw.split(",") if o.strip())
            code = "\n".join(lines[start:index])
            found.append(Block(page, start + 1, lang, code, marker, options))
            previous = ""
        elif line.strip():
            previous = line
        index += 1
    return found


def program(page: str, only: Callable[[Block], bool] = lambda b: b.runnable) -> str:
    """The page's chosen Python blocks as one source, each at its own line numbers."""
    total = len((DOCS / page).read_text(encoding="utf-8").splitlines())
    lines = [""] * total
    for block in blocks(page):
        if only(block):
            for offset, text in enumerate(block.code.splitlines()):
                lines[block.line - 1 + offset] = text
    return "\n".join(lines) + "\n"


def execute(page: str, source: str | None = None) -> dict[str, Any]:
    """Run a page's program as a fresh module; return its namespace."""
    name = "docs_" + page.removesuffix(".md").replace("-", "_")
    module = types.ModuleType(name)
    module.__file__ = str(DOCS / page)
    sys.modules[name] = module  # pydantic and dataclasses resolve annotations through it
    code = compile(source if source is not None else program(page), str(DOCS / page), "exec")
    exec(code, module.__dict__)
    return module.__dict__


def pages_with(predicate: Callable[[Block], bool]) -> list[str]:
    return [p for p in OWNED_PAGES if (DOCS / p).exists() and any(map(predicate, blocks(p)))]


def snippet_tests(asyncio_only: bool) -> list[Any]:
    """(page, test name) of the test functions the pages define, by the loops they need."""
    params = []
    for page in pages_with(lambda b: b.runnable):
        if any("asyncio" in b.options for b in blocks(page)) != asyncio_only:
            continue
        for match in TEST_FUNCTION.finditer(program(page)):
            params.append(pytest.param(page, match["name"], id=f"{page}::{match['name']}"))
    return params


# -- the pages' own snippets ---------------------------------------------------------------


@pytest.mark.parametrize("page", OWNED_PAGES)
def test_every_block_is_tested_or_says_why(page: str) -> None:
    assert (DOCS / page).exists(), f"docs/{page} is missing"
    unmarked = [f"docs/{page}:{b.line}" for b in blocks(page) if b.marker is None]
    assert unmarked == [], "mark these blocks <!-- test --> or <!-- not tested: why -->"


@pytest.mark.parametrize("page", pages_with(lambda b: b.runnable))
def test_page_program_runs_and_defines_tests(page: str) -> None:
    namespace = execute(page)
    assert any(name.startswith("test_") for name in namespace), f"docs/{page} tests nothing"


def arguments(function: Callable[..., Any], tmp_path: Path) -> dict[str, Any]:
    """The fixtures a snippet's test asks for (``tmp_path`` is the one offered)."""
    wanted = inspect.signature(function).parameters
    unknown = set(wanted) - {"tmp_path"}
    assert not unknown, f"snippet tests may take only tmp_path, not {sorted(unknown)}"
    return {"tmp_path": tmp_path} if "tmp_path" in wanted else {}


async def run_snippet_test(page: str, name: str, tmp_path: Path) -> None:
    function = execute(page)[name]
    result = function(**arguments(function, tmp_path))
    if inspect.isawaitable(result):
        await result


@pytest.mark.anyio
@pytest.mark.parametrize(("page", "name"), snippet_tests(asyncio_only=False))
async def test_snippet(page: str, name: str, tmp_path: Path) -> None:
    await run_snippet_test(page, name, tmp_path)


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize(("page", "name"), snippet_tests(asyncio_only=True))
async def test_asyncio_snippet(page: str, name: str, tmp_path: Path) -> None:
    await run_snippet_test(page, name, tmp_path)


def test_markers_are_read_from_the_line_before_each_block() -> None:
    text = (
        "<!-- test -->\n```python\nx = 1\n```\n\n"
        "<!-- test: asyncio, cli -->\n```sh\nls\n```\n"
        "text\n```python\ny = 2\n```\n"
        "<!-- not tested: a fragment -->\n\n```python\nawait z\n```\n"
    )
    found = [(b.line, b.lang, b.code, b.marker, sorted(b.options)) for b in parse_blocks("p", text)]
    assert found == [
        (3, "python", "x = 1", "test", []),
        (8, "sh", "ls", "test", ["asyncio", "cli"]),
        (12, "python", "y = 2", None, []),
        (17, "python", "await z", "not tested: a fragment", []),
    ]


def marked(option: str) -> list[Any]:
    return [
        pytest.param(b, id=f"{b.page}:{b.line}")
        for page in OWNED_PAGES
        if (DOCS / page).exists()
        for b in blocks(page)
        if b.marker == "test" and option in b.options
    ]


@pytest.mark.parametrize("block", marked("seed"))
def test_seed_block_loads_into_a_fake(block: Block) -> None:
    fmt = "yaml" if block.lang in {"yaml", "yml"} else "json"
    summary = apply_seed(FakeScalekit(), parse_seed(block.code, fmt=fmt))
    assert summary.organizations > 0


def emulator_commands(code: str) -> list[list[str]]:
    """The argument lists of the ``scalekit-fake`` commands in a shell or CI block."""
    commands = []
    for line in code.replace("\\\n", " ").splitlines():
        words = shlex.split(line.split(": ", 1)[-1] if "run:" in line else line, comments=True)
        for start, word in enumerate(words):
            if word == "scalekit-fake" or words[start : start + 3] == [
                "python",
                "-m",
                "scalekit_async.testing",
            ]:
                skip = 1 if word == "scalekit-fake" else 3
                args: list[str] = []
                for arg in words[start + skip :]:
                    if arg in {"&", "&&", "|", ";", ">", ">>"} or arg.startswith((">", "&")):
                        break
                    args.append(arg)
                commands.append(args)
                break
    return commands


@pytest.mark.parametrize("block", marked("cli"))
def test_cli_block_commands_parse(block: Block) -> None:
    commands = emulator_commands(block.code)
    assert commands, "a cli block without a scalekit-fake command"
    for args in commands:
        build_parser().parse_args(args)  # exits (fails the test) on a bad flag


def test_emulator_command_extraction() -> None:
    code = "scalekit-fake --port 0 --seed f.yaml > fake.env &\n  run: scalekit-fake --latency 0.1 &"
    assert emulator_commands(code) == [["--port", "0", "--seed", "f.yaml"], ["--latency", "0.1"]]
    assert emulator_commands("python -m scalekit_async.testing --port 1 # comment") == [
        ["--port", "1"]
    ]


# -- docs/auth.md (not marked by its owner: run what runs as written) ------------------------


def auth_blocks() -> list[Block]:
    return [b for b in blocks("auth.md") if b.lang == "python"]


def compiles(block: Block) -> bool:
    try:
        compile(block.code, "auth.md", "exec")
    except SyntaxError:
        return False
    return True


def test_auth_md_blocks_compile_except_the_fragment_with_top_level_await() -> None:
    broken = [b for b in auth_blocks() if not compiles(b)]
    assert [("await " in b.code) for b in broken] == [True] * len(broken)
    assert len(broken) <= 1


@pytest.mark.anyio
async def test_auth_md_fastapi_snippets_and_tests_run_against_the_fake(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    namespace = execute(
        "auth.md", program("auth.md", only=lambda b: b.lang == "python" and compiles(b))
    )
    for name, function in namespace.items():  # the page's own test functions
        if name.startswith("test_"):
            result = function()
            if inspect.isawaitable(result):
                await result
    # The page's FastAPI app: lifespan client from SCALEKIT_*, and the /projects route.
    app = namespace["app"]
    fake = FakeScalekit()
    async with fake.serve() as url:
        oauth(fake).issuer = url
        monkeypatch.setenv("SCALEKIT_ENVIRONMENT_URL", url)
        monkeypatch.setenv("SCALEKIT_CLIENT_ID", fake.client_id)
        monkeypatch.setenv("SCALEKIT_CLIENT_SECRET", fake.client_secret)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://app"
            ) as http,
        ):
            allowed = mint_access_token(
                fake, subject="usr_1", organization_id="org_1", scopes=["projects:read"]
            )
            answer = await http.get("/projects", headers={"Authorization": f"Bearer {allowed}"})
            assert answer.json() == {"user": "usr_1", "organization": "org_1"}
            no_scope = mint_access_token(fake)
            refused = await http.get("/projects", headers={"Authorization": f"Bearer {no_scope}"})
            assert refused.status_code == 403
            assert (await http.get("/projects")).status_code == 401
