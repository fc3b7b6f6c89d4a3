"""Every snippet of the docs/ pages runs as a user would paste it, so the docs cannot rot.

Markers, on the line before a fenced block:

- ``<!-- test -->``: a Python block of the page's program. A page's marked
  blocks are joined in order into one file, saved in a temporary directory
  (no conftest.py of ours around it) and run with a real ``pytest -p anyio``:
  the page brings its own ``pytest.mark.anyio`` and ``anyio_backend`` fixture,
  exactly as the docs tell users to. Its async tests must run on asyncio and
  on trio. A page that defines no ``test_*`` function is imported instead.
  Every page file is also type-checked, by one ``mypy --strict`` run, and every
  marked block must compile on its own (a user may paste just that one).
- ``<!-- test: asyncio -->``: the same, for pages whose async tests run on
  asyncio only (aiohttp); mark any one block of the page. Such a page must
  pin its ``anyio_backend`` to asyncio.
- ``<!-- test: seed -->``: a JSON or YAML fixture; it must load into a fake.
- ``<!-- test: cli -->``: every ``scalekit-fake`` command in the block must
  parse with the emulator's own argument parser.
- ``<!-- not tested: why -->``: a block deliberately left out, with the reason.

Every fenced block of every page under docs/ has a marker, except the
generated API reference (docs/reference/). The saved files keep the
Markdown's line numbers, and failures name ``docs/<page>:<line>``.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import types
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import httpx
import pytest

from scalekit_async.testing import FakeScalekit, mint_access_token, oauth
from scalekit_async.testing.__main__ import build_parser
from scalekit_async.testing._seed import apply_seed, parse_seed

DOCS = Path(__file__).resolve().parent.parent / "docs"
GENERATED = ("reference/",)  # written by tools/gen_reference.py from the docstrings
MARKER = re.compile(r"<!--\s*(test(?::\s*(?P<options>[\w, -]+))?|not tested:\s*\S.*?)\s*-->")
OPTIONS = frozenset({"asyncio", "seed", "cli"})
TEST_FUNCTION = re.compile(r"^(?P<async>async\s+)?def\s+(?P<name>test_\w+)\s*\(", re.MULTILINE)
MYPY_LINE = re.compile(r"^(?P<file>[\w.-]+\.py):(?P<line>\d+): (?P<rest>(?:error|note): .*)$")
TIMEOUT = 600  # seconds, for any one subprocess
# Pages whose owner has yet to mark a block: each fails the marker rule, as an expected
# (strict) failure, until it is marked; then remove it from here.
PENDING_MARKERS: dict[str, str] = {}


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


def parse_blocks(page: str, text: str) -> list[Block]:
    """The fenced blocks of a page and the marker before each."""
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
            while index < len(lines) and not lines[index].startswith("```"):
                index += 1
            if index == len(lines):
                raise ValueError(f"docs/{page}:{start}: a fenced block that never ends")
            match = MARKER.fullmatch(previous.strip())
            options: frozenset[str] = frozenset()
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


@dataclass(frozen=True)
class Page:
    """A docs/ page (or an in-test one): its blocks, and its program as a user saves it."""

    name: str  # its path under docs/, e.g. "testing.md"
    text: str

    @classmethod
    def load(cls, name: str) -> Page:
        return cls(name, (DOCS / name).read_text(encoding="utf-8"))

    @cached_property
    def blocks(self) -> list[Block]:
        return parse_blocks(self.name, self.text)

    @property
    def runnable(self) -> bool:
        return any(b.runnable for b in self.blocks)

    @property
    def asyncio_only(self) -> bool:
        return any("asyncio" in b.options for b in self.blocks if b.marker == "test")

    @cached_property
    def program(self) -> str:
        """The runnable blocks joined in order, each at its own Markdown line numbers."""
        lines = [""] * len(self.text.splitlines())
        for block in self.blocks:
            if block.runnable:
                for offset, text in enumerate(block.code.splitlines()):
                    lines[block.line - 1 + offset] = text
        return "\n".join(lines) + "\n"

    @cached_property
    def tests(self) -> dict[str, bool]:
        """The test functions the program defines: name -> whether it is async."""
        return {m["name"]: bool(m["async"]) for m in TEST_FUNCTION.finditer(self.program)}

    @property
    def module(self) -> str:
        """The file's module name: test_docs_<page> for a test file, docs_<page> otherwise."""
        slug = re.sub(r"\W", "_", self.name.removesuffix(".md"))
        return f"test_docs_{slug}" if self.tests else f"docs_{slug}"

    def locate(self, output: str) -> str:
        """Output with the saved file's name replaced by the Markdown page's."""
        return output.replace(f"{self.module}.py", f"docs/{self.name}")


