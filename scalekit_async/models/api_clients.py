"""Organization API client models: M2M clients, their secrets and token claims.

A client's plain secret is returned once, when the client or the secret is
created; the models keep it out of their repr so it never lands in a log.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from .._enums import OpenEnum

__all__ = [
    "ApiClient",
    "ApiClientSecret",
    "ApiClientSecretStatus",
    "CreatedApiClient",
    "CreatedApiClientSecret",
    "CustomClaim",
]


class ApiClientSecretStatus(OpenEnum):
    """Whether a client secret may be used to authenticate.

    ``ACTIVE`` is the proto zero value, so the API may omit it: a secret whose
    `status` is `None` is active.
    """

    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


@attrs.frozen(kw_only=True)
class CustomClaim:
    """A claim added to every access token issued to a client."""

    key: str = ""
    value: str = ""


@attrs.frozen(kw_only=True)
class ApiClientSecret:
    """A secret of an API client (``clients.ClientSecret``), without its value.

    `plain_secret` is only set right after creation and is hidden from the repr.
    """

    id: str = ""
    create_time: datetime | None = None
    update_time: datetime | None = None
    secret_suffix: str = ""
    created_by: str | None = None
    status: ApiClientSecretStatus | None = None
    expire_time: datetime | None = None
    last_used_time: datetime | None = None
    plain_secret: str | None = attrs.field(default=None, repr=False)

    @property
    def active(self) -> bool:
        """Whether the secret can authenticate (an omitted status means ACTIVE)."""
        return self.status is None or self.status == ApiClientSecretStatus.ACTIVE


@attrs.frozen(kw_only=True)
class ApiClient:
    """A machine-to-machine client of an organization (``clients.M2MClient``).

    `expiry` is the lifetime, in seconds, of the access tokens issued to it.
    """

    client_id: str = ""
    secrets: tuple[ApiClientSecret, ...] = ()
    name: str = ""
    description: str = ""
    organization_id: str = ""
    create_time: datetime | None = None
    update_time: datetime | None = None
    scopes: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    custom_claims: tuple[CustomClaim, ...] = ()
    expiry: int | None = None
    resource_id: str = ""
    redirect_uris: tuple[str, ...] = ()
    is_dcr: bool = False
    is_cimd: bool = False
    metadata_uri: str = ""


@attrs.frozen(kw_only=True)
class CreatedApiClient:
    """A new API client and its first secret's value, shown this one time only."""

    client: ApiClient | None = None
    plain_secret: str | None = attrs.field(default=None, repr=False)


@attrs.frozen(kw_only=True)
class CreatedApiClientSecret:
    """A new client secret and its value, shown this one time only."""

    secret: ApiClientSecret | None = None
    plain_secret: str | None = attrs.field(default=None, repr=False)
