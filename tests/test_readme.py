"""The README's Python snippets run as written (against the emulator), so they cannot rot."""

from __future__ import annotations

import ast
import inspect
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit

README = Path(__file__).resolve().parents[1] / "README.md"


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


@pytest.fixture(scope="module")
def emulator() -> Iterator[dict[str, str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "scalekit_async.testing", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        env = dict(process.stdout.readline().strip().split("=", 1) for _ in range(3))
        yield env
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def test_every_snippet_compiles() -> None:
    found = blocks()
    assert len(found) >= 5
    for code in found:
        compile(code, "README.md", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


@pytest.mark.anyio
async def test_fragments_run_against_the_fake(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pagination, error and testing fragments, with `client` bound to the fake."""
    fake = FakeScalekit()
    monkeypatch.setenv("SCALEKIT_ENVIRONMENT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("SCALEKIT_CLIENT_ID", fake.client_id)
    monkeypatch.setenv("SCALEKIT_CLIENT_SECRET", fake.client_secret)

    async def my_app_signup(client: sk.ScalekitClient, company: str) -> None:
        await client.organizations.create(display_name=company)

    ran = 0
    async with fake.client() as client:
        first = await client.organizations.list()
        namespace: dict[str, object] = {
            "sk": sk,
            "client": client,
            "saved_token": first.next_page_token or "",
            "my_app_signup": my_app_signup,
            "fake": fake,
        }
        for code in blocks():
            if "anyio.run(main)" in code or "FastAPI" in code:
                continue  # run by the other tests here
            if "scalekit_async.redis" in code:
                continue  # needs a Redis server: tests/test_fleet.py covers Fleet
            namespace["client"] = client  # a fragment may have rebound it
            compiled = compile(code, "README.md", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
            result = eval(compiled, namespace)
            if inspect.iscoroutine(result):
                await result
            ran += 1
        test = namespace.get("test_signup_creates_an_organization")
        assert callable(test)
        await test()
    assert ran >= 3


def test_fastapi_snippet_builds_an_app() -> None:
    code = next(code for code in blocks() if "FastAPI" in code)
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)
    app = namespace["app"]
    assert "/projects" in {route.path for route in app.routes}  # type: ignore[attr-defined]


def test_quickstart_runs_against_the_emulator(emulator: dict[str, str]) -> None:
    quickstart = next(code for code in blocks() if "anyio.run(main)" in code)
    result = subprocess.run(
        [sys.executable, "-c", quickstart],
        env={**os.environ, **emulator},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Acme Inc" in result.stdout