def doc_pages() -> list[str]:
    """Every hand-written page under docs/, sub-folders included."""
    names = (p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
    return sorted(n for n in names if not n.startswith(GENERATED))


def runnable_pages() -> list[str]:
    return [name for name in doc_pages() if Page.load(name).runnable]


# -- running pages as pasted ----------------------------------------------------------------


@dataclass
class PageRun:
    """What happened to one page's file: its pytest (or import) run, and mypy on it."""

    page: Page
    returncode: int
    output: str
    cases: list[tuple[str, str]]  # (test id, "passed" / "failed" / "error" / "skipped")
    mypy_returncode: int = 0
    mypy: list[str] = field(default_factory=list)  # its mypy messages, at docs/<page>:<line>
    mypy_output: str = ""
    mypy_failed: bool = False  # mypy crashed, or failed without naming a line of a page


def user_environment() -> dict[str, str]:
    """This environment, minus what would leak our test setup into the user's run."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "SCALEKIT_", "MYPY")) and key != "PYTHONPATH"
    }
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only the plugin asked for: -p anyio
    return env


def start(command: list[str], directory: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:  # a file, not a pipe: no process waits on our reading
        return subprocess.Popen(
            command, cwd=directory, env=user_environment(), stdout=out, stderr=subprocess.STDOUT
        )


def finish(process: subprocess.Popen[bytes], log: Path) -> tuple[int, str]:
    try:
        returncode = process.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return -1, f"timed out after {TIMEOUT}s\n" + log.read_text(errors="replace")
    return returncode, log.read_text(errors="replace")


def junit_cases(report: Path) -> list[tuple[str, str]]:
    """(test id, outcome) of each test in a pytest JUnit XML report."""
    if not report.exists():
        return []
    outcomes = {"failure": "failed", "error": "error", "skipped": "skipped"}
    cases = []
    for case in ET.parse(report).getroot().iter("testcase"):
        found = [outcomes[child.tag] for child in case if child.tag in outcomes]
        cases.append((case.get("name", ""), found[0] if found else "passed"))
    return cases


def run_pages(pages: Iterable[Page], directory: Path) -> dict[str, PageRun]:
    """Save each page's program to its own file in *directory* and run them all at once.

    A page with tests runs under ``pytest -p anyio`` (warnings are errors), one pytest
    per page; a page without runs as an import; one ``mypy --strict`` checks every file.
    """
    pages = list(pages)
    for page in pages:
        (directory / f"{page.module}.py").write_text(page.program, encoding="utf-8")
    files = [f"{page.module}.py" for page in pages]
    mypy_log = directory / "mypy.log"
    mypy_command = ["-m", "mypy", "--strict", "--no-incremental", "--python-version", "3.11"]
    mypy = start([sys.executable, *mypy_command, *files], directory, mypy_log)
    running = []
    for page in pages:
        if page.tests:
            command = [
                *(sys.executable, "-m", "pytest", "-q", "-p", "anyio", "-p", "no:cacheprovider"),
                *("-W", "error", f"--basetemp={directory / ('tmp_' + page.module)}"),
                f"--junit-xml={page.module}.xml",
                f"{page.module}.py",
            ]
        else:
            command = [sys.executable, "-W", "error", "-c", f"import {page.module}"]
        log = directory / f"{page.module}.log"
        running.append((page, start(command, directory, log), log))

    runs: dict[str, PageRun] = {}
    for page, process, log in running:
        returncode, output = finish(process, log)
        cases = junit_cases(directory / f"{page.module}.xml")
        runs[page.name] = PageRun(page, returncode, page.locate(output), cases)
    mypy_returncode, mypy_output = finish(mypy, mypy_log)
    by_file = {f"{page.module}.py": runs[page.name] for page in pages}
    for line in mypy_output.splitlines():
        match = MYPY_LINE.match(line)
        if match and match["file"] in by_file:
            run = by_file[match["file"]]
            run.mypy.append(f"docs/{run.page.name}:{match['line']}: {match['rest']}")
    failed = mypy_returncode not in {0, 1} or (
        mypy_returncode == 1 and not any(run.mypy for run in runs.values())
    )
    for run in runs.values():
        run.mypy_returncode = mypy_returncode
        run.mypy_output = mypy_output
        run.mypy_failed = failed
    return runs


def run_problems(run: PageRun) -> list[str]:
    """Why a page's program does not work as pasted (empty when it does)."""
    page = run.page
    if run.returncode != 0:
        how = "pytest" if page.tests else "importing it"
        return [f"docs/{page.name}: {how} failed (exit {run.returncode}):\n{run.output}"]
    if not page.tests:
        return []
    problems = []
    if not run.cases:
        problems.append(f"docs/{page.name}: pytest ran no test:\n{run.output}")
    not_passed = [f"{case} {outcome}" for case, outcome in run.cases if outcome != "passed"]
    if not_passed:
        problems.append(f"docs/{page.name}: {', '.join(not_passed)}:\n{run.output}")
    for name, is_async in page.tests.items():
        ids = [case for case, _ in run.cases if case.split("[")[0] == name]
        if not ids:
            problems.append(f"docs/{page.name}: {name} was not run")
        elif is_async and not any("trio" not in case for case in ids):
            problems.append(f"docs/{page.name}: {name} did not run on asyncio: {ids}")
        elif is_async and page.asyncio_only and any("trio" in case for case in ids):
            problems.append(f"docs/{page.name}: {name} ran on trio, but the page is asyncio-only")
        elif is_async and not page.asyncio_only and not any("trio" in case for case in ids):
            problems.append(
                f"docs/{page.name}: {name} did not run on trio: give the page an anyio_backend"
                " fixture with params ['asyncio', 'trio'], or mark it <!-- test: asyncio -->"
            )
    return problems


def mypy_problems(run: PageRun) -> list[str]:
    """The page's ``mypy --strict`` errors, or mypy's own failure."""
    if run.mypy_failed:
        return [f"mypy failed (exit {run.mypy_returncode}):\n{run.mypy_output}"]
    return run.mypy


@pytest.fixture(scope="session")
def docs_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PageRun]:
    """Every runnable docs/ page, saved and run as a user would (computed once)."""
    pages = [Page.load(name) for name in runnable_pages()]
    return run_pages(pages, tmp_path_factory.mktemp("docs_as_pasted"))


