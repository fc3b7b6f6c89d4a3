"""The fake at scale: ``examples/worker.py`` bulk-creates N users against the emulator.

Three modes, each timing the worker's whole run (organizations looked up and
created, every user created with its membership):

- ``socket`` (the default): the emulator (``python -m scalekit_async.testing``)
  runs in its own process on a loopback port and ``examples/worker.py`` runs,
  unchanged, in another, pointed at it through the ``SCALEKIT_*`` settings the
  emulator writes; the time is the worker process's wall time, as a user sees it.
- ``socket-aiohttp``: the same, but the worker process runs the example's
  `SyncJob` with the SDK's aiohttp transport (`sk.AiohttpTransport`), whose
  client side costs far less per request than the default httpx pool.
- ``in-process``: `FakeScalekit` and the example's `SyncJob` share this process
  and talk through `FakeTransport` (no sockets): the fake's own cost stands out.

The CPU time of each process is printed beside the wall time: on a shared
machine the wall time follows the load, the CPU time much less.

The target (issue 13): 10,000 users under 20 s against the emulator. Before the
state was indexed, each user create scanned every user and every membership,
so the run grew quadratically (about 2 minutes for 10,000).

``python -m benchmarks.fake_scale`` runs 10,000 users; ``--quick`` 1,000;
``--users N`` any number; ``--mode in-process|socket-aiohttp|all``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORKER = ROOT / "examples" / "worker.py"
TARGET_SECONDS = 20.0
TARGET_USERS = 10_000
MODES = ("socket", "socket-aiohttp", "in-process")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCALEKIT_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def _read_env_file(path: Path, emulator: subprocess.Popen[bytes], log: Path) -> dict[str, str]:
    deadline = time.monotonic() + 30
    while not path.exists():
        if emulator.poll() is not None:
            raise RuntimeError(f"the emulator exited:\n{log.read_text()[-2000:]}")
        if time.monotonic() > deadline:
            raise TimeoutError("the emulator did not start listening in time")
        time.sleep(0.05)
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return dict(pairs)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def drive_worker(users: int, organizations: int, concurrency: int, checkpoint: str) -> None:
    """In a worker process: the example's `SyncJob` over the aiohttp transport.

    The emulator's address and credentials come from the ``SCALEKIT_*`` variables.
    """
    import anyio

    import scalekit_async as sk

    worker = _load_worker()

    async def main() -> None:
        transport = sk.AiohttpTransport()
        async with sk.ScalekitClient(transport=transport, max_retries=5) as client:
            source = worker.GeneratedSource(users, organizations)
            job = worker.SyncJob(
                client, source, worker.CheckpointFile(Path(checkpoint)), concurrency=concurrency
            )
            stats = await job.run()
        await transport.aclose()
        print(
            f"{stats.created} created, {stats.joined} joined, {stats.unchanged} unchanged, "
            f"{stats.organizations_created} organizations created, {len(stats.failed)} failed"
        )

    anyio.run(main)


def run_socket(
    users: int, organizations: int, concurrency: int, *, aiohttp: bool = False
) -> dict[str, Any]:
    """The worker example in its own process against the emulator in another.

    Besides the wall time, the CPU time of each process (user + system) is
    reported: on a shared machine the wall time varies with the load, the CPU
    time much less.
    """
    with tempfile.TemporaryDirectory() as tmp:
        env_file, log = Path(tmp) / "fake.env", Path(tmp) / "fake.log"
        with log.open("wb") as sink:
            emulator = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "scalekit_async.testing",
                    "--port",
                    "0",
                    "--env-file",
                    env_file,
                ],
                env=_env(),
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        try:
            settings = _read_env_file(env_file, emulator, log)
            cpu_before = _children_cpu()
            started = time.perf_counter()
            checkpoint = str(Path(tmp) / "checkpoint.json")
            command = (
                [
                    sys.executable,
                    "-c",
                    "from benchmarks.fake_scale import drive_worker; "
                    f"drive_worker({users}, {organizations}, {concurrency}, {checkpoint!r})",
                ]
                if aiohttp
                else [
                    *(sys.executable, str(WORKER), "--users", str(users)),
                    *("--organizations", str(organizations), "--concurrency", str(concurrency)),
                    *("--checkpoint", checkpoint),
                ]
            )
            result = subprocess.run(
                command,
                env={**_env(), **settings},
                capture_output=True,
                text=True,
                cwd=tmp,
            )
            seconds = time.perf_counter() - started
            worker_cpu = _children_cpu() - cpu_before
        finally:
            emulator.terminate()
            emulator.wait(timeout=10)
        emulator_cpu = _children_cpu() - cpu_before - worker_cpu  # startup included
    if result.returncode != 0:
        raise RuntimeError(f"the worker failed:\n{result.stdout}\n{result.stderr[-2000:]}")
    return {
        "seconds": seconds,
        "worker_cpu_s": worker_cpu,
        "emulator_cpu_s": emulator_cpu,
        "summary": result.stdout.strip().splitlines()[0],
    }


def _load_worker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example_worker", WORKER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their annotations through it
    spec.loader.exec_module(module)
    return module


def run_in_process(users: int, organizations: int, concurrency: int) -> dict[str, Any]:
    """The example's `SyncJob` against a `FakeScalekit` in this process (no sockets)."""
    import anyio

    from scalekit_async.testing import FakeScalekit

    worker = _load_worker()

    async def main() -> dict[str, Any]:
        fake = FakeScalekit()
        cpu = time.process_time()
        with tempfile.TemporaryDirectory() as tmp:
            checkpoint = worker.CheckpointFile(Path(tmp) / "checkpoint.json")
            source = worker.GeneratedSource(users, organizations)
            async with fake.client(max_retries=5) as client:
                job = worker.SyncJob(client, source, checkpoint, concurrency=concurrency)
                started = time.perf_counter()
                stats = await job.run()
                seconds = time.perf_counter() - started
                cpu = time.process_time() - cpu
        assert len(fake.users) == users, (len(fake.users), users)
        summary = f"{stats.created} created, {len(stats.failed)} failed"
        return {"seconds": seconds, "cpu_s": cpu, "summary": summary}

    return anyio.run(main)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.fake_scale",
        description="Time examples/worker.py bulk-creating users against the fake.",
    )
    parser.add_argument("--quick", action="store_true", help=f"1,000 users, not {TARGET_USERS:,}")
    parser.add_argument("--users", type=int, help=f"users to create (default {TARGET_USERS:,})")
    parser.add_argument("--organizations", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--mode", choices=(*MODES, "all"), default="socket")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 if a full run misses the target"
    )
    args = parser.parse_args(argv)
    if args.users is None:
        args.users = 1_000 if args.quick else TARGET_USERS
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark and print (and return) its results."""
    args = parse_args(argv)
    modes = MODES if args.mode == "all" else (args.mode,)
    results: dict[str, Any] = {"users": args.users, "modes": {}}
    runners: dict[str, Callable[[int, int, int], dict[str, Any]]] = {
        "socket": run_socket,
        "socket-aiohttp": partial(run_socket, aiohttp=True),
        "in-process": run_in_process,
    }
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    results["load_before"] = load
    print(
        f"fake at scale: examples/worker.py creating {args.users:,} users"
        + (f" (load average {load:.1f} on {os.cpu_count()} CPUs)" if load is not None else "")
    )
    for mode in modes:
        row = runners[mode](args.users, args.organizations, args.concurrency)
        row["users_per_s"] = args.users / row["seconds"]
        results["modes"][mode] = row
        cpu = (
            f"cpu: worker {row['worker_cpu_s']:.1f} s, emulator {row['emulator_cpu_s']:.1f} s"
            if mode.startswith("socket")
            else f"cpu {row['cpu_s']:.1f} s"
        )
        print(
            f"  {mode:<10} {row['seconds']:7.2f} s  {row['users_per_s']:6.0f} users/s"
            f"  {cpu}  ({row['summary']})"
        )
    if args.users >= TARGET_USERS:
        for mode in modes:
            met = results["modes"][mode]["seconds"] < TARGET_SECONDS
            results.setdefault("target_met", {})[mode] = met
            print(
                f"  target: {TARGET_USERS:,} users under {TARGET_SECONDS:.0f} s ({mode}): "
                + ("met" if met else "MISSED")
            )
    return results


if __name__ == "__main__":
    outcome = main()
    missed = not all(outcome.get("target_met", {}).values())
    sys.exit(1 if "--strict" in sys.argv and missed else 0)
