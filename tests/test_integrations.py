"""The LangChain and Google ADK adapters: async tools whose results are JSON text."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import scalekit_async as sk
from scalekit_async import ScalekitClient
from scalekit_async.integrations import google_adk, langchain
from scalekit_async.resources.tools import ToolModifiers
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._tools import fail_tool

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> tuple[str, dict[str, object]]:
    """LangChain and ADK run their tools on asyncio only (``ainvoke`` needs its event loop)."""
    return ("asyncio", {})


ADA = "ada@example.com"


async def _accounts(client: ScalekitClient) -> dict[str, str]:
    ids = {}
    for connector in ("gmail", "slack"):
        account = await client.connected_accounts.create(
            connector=connector,
            identifier=ADA,
            authorization_details=sk.AuthorizationDetails(
                oauth_token=sk.OauthToken(access_token="at")
            ),
        )
        ids[connector] = account.id
    await client.connected_accounts.create(connector="notion", identifier=ADA)  # not active
    return ids


async def test_langchain_tools_run_asynchronously_and_answer_json(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    ids = await _accounts(client)
    tools = await langchain.get_tools(client, identifier=ADA)
    by_name = {t.name: t for t in tools}
    assert set(by_name) == {"gmail_send_email", "gmail_fetch_mails", "slack_send_message"}
    send = by_name["gmail_send_email"]
    assert send.description == "Send an email from the user's Gmail account"
    assert send.args["to"] == {"type": "string"}
    assert send.coroutine is not None
    assert send.func is None
    text = await send.ainvoke({"to": "b@example.com", "subject": "Hi"})
    result = json.loads(text)  # JSON, not a Python repr
    assert result["data"]["status"] == "SENT"
    assert result["execution_id"].startswith("tex_") or result["execution_id"]
    executed = fake.api_requests("POST", "/api/v1/execute_tool")[-1].json()
    assert executed["connected_account_id"] == ids["gmail"]
    assert executed["params"] == {"to": "b@example.com", "subject": "Hi"}


async def test_langchain_filters_and_modifiers(client: ScalekitClient, fake: FakeScalekit) -> None:
    await _accounts(client)
    mods = ToolModifiers()
    mods.add_before(lambda name, params: {**params, "text": params["text"].upper()})
    (tool,) = await langchain.get_tools(
        client, identifier=ADA, tool_names=["slack_send_message"], modifiers=mods
    )
    json.loads(await tool.ainvoke({"channel": "#x", "text": "hi"}))
    assert fake.api_requests("POST", "/api/v1/execute_tool")[-1].json()["params"]["text"] == "HI"


async def test_langchain_shows_a_tool_failure_to_the_model_as_json(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    await _accounts(client)
    fail_tool(fake, "gmail_fetch_mails", error_code="QUOTA", message="daily quota")
    (tool,) = await langchain.get_tools(client, identifier=ADA, tool_names=["gmail_fetch_mails"])
    error = json.loads(await tool.ainvoke({}))
    assert error["tool_error_code"] == "QUOTA"
    assert error["tool_error_message"] == "daily quota"


async def test_langchain_lets_sdk_failures_propagate(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    await _accounts(client)
    (tool,) = await langchain.get_tools(client, identifier=ADA, tool_names=["gmail_send_email"])
    fake.fail_next(path="/api/v1/execute_tool", status=403)
    with pytest.raises(sk.PermissionDeniedError):
        await tool.ainvoke({"to": "b@example.com", "subject": "Hi"})


async def test_google_adk_tools_declare_the_schema_and_await_the_call(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    ids = await _accounts(client)
    tools = await google_adk.get_tools(client, identifier=ADA, providers=["SLACK"])
    (tool,) = tools
    assert tool.name == "slack_send_message"
    declaration = tool._get_declaration()
    assert declaration.name == "slack_send_message"
    assert declaration.parameters_json_schema["required"] == ["channel", "text"]
    text = await tool.run_async(args={"channel": "#x", "text": "hi"}, tool_context=None)  # type: ignore[arg-type]
    assert json.loads(text)["data"]["ok"] is True
    executed = fake.api_requests("POST", "/api/v1/execute_tool")[-1].json()
    assert executed["connected_account_id"] == ids["slack"]
    fail_tool(fake, "slack_send_message")
    error = json.loads(
        await tool.run_async(args={"channel": "#x", "text": "hi"}, tool_context=None)
    )  # type: ignore[arg-type]
    assert error["tool_error_code"] == "UPSTREAM_ERROR"


def test_importing_the_sdk_does_not_import_the_frameworks() -> None:
    code = (
        "import sys, scalekit_async, scalekit_async.integrations;"
        "assert 'langchain_core' not in sys.modules;"
        "assert 'google.adk' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
