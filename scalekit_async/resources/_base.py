"""What every resource namespace shares: the request engine it calls, and argument checks."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from .._converter import format_timestamp
from .._engine import decode_answer
from .._errors import ResponseValidationError
from .._pagination import AsyncPaginator, Page, make_page
from .._routes import Route
from .._types import NOT_GIVEN, NotGiven, NotGivenOr

if TYPE_CHECKING:
    from .._engine import AnswerView, Engine

__all__ = [
    "Resource",
    "token_at",
    "check_page_size",
    "check_strings",
    "check_time_range",
    "string_list",
    "timestamp_param",
]

T = TypeVar("T")


def check_page_size(page_size: NotGivenOr[int | None], maximum: int = 100) -> None:
    """Reject a page size the API would refuse, before any request is sent (`None`: not given)."""
    if page_size is None or isinstance(page_size, NotGiven):
        return
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise TypeError(f"page_size must be an int, not {type(page_size).__name__}")
    if not 1 <= page_size <= maximum:
        raise ValueError(f"page_size must be between 1 and {maximum}, got {page_size}")


def check_strings(**fields: object) -> None:
    """Refuse a non-string value (other than `None` or not given) before anything is sent.

    A number where the API expects a string would be stored by a lenient server
    and then fail to read back; better a `TypeError` at the call site.
    """
    for name, value in fields.items():
        if value is None or isinstance(value, NotGiven | str):
            continue
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")


def token_at(data: Mapping[str, Any], key: str) -> str | None:
    """A list answer's page token under *key*: a non-empty string, else `None` (no such page)."""
    value = data.get(key)
    return value if value.__class__ is str and value else None


def _optional_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _page_items(engine: Engine, route: Route, data: Any, key: str, item: type[T]) -> tuple[T, ...]:
    """The items of one list answer under *key*, structured (the answer must be an object)."""
    if data.__class__ is not dict and not isinstance(data, Mapping):
        raise ResponseValidationError(
            f"list answer of {route} is not an object", status_code=200, body=data
        )
    return engine.structure_items(data.get(key) or (), item)


class _TokenList(AsyncPaginator[T]):
    """A token-paginated list operation: one call per page, made into a `Page` as it is decoded.

    The page is made in the engine's decode step, not in a coroutine of its
    own: a list call is the hottest path of most services, and every frame it
    keeps alive is resumed each time the transport wakes up. A malformed list
    answer is refused inside the engine's error boundary, like any other answer.
    """

    __slots__ = ("_engine", "_item", "_key", "_params", "_path", "_route", "_total_key")

    def __init__(
        self,
        engine: Engine,
        route: Route,
        path: tuple[str, ...],
        params: Mapping[str, Any],
        key: str,
        item: type[T],
        total_key: str,
        start: str | None,
    ) -> None:
        self._engine = engine
        self._route = route
        self._path = path
        self._params = params
        self._key = key
        self._item = item
        self._total_key = total_key
        self._start = start

    def fetch_page(self, token: str | None) -> Awaitable[Page[T]]:
        """The page at *token* (`None`: the first page), fetched when awaited."""
        params = self._params
        query = {**params, "page_token": token} if token else params
        return self._engine.call(self._route, *self._path, params=query, decode=self._page)

    def _page(self, answer: AnswerView) -> Page[T]:
        data = decode_answer(answer)
        items = _page_items(self._engine, self._route, data, self._key, self._item)
        return make_page(
            items,
            token_at(data, "next_page_token"),
            token_at(data, "prev_page_token"),
            _optional_int(data, self._total_key),
        )


class Resource:
    """A namespace of API operations on one resource family."""

    __slots__ = ("_engine",)

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _paginate(
        self,
        route: Route,
        *path: str,
        key: str,
        item: type[T],
        params: Mapping[str, Any],
        page_token: NotGivenOr[str | None] = NOT_GIVEN,
        total_key: str = "total_size",
    ) -> AsyncPaginator[T]:
        """A paginator over *route*, whose answer lists items under *key*."""
        route.path(*path)  # check ids now, so a bad one fails at the call site
        start = None if page_token is NOT_GIVEN else page_token  # None: the start
        return _TokenList(self._engine, route, path, params, key, item, total_key, start)

    def _paginate_numbered(
        self,
        route: Route,
        *path: str,
        key: str,
        item: type[T],
        params: Mapping[str, Any],
        page_size: int,
        page_number: int = 1,
        first_page: int = 1,
    ) -> AsyncPaginator[T]:
        """A paginator over a ``page_number``/``page_size`` list (no tokens, no total).

        The page token is the next page number as a string; a short page is the
        last. *first_page* is the API's first page number (0 or 1).
        """
        route.path(*path)

        async def fetch(token: str | None) -> Page[T]:
            number = int(token) if token else page_number
            query = {**params, "page_size": page_size, "page_number": number}
            data = await self._engine.call(route, *path, params=query)
            items = _page_items(self._engine, route, data, key, item)
            full = len(items) >= page_size > 0
            return make_page(
                items,
                str(number + 1) if full else None,
                str(number - 1) if number > first_page else None,
            )

        return AsyncPaginator(fetch, str(page_number))

    def _list_all(
        self,
        route: Route,
        *path: str,
        key: str,
        item: type[T],
        params: Mapping[str, Any] | None = None,
        body: Any = NOT_GIVEN,
    ) -> AsyncPaginator[T]:
        """A paginator over an unpaginated list: one page holding every item.

        A *body* is sent with every fetch (lists the API reads by POST).
        """
        route.path(*path)

        async def fetch(token: str | None) -> Page[T]:
            data = await self._engine.call(route, *path, params=params, body=body)
            items = _page_items(self._engine, route, data, key, item)
            return make_page(items, total_size=len(items))

        return AsyncPaginator(fetch)


def string_list(name: str, values: Iterable[str]) -> list[str]:
    """A repeated query parameter's values, refusing a lone string (a common slip)."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a list of strings, not {type(values).__name__}")
    out = []
    for value in values:
        if not isinstance(value, str):
            raise TypeError(f"{name} values must be str, not {type(value).__name__}")
        out.append(str(value))
    return out


def timestamp_param(name: str, value: NotGivenOr[datetime]) -> NotGivenOr[str]:
    """A `datetime` as the RFC 3339 UTC string the API expects in a query."""
    if value is NOT_GIVEN:
        return NOT_GIVEN
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    return format_timestamp(value)


def check_time_range(start: NotGivenOr[datetime], end: NotGivenOr[datetime]) -> None:
    """Refuse a time window that ends before it starts (naive times count as UTC)."""
    if isinstance(start, datetime) and isinstance(end, datetime) and _utc(end) < _utc(start):
        raise ValueError("end_time must not be before start_time")


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
