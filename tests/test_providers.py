"""client.providers (custom providers) against the stateful fake."""

from __future__ import annotations

import pytest

import scalekit_async as sk
from scalekit_async import ScalekitClient
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio

API_KEY = [{"type": "API_KEY", "fields": [{"name": "api_key", "label": "API key"}]}]


async def test_create_derives_the_identifier_and_sends_the_definition_unwrapped(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    provider = await client.providers.create(
        "Acme CRM",
        auth_patterns=API_KEY,
        description="Our CRM",
        proxy_url="https://crm.example.com/api",
        proxy_enabled=True,
        icon_src="https://crm.example.com/icon.svg",
        metadata={"region": "eu"},
    )
    assert provider.identifier == "acme_crm"
    assert provider.id.startswith("prv_")
    assert (provider.is_custom, provider.is_custom_mcp) == (True, False)
    assert provider.auth_patterns == tuple(API_KEY)
    assert (provider.proxy_url, provider.proxy_enabled) == ("https://crm.example.com/api", True)
    assert provider.metadata == {"region": "eu"}
    assert fake.custom_providers["acme_crm"]["display_name"] == "Acme CRM"
    (request,) = fake.api_requests("POST", "/api/v1/custom-providers")
    assert request.json() == {
        "display_name": "Acme CRM",
        "description": "Our CRM",
        "auth_patterns": API_KEY,
        "proxy_url": "https://crm.example.com/api",
        "proxy_enabled": True,
        "icon_src": "https://crm.example.com/icon.svg",
        "metadata": {"region": "eu"},
    }


async def test_create_with_a_taken_identifier_conflicts(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    await client.providers.create("Acme CRM", auth_patterns=API_KEY)
    with pytest.raises(sk.ConflictError):
        await client.providers.create("acme-crm", auth_patterns=API_KEY)
    assert list(fake.custom_providers) == ["acme_crm"]


async def test_create_with_a_bad_icon_is_a_field_violation(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(sk.BadRequestError) as caught:
        await client.providers.create(
            "Acme", auth_patterns=API_KEY, icon_src="ftp://example.com/i.svg"
        )
    assert [v.field for v in caught.value.field_violations] == ["provider.icon_src"]
    assert fake.custom_providers == {}


async def test_create_checks_arguments_before_sending(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match="display_name"):
        await client.providers.create("", auth_patterns=API_KEY)
    with pytest.raises(ValueError, match="auth_patterns"):
        await client.providers.create("Acme", auth_patterns=[])
    with pytest.raises(TypeError, match="auth_patterns"):
        await client.providers.create("Acme", auth_patterns={"type": "API_KEY"})
    with pytest.raises(ValueError, match="https"):
        await client.providers.create(
            "Acme", auth_patterns=API_KEY, proxy_url="http://insecure.example.com"
        )
    with pytest.raises(ValueError, match="metadata"):
        await client.providers.create("Acme", auth_patterns=API_KEY, metadata={"k": "v"})
    with pytest.raises(TypeError, match="metadata"):
        await client.providers.create("Acme", auth_patterns=API_KEY, metadata={"key": 1})  # type: ignore[dict-item]
    assert fake.api_requests() == []


async def test_update_replaces_the_definition_and_keeps_the_identifier(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    created = await client.providers.create(
        "Acme CRM", auth_patterns=API_KEY, description="Old", proxy_enabled=True
    )
    updated = await client.providers.update(
        created.identifier, display_name="Acme CRM v2", auth_patterns=[{"type": "OAUTH"}]
    )
    assert updated.identifier == "acme_crm"
    assert updated.display_name == "Acme CRM v2"
    assert updated.auth_patterns == ({"type": "OAUTH"},)
    assert (updated.description, updated.proxy_enabled) == ("", False)
    assert fake.custom_providers["acme_crm"]["display_name"] == "Acme CRM v2"
    (request,) = fake.api_requests("PUT", "/api/v1/custom-providers/acme_crm")
    assert request.json() == {"display_name": "Acme CRM v2", "auth_patterns": [{"type": "OAUTH"}]}


async def test_update_missing_provider_is_not_found(client: ScalekitClient) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.providers.update("nope", display_name="Nope", auth_patterns=API_KEY)


async def test_delete_removes_the_provider_and_its_accounts(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    provider = await client.providers.create("Acme CRM", auth_patterns=API_KEY)
    await client.connected_accounts.create(connector=provider.identifier, identifier="u1")
    kept = await client.connected_accounts.create(connector="gmail", identifier="u1")
    await client.providers.delete(provider.identifier)
    assert fake.custom_providers == {}
    assert list(fake.connected_accounts) == [kept.id]
    with pytest.raises(sk.NotFoundError):
        await client.providers.delete(provider.identifier)


async def test_identifier_is_one_path_segment(client: ScalekitClient, fake: FakeScalekit) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.providers.delete("a/../b")
    (request,) = fake.api_requests("DELETE")
    assert request.path == "/api/v1/custom-providers/a%2F..%2Fb"
    with pytest.raises(ValueError, match="identifier"):
        await client.providers.delete("")


# -- the provider list (preview) ----------------------------------------------------

BUILT_IN = ["gmail", "slack", "notion", "github", "weather"]


async def test_list_defaults_to_the_built_in_providers(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    await client.providers.create("Acme CRM", auth_patterns=API_KEY)

    page = await client.providers.list()

    assert [p.identifier for p in page.items] == BUILT_IN
    assert page.total_size == len(BUILT_IN)
    gmail = page.items[0]
    assert (gmail.display_name, gmail.is_custom) == ("Gmail", False)
    assert gmail.auth_patterns == ({"type": "OAUTH"},)
    assert gmail.id.startswith("prv_")
    assert len({p.id for p in page.items}) == len(BUILT_IN)
    (request,) = fake.api_requests("GET", "/api/v1/providers")
    assert request.query == ()
    # The built-in providers are the connectors connected accounts can use.
    account = await client.connected_accounts.create(connector=gmail.identifier, identifier="u1")
    assert account.connector == "gmail"


async def test_list_by_provider_type(client: ScalekitClient, fake: FakeScalekit) -> None:
    custom = await client.providers.create("Acme CRM", auth_patterns=API_KEY)

    only_custom = await client.providers.list(provider_type=sk.ProviderType.CUSTOM)
    both = [p.identifier async for p in client.providers.list(provider_type="ALL")]
    default = await client.providers.list(provider_type="DEFAULT")

    assert only_custom.items == (custom,)
    assert both == [*BUILT_IN, "acme_crm"]
    assert [p.identifier for p in default.items] == BUILT_IN
    queries = [r.query for r in fake.api_requests("GET", "/api/v1/providers")]
    assert queries[0] == (("filter.provider_type", "CUSTOM"),)
    assert queries[-1] == (("filter.provider_type", "DEFAULT"),)
    await client.providers.delete(custom.identifier)
    assert (await client.providers.list(provider_type="CUSTOM")).items == ()


async def test_list_by_identifier_and_in_pages(client: ScalekitClient, fake: FakeScalekit) -> None:
    await client.providers.create("Acme CRM", auth_patterns=API_KEY)

    one = await client.providers.list(identifier="acme_crm", provider_type="ALL")
    assert [p.identifier for p in one.items] == ["acme_crm"]
    assert (await client.providers.list(identifier="acme_crm")).items == ()  # not built in
    assert [p.identifier for p in (await client.providers.list(identifier="slack")).items] == [
        "slack"
    ]

    paged = [p.identifier async for p in client.providers.list(provider_type="ALL", page_size=2)]
    assert paged == [*BUILT_IN, "acme_crm"]
    tokens = [r.query for r in fake.api_requests("GET") if ("page_size", "2") in r.query]
    assert len(tokens) == 3
    resumed = await client.providers.list(page_size=2, page_token="4")
    assert [p.identifier for p in resumed.items] == ["weather"]


async def test_list_checks_its_arguments_before_sending(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(ValueError, match="identifier"):
        client.providers.list(identifier="bad id")
    with pytest.raises(ValueError, match="identifier"):
        client.providers.list(identifier="x" * 256)
    with pytest.raises(TypeError, match="identifier"):
        client.providers.list(identifier=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="page_size"):
        client.providers.list(page_size=0)
    with pytest.raises(ValueError, match="provider_type"):
        client.providers.list(provider_type="")
    with pytest.raises(TypeError):
        client.providers.list("gmail")  # type: ignore[call-arg]
    assert fake.api_requests() == []


async def test_list_none_means_not_given(client: ScalekitClient, fake: FakeScalekit) -> None:
    await client.providers.list(
        provider_type=None, identifier=None, page_size=None, page_token=None
    )
    (request,) = fake.api_requests("GET", "/api/v1/providers")
    assert request.query == ()


async def test_list_the_server_refuses_an_unknown_provider_type(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(sk.BadRequestError) as caught:
        await client.providers.list(provider_type="SOMETIMES")
    assert "provider_type" in str(caught.value.field_violations)
