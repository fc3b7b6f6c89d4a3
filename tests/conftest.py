"""Shared fixtures: every async test runs on asyncio and on trio."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from scalekit_async import ScalekitClient
from scalekit_async.testing import FakeScalekit

# The fake runs strict in this whole suite (subprocesses included): a handler that
# raises, or an answer outside the spec, fails the test that met it.
os.environ.setdefault("SCALEKIT_FAKE_STRICT", "1")


@pytest.fixture(
    params=[
        pytest.param(("asyncio", {}), id="asyncio"),
        pytest.param(("trio", {}), id="trio"),
    ]
)
def anyio_backend(request: pytest.FixtureRequest) -> tuple[str, dict[str, object]]:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(params=["httpx", "aiohttp"])
def transport_kind(request: pytest.FixtureRequest) -> str:
    """Which transport a socket test runs on (aiohttp only on asyncio)."""
    return request.param  # type: ignore[no-any-return]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Drop the trio x aiohttp combinations: aiohttp runs on asyncio only."""
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = callspec.params if callspec is not None else {}
        backend = params.get("anyio_backend")
        if params.get("transport_kind") == "aiohttp" and backend and backend[0] == "trio":
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture
def fake() -> FakeScalekit:
    """A fresh in-memory fake Scalekit."""
    return FakeScalekit()


@pytest.fixture
async def client(fake: FakeScalekit) -> AsyncIterator[ScalekitClient]:
    """A client wired to `fake` in-process."""
    async with fake.client() as c:
        yield c
