"""Every Tool Calling operation, once."""

from __future__ import annotations

from scalekit_async import ScalekitClient, ToolExecutionError
from scalekit_async.models import AuthorizationDetails, OauthToken
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._tools import fail_tool


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    account = await client.connected_accounts.create(
        connector="gmail",
        identifier="tools-tour@example.com",
        authorization_details=AuthorizationDetails(oauth_token=OauthToken(access_token="at")),
    )
    await client.tools.list(provider="GMAIL", query="send email", page_size=10)
    await client.tools.list(identifier="tools-tour@example.com", summary=True)
    await client.tools.list_scoped(
        identifier="tools-tour@example.com", providers=["GMAIL"], page_size=10
    )
    await client.tools.list_available(identifier="tools-tour@example.com", page_size=10)
    await client.tools.execute(
        "gmail_send_email",
        params={"to": "a@example.com", "subject": "Hi", "body": "Hello"},
        connected_account_id=account.id,
        agent_run_id="run_tour",
    )
    found = await client.tools.search("send an email", identifier="tools-tour@example.com", top_k=5)
    assert found, "search found nothing"
    assert found[0].name == "gmail_send_email", found
    fail_tool(fake, "gmail_fetch_mails")
    try:
        await client.tools.execute(
            "gmail_fetch_mails", identifier="tools-tour@example.com", connector="gmail"
        )
    except ToolExecutionError:
        pass
    else:
        raise AssertionError("a failing tool did not raise ToolExecutionError")
