"""The fake's tools endpoints: a fixed tool catalogue, scoped lists and tool execution.

The catalogue (`TOOLS`) holds a few tools of the built-in connectors of
`_connected_accounts.CONNECTORS`; executing one returns a result computed
only from its parameters, so tests can assert on it. A tool is scoped to an
identifier when the identifier has an ``ACTIVE`` connected account of the
tool's connector, and available when it has any account of it.

``POST /api/v1/tools:search`` ranks the catalogue by the share of the query's
words found in a tool's name, description and connector (0 to 1; tools with
no word in common are left out); with an ``identifier`` each result lists that
identifier's accounts of the tool's connector and their readiness.

`fail_tool` makes a tool fail at its "provider": executing it then answers
500 with ``error_code == "TOOL_ERROR"`` and a ``tool_error_info``, which the
client raises as `scalekit_async.ToolExecutionError`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ._connected_accounts import CONNECTORS, find_by_key
from ._constants import TOOL_EXECUTION_PREFIX
from ._http import ApiError, FakeRequest, Reply, as_mapping, error_body
from ._paging import page
from ._state import FakeState, ToolFailure

__all__ = ["TOOLS", "ToolFailure", "fail_tool", "install"]

_UPDATED_AT = "2025-01-01T00:00:00Z"


def _digest(name: str, params: Mapping[str, Any]) -> str:
    raw = json.dumps([name, params], sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(raw).hexdigest()


def _send_email(p: Mapping[str, Any], d: str) -> dict[str, Any]:
    return {"id": f"msg_{d[:16]}", "thread_id": f"thr_{d[16:32]}", "to": p["to"], "status": "SENT"}


def _fetch_mails(p: Mapping[str, Any], d: str) -> dict[str, Any]:
    count = p.get("max_results", 2)
    count = count if isinstance(count, int) and not isinstance(count, bool) else 2
    messages = [
        {"id": f"msg_{i:04d}", "subject": f"Message {i}", "from": "team@example.com"}
        for i in range(1, min(max(count, 0), 5) + 1)
    ]
    return {"messages": messages, "result_size_estimate": len(messages)}


def _send_message(p: Mapping[str, Any], d: str) -> dict[str, Any]:
    return {"ok": True, "channel": p["channel"], "ts": f"1700000000.{int(d[:6], 16) % 10**6:06d}"}


def _create_page(p: Mapping[str, Any], d: str) -> dict[str, Any]:
    return {"page_id": d[:32], "title": p["title"], "url": f"https://notion.so/{d[:32]}"}


def _create_issue(p: Mapping[str, Any], d: str) -> dict[str, Any]:
    number = int(d[:4], 16) % 1000 + 1
    return {
        "number": number,
        "title": p["title"],
        "html_url": f"https://github.com/{p['repo']}/issues/{number}",
    }


def _forecast(p: Mapping[str, Any], d: str) -> dict[str, Any]:
    return {"city": p["city"], "forecast": "sunny", "temperature_c": int(d[:2], 16) % 35}


Result = Callable[[Mapping[str, Any], str], dict[str, Any]]

_CATALOGUE: tuple[tuple[str, str, str, dict[str, str], tuple[str, ...], Result], ...] = (
    (
        "gmail",
        "gmail_send_email",
        "Send an email from the user's Gmail account",
        {"to": "string", "subject": "string", "body": "string"},
        ("to", "subject"),
        _send_email,
    ),
    (
        "gmail",
        "gmail_fetch_mails",
        "Fetch the latest emails of the user's Gmail inbox",
        {"max_results": "integer"},
        (),
        _fetch_mails,
    ),
    (
        "slack",
        "slack_send_message",
        "Post a message to a Slack channel",
        {"channel": "string", "text": "string"},
        ("channel", "text"),
        _send_message,
    ),
    (
        "notion",
        "notion_create_page",
        "Create a Notion page",
        {"title": "string", "content": "string"},
        ("title",),
        _create_page,
    ),
    (
        "github",
        "github_create_issue",
        "Open an issue in a GitHub repository",
        {"repo": "string", "title": "string", "body": "string"},
        ("repo", "title"),
        _create_issue,
    ),
    (
        "weather",
        "weather_get_forecast",
        "Get the weather forecast for a city",
        {"city": "string"},
        ("city",),
        _forecast,
    ),
)


@attrs.frozen
class _Entry:
    connector: str
    tool: dict[str, Any]
    required: tuple[str, ...]
    result: Result

    @property
    def name(self) -> str:
        return str(self.tool["definition"]["name"])


def _entries() -> dict[str, _Entry]:
    out: dict[str, _Entry] = {}
    for index, (connector, name, description, props, required, result) in enumerate(
        _CATALOGUE, start=1
    ):
        tool = {
            "id": f"tool_{index:04d}",
            "provider": CONNECTORS[connector]["provider"],
            "definition": {
                "name": name,
                "description": description,
                "input_schema": {
                    "type": "object",
                    "properties": {k: {"type": t} for k, t in props.items()},
                    "required": list(required),
                },
            },
            "metadata": {"connector": connector},
            "tags": [connector],
            "is_default": True,
            "updated_at": _UPDATED_AT,
        }
        out[name] = _Entry(connector, tool, required, result)
    return out


TOOLS: Mapping[str, Mapping[str, Any]] = {name: e.tool for name, e in _entries().items()}
"""The fake's tool catalogue: tool name -> ``tools.Tool`` wire JSON."""


