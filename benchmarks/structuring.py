"""Structuring a 100-organization page: the SDK's converter vs a pydantic v2 `TypeAdapter`.

Both sides get the same decoded JSON (a list of 100 organization objects, as
``json.loads`` returns it) and build frozen models: the SDK structures it into
``tuple[sk.Organization, ...]`` with the converter of `make_converter()`, as
the paginator does; pydantic validates it into ``tuple[OrganizationModel, ...]``,
an equivalent frozen model (same fields, the same open `RegionCode` enum, aware
datetimes, the settings and features sub-models). A second pair times the
same from the raw bytes (``json.loads`` + converter vs ``validate_json``).

Timing: the two sides alternate, several samples each of enough repetitions to
last about 0.05 s; the best sample of each side is its cost (the least
disturbed by other work on the machine), and the ratio is SDK / pydantic.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import pydantic

import scalekit_async as sk
from benchmarks.server import organization
from scalekit_async._converter import make_converter
from scalekit_async.models._common import RegionCode

PAGE_SIZE = 100


class FeatureModel(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True)
    name: str = ""
    enabled: bool = False


class SettingsModel(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True)
    features: tuple[FeatureModel, ...] = ()


class OrganizationModel(pydantic.BaseModel):
    """The pydantic twin of `sk.Organization`."""

    model_config = pydantic.ConfigDict(frozen=True)
    id: str = ""
    display_name: str = ""
    external_id: str | None = None
    region_code: RegionCode | None = None
    metadata: Mapping[str, str] = pydantic.Field(default_factory=dict)
    slug: str | None = None
    logo_url: str | None = None
    settings: SettingsModel | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None


def best_time(fn: Callable[[], Any], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def compare(sdk: Callable[[], Any], other: Callable[[], Any], samples: int) -> tuple[float, float]:
    """Best per-call seconds of *sdk* and *other*, sampled alternately."""
    number = max(1, int(0.05 / max(best_time(sdk, 3), 1e-7)))
    ours: list[float] = []
    theirs: list[float] = []
    for i in range(samples):
        pair = ((sdk, ours), (other, theirs)) if i % 2 == 0 else ((other, theirs), (sdk, ours))
        for fn, out in pair:
            out.append(best_time(fn, number))
    return min(ours), min(theirs)


def run(samples: int = 30) -> dict[str, Any]:
    """Measure, print and return both pairs."""
    items = [organization(i) for i in range(PAGE_SIZE)]
    raw = json.dumps(items).encode()
    converter = make_converter()
    item_tuple: Any = tuple[sk.Organization, ...]
    adapter = pydantic.TypeAdapter(tuple[OrganizationModel, ...])

    ours = converter.structure(items, item_tuple)
    theirs = adapter.validate_python(items)
    assert len(ours) == len(theirs) == PAGE_SIZE
    assert [o.id for o in ours] == [o.id for o in theirs]
    assert ours[1].region_code == theirs[1].region_code == RegionCode.EU
    assert ours[0].create_time == theirs[0].create_time

    results: dict[str, Any] = {"page_size": PAGE_SIZE, "samples": samples}
    pairs = {
        "from_python": (
            lambda: converter.structure(items, item_tuple),
            lambda: adapter.validate_python(items),
        ),
        "from_bytes": (
            lambda: converter.structure(json.loads(raw), item_tuple),
            lambda: adapter.validate_json(raw),
        ),
    }
    print(f"structuring a {PAGE_SIZE}-organization page, best of {samples} alternating samples")
    print(f"{'input':>12} {'SDK us':>9} {'pydantic us':>12} {'SDK/pydantic':>13}")
    for name, (sdk, other) in pairs.items():
        ours_s, theirs_s = compare(sdk, other, samples)
        ratio = ours_s / theirs_s
        results[name] = {"sdk_us": ours_s * 1e6, "pydantic_us": theirs_s * 1e6, "ratio": ratio}
        print(f"{name:>12} {ours_s * 1e6:>9.0f} {theirs_s * 1e6:>12.0f} {ratio:>13.2f}")
    return results


if __name__ == "__main__":
    run()
