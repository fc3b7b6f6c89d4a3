"""Check the built sdist and wheel (``make dist``) the way a user would meet them.

    python tools/check_dist.py [DIST_DIR]      # default: dist/

1. ``twine check --strict`` on both artifacts (the metadata PyPI renders).
2. The wheel holds every file of ``scalekit_async/`` in the source tree (``py.typed``
   and any other data file included: whatever is added under the package later is
   checked too), nothing outside the package, the licence file, the ``scalekit-fake``
   entry point, and the README as its long description; the sdist holds the sources
   the wheel is built from.
3. The wheel, installed with no extras into a fresh virtual environment and run
   from a temporary folder with ``PYTHONPATH`` cleared (no checkout on the path):
   the demo (``examples/demo.py``, against its embedded fake) and the emulator
   (``scalekit-fake --port 0``: its ``SCALEKIT_*`` lines are read, one call is made
   with the installed SDK, and it is stopped with SIGTERM and must exit 0).

Exits non-zero with every failure listed.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import threading
import time
import venv
import zipfile
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "scalekit_async"
EMULATOR_START_TIMEOUT = 60.0
STEP_TIMEOUT = 300.0

failures: list[str] = []


def check(condition: bool, message: str) -> None:
    """Record (and print) *message* as a failure unless *condition* holds."""
    if not condition:
        failures.append(message)
        print(f"  FAIL: {message}", flush=True)


def step(title: str) -> None:
    """Say what is checked next."""
    print(f"check_dist: {title}", flush=True)


def version() -> str:
    """The version in the source tree, read without importing the package."""
    text = (ROOT / PACKAGE / "_version.py").read_text(encoding="utf-8")
    match = re.search(r"""__version__\s*=\s*["']([^"']+)["']""", text)
    if match is None:
        raise SystemExit(f"no __version__ in {PACKAGE}/_version.py")
    return match.group(1)


def source_files() -> set[str]:
    """Every file of the package in the source tree, as a path in the wheel."""
    found = set()
    for path in (ROOT / PACKAGE).rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            found.add(path.relative_to(ROOT).as_posix())
    return found


def check_artifacts(dist: Path) -> Path:
    """Check both artifacts' contents and metadata; return the wheel."""
    wanted = version()
    wheels = sorted(dist.glob("*.whl"))
    sdists = sorted(dist.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        raise SystemExit(f"expected one wheel and one sdist in {dist}, found {wheels + sdists}")
    wheel, sdist = wheels[0], sdists[0]
    check(wheel.name.startswith(f"{PACKAGE}-{wanted}-"), f"{wheel.name} is not version {wanted}")
    check(sdist.name == f"{PACKAGE}-{wanted}.tar.gz", f"{sdist.name} is not version {wanted}")

    step("twine check --strict")
    twine = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)],
        capture_output=True,
        text=True,
        check=False,
    )
    check(twine.returncode == 0, f"twine check --strict failed:\n{twine.stdout}{twine.stderr}")

    step(f"the wheel's contents ({wheel.name}, {wheel.stat().st_size / 1024:.0f} KiB)")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = f"{PACKAGE}-{wanted}.dist-info"
        metadata = Parser().parsestr(archive.read(f"{info}/METADATA").decode("utf-8"))
        entry_points = archive.read(f"{info}/entry_points.txt").decode("utf-8")
        license_text = (
            archive.read(f"{info}/licenses/LICENSE").decode("utf-8")
            if (f"{info}/licenses/LICENSE" in names)
            else None
        )
    check(f"{PACKAGE}/py.typed" in names, "the wheel lacks scalekit_async/py.typed")
    missing = sorted(source_files() - names)
    check(not missing, f"files of the source tree missing from the wheel: {missing}")
    strays = sorted(n for n in names if not n.startswith((f"{PACKAGE}/", f"{info}/")))
    check(not strays, f"files outside the package in the wheel: {strays}")
    check(
        license_text == (ROOT / "LICENSE").read_text(encoding="utf-8"),
        "the wheel lacks the LICENSE file (dist-info/licenses/LICENSE)",
    )
    check(metadata.get("License-Expression") == "MIT", "metadata lacks License-Expression: MIT")
    check("LICENSE" in metadata.get_all("License-File", []), "metadata lacks License-File")
    check(
        metadata.get("Description-Content-Type", "").startswith("text/markdown"),
        "the long description is not declared as Markdown",
    )
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    check(metadata.get_payload().strip() == readme.strip(), "the long description is not README.md")
    check(metadata.get("Version") == wanted, f"metadata version is not {wanted}")
    check(
        re.search(
            r"^scalekit-fake\s*=\s*scalekit_async\.testing\.__main__:main$", entry_points, re.M
        )
        is not None,
        "the wheel lacks the scalekit-fake console script",
    )

    step(f"the sdist's contents ({sdist.name}, {sdist.stat().st_size / 1024:.0f} KiB)")
    with tarfile.open(sdist) as archive:
        members = {m.name.partition("/")[2] for m in archive.getmembers()}
    for required in ("pyproject.toml", "README.md", "LICENSE", *sorted(source_files())):
        check(required in members, f"the sdist lacks {required}")
    return wheel


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that would put the checkout on the path."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
        and not k.startswith("SCALEKIT_")
    }
    env.update(extra)
    return env


