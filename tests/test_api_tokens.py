"""client.api_tokens against the fake: opaque API tokens, their validation and revocation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio

TOKENS = "/api/v1/tokens"


async def make_org(client: sk.ScalekitClient, **fields: str) -> str:
    return (await client.organizations.create(display_name="Acme", **fields)).id


async def test_create_sends_the_create_token_message_itself_and_returns_the_value_once(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client, external_id="acme-1")
    expiry = datetime(2099, 1, 2, 3, 4, 5, tzinfo=UTC)
    created = await client.api_tokens.create(
        organization_id=org_id,
        custom_claims={"env": "prod", "plan": "pro"},
        expiry=expiry,
        description="CI deployments",
    )
    (request,) = fake.api_requests("POST", TOKENS)
    # body: "token": the CreateToken message unwrapped, not {"token": {...}}.
    assert request.json() == {
        "organization_id": org_id,
        "custom_claims": {"env": "prod", "plan": "pro"},
        "expiry": "2099-01-02T03:04:05Z",
        "description": "CI deployments",
    }
    assert isinstance(created, sk.CreatedApiToken)
    assert created.token
    assert created.token_id.startswith("apit_")
    info = created.token_info
    assert isinstance(info, sk.ApiToken)
    assert info.token_id == created.token_id
    assert info.organization_id == org_id
    assert info.organization_external_id == "acme-1"
    assert info.user_id is None
    assert info.custom_claims == {"env": "prod", "plan": "pro"}
    assert info.expiry == expiry
    assert isinstance(info.created_at, datetime)
    assert info.description == "CI deployments"
    assert info.token_suffix == created.token[-4:]
    assert fake.api_tokens.record(created.token_id).token == created.token


async def test_the_token_value_never_shows_in_a_repr(client: sk.ScalekitClient) -> None:
    created = await client.api_tokens.create(organization_id=await make_org(client))
    assert created.token
    assert created.token not in repr(created)
    assert created.token not in str(created)


async def test_a_user_token_names_the_user_their_email_and_roles(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    user = await client.users.create(
        "ada@acme.test", organization_id=org_id, external_id="ada-1", roles=["admin"]
    )
    created = await client.api_tokens.create(organization_id=org_id, user_id=user.id)
    (request,) = fake.api_requests("POST", TOKENS)
    assert request.json() == {"organization_id": org_id, "user_id": user.id}
    info = await client.api_tokens.verify(created.token)
    assert info.user_id == user.id
    assert info.user_external_id == "ada-1"
    assert info.email == "ada@acme.test"
    assert info.roles == ("admin",)


async def test_a_user_outside_the_organization_or_an_unknown_one_is_refused(
    client: sk.ScalekitClient,
) -> None:
    org_id = await make_org(client)
    other = await make_org(client)
    outsider = await client.users.create("bob@other.test", organization_id=other)
    with pytest.raises(sk.BadRequestError) as excinfo:
        await client.api_tokens.create(organization_id=org_id, user_id=outsider.id)
    assert [v.field for v in excinfo.value.field_violations] == ["token.user_id"]
    with pytest.raises(sk.NotFoundError):
        await client.api_tokens.create(organization_id=org_id, user_id="usr_404")
    with pytest.raises(sk.NotFoundError):
        await client.api_tokens.create(organization_id="org_404")


async def test_verify_accepts_the_token_or_its_id(client: sk.ScalekitClient) -> None:
    org_id = await make_org(client)
    created = await client.api_tokens.create(organization_id=org_id, custom_claims={"a": "1"})
    by_value = await client.api_tokens.verify(created.token)
    by_id = await client.api_tokens.verify(created.token_id)
    assert by_value == by_id
    assert by_value.token_id == created.token_id
    assert by_value.custom_claims == {"a": "1"}
    with pytest.raises(sk.NotFoundError):
        await client.api_tokens.verify("not-a-token")


async def test_an_expired_token_fails_verification(client: sk.ScalekitClient) -> None:
    org_id = await make_org(client)
    past = datetime.now(UTC) - timedelta(minutes=1)
    created = await client.api_tokens.create(organization_id=org_id, expiry=past)
    with pytest.raises(sk.NotFoundError):
        await client.api_tokens.verify(created.token)


async def test_revoke_is_a_soft_delete_and_idempotent(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    kept = await client.api_tokens.create(organization_id=org_id)
    gone = await client.api_tokens.create(organization_id=org_id)
    assert await client.api_tokens.revoke(gone.token) is None
    (request,) = fake.api_requests("POST", TOKENS + ":invalidate")
    assert request.json() == {"token": gone.token}
    await client.api_tokens.revoke(gone.token_id)  # again, by id: still fine
    with pytest.raises(sk.NotFoundError):
        await client.api_tokens.verify(gone.token)
    with pytest.raises(sk.NotFoundError):
        await client.api_tokens.update(gone.token_id, description="x")
    page = await client.api_tokens.list(organization_id=org_id)
    assert [t.token_id for t in page.items] == [kept.token_id]
    assert page.total_size == 1
    assert fake.api_tokens.record(gone.token_id).invalidated  # kept, marked
    with pytest.raises(sk.NotFoundError):
        await client.api_tokens.revoke("never-issued")


async def test_update_sends_one_request_and_the_server_merges_the_claims(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    created = await client.api_tokens.create(
        organization_id=org_id, custom_claims={"env": "prod", "team": "a"}, description="old"
    )
    updated = await client.api_tokens.update(
        created.token, custom_claims={"env": "staging", "tier": "1"}
    )
    # No ValidateToken round trip first: the server merges.
    assert [r.path for r in fake.api_requests("POST")] == [
        "/api/v1/organizations",
        TOKENS,
        TOKENS + ":update",
    ]
    (request,) = fake.api_requests("POST", TOKENS + ":update")
    assert request.json() == {
        "token": created.token,
        "custom_claims": {"env": "staging", "tier": "1"},
    }
    assert updated.custom_claims == {"env": "staging", "team": "a", "tier": "1"}
    assert updated.description == "old"
    assert (await client.api_tokens.verify(created.token_id)).custom_claims == updated.custom_claims


async def test_update_removes_a_claim_mapped_to_none_or_empty(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    created = await client.api_tokens.create(
        organization_id=org_id, custom_claims={"a": "1", "b": "2", "c": "3"}
    )
    updated = await client.api_tokens.update(created.token_id, custom_claims={"a": None, "b": ""})
    (request,) = fake.api_requests("POST", TOKENS + ":update")
    assert request.json()["custom_claims"] == {"a": "", "b": ""}
    assert updated.custom_claims == {"c": "3"}


async def test_update_description_none_clears_it(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    created = await client.api_tokens.create(organization_id=org_id, description="label")
    renamed = await client.api_tokens.update(created.token_id, description="new label")
    assert renamed.description == "new label"
    cleared = await client.api_tokens.update(created.token_id, description=None)
    assert fake.api_requests("POST", TOKENS + ":update")[-1].json() == {
        "token": created.token_id,
        "description": "",
    }
    assert cleared.description is None
    with pytest.raises(ValueError, match="custom_claims or description"):
        await client.api_tokens.update(created.token_id)
    with pytest.raises(TypeError, match="map a key to None"):
        await client.api_tokens.update(created.token_id, custom_claims=None)  # type: ignore[arg-type]


async def test_a_merge_past_twenty_claims_is_refused(client: sk.ScalekitClient) -> None:
    org_id = await make_org(client)
    created = await client.api_tokens.create(
        organization_id=org_id, custom_claims={f"k{i}": "v" for i in range(15)}
    )
    with pytest.raises(sk.BadRequestError) as excinfo:
        await client.api_tokens.update(
            created.token_id, custom_claims={f"n{i}": "v" for i in range(6)}
        )
    assert [v.field for v in excinfo.value.field_violations] == ["custom_claims"]


async def test_list_pages_with_total_count_and_filters_by_user(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    user = await client.users.create("ada@acme.test", organization_id=org_id)
    org_tokens = [
        (await client.api_tokens.create(organization_id=org_id)).token_id for _ in range(3)
    ]
    user_token = (await client.api_tokens.create(organization_id=org_id, user_id=user.id)).token_id
    other_org = await make_org(client)
    await client.api_tokens.create(organization_id=other_org)

    first = await client.api_tokens.list(organization_id=org_id, page_size=2)
    assert [t.token_id for t in first.items] == org_tokens[:2]
    assert first.total_size == 4  # the API's total_count
    assert first.next_page_token
    request = fake.api_requests("GET", TOKENS)[-1]
    assert dict(request.query) == {"organization_id": org_id, "page_size": "2"}
    everything = [t.token_id async for t in client.api_tokens.list(organization_id=org_id)]
    assert everything == [*org_tokens, user_token]
    mine = await client.api_tokens.list(organization_id=org_id, user_id=user.id)
    assert [t.token_id for t in mine.items] == [user_token]
    assert mine.total_size == 1


async def test_deleting_the_organization_deletes_its_tokens(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    created = await client.api_tokens.create(organization_id=org_id)
    await client.organizations.delete(org_id)
    assert created.token_id not in fake.api_tokens
    with pytest.raises(sk.NotFoundError):
        await client.api_tokens.verify(created.token)


async def test_arguments_are_checked_before_anything_is_sent(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    api = client.api_tokens
    with pytest.raises(ValueError, match="organization_id"):
        await api.create(organization_id="")
    with pytest.raises(TypeError, match="organization_id"):
        await api.create(organization_id=7)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at most 20"):
        await api.create(organization_id="org_1", custom_claims={f"k{i}": "v" for i in range(21)})
    with pytest.raises(ValueError, match="1 to 30"):
        await api.create(organization_id="org_1", custom_claims={"k" * 31: "v"})
    with pytest.raises(ValueError, match="1 to 256"):
        await api.create(organization_id="org_1", custom_claims={"k": "v" * 257})
    with pytest.raises(ValueError, match="1 to 256"):
        await api.create(organization_id="org_1", custom_claims={"k": ""})
    with pytest.raises(TypeError, match="values must be str"):
        await api.create(organization_id="org_1", custom_claims={"k": 1})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="255"):
        await api.create(organization_id="org_1", description="d" * 256)
    with pytest.raises(TypeError, match="expiry"):
        await api.create(organization_id="org_1", expiry="2099-01-01")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="user_id"):
        await api.create(organization_id="org_1", user_id="")
    with pytest.raises(ValueError, match="token"):
        await api.verify("")
    with pytest.raises(TypeError, match="token"):
        await api.revoke(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="org_"):
        api.list(organization_id="acme")
    with pytest.raises(ValueError, match="32"):
        api.list(organization_id="org_" + "1" * 29)
    with pytest.raises(ValueError, match="between 1 and 30"):
        api.list(organization_id="org_1", page_size=31)
    assert fake.api_requests() == []


async def raw(
    fake: FakeScalekit, method: str, target: str, body: object = None
) -> tuple[int, list[str]]:
    """Send one request to the fake, bypassing the SDK's checks: status, violated fields."""
    headers = {"authorization": f"Bearer {fake.issue_token()}"}
    content = b"" if body is None else json.dumps(body).encode()
    reply = await fake.handle(method, target, headers, content)
    answer = json.loads(reply.body)
    details = answer.get("details") or [{}] if reply.status >= 400 else [{}]
    info = details[0].get("validation_error_info") or {}
    return reply.status, [v["field"] for v in info.get("field_violations", [])]


async def test_the_fake_refuses_what_scalekit_refuses(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    assert await raw(fake, "POST", TOKENS, {"user_id": "usr_1"}) == (
        400,
        ["token.organization_id"],
    )
    status, fields = await raw(
        fake, "POST", TOKENS, {"organization_id": org_id, "description": "d" * 256}
    )
    assert (status, fields) == (400, ["token.description"])
    assert (await raw(fake, "POST", TOKENS + ":validate", {}))[0] == 400
    assert (await raw(fake, "POST", TOKENS + ":update", {"token": ""}))[0] == 400
    assert (await raw(fake, "GET", f"{TOKENS}?organization_id=acme"))[0] == 400
    assert (await raw(fake, "GET", f"{TOKENS}?organization_id={org_id}&page_size=31"))[0] == 400
    assert await raw(fake, "GET", f"{TOKENS}?organization_id=org_404") == (404, [])
    assert fake.api_tokens == {}
