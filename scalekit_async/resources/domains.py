"""``client.domains``: the email domains of organizations."""

from __future__ import annotations

from .._pagination import AsyncPaginator
from .._routes import Route, operation
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

    @operation(_CREATE)
    async def create(
        self,
        domain: str,
        *,
        organization_id: str,
        domain_type: DomainType | str | None = None,
    ) -> Domain:
        """Add a business domain (``acme.com``) to the organization *organization_id*.

        The server refuses malformed, public (``gmail.com``) and duplicate domains.
        `domain_type` defaults to ``ORGANIZATION_DOMAIN`` (the server's default).
        """
        if not isinstance(domain, str):
            raise TypeError(f"domain must be a str, not {type(domain).__name__}")
        if not domain:
            raise ValueError("domain must not be empty")
        body = given(domain=domain, domain_type=_domain_type(domain_type))
        data = await self._engine.call(_CREATE, organization_id, body=body)
        return self._engine.unwrap(data, "domain", Domain)

    @operation(_GET)
    async def get(self, id: str, *, organization_id: str) -> Domain:
        """Fetch one domain of an organization by its id (``dom_...``)."""
        data = await self._engine.call(_GET, organization_id, id)
        return self._engine.unwrap(data, "domain", Domain)

    @operation(_DELETE)
    async def delete(self, id: str, *, organization_id: str) -> None:
        """Remove a domain from an organization (SSO routing for it stops)."""
        await self._engine.call(_DELETE, organization_id, id)

    @operation(_LIST)
    def list(
        self,
        *,
        organization_id: str,
        domain_type: DomainType | str | None = None,
        include: str | None = None,
        page_size: int | None = None,
        page_number: int | None = None,
    ) -> AsyncPaginator[Domain]:
        """List an organization's domains: await for one page, or ``async for`` all.

        Pages are numbered from 0 (the API's convention); `page_number` picks
        the page to start from. `include` asks for extra fields by name
        (comma-separated, e.g. ``"verification_details"``). An argument passed
        as `None` is not sent.
        """
        if page_size is None:
            page_size = _DEFAULT_PAGE_SIZE
        check_page_size(page_size, _MAX_PAGE_SIZE)
        if page_number is None:
            page_number = 0
        elif isinstance(page_number, bool) or not isinstance(page_number, int):
            raise TypeError(f"page_number must be an int, not {type(page_number).__name__}")
        elif page_number < 0:
            raise ValueError(f"page_number must be 0 or more, got {page_number}")
        if include is not None and not isinstance(include, str):
            raise TypeError(f"include must be a str, not {type(include).__name__}")
        params = {
            "domain_type": _domain_type(domain_type),
            "include": NOT_GIVEN if include is None else include,
        }
        return self._paginate_numbered(
            _LIST,
            organization_id,
            key="domains",
            item=Domain,
            params=params,
            page_size=page_size,
            page_number=page_number,
            first_page=0,
        )


def _domain_type(value: DomainType | str | None) -> NotGivenOr[str]:
    if value is None:
        return NOT_GIVEN
    if not isinstance(value, str):
        raise TypeError(f"domain_type must be a DomainType or str, not {type(value).__name__}")
    return str(DomainType(value))
