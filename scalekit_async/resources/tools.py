"""``client.tools``: AgentKit tools, the tools scoped to a user, and tool execution.

Tool execution calls a third-party API through a connected account, so it
can be slow and it is not idempotent: it gets a longer deadline than other
calls (`EXECUTE_TIMEOUT`, `EXECUTE_READ_TIMEOUT`) and, being a POST, it is
never retried after the request may have reached the server (unless the
client was built with ``RetryPolicy(retry_writes=True)``). A tool that fails
at its provider raises `scalekit_async.ToolExecutionError`, which carries the
``execution_id``, ``tool_error_code`` and ``tool_error_message``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Literal, TypeVar, overload

import attrs

from .._pagination import AsyncPaginator
from .._routes import Route, operation
from .._types import NOT_GIVEN, NotGivenOr
from ..models.tools import ScopedTool, SearchedTool, Tool, ToolExecution
from ._base import Resource, check_page_size

__all__ = [
    "EXECUTE_READ_TIMEOUT",
    "EXECUTE_TIMEOUT",
    "SEARCH_TOP_K_MAX",
    "AfterModifier",
    "BeforeModifier",
    "ToolModifiers",
    "Tools",
]

T = TypeVar("T")

_LIST = Route("GET", "/api/v1/tools")
_LIST_SCOPED = Route("GET", "/api/v1/tools/scoped")
_LIST_AVAILABLE = Route("GET", "/api/v1/tools/available")
_EXECUTE = Route("POST", "/api/v1/execute_tool", replayable=False)
_SEARCH = Route("POST", "/api/v1/tools:search")

SEARCH_TOP_K_MAX = 50
"""The most results `Tools.search` returns (the API caps ``top_k`` there)."""

EXECUTE_TIMEOUT = 120.0
"""The default deadline of `Tools.execute`, in seconds (token fetch and attempt together).

The official SDKs wait 60 s for a tool; a tool's provider may be slow, so
this SDK allows twice that by default.
"""
EXECUTE_READ_TIMEOUT = 90.0
"""How long `Tools.execute` waits for the answer once the request is sent, in seconds."""


BeforeModifier = Callable[[str, dict[str, Any]], Mapping[str, Any] | Awaitable[Mapping[str, Any]]]
"""Called with a tool's name and its input before it runs; returns the input to send."""
AfterModifier = Callable[[str, ToolExecution], ToolExecution | Awaitable[ToolExecution]]
"""Called with a tool's name and its result after it ran; returns the result to give back."""


