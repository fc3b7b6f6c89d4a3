"""Python bytecodes per call, by function: where the SDK's work over raw aiohttp goes.

``instructions`` says how much more the SDK executes per call than raw aiohttp;
this section says where. Each client makes its calls at 64 in flight under a
`sys.settrace` tracer that counts every bytecode executed (``f_trace_opcodes``),
by the function it runs in. The table groups them by owner (the SDK's engine
and resources, its generated model builders, aiohttp, asyncio, json), then
lists the functions the SDK adds most to a call.

Tracing slows the client down many times over, so the server answers it in
other batches than at full speed and the counts of the event loop's and
aiohttp's functions move a little from run to run; the SDK's own counts do
not. C code (json's scanner, ``dict.get``, sockets) runs no bytecode and is
not counted: these are the costs a change to the SDK's Python can move.
``python -m benchmarks.opcodes`` runs it alone.
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from types import CodeType, FrameType
from typing import Any

from benchmarks.instructions import CLIENTS, WARM_UP, drive, open_client

OWNERS = (
    ("SDK model builders", ("<structure ", "scalekit_async/_converter")),
    ("SDK engine and resources", ("scalekit_async",)),
    ("aiohttp, yarl, multidict", ("aiohttp", "yarl", "multidict")),
    ("asyncio", ("asyncio",)),
    ("json", ("json",)),
)
"""Each owner, and what the file name of a function it owns contains (the first match wins)."""


def owner(code: CodeType) -> str:
    """Who owns *code*: the SDK, its generated model builders, aiohttp, the stdlib..."""
    for name, marks in OWNERS:
        if any(mark in code.co_filename for mark in marks):
            return name
    return "the benchmark and the rest"


def where(code: CodeType) -> str:
    """A short name for *code*: the last two parts of its file name, and its own name."""
    path = code.co_filename
    if path.startswith("<"):  # generated code names itself: <structure Organization>
        return path
    return "/".join(path.replace("\\", "/").split("/")[-2:]) + ":" + code.co_name


async def _count(client: str, url: str, level: int, calls: int) -> Counter[CodeType]:
    """Bytecodes run by each function during *calls* calls, after a warm-up."""
    call, closers = await open_client(client, url)
    await drive(call, level, WARM_UP)
    counts: Counter[CodeType] = Counter()

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "opcode":
            counts[frame.f_code] += 1
        elif event == "call":
            frame.f_trace_lines = False
            frame.f_trace_opcodes = True
        return trace

    sys.settrace(trace)
    try:
        await drive(call, level, calls)
    finally:
        sys.settrace(None)
    for close in closers:
        await close()
    counts.pop(_count.__code__, None)  # this coroutine's own bytecodes, when it resumes
    return counts


def run(url: str, level: int = 64, calls: int = 2000, top: int = 12) -> dict[str, Any]:
    """Bytecodes per call of raw aiohttp and the SDK on aiohttp: in all, by owner, by function."""
    per_call: dict[str, dict[CodeType, float]] = {}
    for client in CLIENTS:
        counted = asyncio.run(_count(client, url, level, calls))
        per_call[client] = {code: n / calls for code, n in counted.items()}
    raw, sdk = per_call["raw_aiohttp"], per_call["sdk_aiohttp"]
    totals = {client: sum(counts.values()) for client, counts in per_call.items()}
    owners: dict[str, dict[str, float]] = {}
    for client, counts in per_call.items():
        for code, n in counts.items():
            row = owners.setdefault(owner(code), dict.fromkeys(CLIENTS, 0.0))
            row[client] += n
    added = Counter({where(code): n - raw.get(code, 0.0) for code, n in sdk.items()})

    print(
        f"Python bytecodes per call at {level} in flight (sys.settrace, {calls} calls after a"
        f" warm-up of {WARM_UP}; C code not counted)"
    )
    print(f"  raw aiohttp  {totals['raw_aiohttp']:8.0f}")
    gap = totals["sdk_aiohttp"] - totals["raw_aiohttp"]
    print(f"  SDK aiohttp  {totals['sdk_aiohttp']:8.0f}   ({gap:+.0f})")
    print(f"  {'by owner':<28} {'raw':>7} {'SDK':>7} {'SDK-raw':>8}")
    for name, row in sorted(owners.items(), key=lambda kv: -kv[1]["sdk_aiohttp"]):
        r, s = row["raw_aiohttp"], row["sdk_aiohttp"]
        print(f"  {name:<28} {r:7.0f} {s:7.0f} {s - r:+8.0f}")
    print("  the functions the SDK adds most bytecodes to a call in:")
    for name, n in added.most_common(top):
        print(f"  {n:+8.0f}  {name}")
    return {
        "in_flight": level,
        "calls": calls,
        "per_call": totals,
        "sdk_added": gap,
        "by_owner": owners,
        "most_added": dict(added.most_common(top)),
    }


def main() -> None:
    from benchmarks.server import running_server

    with running_server() as url:
        run(url)


if __name__ == "__main__":
    main()
