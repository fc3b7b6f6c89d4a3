"""Import time: ``import scalekit_async`` vs ``import httpx``, in fresh interpreters.

Each sample is one ``python -X importtime -c "import <module>"`` run; its cost
is the cumulative time of the module's own line (interpreter startup excluded).
The two modules alternate, and the best of N samples of each is its cost (the
one least disturbed by other work on the machine). The target: the SDK within
1.5x of httpx, which it imports.

Bytecode: an installed package runs from its ``.pyc`` files, and httpx here has
them; a source checkout under ``PYTHONDONTWRITEBYTECODE=1`` has none, so each
import would compile every module of the SDK and only of the SDK. The target is
judged with bytecode for both: the samples run with a temporary
``-X pycache_prefix`` (warmed first) and bytecode writing on. When the
environment disables bytecode writing, the same comparison is also shown as
the environment is (SDK compiled from source on every import), for information.

``python -m benchmarks.importtime [--runs N]`` runs it alone.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

MODULES = ("scalekit_async", "httpx")
TARGET = 1.5
ROOT = Path(__file__).resolve().parent.parent


def import_time_us(module: str, env: dict[str, str], flags: list[str]) -> int:
    """The cumulative import time of *module*, in microseconds, in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, *flags, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    for line in reversed(result.stderr.splitlines()):
        fields = line.split("|")
        if len(fields) == 3 and fields[2].strip() == module:
            return int(fields[1])
    raise RuntimeError(f"no import time line for {module!r}:\n{result.stderr[-2000:]}")


def settings(cache: str) -> dict[str, tuple[dict[str, str], list[str]]]:
    """The environments to sample: bytecode cached, and the environment as it is."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    cached = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = {"bytecode": (cached, ["-X", f"pycache_prefix={cache}"])}
    if env.get("PYTHONDONTWRITEBYTECODE"):
        out["as_is"] = (env, [])
    return out


def run(runs: int = 15) -> dict[str, Any]:
    """Measure, print and return the best import times and their ratio."""
    results: dict[str, Any] = {"runs": runs, "target_ratio": TARGET}
    with tempfile.TemporaryDirectory(prefix="sk-importtime-") as cache:
        chosen = settings(cache)
        env, flags = chosen["bytecode"]
        for module in MODULES:  # write the bytecode the timed runs read
            import_time_us(module, env, flags)
        samples: dict[tuple[str, str], list[int]] = {(s, m): [] for s in chosen for m in MODULES}
        for i in range(runs):
            order = MODULES if i % 2 == 0 else MODULES[::-1]
            for name, (env, flags) in chosen.items():
                for module in order:
                    samples[name, module].append(import_time_us(module, env, flags))

    print(f"import time, best of {runs} fresh interpreters each (-X importtime, cumulative)")
    print(f"{'setting':>10} {'scalekit_async ms':>18} {'httpx ms':>9} {'ratio':>6}")
    for name in chosen:
        ours, theirs = min(samples[name, MODULES[0]]), min(samples[name, MODULES[1]])
        ratio = ours / theirs
        results[name] = {"scalekit_async_ms": ours / 1e3, "httpx_ms": theirs / 1e3, "ratio": ratio}
        print(f"{name:>10} {ours / 1e3:>18.1f} {theirs / 1e3:>9.1f} {ratio:>6.2f}")
    ratio = results["bytecode"]["ratio"]
    results["met"] = ratio <= TARGET
    verdict = "met" if results["met"] else "MISSED"
    print(f"target: import scalekit_async <= {TARGET}x import httpx (bytecode): {verdict}")
    if "as_is" in results:
        print("(as_is: PYTHONDONTWRITEBYTECODE is set, so the SDK is compiled on every import)")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.importtime")
    parser.add_argument("--runs", type=int, default=15, help="samples per module (15)")
    args = parser.parse_args(argv)
    return 0 if run(args.runs)["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