@pytest.mark.parametrize("page", runnable_pages())
def test_page_runs_as_pasted(page: str, docs_runs: dict[str, PageRun]) -> None:
    problems = run_problems(docs_runs[page])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", runnable_pages())
def test_page_passes_mypy_strict(page: str, docs_runs: dict[str, PageRun]) -> None:
    problems = mypy_problems(docs_runs[page])
    assert not problems, "\n".join(problems)


def marked_python_blocks() -> list[Any]:
    return [
        pytest.param(b, id=f"{b.page}:{b.line}")
        for name in doc_pages()
        for b in Page.load(name).blocks
        if b.marker == "test" and b.lang == "python"
    ]


@pytest.mark.parametrize("block", marked_python_blocks())
def test_each_block_compiles_on_its_own(block: Block) -> None:
    compile(block.code, f"docs/{block.page}:{block.line}", "exec")


# -- the harness itself catches what users would hit ----------------------------------------

FORGOT_THE_MARKER = """\
# A page whose async test a user would paste as is

<!-- test -->
```python
async def test_something() -> None:
    assert True


def helper(value):
    return value
```
"""

DOES_IT_RIGHT = """\
# The same page, done as the docs say

<!-- test -->
```python
import pytest

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_something() -> None:
    assert True


def helper(value: int) -> int:
    return value
```
"""


def test_the_harness_fails_an_async_test_without_the_anyio_marker_and_untyped_code(
    tmp_path: Path,
) -> None:
    bad, good = Page("forgot.md", FORGOT_THE_MARKER), Page("right.md", DOES_IT_RIGHT)
    runs = run_pages([bad, good], tmp_path)

    problems = run_problems(runs["forgot.md"])
    assert len(problems) == 1
    assert "pytest failed" in problems[0]
    assert "async def functions are not natively supported" in problems[0]
    assert "FAILED docs/forgot.md::test_something" in problems[0]  # named by its page
    assert mypy_problems(runs["forgot.md"]) == [
        "docs/forgot.md:9: error: Function is missing a type annotation  [no-untyped-def]"
    ]

    assert run_problems(runs["right.md"]) == []
    assert [case for case, _ in runs["right.md"].cases] == [
        "test_something[asyncio]",
        "test_something[trio]",
    ]
    assert mypy_problems(runs["right.md"]) == []


