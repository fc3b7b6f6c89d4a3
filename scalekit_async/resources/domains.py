"""``client.domains``: the email domains of organizations."""

from __future__ import annotations

from .._pagination import AsyncPaginator
from .._routes import Route
from .._types import NOT_GIVEN, NotGivenOr, given
from ..models.domains import Domain, DomainType
from ._base import Resource, check_page_size

__all__ = ["Domains"]

_LIST = Route("GET", "/api/v1/organizations/{organization_id}/domains")
_CREATE = Route("POST", "/api/v1/organizations/{organization_id}/domains")
_GET = Route("GET", "/api/v1/organizations/{organization_id}/domains/{id}")
_DELETE = Route("DELETE", "/api/v1/organizations/{organization_id}/domains/{id}")

_DEFAULT_PAGE_SIZE = 30
_MAX_PAGE_SIZE = 100


class Domains(Resource):
    """Add, read, list and remove the email domains of an organization.

    An ``ORGANIZATION_DOMAIN`` sends users with that email domain to the
    organization's SSO; an ``ALLOWED_EMAIL_DOMAIN`` only suggests the
    organization when they sign in or up.
    """

    __slots__ = ()

    async def create(
        self,
        organization_id: str,
        domain: str,
        *,
        domain_type: NotGivenOr[DomainType | str] = NOT_GIVEN,
    ) -> Domain:
        """Add a business domain (``acme.com``) to an organization.

        The server refuses malformed, public (``gmail.com``) and duplicate domains.
        """
        if not isinstance(domain, str):
            raise TypeError(f"domain must be a str, not {type(domain).__name__}")
        if not domain:
            raise ValueError("domain must not be empty")
        body = given(domain=domain, domain_type=_domain_type(domain_type))
        data = await self._engine.call(_CREATE, organization_id, body=body)
        return self._engine.unwrap(data, "domain", Domain)

    async def get(self, organization_id: str, id: str) -> Domain:
        """Fetch one domain of an organization by its id (``dom_...``)."""
        data = await self._engine.call(_GET, organization_id, id)
        return self._engine.unwrap(data, "domain", Domain)

    async def delete(self, organization_id: str, id: str) -> None:
        """Remove a domain from an organization (SSO routing for it stops)."""
        await self._engine.call(_DELETE, organization_id, id)

    def list(
        self,
        organization_id: str,
        *,
        domain_type: NotGivenOr[DomainType | str] = NOT_GIVEN,
        include: NotGivenOr[str] = NOT_GIVEN,
        page_size: NotGivenOr[int] = NOT_GIVEN,
        page_number: NotGivenOr[int] = NOT_GIVEN,
    ) -> AsyncPaginator[Domain]:
        """List an organization's domains: await for one page, or ``async for`` all.

        Pages are numbered from 0 (the API's convention); `page_number` picks
        the page to start from. `include` asks for extra fields by name
        (comma-separated, e.g. ``"verification_details"``).
        """
        check_page_size(page_size, _MAX_PAGE_SIZE)
        if page_number is NOT_GIVEN:
            page_number = 0
        elif isinstance(page_number, bool) or not isinstance(page_number, int):
            raise TypeError(f"page_number must be an int, not {type(page_number).__name__}")
        elif page_number < 0:
            raise ValueError(f"page_number must be 0 or more, got {page_number}")
        if include is not NOT_GIVEN and not isinstance(include, str):
            raise TypeError(f"include must be a str, not {type(include).__name__}")
        params = given(domain_type=_domain_type(domain_type), include=include)
        return self._paginate_numbered(
            _LIST,
            organization_id,
            key="domains",
            item=Domain,
            params=params,
            page_size=_DEFAULT_PAGE_SIZE if page_size is NOT_GIVEN else page_size,
            page_number=page_number,
            first_page=0,
        )


def _domain_type(value: NotGivenOr[DomainType | str]) -> NotGivenOr[str]:
    if value is NOT_GIVEN:
        return value
    if not isinstance(value, str):
        raise TypeError(f"domain_type must be a DomainType or str, not {type(value).__name__}")
    return str(DomainType(value))
