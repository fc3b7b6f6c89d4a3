from __future__ import annotations

import pytest

from scalekit_async import AsyncPaginator, Page
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio


def pager(pages: dict[str | None, Page[int]], calls: list[str | None]) -> AsyncPaginator[int]:
    async def fetch(token: str | None) -> Page[int]:
        calls.append(token)
        return pages[token]

    return AsyncPaginator(fetch)


async def test_await_gives_the_first_page_only() -> None:
    calls: list[str | None] = []
    pages = {None: Page(items=(1, 2), next_page_token="a"), "a": Page(items=(3,))}
    first = await pager(pages, calls)
    assert first.items == (1, 2)
    assert first.has_next_page
    assert calls == [None]


async def test_iteration_walks_every_page_lazily() -> None:
    calls: list[str | None] = []
    pages = {
        None: Page(items=(1, 2), next_page_token="a"),
        "a": Page(items=(), next_page_token="b"),
        "b": Page(items=(3,), next_page_token=""),
    }
    assert [i async for i in pager(pages, calls)] == [1, 2, 3]
    assert calls == [None, "a", "b"]


async def test_a_repeated_token_stops_instead_of_looping_forever() -> None:
    calls: list[str | None] = []
    pages = {
        None: Page(items=(1,), next_page_token="a"),
        "a": Page(items=(2,), next_page_token="a"),
    }
    assert [i async for i in pager(pages, calls)] == [1, 2]
    assert calls == [None, "a"]


async def test_pages_keeps_one_page_at_a_time() -> None:
    calls: list[str | None] = []
    pages = {None: Page(items=(1,), next_page_token="a"), "a": Page(items=(2,))}
    seen = [p.items async for p in pager(pages, calls).pages()]
    assert seen == [(1,), (2,)]


async def test_a_longer_token_cycle_also_stops() -> None:
    calls: list[str | None] = []
    pages = {
        None: Page(items=(0,), next_page_token="a"),
        "a": Page(items=(1,), next_page_token="b"),
        "b": Page(items=(2,), next_page_token="c"),
        "c": Page(items=(3,), next_page_token="a"),
    }
    assert [i async for i in pager(pages, calls)] == [0, 1, 2, 3]
    assert calls == [None, "a", "b", "c"]


async def test_many_distinct_pages_are_all_walked() -> None:
    calls: list[str | None] = []
    pages = {None: Page(items=(0,), next_page_token="1")}
    pages.update({str(n): Page(items=(n,), next_page_token=str(n + 1)) for n in range(1, 500)})
    pages["500"] = Page(items=(500,))
    assert [i async for i in pager(pages, calls)] == list(range(501))


def test_make_page_builds_the_same_frozen_page_as_the_constructor() -> None:
    from scalekit_async._pagination import make_page

    made = make_page((1, 2), "next", "prev", 7)
    built = Page(items=(1, 2), next_page_token="next", prev_page_token="prev", total_size=7)
    assert type(made) is Page
    assert made == built
    assert hash(made) == hash(built)
    assert repr(made) == repr(built)
    assert make_page(()) == Page()
    with pytest.raises(AttributeError):
        made.items = ()  # type: ignore[misc]


async def test_fetch_page_fetches_the_page_at_a_token() -> None:
    calls: list[str | None] = []
    pages = {None: Page(items=(1,), next_page_token="a"), "a": Page(items=(2,))}
    page = await pager(pages, calls).fetch_page("a")
    assert page.items == (2,)
    assert calls == ["a"]


async def test_a_resource_list_fetches_any_page_and_walks_them_all(fake: FakeScalekit) -> None:
    async with fake.client() as client:
        for n in range(5):
            await client.organizations.create(f"Org {n}")
        paginator = client.organizations.list(page_size=2)
        first = await paginator
        second = await paginator.fetch_page(first.next_page_token)
        walked = [org.display_name async for org in paginator]
    assert [o.display_name for o in first.items] == ["Org 0", "Org 1"]
    assert [o.display_name for o in second.items] == ["Org 2", "Org 3"]
    assert second.prev_page_token
    assert second.total_size == 5
    assert walked == [f"Org {n}" for n in range(5)]
