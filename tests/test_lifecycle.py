"""Lifecycle: a closed client says so; a client used from another event loop says so
(never "Event loop is closed"); an unclosed client gives a ResourceWarning, not a
traceback; `aclose()` is idempotent, also when raced.

Scenarios that leak sockets on purpose (an unclosed client, a closed loop) run in a
fresh interpreter, so what they leak cannot warn inside another test.
"""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.from_thread
import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit, ServerStats

ORG = "org_1"


def make_client(fake: FakeScalekit, url: str, kind: str) -> sk.ScalekitClient:
    transport = sk.AiohttpTransport() if kind == "aiohttp" else None
    return sk.ScalekitClient(url, fake.client_id, fake.client_secret, transport=transport)


@asynccontextmanager
async def served(kind: str) -> AsyncIterator[tuple[sk.ScalekitClient, ServerStats]]:
    fake = FakeScalekit()
    fake.organizations[ORG] = {
        "id": ORG,
        "display_name": "Acme",
        "create_time": "2025-01-01T00:00:00Z",
    }
    stats = ServerStats()
    async with fake.serve(stats=stats) as url:
        client = make_client(fake, url, kind)
        try:
            yield client, stats
        finally:
            await client.aclose()


async def all_closed(stats: ServerStats) -> None:
    with anyio.fail_after(5):
        while stats.open:  # noqa: ASYNC110 - polling the server's count
            await anyio.sleep(0.01)


# -- closed clients -------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_closed_client_says_so_clearly(transport_kind: str) -> None:
    async with served(transport_kind) as (client, stats):
        await client.organizations.get(ORG)
        await client.aclose()
        await all_closed(stats)
        calls: list[Any] = [
            lambda: client.organizations.get(ORG),
            lambda: client.organizations.list(),
            lambda: client.organizations.create(display_name="Acme"),
            lambda: client.users.list(),
        ]
        for call in calls:
            with pytest.raises(sk.ClientClosedError, match="closed; create a new one"):
                await call()
        with pytest.raises(sk.ClientClosedError):
            async for _ in client.organizations.list():
                pass
        with pytest.raises(sk.ClientClosedError):
            async with client:
                pass
        assert "closed" in repr(client)
        assert stats.open == 0  # a closed client opened nothing new


@pytest.mark.anyio
async def test_aclose_is_idempotent_and_safe_to_race(transport_kind: str) -> None:
    async with served(transport_kind) as (client, stats):
        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(client.organizations.get, ORG)
        assert stats.open >= 1
        async with anyio.create_task_group() as tg:
            for _ in range(3):
                tg.start_soon(client.aclose)
        await client.aclose()
        await all_closed(stats)
    # A client that never sent anything closes (and enters and exits) just as well.
    unused = sk.ScalekitClient("https://x.test", "skc_1", "secret-of-at-least-16-chars")
    async with unused:
        pass
    await unused.aclose()


def test_a_never_used_client_needs_no_closing() -> None:
    """Construction opens nothing, so dropping an unused client is silent."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        client = sk.ScalekitClient("https://x.test", "skc_1", "secret-of-at-least-16-chars")
        del client
        gc.collect()
    assert [str(w.message) for w in seen] == []


# -- event loops ------------------------------------------------------------------------

LOOP_PAIRS = [
    ("httpx", "asyncio", "asyncio"),
    ("httpx", "asyncio", "trio"),
    ("httpx", "trio", "trio"),
    ("httpx", "trio", "asyncio"),
    ("aiohttp", "asyncio", "asyncio"),
    ("aiohttp", "asyncio", "trio"),
]


class _ShiftedClockLoop(asyncio.SelectorEventLoop):
    """An asyncio loop with a clock of its own: a day ahead of `time.monotonic`."""

    def time(self) -> float:
        return super().time() + 86_400.0


@pytest.mark.parametrize("kind", ["httpx", "aiohttp"])
def test_a_loop_with_its_own_clock_keeps_deadlines_on_that_clock(kind: str) -> None:
    """Deadlines are read on the running loop's clock, even where it is not monotonic's.

    The first call waits for its token until its deadline, measured on the loop's
    clock: a deadline taken from another clock would already have passed.
    """

    async def main() -> str:
        async with served(kind) as (client, _):
            return (await client.organizations.get(ORG)).id

    options = {"loop_factory": _ShiftedClockLoop}
    assert anyio.run(main, backend="asyncio", backend_options=options) == ORG


@pytest.mark.parametrize(("kind", "home_loop", "other_loop"), LOOP_PAIRS)
def test_a_client_used_from_another_event_loop_says_so(
    kind: str, home_loop: str, other_loop: str
) -> None:
    fake = FakeScalekit()
    fake.organizations[ORG] = {
        "id": ORG,
        "display_name": "Acme",
        "create_time": "2025-01-01T00:00:00Z",
    }
    with (
        anyio.from_thread.start_blocking_portal(home_loop) as home,
        anyio.from_thread.start_blocking_portal(other_loop) as other,
        home.wrap_async_context_manager(fake.serve()) as url,
    ):
        client = make_client(fake, url, kind)
        home.call(client.organizations.get, ORG)
        with pytest.raises(sk.WrongEventLoopError, match="create one client per event loop"):
            other.call(client.organizations.get, ORG)
        # Nothing broke at home: the client still works there and closes cleanly.
        assert home.call(client.organizations.get, ORG).id == ORG
        home.call(client.aclose)


# -- in a fresh interpreter ---------------------------------------------------------------

SCENARIOS = r"""
import asyncio, gc, json, sys, warnings
import anyio, anyio.from_thread
import scalekit_async as sk
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing import ServerStats