def test_the_harness_requires_both_loops_unless_the_page_is_asyncio_only() -> None:
    page = Page("p.md", "<!-- test -->\n```python\nasync def test_x() -> None: ...\n```\n")
    asyncio_page = Page("p.md", page.text.replace("<!-- test -->", "<!-- test: asyncio -->"))
    on_asyncio = [("test_x", "passed")]
    on_both = [("test_x[asyncio]", "passed"), ("test_x[trio]", "passed")]
    assert run_problems(PageRun(page, 0, "", on_both)) == []
    assert "did not run on trio" in run_problems(PageRun(page, 0, "", on_asyncio))[0]
    assert run_problems(PageRun(asyncio_page, 0, "", on_asyncio)) == []
    assert "asyncio-only" in run_problems(PageRun(asyncio_page, 0, "", on_both))[0]
    skipped = [("test_x[asyncio]", "skipped"), ("test_x[trio]", "passed")]
    assert "skipped" in run_problems(PageRun(page, 0, "", skipped))[0]


# -- markers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(name, marks=pytest.mark.xfail(reason=PENDING_MARKERS[name], strict=True))
        if name in PENDING_MARKERS
        else name
        for name in doc_pages()
    ],
)
def test_every_block_is_tested_or_says_why(page: str) -> None:
    blocks = Page.load(page).blocks
    unmarked = [f"docs/{page}:{b.line}" for b in blocks if b.marker is None]
    assert unmarked == [], "mark these blocks <!-- test --> or <!-- not tested: why -->"
    unknown = [f"docs/{page}:{b.line}" for b in blocks if b.options - OPTIONS]
    assert unknown == [], f"unknown options; known: {sorted(OPTIONS)}"
    idle = [
        f"docs/{page}:{b.line}"
        for b in blocks
        if b.marker == "test" and not b.runnable and not b.options & {"seed", "cli"}
    ]
    assert idle == [], "<!-- test --> on a block that nothing would run (not Python)"


def test_pages_are_discovered_in_sub_folders_but_not_in_the_generated_reference() -> None:
    pages = doc_pages()
    assert {"testing.md", "auth.md", "fastapi.md", "aiohttp.md", "worker.md"} <= set(pages)
    assert not [p for p in pages if p.startswith("reference/")]


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


def test_a_program_keeps_the_markdown_line_numbers() -> None:
    page = Page("p.md", "# p\n\n<!-- test -->\n```python\nx = 1\n```\n\n```python\ny = 2\n```\n")
    assert page.program.splitlines()[4] == "x = 1"
    assert "y = 2" not in page.program  # unmarked: not part of the program
    assert page.module == "docs_p"
    assert Page("a/b-c.md", "<!-- test -->\n```python\ndef test_x(): ...\n```\n").module == (
        "test_docs_a_b_c"
    )


def marked(option: str) -> list[Any]:
    return [
        pytest.param(b, id=f"{b.page}:{b.line}")
        for name in doc_pages()
        for b in Page.load(name).blocks
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
        for start_at, word in enumerate(words):
            if word == "scalekit-fake" or words[start_at : start_at + 3] == [
                "python",
                "-m",
                "scalekit_async.testing",
            ]:
                skip = 1 if word == "scalekit-fake" else 3
                args: list[str] = []
                for arg in words[start_at + skip :]:
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


# -- docs/auth.md: its app, driven against the fake ------------------------------------------


def execute(page: Page) -> dict[str, Any]:
    """Run a page's program in this process, as a fresh module; return its namespace."""
    module = types.ModuleType(page.module)
    module.__file__ = str(DOCS / page.name)
    sys.modules[page.module] = module  # pydantic and dataclasses resolve annotations through it
    exec(compile(page.program, str(DOCS / page.name), "exec"), module.__dict__)
    return module.__dict__


@pytest.mark.anyio
async def test_auth_md_app_protects_its_route_with_the_fake_s_tokens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The page's FastAPI app: lifespan client from SCALEKIT_*, and the /projects route.
    app = execute(Page.load("auth.md"))["app"]
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