def run(argv: list[str], cwd: Path, env: dict[str, str], what: str) -> str:
    """Run a command to its end; record a failure if it fails; return its output."""
    try:
        done = subprocess.run(
            argv,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        check(False, f"{what} did not finish in {STEP_TIMEOUT:.0f} s")
        return ""
    check(done.returncode == 0, f"{what} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return done.stdout


def check_installed(wheel: Path) -> None:
    """Install the wheel (no extras) in a fresh environment and run it from elsewhere."""
    with tempfile.TemporaryDirectory(prefix="scalekit-dist-") as scratch:
        where = Path(scratch)
        step("install the wheel, no extras, into a fresh virtual environment")
        venv.EnvBuilder(with_pip=True, clear=True).create(where / "venv")
        python = where / "venv" / "bin" / "python"
        env = clean_env()
        run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                str(wheel),
            ],
            where,
            env,
            "pip install of the wheel",
        )
        located = run(
            [str(python), "-c", f"import {PACKAGE}; print({PACKAGE}.__file__)"],
            where,
            env,
            "import of the installed package",
        ).strip()
        if not located:
            return  # it cannot be imported: running it would only repeat the error
        check(
            Path(located).is_relative_to(where / "venv"),
            f"{PACKAGE} was imported from {located}, not from the fresh environment",
        )

        step("the demo, from the installed package")
        shutil.copy(ROOT / "examples" / "demo.py", where / "demo.py")
        output = run([str(python), "demo.py"], where, env, "examples/demo.py")
        check("Done:" in output, f"the demo did not finish its walkthrough:\n{output}")

        step("the emulator, from the installed package (scalekit-fake --port 0)")
        check_emulator(where, python, env)


def check_emulator(where: Path, python: Path, env: dict[str, str]) -> None:
    """Start the installed ``scalekit-fake``, call it once, stop it with SIGTERM."""
    log = (where / "emulator.stderr").open("w+", encoding="utf-8")  # a file never fills up
    emulator = subprocess.Popen(
        [str(where / "venv" / "bin" / "scalekit-fake"), "--port", "0"],
        cwd=where,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    settings: dict[str, str] = {}
    got_all = threading.Event()

    def read() -> None:
        assert emulator.stdout is not None
        for line in emulator.stdout:
            key, sep, value = line.strip().partition("=")
            if sep and key.startswith("SCALEKIT_"):
                settings[key] = value
            if len(settings) == 3:
                break
        got_all.set()  # the three lines, or the end of its output (it exited)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        got_all.wait(EMULATOR_START_TIMEOUT)
        started = len(settings) == 3
        check(
            started,
            f"scalekit-fake printed no SCALEKIT_* lines (in {EMULATOR_START_TIMEOUT:.0f} s)",
        )
        if started:
            call = textwrap.dedent(
                """
                import anyio
                import scalekit_async as sk

                async def main() -> None:
                    async with sk.ScalekitClient() as client:  # the SCALEKIT_* variables
                        org = await client.organizations.create(display_name="Dist check")
                        assert (await client.organizations.get(org.id)).display_name == "Dist check"
                        print("created", org.id)

                anyio.run(main)
                """
            )
            output = run([str(python), "-c", call], where, {**env, **settings}, "a call to it")
            check(output.startswith("created "), f"the call to the emulator failed:\n{output}")
    finally:
        if emulator.poll() is None:
            emulator.send_signal(signal.SIGTERM)
        try:
            status = emulator.wait(timeout=30)
        except subprocess.TimeoutExpired:
            emulator.kill()
            status = emulator.wait()
        log.seek(0)
        stderr = log.read()
        log.close()
        if emulator.stdout is not None:
            emulator.stdout.close()
    check(status == 0, f"scalekit-fake exited {status} on SIGTERM:\n{stderr}")


def main(argv: list[str]) -> int:
    """Check the artifacts in ``argv[0]`` (default dist/); 1 on any failure."""
    dist = Path(argv[0]) if argv else ROOT / "dist"
    started = time.monotonic()
    wheel = check_artifacts(dist.resolve())
    check_installed(wheel.resolve())
    took = time.monotonic() - started
    if failures:
        print(f"check_dist: {len(failures)} failure(s) in {took:.0f} s", file=sys.stderr)
        return 1
    print(f"check_dist: the sdist and the wheel are fine ({took:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