def make_client(fake, url, kind):
    transport = sk.AiohttpTransport() if kind == "aiohttp" else None
    return sk.ScalekitClient(url, fake.client_id, fake.client_secret, transport=transport)

async def unclosed(report, backend, kind):
    # Used, then dropped without aclose() while the loop runs.
    fake = FakeScalekit()
    async with fake.serve() as url:
        client = make_client(fake, url, kind)
        await client.organizations.list()
        del client
        gc.collect()
        await anyio.sleep(0.05)

async def close_in_flight(report, backend, kind):
    # aclose() while three calls wait for slow answers.
    fake = FakeScalekit()
    stats = ServerStats()
    async with fake.serve(stats=stats) as url:
        client = make_client(fake, url, kind)
        await client.organizations.list()
        fake.fail_next(3, path_prefix="/api/", delay=0.15)
        async def call():
            try:
                await client.organizations.list()
            except sk.ScalekitError as exc:
                report["errors"].append(type(exc).__name__)
        async with anyio.create_task_group() as tg:
            for _ in range(3):
                tg.start_soon(call)
            await anyio.sleep(0.05)
            await client.aclose()
        with anyio.move_on_after(0.4):  # time for the server to see the closes
            while stats.open:
                await anyio.sleep(0.01)
        report["open"] = stats.open
        del client
        gc.collect()

def after_its_loop(report, backend, kind):
    # Used in one anyio.run(); the loop ends; then used and closed in another.
    fake = FakeScalekit()
    with anyio.from_thread.start_blocking_portal("asyncio") as server:
        with server.wrap_async_context_manager(fake.serve()) as url:
            client = make_client(fake, url, kind)
            anyio.run(client.organizations.list, backend=backend)
            for name, step in (("call", client.organizations.list), ("aclose", client.aclose)):
                try:
                    anyio.run(step, backend=backend)
                except Exception as exc:
                    report["errors"].append(f"{name}: {type(exc).__name__}: {exc}")
            del client
            gc.collect()

def run(mode, backend, kind):
    report = {"warnings": [], "unraisable": [], "loop_errors": [], "errors": [], "open": None}
    sys.unraisablehook = lambda info: report["unraisable"].append(
        f"{info.exc_type.__name__}: {info.exc_value}")
    async def main():
        if backend == "asyncio":
            asyncio.get_running_loop().set_exception_handler(
                lambda loop, ctx: report["loop_errors"].append(
                    [str(ctx.get("message")), repr(ctx.get("exception"))]))
        await globals()[mode](report, backend, kind)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        if mode == "after_its_loop":
            after_its_loop(report, backend, kind)
        else:
            anyio.run(main, backend=backend)
        gc.collect()
    report["warnings"] = [f"{w.category.__name__}: {w.message}" for w in seen]
    return report

out = {}
for combo in sys.argv[1:]:
    mode, backend, kind = combo.split(":")
    out[combo] = run(mode, backend, kind)
print(json.dumps(out))
"""

COMBOS = [("asyncio", "httpx"), ("trio", "httpx"), ("asyncio", "aiohttp")]
MODES = ("unclosed", "close_in_flight", "after_its_loop")


@pytest.fixture(scope="module")
def scenarios() -> dict[str, dict[str, Any]]:
    """Run every scenario once, in one fresh interpreter; their reports by "mode:backend:kind"."""
    combos = [f"{mode}:{backend}:{kind}" for mode in MODES for backend, kind in COMBOS]
    done = subprocess.run(
        [sys.executable, "-c", SCENARIOS, *combos],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    reports: dict[str, dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    for report in reports.values():
        report["stderr"] = done.stderr
    return reports


@pytest.mark.parametrize(("backend", "kind"), COMBOS)
def test_an_unclosed_client_warns_instead_of_a_traceback(
    scenarios: dict[str, dict[str, Any]], backend: str, kind: str
) -> None:
    report = scenarios[f"unclosed:{backend}:{kind}"]
    assert any("was not closed" in w for w in report["warnings"]), report
    assert all(w.startswith("ResourceWarning") for w in report["warnings"]), report
    assert report["unraisable"] == []  # no exception escaped a __del__
    # aiohttp reports its own unclosed session to the loop: a message, never an exception.
    assert all(exc == "None" for _, exc in report["loop_errors"]), report
    assert "Traceback" not in report["stderr"]


@pytest.mark.parametrize(("backend", "kind"), COMBOS)
def test_closing_a_client_with_calls_in_flight_leaks_nothing(
    scenarios: dict[str, dict[str, Any]], backend: str, kind: str
) -> None:
    report = scenarios[f"close_in_flight:{backend}:{kind}"]
    assert report["unraisable"] == []
    assert report["open"] == 0, report
    assert report["warnings"] == [], report
    assert report["loop_errors"] == [], report


@pytest.mark.parametrize(
    ("backend", "kind"),
    [
        ("asyncio", "httpx"),
        ("trio", "httpx"),
        ("asyncio", "aiohttp"),
    ],
)
def test_a_client_that_outlived_its_loop_never_says_event_loop_is_closed(
    scenarios: dict[str, dict[str, Any]], backend: str, kind: str
) -> None:
    report = scenarios[f"after_its_loop:{backend}:{kind}"]
    errors = report["errors"]
    assert errors[0].startswith("call: WrongEventLoopError"), errors
    assert not any("Event loop is closed" in e for e in errors), errors
    assert report["unraisable"] == []
    assert "Event loop is closed" not in report["stderr"]
