"""A third-party fuzzer against the emulator: Schemathesis, driven by the official spec.

The emulator runs as a subprocess (``--strict``, so an answer outside the spec is also
a 500 and a non-zero exit) on a free loopback port. Schemathesis runs its examples,
coverage, fuzzing and stateful phases against it over a real socket, with a fixed seed
and a time budget, and reports in JSON. The test asserts the emulator is alive at the
end and that Schemathesis saw no server error, no answer outside the response schema and
no wrong content type. Undocumented statuses are not failures: the spec documents only
200 for most operations, while 400 and 404 are Scalekit's real answers. A second run
drives the 46 operations outside the public spec from ``spec/extras.openapi.json``
(generated from Scalekit's protos; it has no links, so no stateful phase, and half the
time budget).

Reproduce by hand (``--strict`` prints the three lines, then serves)::

    python -m scalekit_async.testing --port 0 --strict
    st run spec/scalekit.scalar.json --url "$SCALEKIT_ENVIRONMENT_URL" \\
        -H "Authorization: Bearer <POST /oauth/token, client_credentials>" \\
        --checks not_a_server_error,response_schema_conformance,content_type_conformance \\
        --phases examples,coverage,fuzzing,stateful --seed 20261207 --max-examples 10 \\
        --max-time 60 --workers 1
"""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import httpx
import pytest

pytest.importorskip("schemathesis", reason="the dev extra installs schemathesis")

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "scalekit.scalar.json"
EXTRAS = ROOT / "spec" / "extras.openapi.json"  # the 46 operations outside the public spec
SEED = 20261207
MAX_TIME = 60  # seconds: Schemathesis shares it among the phases, fuzzing and stateful repeat
MAX_EXAMPLES = 10  # per operation and phase cycle
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"
# --strict: an answer outside the spec is a 500, and the exit status is 1.
EMULATOR = (sys.executable, "-m", "scalekit_async.testing", "--strict")
EMULATOR_ADDRESS = ("--host", "127.0.0.1", "--port", "0")
# Checks that flag only undocumented statuses (the spec lists 200 for most operations).
EXCLUDED = "status_code_conformance"


def _drain(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def _start_emulator(
    log: IO[str],
) -> tuple[subprocess.Popen[str], dict[str, str], threading.Thread]:
    process = subprocess.Popen(
        [*EMULATOR, *EMULATOR_ADDRESS],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=_drain, args=(process.stdout, lines), daemon=True)
    reader.start()
    env: dict[str, str] = {}
    deadline = time.monotonic() + 60
    while len(env) < 3:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            process.kill()
            pytest.fail(f"the emulator printed no environment in 60 s: {env}")
        name, sep, value = line.strip().partition("=")
        if sep and name.startswith("SCALEKIT_"):
            env[name] = value
    return process, env, reader


def _token(env: dict[str, str]) -> str:
    answer = httpx.post(
        env["SCALEKIT_ENVIRONMENT_URL"] + "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": env["SCALEKIT_CLIENT_ID"],
            "client_secret": env["SCALEKIT_CLIENT_SECRET"],
        },
        timeout=30,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def _schemathesis(
    url: str, token: str, workdir: Path, spec: Path, phases: str, max_time: int
) -> tuple[dict[str, object], str, float]:
    st = Path(sys.executable).with_name("st")
    command = [
        str(st),
        "run",
        str(spec),
        "--url",
        url,
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--exclude-checks",
        EXCLUDED,
        "--phases",
        phases,
        "--seed",
        str(SEED),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--max-time",
        str(max_time),
        "--workers",  # one: Hypothesis parses sources with `ast` in each worker thread, and
        "1",  # CPython 3.11's ast is not thread-safe ("recursion depth mismatch" errors)
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
        "--report",
        "json",
        "--report-json-path",
        str(workdir / "report.json"),
        "--no-color",
    ]
    started = time.monotonic()
    run = subprocess.run(
        command, cwd=workdir, capture_output=True, text=True, timeout=max_time + 240
    )
    wall = time.monotonic() - started
    report_path = workdir / "report.json"
    assert report_path.exists(), f"no report (exit {run.returncode}):\n{run.stdout}\n{run.stderr}"
    report: dict[str, object] = json.loads(report_path.read_text(encoding="utf-8"))
    return report, run.stdout + run.stderr, wall


@pytest.mark.parametrize(
    ("spec", "phases", "max_time", "operations_total"),
    [
        pytest.param(SPEC, "examples,coverage,fuzzing,stateful", MAX_TIME, 111, id="public"),
        # The generated spec has no links between operations: no stateful phase.
        pytest.param(EXTRAS, "examples,coverage,fuzzing", MAX_TIME // 2, 46, id="extras"),
    ],
)
def test_schemathesis_finds_nothing(
    spec: Path,
    phases: str,
    max_time: int,
    operations_total: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    log_path = tmp_path / "emulator.log"
    with log_path.open("w", encoding="utf-8") as log:
        emulator, env, reader = _start_emulator(log)
        try:
            url = env["SCALEKIT_ENVIRONMENT_URL"]
            assert url.startswith("http://127.0.0.1:")
            report, output, wall = _schemathesis(url, _token(env), tmp_path, spec, phases, max_time)
            alive = emulator.poll() is None
        finally:
            if emulator.poll() is None:
                emulator.send_signal(signal.SIGTERM)
            try:
                status = emulator.wait(timeout=30)
            except subprocess.TimeoutExpired:
                emulator.kill()
                status = emulator.wait()
            reader.join(timeout=30)
            assert emulator.stdout is not None
            emulator.stdout.close()
    emulator_log = log_path.read_text(encoding="utf-8")

    operations = report["operations"]
    cases = report["test_cases"]
    failures = report["failures"]
    assert isinstance(operations, dict)
    assert isinstance(cases, dict)
    assert isinstance(failures, list)
    by_code = {str(f["code"]): int(f["count"]) for f in failures}
    server_errors = by_code.get("ST101", 0)  # not_a_server_error
    schema_violations = by_code.get("ST108", 0)  # response_schema_conformance
    content_type = sum(  # content_type_conformance (ST102..ST104: missing, malformed, wrong)
        count for code, count in by_code.items() if code not in ("ST101", "ST108")
    )
    phases = report["phases"]
    errors = report["errors"]
    assert isinstance(phases, dict)
    assert isinstance(errors, list)
    statuses = ", ".join(f"{name}={phase['status']}" for name, phase in phases.items())
    with capsys.disabled():  # the figures show in `make test`'s output, pass or fail
        sys.stdout.write(
            f"\nschemathesis {report['schemathesis_version']} on {spec.name}, "
            f"seed {report['seed']}: "
            f"operations tested {operations['tested']}/{operations['total']}, "
            f"test cases generated {cases['generated']}, "
            f"failures {cases['with_failures']} (server errors {server_errors}, "
            f"schema violations {schema_violations}, content-type {content_type}), "
            f"errors {len(errors)}, phases {statuses}, "
            f"wall time {wall:.1f} s (schemathesis run {report['running_time']:.1f} s)\n"
        )

    detail = f"{json.dumps(failures, indent=1)}\n{output[-20000:]}\nemulator log:\n{emulator_log}"
    assert alive, f"the emulator died during the run:\n{detail}"
    assert status == 0, f"the emulator exited {status} (strict-mode defects?):\n{detail}"
    assert report["complete"], detail
    assert operations["tested"] == operations["total"] == operations_total, detail
    assert cases["generated"] > 0
    assert server_errors == 0, detail
    assert schema_violations == 0, detail
    assert content_type == 0, detail
    assert failures == [], detail
    assert errors == [], detail
