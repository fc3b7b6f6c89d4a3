"""Local JWT validation: throughput with a warm JWKS cache, and one fetch for a cold stampede.

Run: ``.venv/bin/python benchmarks/bench_jwt.py`` (about 10 s).

1. Warm cache: one task validates the same RS256 access token (issuer, audience
   and a required scope checked) for a fixed time; the fake records every
   request, so the run also proves that a validation with a cached key does
   no I/O. Each validation is an RSA-2048 signature check plus claim checks.
2. Cold cache: N validators start together on a fresh client while the JWKS
   answer is held back 50 ms; exactly one JWKS fetch must serve them all.

Both run on asyncio and on trio. Numbers depend on the machine (it is shared
and noisy); the fetch counts must not.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._oauth import oauth

WARM_SECONDS = 2.0
COLD_VALIDATORS = (10, 100, 1000)


async def warm_cache(seconds: float = WARM_SECONDS) -> tuple[float, int]:
    """Validations per second with the JWKS cached; returns (rate, requests made meanwhile)."""
    fake = FakeScalekit()
    async with fake.client() as client:
        token = oauth(fake).mint_access_token(scopes=["read"], roles=["admin"])
        await client.auth.validate_access_token(token)  # warm the cache
        before = len(fake.requests)
        done = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            for _ in range(200):
                await client.auth.validate_access_token(
                    token, audience=fake.client_id, required_scopes=["read"]
                )
            done += 200
        elapsed = time.perf_counter() - start
        return done / elapsed, len(fake.requests) - before


async def cold_cache(validators: int) -> tuple[int, float]:
    """Start *validators* validations on an empty cache; returns (JWKS fetches, seconds)."""
    fake = FakeScalekit()
    state = oauth(fake)
    token = state.mint_access_token()
    async with fake.client() as client:
        fake.fail_next(path="/keys", delay=0.05)
        ok = 0

        async def validate() -> None:
            nonlocal ok
            await client.auth.validate_access_token(token)
            ok += 1

        start = time.perf_counter()
        async with anyio.create_task_group() as tg:
            for _ in range(validators):
                tg.start_soon(validate)
        elapsed = time.perf_counter() - start
        assert ok == validators
        return state.jwks_requests, elapsed


async def run(backend: str) -> bool:
    """Run both measurements on the current event loop; return whether the invariants held."""
    good = True
    rate, requests = await warm_cache()
    print(
        f"[{backend}] warm cache: {rate:,.0f} validations/s "
        f"({1e6 / rate:.1f} us each), requests during the run: {requests}"
    )
    good &= requests == 0
    for n in COLD_VALIDATORS:
        fetches, elapsed = await cold_cache(n)
        print(
            f"[{backend}] cold cache: {n:>4} concurrent validators -> "
            f"{fetches} JWKS fetch(es), all done in {elapsed * 1000:.0f} ms"
        )
        good &= fetches == 1
    return good


def main() -> None:
    """Run on asyncio and trio; exit 1 if an invariant (no I/O warm, one fetch cold) broke."""
    results = [anyio.run(run, "asyncio", backend="asyncio")]
    try:
        import trio  # noqa: F401
    except ImportError:
        print("[trio] not installed, skipped")
    else:
        results.append(anyio.run(run, "trio", backend="trio"))
    if not all(results):
        print("FAILED: an invariant did not hold")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
