"""Shared fixtures: every async test runs on asyncio and on trio."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from scalekit_async import ScalekitClient
from scalekit_async.testing import FakeScalekit

SPEC_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "openapi"


@pytest.fixture(
    params=[
        pytest.param(("asyncio", {}), id="asyncio"),
        pytest.param(("trio", {}), id="trio"),
    ]
)
def anyio_backend(request: pytest.FixtureRequest) -> tuple[str, dict[str, object]]:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def fake() -> FakeScalekit:
    """A fresh in-memory fake Scalekit."""
    return FakeScalekit()


@pytest.fixture
async def client(fake: FakeScalekit) -> AsyncIterator[ScalekitClient]:
    """A client wired to `fake` in-process."""
    async with fake.client() as c:
        yield c
