"""Pages and the paginator every list operation returns.

`await paginator` gives the first page; ``async for item in paginator`` walks
every item, fetching pages lazily and holding one page at a time;
``async for page in paginator.pages()`` walks page by page.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import Any, Generic, TypeVar

import attrs

from ._converter import mutable_twin
from ._errors import TooManyItemsError

__all__ = ["AsyncPaginator", "Page", "make_page"]

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


_PageTwin: Any = mutable_twin(Page, {"items", "next_page_token", "prev_page_token", "total_size"})


def make_page(
    items: tuple[T, ...],
    next_page_token: str | None = None,
    prev_page_token: str | None = None,
    total_size: int | None = None,
) -> Page[T]:
    """A `Page`, made as the converter makes models: a mutable twin, then the frozen class.

    Equal to ``Page(...)`` with the same fields, at a quarter of the cost: every
    list call makes one, and a frozen class's ``__init__`` pays for each field.
    """
    page = _PageTwin()
    page.items = items
    page.next_page_token = next_page_token
    page.prev_page_token = prev_page_token
    page.total_size = total_size
    page.__class__ = Page
    return page  # type: ignore[no-any-return]


_REMEMBERED_TOKENS = 64

FetchPage = Callable[[str | None], Awaitable[Page[T]]]


class AsyncPaginator(Generic[T]):
    """A lazy, awaitable, async-iterable view of a list operation.

    Args:
        fetch: Returns the page at a token (`None`: the first page).
        start_token: Where to start.

    A subclass may fetch pages itself instead of through *fetch*: it overrides
    `fetch_page` and sets `_start` (the SDK's token lists do, to make each
    page without a coroutine of their own).
    """

    __slots__ = ("_fetch", "_start")

    def __init__(self, fetch: FetchPage[T], start_token: str | None = None) -> None:
        self._fetch = fetch
        self._start = start_token

    def fetch_page(self, token: str | None) -> Awaitable[Page[T]]:
        """The page at *token* (`None`: the first page), fetched when awaited."""
        return self._fetch(token)

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self.fetch_page(self._start).__await__()

    def pages(self) -> AsyncIterator[Page[T]]:
        """Iterate page by page, stopping at the last page (or at a repeated token)."""
        return _Pages(self.fetch_page, self._start)

    def __aiter__(self) -> AsyncIterator[T]:
        return _Items(_Pages(self.fetch_page, self._start))

    async def collect(self, *, limit: int) -> list[T]:
        """Every item of the list, in order, refusing to load more than *limit*.

        The limit is required: a list that grows (users, sessions, logs) must
        not turn into an unbounded load the day it does. Pages are fetched
        until the list ends or the limit is passed.

        Raises:
            TooManyItemsError: the list holds more than *limit* items.

        """
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise TypeError(f"limit must be an int, not {type(limit).__name__}")
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        items: list[T] = []
        async for page in self.pages():
            items.extend(page.items)
            if len(items) > limit:
                raise TooManyItemsError(
                    f"the list holds more than {limit} items; raise the limit or use `async for`",
                    limit=limit,
                )
        return items


class _Pages(Generic[T]):
    """Fetch one page per step.

    A plain iterator, not an async generator: breaking out of a loop leaves
    nothing to finalize, on any event loop.
    """

    __slots__ = ("_done", "_fetch", "_seen", "_token")

    def __init__(self, fetch: FetchPage[T], start: str | None) -> None:
        self._fetch = fetch
        self._token = start
        # The last few tokens only: enough to stop a server that loops, and memory
        # stays flat over millions of pages.
        self._seen: deque[str] = deque(maxlen=_REMEMBERED_TOKENS)
        self._done = False

    def __aiter__(self) -> _Pages[T]:
        return self

    async def __anext__(self) -> Page[T]:
        if self._done:
            raise StopAsyncIteration
        page = await self._fetch(self._token)
        token = page.next_page_token
        if not token or token in self._seen:
            self._done = True
        else:
            self._seen.append(token)
            self._token = token
        return page


class _Items(Generic[T]):
    """Yields the items of successive pages, holding one page at a time."""

    __slots__ = ("_items", "_pages")

    def __init__(self, pages: _Pages[T]) -> None:
        self._pages = pages
        self._items: Iterator[T] = iter(())

    def __aiter__(self) -> _Items[T]:
        return self

    async def __anext__(self) -> T:
        while True:
            for item in self._items:
                return item
            page = await self._pages.__anext__()
            self._items = iter(page.items)
