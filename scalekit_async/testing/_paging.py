"""Pagination as the API does it: opaque page tokens, a total, an empty last token."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._constants import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from ._http import ApiError, FakeRequest

__all__ = ["page"]


def page(
    request: FakeRequest,
    items: Sequence[Any],
    key: str,
    *,
    default_size: int = DEFAULT_PAGE_SIZE,
    max_size: int = MAX_PAGE_SIZE,
    total_key: str = "total_size",
) -> dict[str, Any]:
    """Slice *items* by the request's ``page_size``/``page_token`` into a list response."""
    raw_size = request.param("page_size")
    try:
        size = int(raw_size) if raw_size else default_size
    except ValueError:
        raise ApiError(
            400, "invalid page_size", violations=(("page_size", "not a number"),)
        ) from None
    if size <= 0:
        size = default_size
    size = min(size, max_size)
    token = request.param("page_token") or ""
    try:
        start = int(token) if token else 0
    except ValueError:
        raise ApiError(400, "invalid page token") from None
    if start < 0 or start > len(items):
        raise ApiError(400, "invalid page token")
    end = start + size
    return {
        key: list(items[start:end]),
        "next_page_token": str(end) if end < len(items) else "",
        "prev_page_token": str(max(start - size, 0)) if start > 0 else "",
        total_key: len(items),
    }
