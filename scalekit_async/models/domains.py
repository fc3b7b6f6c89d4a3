"""Domain models: the email domains an organization owns and how they are used."""

from __future__ import annotations

from datetime import datetime

import attrs

from .._enums import OpenEnum

__all__ = [
    "Domain",
    "DomainType",
    "DomainVerificationMethod",
    "DomainVerificationStatus",
]


class DomainType(OpenEnum):
    """What a domain is for.

    ``ORGANIZATION_DOMAIN`` routes users with that email domain to the
    organization's SSO connection (and enforces SSO); ``ALLOWED_EMAIL_DOMAIN``
    only suggests the organization in the organization switcher.
    """

    DOMAIN_TYPE_UNSPECIFIED = "DOMAIN_TYPE_UNSPECIFIED"
    ALLOWED_EMAIL_DOMAIN = "ALLOWED_EMAIL_DOMAIN"
    ORGANIZATION_DOMAIN = "ORGANIZATION_DOMAIN"


class DomainVerificationMethod(OpenEnum):
    """How ownership of a domain is (or need not be) proven."""

    VERIFICATION_METHOD_UNSPECIFIED = "VERIFICATION_METHOD_UNSPECIFIED"
    ADMIN = "ADMIN"
    DNS = "DNS"
    NOT_APPLICABLE = "NOT_APPLICABLE"


class DomainVerificationStatus(OpenEnum):
    """Where the ownership check of a domain stands."""

    VERIFICATION_STATUS_UNSPECIFIED = "VERIFICATION_STATUS_UNSPECIFIED"
    PENDING = "PENDING"
    VERIFIED = "VERIFIED"
    FAILED = "FAILED"
    AUTO_VERIFIED = "AUTO_VERIFIED"


@attrs.frozen(kw_only=True)
class Domain:
    """An email domain (``acme.com``) that belongs to an organization."""

    id: str = ""
    domain: str = ""
    organization_id: str = ""
    environment_id: str = ""
    domain_type: DomainType | None = None
    verification_status: DomainVerificationStatus | None = None
    verification_method: DomainVerificationMethod | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