def fail_tool(
    fake: FakeState,
    tool_name: str,
    *,
    error_code: str = "UPSTREAM_ERROR",
    message: str = "the provider refused the request",
) -> None:
    """Make every execution of *tool_name* on *fake* fail at its provider (a ``TOOL_ERROR``).

    The failure is kept in ``fake.tool_failures`` (delete it there to heal the tool).

    Raises:
        KeyError: *tool_name* is not in the fake's catalogue.
    """
    if tool_name not in TOOLS:
        raise KeyError(f"no tool {tool_name!r} in the fake's catalogue")
    fake.tool_failures[tool_name] = ToolFailure(error_code, message)


_SEARCH_DEFAULT_TOP_K = 10
_SEARCH_MAX_TOP_K = 50
_READINESS = {
    "ACTIVE": "TOOL_READINESS_STATE_READY",
    "EXPIRED": "TOOL_READINESS_STATE_NEEDS_REAUTH",
    "REVOKED": "TOOL_READINESS_STATE_NEEDS_REAUTH",
}


def _score(query: str, entry: _Entry) -> float:
    """The share of the query's words found in the tool's name, description or provider."""
    words = [w for w in query.lower().replace("_", " ").split() if w]
    if not words:
        return 0.0
    text = " ".join(
        (entry.name.replace("_", " "), entry.tool["definition"]["description"], entry.connector)
    ).lower()
    hits = sum(1 for w in words if w in text)
    return round(hits / len(words), 4)


def _bad(field: str, description: str) -> ApiError:
    return ApiError(400, "invalid request", violations=((field, description),))


