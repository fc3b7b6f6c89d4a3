"""The fake's shared constants: its identity, URLs, endpoint paths, page sizes and id prefixes.

Every value more than one module of the fake relies on lives here, so a
change (another host, another page-size cap) is made once. This module
imports nothing of the fake: every other module of the fake may import it.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "HOST",
    "DEFAULT_ENV_URL",
    "CONNECT_URL",
    "PORTAL_URL",
    "RP_ID",
    "ENVIRONMENT_ID",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "API_PREFIX",
    "TOKEN_PATH",
    "AUTHORIZE_PATH",
    "JWKS_PATH",
    "LOGOUT_PATH",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "CONNECTED_ACCOUNT_MAX_PAGE_SIZE",
    "CONNECTED_ACCOUNT_SEARCH_MAX_PAGE_SIZE",
    "DIRECTORY_MAX_PAGE_SIZE",
    "DOMAIN_PAGE_SIZE",
    "MCP_CONFIG_MAX_PAGE_SIZE",
    "USER_SEARCH_MAX_PAGE_SIZE",
    "AUTH_REQUEST_PREFIX",
    "CONNECTED_ACCOUNT_PREFIX",
    "CONNECTION_PREFIX",
    "CREDENTIAL_PREFIX",
    "CREDENTIAL_RAW_PREFIX",
    "DIRECTORY_GROUP_PREFIX",
    "DIRECTORY_PREFIX",
    "DIRECTORY_USER_PREFIX",
    "DOMAIN_PREFIX",
    "FLOW_PREFIX",
    "LINK_PREFIX",
    "M2M_CLIENT_PREFIX",
    "MCP_CONFIG_PREFIX",
    "ORGANIZATION_PREFIX",
    "OTP_PREFIX",
    "PERMISSION_PREFIX",
    "PROVIDER_PREFIX",
    "ROLE_PREFIX",
    "SECRET_PREFIX",
    "SESSION_PREFIX",
    "TOKEN_SERIAL_PREFIX",
    "TOOL_EXECUTION_PREFIX",
    "USER_PREFIX",
    "USER_PROFILE_PREFIX",
]

# -- identity and URLs ---------------------------------------------------------------

HOST: Final = "fake.scalekit.test"
"""The host name the fake's URLs use (reserved: ``.test`` never resolves)."""

DEFAULT_ENV_URL: Final = f"http://{HOST}"
"""The environment URL of an in-process fake (and the default ``iss`` of its tokens)."""

CONNECT_URL: Final = f"https://{HOST}"
"""Where connected-account magic links, success pages and MCP servers point."""

PORTAL_URL: Final = f"https://portal.{HOST}"
"""Where admin-portal magic links point."""

RP_ID: Final = HOST
"""The WebAuthn relying-party id of the fake's passkeys."""

ENVIRONMENT_ID: Final = "env_fake0000000000001"
"""The environment id the fake stamps on domains and webhook events."""

DEFAULT_CLIENT_ID: Final = "skc_fake_client"
"""The client id a fake accepts unless told otherwise."""

DEFAULT_CLIENT_SECRET: Final = "fake-secret-do-not-use"  # noqa: S105 - a published test credential
"""The client secret a fake accepts unless told otherwise."""

# -- endpoint paths ---------------------------------------------------------------------

API_PREFIX: Final = "/api/"
PROXY_PREFIX: Final = "/proxy/"
"""The AgentKit proxy's paths: authorized like the API's."""
"""Paths under it are API operations: they need a token (and the emulator may fail them)."""

TOKEN_PATH: Final = "/oauth/token"  # noqa: S105 - a path, not a password
"""The token endpoint (client credentials, authorization codes, refresh tokens)."""

AUTHORIZE_PATH: Final = "/oauth/authorize"
"""The hosted-login authorization endpoint."""

JWKS_PATH: Final = "/keys"
"""The JWKS of the fake's signing keys."""

LOGOUT_PATH: Final = "/oidc/logout"
"""The OIDC end-session endpoint."""

# -- page sizes -------------------------------------------------------------------------

DEFAULT_PAGE_SIZE: Final = 10
"""The page size of a token-paginated list when the request gives none."""

MAX_PAGE_SIZE: Final = 100
"""The largest page of a token-paginated list (larger requests are cut to it)."""

CONNECTED_ACCOUNT_MAX_PAGE_SIZE: Final = 99
"""The largest page of ``GET /api/v1/connected_accounts`` (more is a 400)."""

CONNECTED_ACCOUNT_SEARCH_MAX_PAGE_SIZE: Final = 30
"""The largest page of ``GET /api/v1/connected_accounts:search`` (more is a 400)."""

DIRECTORY_MAX_PAGE_SIZE: Final = 30
"""The largest page of the directory user and group lists (more is a 400)."""

DOMAIN_PAGE_SIZE: Final = 30
"""The page size of a domain list when the request gives none (the most is `MAX_PAGE_SIZE`)."""

MCP_CONFIG_MAX_PAGE_SIZE: Final = 30
"""The largest page of the MCP configuration list (more is a 400)."""

USER_SEARCH_MAX_PAGE_SIZE: Final = 30
"""The largest page of a user search (more is a 400)."""

# -- id prefixes: ``fake.new_id(PREFIX)`` makes ``PREFIX_0001234567890123`` ------------

AUTH_REQUEST_PREFIX: Final = "ar"
CONNECTED_ACCOUNT_PREFIX: Final = "ca"
CONNECTION_PREFIX: Final = "conn"
CREDENTIAL_PREFIX: Final = "cred"
CREDENTIAL_RAW_PREFIX: Final = "raw"
DIRECTORY_GROUP_PREFIX: Final = "dirgroup"
DIRECTORY_PREFIX: Final = "dir"
DIRECTORY_USER_PREFIX: Final = "diruser"
DOMAIN_PREFIX: Final = "dom"
FLOW_PREFIX: Final = "authreq"
LINK_PREFIX: Final = "lnk"
M2M_CLIENT_PREFIX: Final = "m2morg"
MCP_CONFIG_PREFIX: Final = "cfg"
ORGANIZATION_PREFIX: Final = "org"
OTP_PREFIX: Final = "otp"
PERMISSION_PREFIX: Final = "perm"
PROVIDER_PREFIX: Final = "prv"
ROLE_PREFIX: Final = "role"
SECRET_PREFIX: Final = "sec"  # noqa: S105 - an id prefix, not a password
SESSION_PREFIX: Final = "ses"
TOKEN_SERIAL_PREFIX: Final = "tok"  # noqa: S105 - an id prefix, not a password
TOOL_EXECUTION_PREFIX: Final = "exec"
USER_PREFIX: Final = "usr"
USER_PROFILE_PREFIX: Final = "usp"
