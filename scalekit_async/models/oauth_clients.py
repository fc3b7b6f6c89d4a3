"""Environment OAuth client models (``clients.Client``): web, SPA, native and ENV clients.

These are the environment's own OAuth applications (``/api/v1/clients``), not
an organization's M2M API clients (`ApiClient`). Their secrets share the
``clients.ClientSecret`` shape with API clients, so `ApiClientSecret` and
`CreatedApiClientSecret` serve both.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from .._enums import OpenEnum
from .api_clients import ApiClientSecret, CustomClaim

__all__ = [
    "CidrEntry",
    "CidrType",
    "IpAllowlist",
    "OAuthClient",
    "OAuthClientType",
]


class OAuthClientType(OpenEnum):
    """The kind of an environment OAuth client (a plain string on the wire).

    ``ALL`` is only a list filter: it lists every type (and wins over the others).
    """

    ENV = "ENV"
    WEB_APP = "WEB_APP"
    SPA = "SPA"
    NTV = "NTV"
    ALL = "ALL"


class CidrType(OpenEnum):
    """The address family of an allowlisted CIDR block (derived by the server from its value)."""

    CIDR_TYPE_UNSPECIFIED = "CIDR_TYPE_UNSPECIFIED"
    IPV4 = "IPV4"
    IPV6 = "IPV6"


@attrs.frozen(kw_only=True)
class CidrEntry:
    """One allowed IPv4 or IPv6 CIDR block (``clients.CidrEntry``).

    Only `value` is sent; `type` is set by the server and ignored on write.
    """

    value: str = ""
    type: CidrType | None = None


@attrs.frozen(kw_only=True)
class IpAllowlist:
    """The CIDR blocks a client may mint and use client-credentials tokens from.

    With `opted_in` the restriction applies, and `cidrs` must not be empty.
    It applies to ``ENV`` and ``WEB_APP`` clients only.
    """

    opted_in: bool = False
    cidrs: tuple[CidrEntry, ...] = ()


@attrs.frozen(kw_only=True)
class OAuthClient:
    """An OAuth client application of the environment (``clients.Client``).

    `access_token_expiry` is the lifetime of its access tokens, in seconds;
    `secrets` lists its secrets' metadata (values are shown once, at creation).
    """

    id: str = ""
    name: str = ""
    client_type: OAuthClientType | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    secrets: tuple[ApiClientSecret, ...] = ()
    post_login_uris: tuple[str, ...] = ()
    post_logout_redirect_uris: tuple[str, ...] = ()
    back_channel_logout_uris: tuple[str, ...] = ()
    initiate_login_uri: str = ""
    access_token_expiry: int | None = None
    scopes: tuple[str, ...] = ()
    custom_claims: tuple[CustomClaim, ...] = ()
    disallow_scalekit_api_access: bool = False
    grant_types: tuple[str, ...] = ()
    enforce_pkce: bool = False
    ip_allowlist: IpAllowlist | None = None