def install(fake: FakeState) -> None:
    """Route the tools operations on *fake*."""
    entries = _entries()

    def accounts_of(identifier: str, *, active: bool) -> list[dict[str, Any]]:
        accounts = fake.connected_accounts
        return [
            a
            for a in (accounts[i] for i in accounts.ids_of_identifier(identifier))
            if a["identifier"] == identifier and (not active or a["status"] == "ACTIVE")
        ]

    def require_identifier(request: FakeRequest) -> str:
        identifier = request.param("identifier")
        if not identifier:
            raise _bad("identifier", "value is required")
        if len(identifier) > 100:
            raise _bad("identifier", "at most 100 characters")
        return identifier

    def list_(request: FakeRequest) -> Reply:
        found = list(entries.values())
        provider = request.param("filter.provider")
        if provider:
            found = [e for e in found if e.tool["provider"].lower() == provider.lower()]
        names = request.params("filter.tool_name")
        if names:
            found = [e for e in found if e.name in names]
        query = request.param("filter.query")
        if query is not None:
            if not 3 <= len(query) <= 100:
                raise _bad("filter.query", "must be 3 to 100 characters")
            words = query.lower().split()
            found = [
                e
                for e in found
                if all(
                    w in f"{e.name} {e.tool['definition']['description']}".lower() for w in words
                )
            ]
        account_id = request.param("filter.connected_account_id")
        identifier = request.param("filter.identifier")
        connector = request.param("filter.connector")
        if account_id:
            account = fake.connected_accounts.get(account_id)
            if account is None:
                raise ApiError(404, f"connected account {account_id} not found")
            found = [e for e in found if e.connector == account["connector"]]
        elif identifier and connector:
            account = find_by_key(
                fake,
                connector,
                identifier,
                request.param("filter.organization_id"),
                request.param("filter.user_id"),
            )
            if account is None:
                raise ApiError(404, "connected account not found")
            found = [e for e in found if e.connector == account["connector"]]
        elif identifier:
            connectors = {a["connector"] for a in accounts_of(identifier, active=False)}
            found = [e for e in found if e.connector in connectors]
        elif connector:
            found = [e for e in found if e.connector == connector]
        if request.param("filter.summary") == "true":
            reply = page(request, [e.name for e in found], "tool_names")
            reply["tools"] = []
        else:
            reply = page(request, [e.tool for e in found], "tools")
            reply["tool_names"] = []
        return Reply.json(200, reply)

    def list_scoped(request: FakeRequest) -> Reply:
        identifier = require_identifier(request)
        providers = {p.lower() for p in request.params("filter.providers")}
        names = set(request.params("filter.tool_names"))
        connections = set(request.params("filter.connection_names"))
        items = []
        for account in accounts_of(identifier, active=True):
            if connections and account["connector"] not in connections:
                continue
            for entry in entries.values():
                if entry.connector != account["connector"]:
                    continue
                if providers and entry.tool["provider"].lower() not in providers:
                    continue
                if names and entry.name not in names:
                    continue
                items.append(
                    {
                        "tool": entry.tool,
                        "identifier": identifier,
                        "connected_account_id": account["id"],
                    }
                )
        return Reply.json(200, page(request, items, "tools"))

    def list_available(request: FakeRequest) -> Reply:
        identifier = require_identifier(request)
        connectors = {a["connector"] for a in accounts_of(identifier, active=False)}
        items = [e.tool for e in entries.values() if e.connector in connectors]
        return Reply.json(200, page(request, items, "tools"))

    def execute(request: FakeRequest) -> Reply:
        body = as_mapping(request.json())
        name = body.get("tool_name")
        if not isinstance(name, str) or not name:
            raise _bad("tool_name", "value is required")
        entry = entries.get(name)
        if entry is None:
            raise ApiError(404, f"tool {name} not found")
        params = body.get("params") or {}
        if not isinstance(params, Mapping):
            raise _bad("params", "must be a JSON object")
        account = find_account(body, entry)
        if account["status"] != "ACTIVE":
            raise ApiError(
                400,
                f"connected account {account['id']} is {account['status']}, not ACTIVE",
                error_code="FAILED_PRECONDITION",
            )
        missing = [k for k in entry.required if k not in params]
        if missing:
            raise ApiError(
                400,
                "invalid tool parameters",
                violations=tuple((f"params.{k}", "value is required") for k in missing),
            )
        execution_id = fake.new_id(TOOL_EXECUTION_PREFIX)
        account["last_used_at"] = fake.now()
        failure = fake.tool_failures.get(name)
        if failure is not None:
            error = error_body(500, f"tool {name} failed", error_code="TOOL_ERROR")
            error["details"][0]["tool_error_info"] = {
                "execution_id": execution_id,
                "tool_error_code": failure.error_code,
                "tool_error_message": failure.message,
            }
            return Reply.json(500, error)
        data = entry.result(params, _digest(name, params))
        return Reply.json(200, {"data": data, "execution_id": execution_id})

    def search(request: FakeRequest) -> Reply:
        body = as_mapping(request.json())
        query = body.get("query")
        if not isinstance(query, str) or not query:
            raise _bad("query", "value is required")
        if len(query) > 256:
            raise _bad("query", "at most 256 characters")
        identifier = body.get("identifier")
        if identifier is not None and (not isinstance(identifier, str) or len(identifier) > 100):
            raise _bad("identifier", "at most 100 characters")
        top_k = body.get("top_k", 0)
        if isinstance(top_k, str) and top_k.isdigit():
            top_k = int(top_k)
        if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 0:
            raise _bad("top_k", "must be a non-negative integer")
        limit = min(top_k or _SEARCH_DEFAULT_TOP_K, _SEARCH_MAX_TOP_K)
        ranked = []
        for entry in entries.values():
            score = _score(query, entry)
            if score > 0:
                ranked.append((score, entry))
        ranked.sort(key=lambda pair: (-pair[0], pair[1].name))
        tools = []
        for score, entry in ranked[:limit]:
            tool: dict[str, Any] = {
                "name": entry.name,
                "provider": entry.tool["provider"],
                "description": entry.tool["definition"]["description"],
                "score": score,
            }
            if identifier:
                tool["connections"] = [
                    {
                        "connection_name": account["connector"],
                        "connected_account_id": account["id"],
                        "readiness_state": _READINESS.get(
                            account["status"], "TOOL_READINESS_STATE_NEEDS_CONNECTION"
                        ),
                    }
                    for account in accounts_of(identifier, active=False)
                    if account["connector"] == entry.connector
                ]
            tools.append(tool)
        return Reply.json(200, {"tools": tools})

    def find_account(body: Mapping[str, Any], entry: _Entry) -> dict[str, Any]:
        account_id = body.get("connected_account_id")
        if account_id:
            account = fake.connected_accounts.get(str(account_id))
            if account is None:
                raise ApiError(404, f"connected account {account_id} not found")
            if account["connector"] != entry.connector:
                raise _bad("connected_account_id", f"not an account of {entry.connector}")
            return account
        identifier = body.get("identifier")
        if not isinstance(identifier, str) or not identifier:
            raise _bad("identifier", "give connected_account_id, or identifier")
        connector = body.get("connector") or entry.connector
        if connector != entry.connector:
            raise _bad("connector", f"tool {entry.name} belongs to {entry.connector}")
        found = find_by_key(
            fake,
            entry.connector,
            identifier,
            body.get("organization_id") or None,
            body.get("user_id") or None,
        )
        if found is None:
            raise ApiError(404, f"no {entry.connector} connected account for {identifier}")
        return found

    add = fake.router.add
    add("GET", "/api/v1/tools", list_)
    add("GET", "/api/v1/tools/scoped", list_scoped)
    add("GET", "/api/v1/tools/available", list_available)
    add("POST", "/api/v1/execute_tool", execute)
    add("POST", "/api/v1/tools:search", search)
