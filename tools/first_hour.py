"""The first hour of a new user, replayed from the built wheel (part of ``make check-dist``).

    python tools/first_hour.py dist/scalekit_async-*.whl

A new user installs the wheel with ``[aiohttp,fake]`` and, from the README and
``docs/`` alone, writes a FastAPI service, a bulk worker and a pytest suite
against the shipped fake. This replays exactly that, outside the checkout:

1. a fresh virtual environment gets the wheel with ``[aiohttp,fake]`` and what
   a user adds beside it (FastAPI, pytest, trio, mypy), nothing from this repository;
2. the docs pages that make up the service, its auth, the worker and the tests
   (`PAGES`) are saved as the user would paste them: each page's tested blocks in
   order, one file per page, by the same rule as ``tests/test_docs_snippets.py``;
3. ``pytest -p anyio`` runs those files (asyncio and trio) and ``mypy --strict``
   checks them, in that environment;
4. the installed ``scalekit-fake`` is started on a loopback port; the complete
   worker (``examples/worker.py``) bulk-creates 500 users at 20 in flight over
   the aiohttp transport against it, nothing lost, and a bearer token minted over
   HTTP (``POST /_fake/tokens``) passes the SDK's own validator.

Exit status 1 on any failure, with the output of the failing step.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import venv
from pathlib import Path
from types import ModuleType

from check_dist import check, failures, run  # tools/ is on the path: this file's folder

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("fastapi.md", "auth.md", "worker.md", "testing.md")
"""The docs pages a new user builds the service, the worker and the suite from."""
USER_PACKAGES = ("fastapi", "pytest", "trio", "mypy")
"""What a user installs beside the SDK for a FastAPI service and its tests."""
USERS, IN_FLIGHT = 500, 20


def step(title: str) -> None:
    """Say what runs next."""
    print(f"first hour: {title}", flush=True)


def user_env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: nothing that points at this checkout."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
        and not k.startswith(("SCALEKIT_", "PYTEST_", "MYPY"))
    }
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only the plugin the docs name: -p anyio
    env.update(extra)
    return env


def _snippets() -> ModuleType:
    """``tests/test_docs_snippets.py``: its rule for turning a page into a file."""
    spec = importlib.util.spec_from_file_location(
        "docs_snippets_rule", ROOT / "tests" / "test_docs_snippets.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their annotations through it
    spec.loader.exec_module(module)
    return module


def write_project(where: Path) -> list[Path]:
    """Save each page of `PAGES` as the user pastes it; return the files."""
    rule = _snippets()
    files = []
    for name in PAGES:
        page = rule.Page.load(name)
        path = where / f"{page.module}.py"
        path.write_text(page.program, encoding="utf-8")
        files.append(path)
    shutil.copy(ROOT / "examples" / "worker.py", where / "worker.py")
    return files


def install(wheel: Path, where: Path) -> Path:
    """A fresh virtual environment with the wheel's ``[aiohttp,fake]`` and the user's tools."""
    venv.EnvBuilder(with_pip=True, clear=True).create(where / "venv")
    python = where / "venv" / "bin" / "python"
    quiet = ("--quiet", "--disable-pip-version-check")
    run(
        [str(python), "-m", "pip", "install", *quiet, f"{wheel}[aiohttp,fake]", *USER_PACKAGES],
        where,
        user_env(),
        "pip install of the wheel with [aiohttp,fake] and " + ", ".join(USER_PACKAGES),
    )
    return python


def start_emulator(where: Path) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    """The installed ``scalekit-fake`` on a free loopback port, and its ``SCALEKIT_*`` settings."""
    env_file = where / "fake.env"
    log = (where / "emulator.log").open("wb")
    emulator = subprocess.Popen(
        [str(where / "venv" / "bin" / "scalekit-fake"), "--port", "0", "--env-file", env_file],
        cwd=where,
        env=user_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    deadline = time.monotonic() + 60
    while not env_file.exists() and emulator.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.1)  # the file is written whole, but give the writer its close
    lines = env_file.read_text().splitlines() if env_file.exists() else []
    settings = dict(line.split("=", 1) for line in lines if "=" in line)
    return emulator, settings


SOCKET_CHECK = textwrap.dedent(
    """
    import json, os, anyio, httpx
    import scalekit_async as sk

    async def main() -> None:
        url = os.environ["SCALEKIT_ENVIRONMENT_URL"]
        async with httpx.AsyncClient() as http:  # the emulator's test-only minting route
            minted = await http.post(
                f"{url}/_fake/tokens",
                json={"organization_id": "org_1", "permissions": ["organizations:read"]},
            )
            minted.raise_for_status()
        token = minted.json()["access_token"]
        async with sk.ScalekitClient() as client:  # the SCALEKIT_* variables
            claims = await client.auth.validate_access_token(token)
            assert claims.organization_id == "org_1", claims
            assert claims.has_permissions("organizations:read"), claims
            total = 0
            async for _ in client.users.list(page_size=100):
                total += 1
        print(json.dumps({"users": total}))

    anyio.run(main)
    """
)


def socket_round(where: Path, python: Path) -> None:
    """The worker over a socket against the installed emulator, then a minted bearer token."""
    emulator, settings = start_emulator(where)
    try:
        check(len(settings) >= 3, f"scalekit-fake wrote no settings: {settings}")
        if len(settings) < 3:
            return
        env = user_env(**settings)
        step(f"examples/worker.py: {USERS} users at {IN_FLIGHT} in flight, aiohttp transport")
        started = time.monotonic()
        output = run(
            [
                *(str(python), "worker.py", "--users", str(USERS), "--organizations", "10"),
                *("--concurrency", str(IN_FLIGHT), "--transport", "aiohttp"),
            ],
            where,
            env,
            "the worker against scalekit-fake",
        )
        print(f"  {output.strip().splitlines()[-1] if output.strip() else ''}", flush=True)
        print(f"  ({time.monotonic() - started:.1f} s)", flush=True)
        step("a token minted over HTTP passes validate_access_token; every user is there")
        output = run([str(python), "-c", SOCKET_CHECK], where, env, "the socket check")
        if output.strip():
            seen = json.loads(output.strip().splitlines()[-1])["users"]
            check(seen == USERS, f"the emulator holds {seen} users, not {USERS}")
    finally:
        emulator.send_signal(signal.SIGTERM)
        try:
            status = emulator.wait(timeout=30)
        except subprocess.TimeoutExpired:
            emulator.kill()
            status = emulator.wait()
        check(status == 0, f"scalekit-fake exited {status}: {(where / 'emulator.log').read_text()}")


def replay(wheel: Path) -> None:
    """Every step above, in a scratch directory outside the checkout."""
    with tempfile.TemporaryDirectory(prefix="scalekit-first-hour-") as scratch:
        where = Path(scratch)
        step("install the wheel with [aiohttp,fake] beside " + ", ".join(USER_PACKAGES))
        python = install(wheel, where)
        files = write_project(where)
        names = [f.name for f in files]
        step("the docs pages as pasted, under pytest (asyncio and trio): " + ", ".join(names))
        output = run(
            [str(python), "-m", "pytest", "-q", "-p", "anyio", "-p", "no:cacheprovider", *names],
            where,
            user_env(),
            "pytest on the docs pages",
        )
        print(f"  {output.strip().splitlines()[-1] if output.strip() else ''}", flush=True)
        step("mypy --strict on the same files and the worker")
        run(
            [str(python), "-m", "mypy", "--strict", *names, "worker.py"],
            where,
            user_env(),
            "mypy --strict on the docs pages",
        )
        socket_round(where, python)


def main(argv: list[str]) -> int:
    """Replay the first hour with the wheel ``argv[0]``; 1 on any failure."""
    if len(argv) != 1:
        print("usage: python tools/first_hour.py WHEEL", file=sys.stderr)
        return 2
    started = time.monotonic()
    replay(Path(argv[0]).resolve())
    took = time.monotonic() - started
    if failures:
        print(f"first hour: {len(failures)} failure(s) in {took:.0f} s", file=sys.stderr)
        for failure in failures:
            print(f"\n{failure}", file=sys.stderr)
        return 1
    print(f"first hour: the service, the worker and the suite work from the wheel ({took:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