class ToolModifiers:
    """Transforms of tool input and output, applied by `Tools.execute` and the agent adapters.

    Register a function for some tools (by name) or for every tool; each may
    be a plain function or a coroutine function. Before-modifiers get the
    tool's name and a copy of its input and return the input to send;
    after-modifiers get the name and the `ToolExecution` and return the one to
    give back (``attrs.evolve(result, data=...)``). They run in registration
    order. Pass the same registry to every call that should use it
    (``client.tools.execute(..., modifiers=mods)``)::

        mods = ToolModifiers()

        @mods.before("gmail_send_email")
        def sign(name: str, params: dict[str, Any]) -> dict[str, Any]:
            return {**params, "subject": "[agent] " + params["subject"]}

        @mods.after()
        async def redact(name: str, result: ToolExecution) -> ToolExecution:
            return attrs.evolve(result, data=await scrub(result.data))

    Unlike the official SDK's modifiers, they are not state of a client: one
    registry can serve several clients, and a call without it runs unmodified.
    """

    __slots__ = ("_after", "_before")

    def __init__(self) -> None:
        self._before: list[tuple[frozenset[str] | None, BeforeModifier]] = []
        self._after: list[tuple[frozenset[str] | None, AfterModifier]] = []

    def __repr__(self) -> str:
        return f"<ToolModifiers before={len(self._before)} after={len(self._after)}>"

    def before(self, *tool_names: str) -> Callable[[BeforeModifier], BeforeModifier]:
        """Register the decorated function as a before-modifier of *tool_names* (none: all)."""
        names = _modifier_names(tool_names)

        def register(function: BeforeModifier) -> BeforeModifier:
            self.add_before(function, *(names or ()))
            return function

        return register

    def after(self, *tool_names: str) -> Callable[[AfterModifier], AfterModifier]:
        """Register the decorated function as an after-modifier of *tool_names* (none: all)."""
        names = _modifier_names(tool_names)

        def register(function: AfterModifier) -> AfterModifier:
            self.add_after(function, *(names or ()))
            return function

        return register

    def add_before(self, function: BeforeModifier, *tool_names: str) -> None:
        """Register *function* as a before-modifier of *tool_names* (none: every tool)."""
        if not callable(function):
            raise TypeError("a modifier must be callable")
        self._before.append((_modifier_names(tool_names), function))

    def add_after(self, function: AfterModifier, *tool_names: str) -> None:
        """Register *function* as an after-modifier of *tool_names* (none: every tool)."""
        if not callable(function):
            raise TypeError("a modifier must be callable")
        self._after.append((_modifier_names(tool_names), function))

    async def apply_before(self, name: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """The input to send for tool *name*: *params* through each matching before-modifier."""
        current = dict(params)
        for names, function in self._before:
            if names is None or name in names:
                result = function(name, dict(current))
                if inspect.isawaitable(result):
                    result = await result
                if not isinstance(result, Mapping):
                    raise TypeError(
                        f"before-modifier {_callable_name(function)} returned "
                        f"{type(result).__name__}, not a mapping"
                    )
                current = dict(result)
        return current

    async def apply_after(self, name: str, result: ToolExecution) -> ToolExecution:
        """The result to give back for tool *name*: *result* through each after-modifier."""
        for names, function in self._after:
            if names is None or name in names:
                changed = function(name, result)
                if inspect.isawaitable(changed):
                    changed = await changed
                if not isinstance(changed, ToolExecution):
                    raise TypeError(
                        f"after-modifier {_callable_name(function)} returned "
                        f"{type(changed).__name__}, not a ToolExecution"
                    )
                result = changed
        return result


def _modifier_names(tool_names: tuple[str, ...]) -> frozenset[str] | None:
    for name in tool_names:
        if not isinstance(name, str) or not name:
            raise TypeError("tool names must be non-empty str (call before() for every tool)")
    return frozenset(tool_names) if tool_names else None


def _callable_name(function: object) -> str:
    return str(getattr(function, "__qualname__", None) or repr(function))


class Tools(Resource):
    """List the tools agents can call, and execute them through connected accounts."""

    __slots__ = ()

    @overload
    def list(
        self,
        *,
        provider: str | None = None,
        identifier: str | None = None,
        tool_names: Iterable[str] | None = None,
        query: str | None = None,
        connector: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        connected_account_id: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        summary: Literal[False] = False,
    ) -> AsyncPaginator[Tool]: ...

    @overload
    def list(
        self,
        *,
        provider: str | None = None,
        identifier: str | None = None,
        tool_names: Iterable[str] | None = None,
        query: str | None = None,
        connector: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        connected_account_id: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        summary: Literal[True],
    ) -> AsyncPaginator[str]: ...

    @overload
    def list(
        self,
        *,
        provider: str | None = None,
        identifier: str | None = None,
        tool_names: Iterable[str] | None = None,
        query: str | None = None,
        connector: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        connected_account_id: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        summary: bool,
    ) -> AsyncPaginator[Tool] | AsyncPaginator[str]: ...

    @operation(_LIST)
    def list(
        self,
        *,
        provider: str | None = None,
        identifier: str | None = None,
        tool_names: Iterable[str] | None = None,
        query: str | None = None,
        connector: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        connected_account_id: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        summary: bool = False,
    ) -> AsyncPaginator[Tool] | AsyncPaginator[str]:
        """List tool definitions, filtered by provider, names or a text query.

        `query` (3 to 100 characters) searches names and descriptions. With
        `identifier` and `connector` (or `connected_account_id`) the list also
        holds that connected account's custom MCP tools. A filter passed as
        `None` is not sent. With ``summary=True`` the items are only the tools'
        names (``filter.summary``), a much smaller answer.
        """
        if not isinstance(summary, bool):
            raise TypeError(f"summary must be a bool, not {type(summary).__name__}")
        params = _filters(
            provider=provider,
            identifier=identifier,
            tool_names=tool_names,
            query=query,
            connector=connector,
            organization_id=organization_id,
            user_id=user_id,
            connected_account_id=connected_account_id,
            page_size=page_size,
        )
        token = _given(page_token)
        if summary:
            params["filter.summary"] = True
            return self._paginate(
                _LIST, key="tool_names", item=str, params=params, page_token=token
            )
        return self._paginate(_LIST, key="tools", item=Tool, params=params, page_token=token)

    @operation(_LIST_SCOPED)
    def list_scoped(
        self,
        *,
        identifier: str,
        providers: Iterable[str] | None = None,
        tool_names: Iterable[str] | None = None,
        connection_names: Iterable[str] | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPaginator[ScopedTool]:
        """List the tools *identifier* can call now, each with the connected account it uses.

        This is the list to hand to an LLM for that user or agent. A filter
        passed as `None` is not sent.
        """
        _require_identifier(identifier)
        check_page_size(_given(page_size))
        params = _present(
            identifier=identifier,
            page_size=page_size,
            **{
                "filter.providers": _optional_list("providers", providers),
                "filter.tool_names": _optional_list("tool_names", tool_names),
                "filter.connection_names": _optional_list("connection_names", connection_names),
            },
        )
        return self._paginate(
            _LIST_SCOPED, key="tools", item=ScopedTool, params=params, page_token=_given(page_token)
        )

    @operation(_LIST_AVAILABLE)
    def list_available(
        self,
        *,
        identifier: str,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPaginator[Tool]:
        """List the tools that can be made available to *identifier* (the candidates).

        Unlike `list_scoped`, this includes tools whose connected account is
        not authorized yet. `page_size` and `page_token` passed as `None` are not sent.
        """
        _require_identifier(identifier)
        check_page_size(_given(page_size))
        params = _present(identifier=identifier, page_size=page_size)
        return self._paginate(
            _LIST_AVAILABLE, key="tools", item=Tool, params=params, page_token=_given(page_token)
        )

    @operation(_EXECUTE)
    async def execute(
        self,
        name: str,
        *,
        params: Mapping[str, Any] | None = None,
        connected_account_id: str | None = None,
        identifier: str | None = None,
        connector: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        agent_run_id: str | None = None,
        timeout: float | None = None,
        modifiers: ToolModifiers | None = None,
    ) -> ToolExecution:
        """Run the tool *name* with *params* through a connected account, and return its output.

        Name the account by `connected_account_id`, or by `identifier` and
        `connector` (narrowed by `organization_id`/`user_id`). `agent_run_id`
        groups the calls of one agent run in Scalekit's logs. An argument
        passed as `None` is not sent.

        The call's deadline is *timeout*: by default `EXECUTE_TIMEOUT` (120 s)
        or the client's own timeout if longer. The wait for the answer is
        `EXECUTE_READ_TIMEOUT` (90 s) or the client's read timeout if longer;
        the other phase limits are the client's. It is not retried once sent,
        since running a tool twice may act twice.

        With *modifiers* (a `ToolModifiers`), *params* go through its
        before-modifiers for *name* first and the result through its
        after-modifiers; a modifier's exception propagates as raised.

        Raises:
            ToolExecutionError: the tool failed at its provider.
            NotFoundError: no such tool, or no such connected account.
        """
        if not isinstance(name, str):
            raise TypeError(f"name must be a str, not {type(name).__name__}")
        if not name:
            raise ValueError("name must not be empty")
        if params is not None and not isinstance(params, Mapping):
            raise TypeError("params must be a mapping (a JSON object)")
        if modifiers is not None and not isinstance(modifiers, ToolModifiers):
            raise TypeError(f"modifiers must be ToolModifiers, not {type(modifiers).__name__}")
        engine = self._engine
        if timeout is None:
            timeout = max(EXECUTE_TIMEOUT, engine.options.timeout)
        elif isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        phases = engine.options.timeouts
        timeouts = attrs.evolve(phases, read=max(phases.read, EXECUTE_READ_TIMEOUT))
        if modifiers is not None:
            params = await modifiers.apply_before(name, params or {})
        body = _present(
            tool_name=name,
            params=None if params is None else dict(params),
            connected_account_id=connected_account_id,
            identifier=identifier,
            connector=connector,
            organization_id=organization_id,
            user_id=user_id,
            agent_run_id=agent_run_id,
        )
        data = await engine.call(_EXECUTE, body=body, timeout=float(timeout), timeouts=timeouts)
        result = engine.structure(data, ToolExecution)
        if modifiers is not None:
            result = await modifiers.apply_after(name, result)
        return result

    @operation(_SEARCH)
    async def search(
        self,
        query: str,
        *,
        identifier: str | None = None,
        top_k: int | None = None,
    ) -> tuple[SearchedTool, ...]:
        """**Preview.** Find the tools for a job described in words, best match first.

        This operation is in preview at Scalekit: its request and answer may
        change.

        *query* (1 to 256 characters) is ranked against tool names,
        descriptions and providers. With *identifier* (an end user's email or
        id, at most 100 characters) each result lists the connections that
        identifier has an account on, each with its readiness
        (`SearchedTool.connections`). *top_k* is how many results to return
        (the API's default is 10; at most `SEARCH_TOP_K_MAX`). An argument
        passed as `None` is not sent.
        """
        if not isinstance(query, str):
            raise TypeError(f"query must be a str, not {type(query).__name__}")
        if not 1 <= len(query) <= 256:
            raise ValueError("query must be 1 to 256 characters")
        if identifier is not None:
            if not isinstance(identifier, str):
                raise TypeError(f"identifier must be a str, not {type(identifier).__name__}")
            if len(identifier) > 100:
                raise ValueError("identifier must be at most 100 characters")
        if top_k is not None:
            if isinstance(top_k, bool) or not isinstance(top_k, int):
                raise TypeError(f"top_k must be an int, not {type(top_k).__name__}")
            if not 1 <= top_k <= SEARCH_TOP_K_MAX:
                raise ValueError(f"top_k must be between 1 and {SEARCH_TOP_K_MAX}")
        body = _present(query=query, identifier=identifier, top_k=top_k)
        data = await self._engine.call(_SEARCH, body=body)
        tools = data.get("tools") if isinstance(data, Mapping) else None
        return self._engine.structure(tools or [], tuple[SearchedTool, ...])


def _require_identifier(identifier: object) -> None:
    if not isinstance(identifier, str):
        raise TypeError(f"identifier must be a str, not {type(identifier).__name__}")
    if not identifier:
        raise ValueError("identifier must not be empty")


def _given(value: T | None) -> NotGivenOr[T]:
    """`None` as not given: a list filter or call argument passed as `None` is left out."""
    return NOT_GIVEN if value is None else value


def _present(**fields: object) -> dict[str, Any]:
    """The keyword arguments whose value is not `None`, in order."""
    return {k: v for k, v in fields.items() if v is not None}


def _optional_list(name: str, values: Iterable[str] | None) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        raise TypeError(f"{name} must be a list of str, not one str")
    out = list(values)
    if not all(isinstance(v, str) for v in out):
        raise TypeError(f"{name} must be a list of str")
    return out


def _filters(
    *,
    provider: str | None,
    identifier: str | None,
    tool_names: Iterable[str] | None,
    query: str | None,
    connector: str | None,
    organization_id: str | None,
    user_id: str | None,
    connected_account_id: str | None,
    page_size: int | None,
) -> dict[str, Any]:
    """The query string of ``GET /api/v1/tools``: ``filter.*`` fields and the page size."""
    check_page_size(_given(page_size))
    if query is not None and (not isinstance(query, str) or not 3 <= len(query) <= 100):
        raise ValueError("query must be a str of 3 to 100 characters")
    filters = _present(
        provider=provider,
        identifier=identifier,
        tool_name=_optional_list("tool_names", tool_names),
        query=query,
        connector=connector,
        organization_id=organization_id,
        user_id=user_id,
        connected_account_id=connected_account_id,
    )
    params: dict[str, Any] = {f"filter.{key}": value for key, value in filters.items()}
    if page_size is not None:
        params["page_size"] = page_size
    return params
