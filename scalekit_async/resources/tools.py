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

from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypeVar, overload

import attrs

from .._pagination import AsyncPaginator
from .._routes import Route, operation
from .._types import NOT_GIVEN, NotGivenOr
from ..models.tools import ScopedTool, Tool, ToolExecution
from ._base import Resource, check_page_size

__all__ = ["EXECUTE_READ_TIMEOUT", "EXECUTE_TIMEOUT", "Tools"]

T = TypeVar("T")

_LIST = Route("GET", "/api/v1/tools")
_LIST_SCOPED = Route("GET", "/api/v1/tools/scoped")
_LIST_AVAILABLE = Route("GET", "/api/v1/tools/available")
_EXECUTE = Route("POST", "/api/v1/execute_tool", replayable=False)

EXECUTE_TIMEOUT = 120.0
"""The default deadline of `Tools.execute`, in seconds (token fetch and attempt together).

The official SDKs wait 60 s for a tool; a tool's provider may be slow, so
this SDK allows twice that by default.
"""
EXECUTE_READ_TIMEOUT = 90.0
"""How long `Tools.execute` waits for the answer once the request is sent, in seconds."""


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
        engine = self._engine
        if timeout is None:
            timeout = max(EXECUTE_TIMEOUT, engine.options.timeout)
        elif isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        phases = engine.options.timeouts
        timeouts = attrs.evolve(phases, read=max(phases.read, EXECUTE_READ_TIMEOUT))
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
        return engine.structure(data, ToolExecution)


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
