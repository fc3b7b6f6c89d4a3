from __future__ import annotations

from datetime import datetime

import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit

pytestmark = pytest.mark.anyio


async def make_org(client: sk.ScalekitClient, name: str = "Acme") -> str:
    return (await client.organizations.create(display_name=name)).id


async def test_create_sends_the_domain_unwrapped(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    domain = await client.domains.create("Acme.COM", organization_id=org_id)
    assert isinstance(domain, sk.Domain)
    assert domain.id.startswith("dom_")
    assert domain.domain == "acme.com"
    assert domain.organization_id == org_id
    assert domain.domain_type is sk.DomainType.ORGANIZATION_DOMAIN
    assert domain.verification_status is sk.DomainVerificationStatus.AUTO_VERIFIED
    assert domain.verification_method is sk.DomainVerificationMethod.ADMIN
    assert isinstance(domain.create_time, datetime)
    assert domain.create_time.tzinfo is not None
    (request,) = fake.api_requests("POST", f"/api/v1/organizations/{org_id}/domains")
    assert request.json() == {"domain": "Acme.COM"}
    assert request.query == ()
    assert fake.domains[domain.id]["domain"] == "acme.com"


async def test_create_with_a_domain_type(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    org_id = await make_org(client)
    domain = await client.domains.create(
        "acme.io", organization_id=org_id, domain_type=sk.DomainType.ALLOWED_EMAIL_DOMAIN
    )
    assert domain.domain_type is sk.DomainType.ALLOWED_EMAIL_DOMAIN
    assert domain.verification_method is sk.DomainVerificationMethod.NOT_APPLICABLE
    (request,) = fake.api_requests("POST", f"/api/v1/organizations/{org_id}/domains")
    assert request.json() == {"domain": "acme.io", "domain_type": "ALLOWED_EMAIL_DOMAIN"}


async def test_create_in_a_missing_organization_is_not_found(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.domains.create("acme.com", organization_id="org_missing")
    assert fake.domains == {}


async def test_duplicate_in_the_same_organization_conflicts(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    other_id = await make_org(client, "Other")
    await client.domains.create("acme.com", organization_id=org_id)
    with pytest.raises(sk.ConflictError):
        await client.domains.create("ACME.com", organization_id=org_id)
    elsewhere = await client.domains.create("acme.com", organization_id=other_id)
    assert elsewhere.organization_id == other_id
    assert len(fake.domains) == 2


@pytest.mark.parametrize("name", ["not a domain", "acme", "-acme.com", "gmail.com", "a.b"])
async def test_invalid_names_are_a_bad_request_naming_the_field(
    client: sk.ScalekitClient, fake: FakeScalekit, name: str
) -> None:
    org_id = await make_org(client)
    with pytest.raises(sk.BadRequestError) as info:
        await client.domains.create(name, organization_id=org_id)
    assert [v.field for v in info.value.field_violations] == ["domain.domain"]
    assert fake.domains == {}


async def test_an_unknown_domain_type_is_a_bad_request(client: sk.ScalekitClient) -> None:
    org_id = await make_org(client)
    with pytest.raises(sk.BadRequestError) as info:
        await client.domains.create("acme.com", organization_id=org_id, domain_type="BOGUS")
    assert [v.field for v in info.value.field_violations] == ["domain.domain_type"]


@pytest.mark.parametrize(
    ("name", "error"), [(None, TypeError), (b"acme.com", TypeError), ("", ValueError)]
)
async def test_create_checks_the_name_before_sending(
    client: sk.ScalekitClient, fake: FakeScalekit, name: object, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await client.domains.create(name, organization_id="org_1")  # type: ignore[arg-type]
    assert fake.api_requests() == []


async def test_get_returns_the_stored_domain(client: sk.ScalekitClient) -> None:
    org_id = await make_org(client)
    created = await client.domains.create("acme.com", organization_id=org_id)
    assert await client.domains.get(created.id, organization_id=org_id) == created


async def test_get_is_scoped_to_the_organization(client: sk.ScalekitClient) -> None:
    org_id = await make_org(client)
    other_id = await make_org(client, "Other")
    created = await client.domains.create("acme.com", organization_id=org_id)
    with pytest.raises(sk.NotFoundError):
        await client.domains.get(created.id, organization_id=other_id)
    with pytest.raises(sk.NotFoundError):
        await client.domains.get("dom_missing", organization_id=org_id)
    with pytest.raises(sk.NotFoundError):
        await client.domains.get(created.id, organization_id="org_missing")


async def test_delete_removes_the_domain(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    org_id = await make_org(client)
    created = await client.domains.create("acme.com", organization_id=org_id)
    assert await client.domains.delete(created.id, organization_id=org_id) is None
    assert created.id not in fake.domains
    assert (
        len(fake.api_requests("DELETE", f"/api/v1/organizations/{org_id}/domains/{created.id}"))
        == 1
    )
    with pytest.raises(sk.NotFoundError):
        await client.domains.delete(created.id, organization_id=org_id)


async def test_list_pages_are_numbered_from_zero(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    names = [f"acme{i}.com" for i in range(5)]
    for name in names:
        await client.domains.create(name, organization_id=org_id)
    first = await client.domains.list(organization_id=org_id, page_size=2)
    assert [d.domain for d in first.items] == names[:2]
    assert first.has_next_page
    everything = [d.domain async for d in client.domains.list(organization_id=org_id, page_size=2)]
    assert everything == names
    path = f"/api/v1/organizations/{org_id}/domains"
    numbers = [r.param("page_number") for r in fake.api_requests("GET", path)]
    assert numbers == ["0", "0", "1", "2"]
    assert all(r.param("page_size") == "2" for r in fake.api_requests("GET", path))


async def test_list_starts_from_the_given_page(client: sk.ScalekitClient) -> None:
    org_id = await make_org(client)
    for i in range(3):
        await client.domains.create(f"acme{i}.com", organization_id=org_id)
    page = await client.domains.list(organization_id=org_id, page_size=2, page_number=1)
    assert [d.domain for d in page.items] == ["acme2.com"]
    assert not page.has_next_page


async def test_list_filters_by_type_and_sends_include(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    await client.domains.create("sso.acme.com", organization_id=org_id)
    await client.domains.create(
        "acme.com", organization_id=org_id, domain_type="ALLOWED_EMAIL_DOMAIN"
    )
    page = await client.domains.list(
        organization_id=org_id,
        domain_type=sk.DomainType.ALLOWED_EMAIL_DOMAIN,
        include="verification_details",
    )
    assert [d.domain for d in page.items] == ["acme.com"]
    (request,) = fake.api_requests("GET")
    assert dict(request.query) == {
        "domain_type": "ALLOWED_EMAIL_DOMAIN",
        "include": "verification_details",
        "page_size": "30",
        "page_number": "0",
    }


async def test_list_of_a_missing_organization_is_not_found(client: sk.ScalekitClient) -> None:
    with pytest.raises(sk.NotFoundError):
        await client.domains.list(organization_id="org_missing")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"page_size": 101}, ValueError),
        ({"page_size": 0}, ValueError),
        ({"page_size": True}, TypeError),
        ({"page_number": -1}, ValueError),
        ({"page_number": "1"}, TypeError),
        ({"domain_type": 1}, TypeError),
        ({"include": ["a"]}, TypeError),
    ],
)
async def test_list_checks_arguments_at_the_call(
    client: sk.ScalekitClient, fake: FakeScalekit, kwargs: dict[str, object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        client.domains.list(organization_id="org_1", **kwargs)  # type: ignore[arg-type]
    assert fake.api_requests() == []


async def test_deleting_the_organization_deletes_its_domains(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    other_id = await make_org(client, "Other")
    await client.domains.create("acme.com", organization_id=org_id)
    kept = await client.domains.create("other.com", organization_id=other_id)
    await client.organizations.delete(org_id)
    assert list(fake.domains) == [kept.id]


async def test_list_treats_none_as_not_given(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    org_id = await make_org(client)
    await client.domains.create("acme.com", organization_id=org_id, domain_type=None)
    page = await client.domains.list(
        organization_id=org_id, domain_type=None, include=None, page_size=None, page_number=None
    )
    assert [d.domain for d in page.items] == ["acme.com"]
    (create,) = fake.api_requests("POST", f"/api/v1/organizations/{org_id}/domains")
    assert create.json() == {"domain": "acme.com"}
    (request,) = fake.api_requests("GET")
    assert dict(request.query) == {"page_size": "30", "page_number": "0"}


async def test_the_organization_is_keyword_only(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    org_id = await make_org(client)
    created = await client.domains.create("acme.com", organization_id=org_id)
    sent = len(fake.requests)
    with pytest.raises(TypeError):
        await client.domains.create(org_id, "acme.io")  # type: ignore[misc]
    with pytest.raises(TypeError):
        await client.domains.get(org_id, created.id)  # type: ignore[misc]
    with pytest.raises(TypeError):
        await client.domains.delete(org_id, created.id)  # type: ignore[misc]
    with pytest.raises(TypeError):
        client.domains.list(org_id)  # type: ignore[misc]
    with pytest.raises(TypeError):
        client.domains.list()  # type: ignore[call-arg]
    assert len(fake.requests) == sent
    assert await client.domains.get(id=created.id, organization_id=org_id) == created
