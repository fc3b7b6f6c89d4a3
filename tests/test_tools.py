"""client.tools against the stateful fake: catalogue lists, scoped tools and tool execution."""

from __future__ import annotations

import httpx
import pytest

import scalekit_async as sk
from scalekit_async import ScalekitClient
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._tools import TOOLS, fail_tool

pytestmark = pytest.mark.anyio

ADA = "ada@example.com"


async def _active(client: ScalekitClient, connector: str = "gmail") -> sk.ConnectedAccount:
    return await client.connected_accounts.create(
        connector=connector,
        identifier=ADA,
        authorization_details=sk.AuthorizationDetails(oauth_token=sk.OauthToken(access_token="at")),
    )


# -- lists ----------------------------------------------------------------------------


async def test_list_returns_typed_tools_of_the_catalogue(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    tools = [t async for t in client.tools.list(page_size=4)]
    assert {t.name for t in tools} == set(TOOLS)
    send = next(t for t in tools if t.name == "gmail_send_email")
    assert send.provider == "GMAIL"
    assert send.definition["input_schema"]["required"] == ["to", "subject"]
    assert send.is_default is True
    assert send.updated_at is not None
    assert send.updated_at.tzinfo is not None
    assert len(fake.api_requests("GET", "/api/v1/tools")) == 2


async def test_list_sends_filters_as_dotted_query_keys(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    page = await client.tools.list(
        provider="gmail", tool_names=["gmail_send_email", "slack_send_message"]
    )
    assert [t.name for t in page.items] == ["gmail_send_email"]
    (request,) = fake.api_requests("GET", "/api/v1/tools")
    assert request.params("filter.tool_name") == ["gmail_send_email", "slack_send_message"]
    assert request.param("filter.provider") == "gmail"


async def test_list_searches_names_and_descriptions(client: ScalekitClient) -> None:
    page = await client.tools.list(query="weather city")
    assert [t.name for t in page.items] == ["weather_get_forecast"]


async def test_list_of_an_identifier_holds_its_connectors_tools(client: ScalekitClient) -> None:
    await _active(client, "slack")
    page = await client.tools.list(identifier=ADA)
    assert [t.name for t in page.items] == ["slack_send_message"]


async def test_list_summary_returns_only_names(client: ScalekitClient, fake: FakeScalekit) -> None:
    page = await client.tools.list(provider="GMAIL", summary=True)
    assert sorted(page.items) == ["gmail_fetch_mails", "gmail_send_email"]
    (request,) = fake.api_requests("GET", "/api/v1/tools")
    assert request.param("filter.summary") == "true"


async def test_list_checks_arguments_before_sending(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match="query"):
        client.tools.list(query="ab")
    with pytest.raises(TypeError):
        client.tools.list(tool_names="gmail_send_email")
    with pytest.raises(ValueError, match="page_size"):
        client.tools.list(page_size=0)
    assert fake.api_requests() == []


async def test_list_scoped_holds_tools_of_active_accounts_only(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    gmail = await _active(client, "gmail")
    await client.connected_accounts.create(connector="slack", identifier=ADA)  # pending
    scoped = [t async for t in client.tools.list_scoped(identifier=ADA)]
    assert {s.tool.name for s in scoped if s.tool} == {"gmail_send_email", "gmail_fetch_mails"}
    assert {s.connected_account_id for s in scoped} == {gmail.id}
    assert {s.identifier for s in scoped} == {ADA}


async def test_list_scoped_filters_by_names_and_providers(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    await _active(client, "gmail")
    await _active(client, "notion")
    page = await client.tools.list_scoped(
        identifier=ADA, providers=["NOTION"], tool_names=["notion_create_page"]
    )
    assert [s.tool.name for s in page.items if s.tool] == ["notion_create_page"]
    (request,) = fake.api_requests("GET", "/api/v1/tools/scoped")
    assert request.params("filter.providers") == ["NOTION"]
    assert request.params("filter.tool_names") == ["notion_create_page"]
    assert request.param("identifier") == ADA


async def test_list_available_includes_accounts_not_yet_authorized(
    client: ScalekitClient,
) -> None:
    await client.connected_accounts.create(connector="slack", identifier=ADA)
    available = await client.tools.list_available(identifier=ADA)
    scoped = await client.tools.list_scoped(identifier=ADA)
    assert [t.name for t in available.items] == ["slack_send_message"]
    assert scoped.items == ()


async def test_scoped_and_available_need_an_identifier(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match="identifier"):
        client.tools.list_scoped(identifier="")
    with pytest.raises(TypeError):
        client.tools.list_available(identifier=None)  # type: ignore[arg-type]
    assert fake.api_requests() == []


# -- execution --------------------------------------------------------------------------


async def test_execute_returns_the_tools_output_and_sends_the_call(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    account = await _active(client)
    params = {"to": "bob@example.com", "subject": "Hi", "body": "Hello"}
    result = await client.tools.execute(
        "gmail_send_email", params=params, connected_account_id=account.id, agent_run_id="run_1"
    )
    assert result.execution_id.startswith("exec_")
    assert result.data["to"] == "bob@example.com"
    assert result.data["status"] == "SENT"
    (request,) = fake.api_requests("POST", "/api/v1/execute_tool")
    assert request.json() == {
        "tool_name": "gmail_send_email",
        "params": params,
        "connected_account_id": account.id,
        "agent_run_id": "run_1",
    }
    assert "last_used_at" in fake.connected_accounts[account.id]


async def test_execute_results_are_deterministic(client: ScalekitClient) -> None:
    await _active(client, "github")
    params = {"repo": "acme/app", "title": "Bug"}
    first = await client.tools.execute("github_create_issue", params=params, identifier=ADA)
    second = await client.tools.execute("github_create_issue", params=params, identifier=ADA)
    assert first.data == second.data
    assert first.data["html_url"] == f"https://github.com/acme/app/issues/{first.data['number']}"
    assert first.execution_id != second.execution_id
    other_fake = FakeScalekit(seed=1)
    async with other_fake.client() as other:
        await _active(other, "github")
        again = await other.tools.execute("github_create_issue", params=params, identifier=ADA)
    assert again.data == first.data


async def test_a_failing_tool_raises_tool_execution_error_without_retry(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    await _active(client)
    fail_tool(fake, "gmail_fetch_mails", error_code="RATE_LIMITED", message="quota exceeded")
    with pytest.raises(sk.ToolExecutionError) as caught:
        await client.tools.execute("gmail_fetch_mails", identifier=ADA, connector="gmail")
    error = caught.value
    assert error.error_code == "TOOL_ERROR"
    assert error.status_code == 500
    assert error.execution_id is not None
    assert error.execution_id.startswith("exec_")
    assert (error.tool_error_code, error.tool_error_message) == ("RATE_LIMITED", "quota exceeded")
    assert len(fake.api_requests("POST", "/api/v1/execute_tool")) == 1


async def test_execute_is_not_retried_after_a_server_error(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    await _active(client)
    fake.fail_next(status=503, path="/api/v1/execute_tool")
    with pytest.raises(sk.ServerError):
        await client.tools.execute("gmail_fetch_mails", identifier=ADA)
    assert len(fake.api_requests("POST", "/api/v1/execute_tool")) == 1


async def test_execute_is_never_repeated_even_when_writes_retry(fake: FakeScalekit) -> None:
    policy = sk.RetryPolicy(retry_writes=True, backoff_base=0.01)
    async with fake.client(retry=policy) as client:
        await _active(client)
        fake.fail_next(status=503, path="/api/v1/execute_tool")
        with pytest.raises(sk.ServerError):
            await client.tools.execute("gmail_fetch_mails", identifier=ADA)
        fake.fail_next(status=503, path="/api/v1/organizations")
        await client.organizations.create(display_name="writes do retry")
    assert len(fake.api_requests("POST", "/api/v1/execute_tool")) == 1
    assert len(fake.api_requests("POST", "/api/v1/organizations")) == 2


async def test_execute_unknown_tool_or_account_is_not_found(client: ScalekitClient) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.tools.execute("teleport", identifier=ADA)
    with pytest.raises(sk.NotFoundError):
        await client.tools.execute("gmail_fetch_mails", identifier=ADA)


async def test_execute_with_missing_params_names_the_fields(client: ScalekitClient) -> None:
    await _active(client, "slack")
    with pytest.raises(sk.BadRequestError) as caught:
        await client.tools.execute("slack_send_message", params={"text": "hi"}, identifier=ADA)
    assert [v.field for v in caught.value.field_violations] == ["params.channel"]


async def test_execute_through_a_pending_account_is_refused(client: ScalekitClient) -> None:
    await client.connected_accounts.create(connector="weather", identifier=ADA)
    with pytest.raises(sk.BadRequestError, match="PENDING_AUTH"):
        await client.tools.execute("weather_get_forecast", params={"city": "Oslo"}, identifier=ADA)


async def test_execute_checks_arguments_before_sending(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match=r"^name must not be empty"):
        await client.tools.execute("")
    with pytest.raises(TypeError, match=r"^name must be a str"):
        await client.tools.execute(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await client.tools.execute(tool_name="gmail_send_email")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        await client.tools.execute("gmail_send_email", params=[1, 2])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout"):
        await client.tools.execute("gmail_send_email", timeout=0)
    assert fake.api_requests() == []


async def test_execute_has_a_longer_deadline_than_other_calls(fake: FakeScalekit) -> None:
    async with fake.client(timeout=0.2) as client:
        await _active(client, "weather")
        fake.fail_next(path="/api/v1/execute_tool", delay=0.4)
        result = await client.tools.execute(
            "weather_get_forecast", params={"city": "Oslo"}, identifier=ADA
        )
        assert result.data["city"] == "Oslo"
        fake.fail_next(path="/api/v1/tools", delay=0.4)
        with pytest.raises(sk.APITimeoutError):
            await client.tools.list()


async def test_execute_deadline_can_be_shortened(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    await _active(client, "weather")
    fake.fail_next(path="/api/v1/execute_tool", delay=0.4)
    with pytest.raises(sk.APITimeoutError):
        await client.tools.execute(
            "weather_get_forecast", params={"city": "Oslo"}, identifier=ADA, timeout=0.1
        )


async def test_execute_waits_longer_for_the_answer_over_a_socket(fake: FakeScalekit) -> None:
    async with fake.serve() as url, httpx.AsyncClient() as http:
        client = ScalekitClient(
            url,
            fake.client_id,
            fake.client_secret,
            http_client=http,
            max_retries=0,
            timeouts=sk.Timeouts(read=0.2),
        )
        async with client:
            await _active(client, "weather")
            fake.fail_next(path="/api/v1/execute_tool", delay=0.5)
            result = await client.tools.execute(
                "weather_get_forecast", params={"city": "Oslo"}, identifier=ADA
            )
            assert result.data["forecast"] == "sunny"
            fake.fail_next(path="/api/v1/tools", delay=0.5)
            with pytest.raises(sk.APITimeoutError, match="read timeout"):
                await client.tools.list()


async def test_list_summary_must_be_a_bool(client: ScalekitClient, fake: FakeScalekit) -> None:
    with pytest.raises(TypeError, match="summary"):
        client.tools.list(summary="yes")  # type: ignore[call-overload]
    assert not hasattr(client.tools, "list_names")
    assert fake.api_requests() == []


async def test_lists_treat_none_as_not_given(client: ScalekitClient, fake: FakeScalekit) -> None:
    await _active(client, "gmail")
    nones = dict.fromkeys(
        (
            "provider",
            "identifier",
            "tool_names",
            "query",
            "connector",
            "organization_id",
            "user_id",
            "connected_account_id",
            "page_size",
            "page_token",
        )
    )
    await client.tools.list(**nones)  # type: ignore[arg-type]
    await client.tools.list(**nones, summary=True)  # type: ignore[arg-type]
    await client.tools.list_scoped(
        identifier=ADA,
        providers=None,
        tool_names=None,
        connection_names=None,
        page_size=None,
        page_token=None,
    )
    await client.tools.list_available(identifier=ADA, page_size=None, page_token=None)
    queries = [r.query for r in fake.api_requests("GET")]
    assert queries == [
        (),
        (("filter.summary", "true"),),
        (("identifier", ADA),),
        (("identifier", ADA),),
    ]


async def test_execute_takes_the_tool_as_name_and_leaves_out_none(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    account = await _active(client, "gmail")
    params = {"to": "bob@example.com", "subject": "Hi", "body": "Hello"}
    await client.tools.execute(
        name="gmail_send_email",
        params=params,
        connected_account_id=account.id,
        identifier=None,
        connector=None,
        organization_id=None,
        user_id=None,
        agent_run_id=None,
    )
    (request,) = fake.api_requests("POST", "/api/v1/execute_tool")
    assert request.json() == {
        "tool_name": "gmail_send_email",
        "params": params,
        "connected_account_id": account.id,
    }


# -- search (POST /api/v1/tools:search) ----------------------------------------------------


async def test_search_ranks_tools_and_sends_only_given_fields(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    found = await client.tools.search("send an email")
    assert found[0].name == "gmail_send_email"
    assert found[0].provider == "GMAIL"
    assert found[0].score >= found[-1].score
    assert all(t.connections == () for t in found)  # no identifier: no readiness
    sent = fake.api_requests("POST", "/api/v1/tools:search")[-1]
    assert sent.json() == {"query": "send an email"}


async def test_search_with_an_identifier_reports_readiness(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    account = await _active(client)
    await client.connected_accounts.create(connector="slack", identifier=ADA)  # pending
    found = {t.name: t for t in await client.tools.search("send", identifier=ADA, top_k=50)}
    (gmail,) = found["gmail_send_email"].connections
    assert gmail.connected_account_id == account.id
    assert gmail.readiness_state is sk.ToolReadinessState.READY
    assert gmail.ready
    (slack,) = found["slack_send_message"].connections
    assert slack.readiness_state == "TOOL_READINESS_STATE_NEEDS_CONNECTION"
    assert not slack.ready
    assert fake.api_requests("POST", "/api/v1/tools:search")[-1].json()["top_k"] == 50


async def test_search_top_k_limits_the_results(client: ScalekitClient) -> None:
    assert len(await client.tools.search("a", top_k=2)) == 2


async def test_search_keeps_an_unknown_readiness_state(client: ScalekitClient) -> None:
    body = {
        "tools": [
            {
                "name": "x",
                "connections": [{"connection_name": "c", "readiness_state": "BRAND_NEW"}],
            }
        ]
    }

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 60})
        return httpx.Response(200, json=body)

    async with sk.ScalekitClient(
        "https://x.test",
        "id",
        "secret-of-at-least-16-chars",
        transport=httpx.MockTransport(handler),
    ) as mocked:
        (tool,) = await mocked.tools.search("x")
    assert tool.connections[0].readiness_state == "BRAND_NEW"
    assert not tool.connections[0].readiness_state.known


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"query": ""}, ValueError),
        ({"query": "x" * 257}, ValueError),
        ({"query": 3}, TypeError),
        ({"query": "x", "identifier": "i" * 101}, ValueError),
        ({"query": "x", "top_k": 0}, ValueError),
        ({"query": "x", "top_k": 51}, ValueError),
        ({"query": "x", "top_k": True}, TypeError),
    ],
)
async def test_search_validates_arguments_before_sending(
    client: ScalekitClient, fake: FakeScalekit, kwargs: dict[str, object], error: type[Exception]
) -> None:
    rest = dict(kwargs)
    query = rest.pop("query")
    with pytest.raises(error):
        await client.tools.search(query, **rest)  # type: ignore[arg-type]
    assert fake.api_requests("POST", "/api/v1/tools:search") == []


async def test_the_fake_refuses_a_bad_search(client: ScalekitClient, fake: FakeScalekit) -> None:
    async with httpx.AsyncClient(
        transport=sk.testing.FakeTransport(fake), base_url="http://f"
    ) as h:
        token = (await h.post("/oauth/token", data={
            "grant_type": "client_credentials",
            "client_id": fake.client_id,
            "client_secret": fake.client_secret,
        })).json()["access_token"]  # fmt: skip
        answer = await h.post(
            "/api/v1/tools:search", json={}, headers={"Authorization": f"Bearer {token}"}
        )
    assert answer.status_code == 400


# -- modifiers --------------------------------------------------------------------------


async def test_modifiers_change_input_and_output_in_registration_order(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    import attrs

    from scalekit_async.resources.tools import ToolModifiers

    account = await _active(client)
    mods = ToolModifiers()
    seen: list[str] = []

    @mods.before("gmail_send_email")
    def add_subject(name: str, params: dict[str, object]) -> dict[str, object]:
        seen.append(f"before1 {name}")
        return {**params, "subject": "Hi"}

    @mods.before()
    async def tag(name: str, params: dict[str, object]) -> dict[str, object]:
        seen.append("before2")
        return {**params, "subject": f"[agent] {params['subject']}"}

    @mods.before("slack_send_message")
    def never(name: str, params: dict[str, object]) -> dict[str, object]:
        raise AssertionError("a modifier of another tool ran")

    @mods.after("gmail_send_email")
    async def mark(name: str, result: sk.ToolExecution) -> sk.ToolExecution:
        seen.append("after")
        return attrs.evolve(result, data={**result.data, "modified": True})

    result = await client.tools.execute(
        "gmail_send_email",
        params={"to": "b@example.com"},
        connected_account_id=account.id,
        modifiers=mods,
    )
    assert seen == ["before1 gmail_send_email", "before2", "after"]
    sent = fake.api_requests("POST", "/api/v1/execute_tool")[-1].json()
    assert sent["params"] == {"to": "b@example.com", "subject": "[agent] Hi"}
    assert result.data["modified"] is True
    assert result.data["status"] == "SENT"
    # Without the registry, the same call is not modified.
    plain = await client.tools.execute(
        "gmail_send_email",
        params={"to": "b@example.com", "subject": "x"},
        connected_account_id=account.id,
    )
    assert "modified" not in plain.data


async def test_a_modifier_returning_the_wrong_type_raises(client: ScalekitClient) -> None:
    from scalekit_async.resources.tools import ToolModifiers

    account = await _active(client)
    mods = ToolModifiers()
    mods.add_after(lambda name, result: result.data, "gmail_send_email")  # type: ignore[arg-type,return-value]
    with pytest.raises(TypeError, match="not a ToolExecution"):
        await client.tools.execute(
            "gmail_send_email",
            params={"to": "b@example.com", "subject": "x"},
            connected_account_id=account.id,
            modifiers=mods,
        )
    with pytest.raises(TypeError):
        mods.add_before("not callable")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await client.tools.execute("gmail_send_email", modifiers=object())  # type: ignore[arg-type]
