"""Pages and the paginator every list operation returns.

`await paginator` gives the first page; ``async for item in paginator`` walks
every item, fetching pages lazily and holding one page at a time;
``async for page in paginator.pages()`` walks page by page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Any, Generic, TypeVar

import attrs

__all__ = ["AsyncPaginator", "Page"]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a list: its items and the tokens to move on.

    `total_size` is the server's count of all items when it gives one.
    """

    items: tuple[T, ...] = ()
    next_page_token: str | None = None
    prev_page_token: str | None = None
    total_size: int | None = None

    @property
    def has_next_page(self) -> bool:
        """Whether a next page exists."""
        return bool(self.next_page_token)

    def __len__(self) -> int:
        return len(self.items)


FetchPage = Callable[[str | None], Awaitable[Page[T]]]


class AsyncPaginator(Generic[T]):
    """A lazy, awaitable, async-iterable view of a list operation."""

    __slots__ = ("_fetch", "_start")

    def __init__(self, fetch: FetchPage[T], start_token: str | None = None) -> None:
        self._fetch = fetch
        self._start = start_token

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self._fetch(self._start).__await__()

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Yield every page in order, stopping at the last (or at a repeated token)."""
        token = self._start
        seen: set[str] = set()
        while True:
            page = await self._fetch(token)
            yield page
            token = page.next_page_token
            if not token or token in seen:
                return
            seen.add(token)

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item
