"""Connection models: SSO and login connections, their protocol settings and toggles.

A `Connection` carries exactly one protocol block (``oidc_config``,
``saml_config``, ``oauth_config``, ...) matching its `type`; the others are
`None`. Secrets inside those blocks (client secrets, service-account keys)
never show in a repr.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from .._enums import OpenEnum
from ._common import IdentityProviderType
from .domains import Domain

__all__ = [
    "CodeChallengeType",
    "Connection",
    "ConnectionAuthMode",
    "ConnectionConfigurationType",
    "ConnectionStatus",
    "ConnectionSummary",
    "ConnectionToggle",
    "ConnectionType",
    "GoogleDWDConfig",
    "LoginUser",
    "OAuthConnectionConfig",
    "OAuthExtensions",
    "OAuthOptionalScopes",
    "OIDCConnectionConfig",
    "OIDCScope",
    "OIDCTokenAuthType",
    "PasswordlessConnectionConfig",
    "PasswordlessConnectionType",
    "SAMLConnectionConfig",
    "SAMLIdPCertificate",
    "SAMLNameIdFormat",
    "SAMLRequestBinding",
    "SAMLSigningOption",
    "SmartOnFhirConfig",
    "StaticAuthConfig",
    "WebAuthnAttestation",
    "WebAuthnAuthenticatorSelection",
    "WebAuthnAuthenticators",
    "WebAuthnConnectionConfig",
    "WebAuthnRelyingParty",
    "WebAuthnTimeouts",
]


# -- enums -------------------------------------------------------------------


class ConnectionType(OpenEnum):
    """The protocol a connection speaks."""

    INVALID = "INVALID"
    OIDC = "OIDC"
    SAML = "SAML"
    PASSWORD = "PASSWORD"  # noqa: S105 - a protocol name, not a secret
    OAUTH = "OAUTH"
    PASSWORDLESS = "PASSWORDLESS"
    BASIC = "BASIC"
    BEARER = "BEARER"
    API_KEY = "API_KEY"
    WEBAUTHN = "WEBAUTHN"
    OAUTH_M2M = "OAUTH_M2M"
    TRELLO_OAUTH1 = "TRELLO_OAUTH1"
    GOOGLE_DWD = "GOOGLE_DWD"
    TRUSTED_IDP = "TRUSTED_IDP"
    SMART_FHIR = "SMART_FHIR"
    NO_AUTH = "NO_AUTH"


class ConnectionAuthMode(OpenEnum):
    """Whose credential an AgentKit connection acts with.

    ``USER`` (the default): each end user authorizes their own account.
    ``ORG_WIDE``: one credential an administrator authorized is shared by every
    user of the connection (each still consents before it acts for them).
    """

    CONNECTION_AUTH_MODE_UNSPECIFIED = "CONNECTION_AUTH_MODE_UNSPECIFIED"
    USER = "USER"
    ORG_WIDE = "ORG_WIDE"


class ConnectionStatus(OpenEnum):
    """How far an administrator got in configuring a connection."""

    CONNECTION_STATUS_UNSPECIFIED = "CONNECTION_STATUS_UNSPECIFIED"
    DRAFT = "DRAFT"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"


class ConnectionConfigurationType(OpenEnum):
    """Whether a connection was configured from IdP metadata or by hand."""

    CONFIGURATION_TYPE_UNSPECIFIED = "CONFIGURATION_TYPE_UNSPECIFIED"
    DISCOVERY = "DISCOVERY"
    MANUAL = "MANUAL"


class OIDCScope(OpenEnum):
    """A scope an OIDC connection requests (lowercase on the wire)."""

    OIDC_SCOPE_UNSPECIFIED = "OIDC_SCOPE_UNSPECIFIED"
    OPENID = "openid"
    PROFILE = "profile"
    EMAIL = "email"
    ADDRESS = "address"
    PHONE = "phone"


class OIDCTokenAuthType(OpenEnum):
    """How an OIDC connection authenticates to the IdP's token endpoint."""

    TOKEN_AUTH_TYPE_UNSPECIFIED = "TOKEN_AUTH_TYPE_UNSPECIFIED"  # noqa: S105 - an enum name
    URL_PARAMS = "URL_PARAMS"
    BASIC_AUTH = "BASIC_AUTH"


class PasswordlessConnectionType(OpenEnum):
    """What a passwordless connection sends: a magic link, a code, or both."""

    PASSWORDLESS_TYPE_UNSPECIFIED = "PasswordlessType_UNSPECIFIED"
    LINK = "LINK"
    OTP = "OTP"
    LINK_OTP = "LINK_OTP"


class CodeChallengeType(OpenEnum):
    """The alphabet of one-time codes a passwordless connection sends."""

    CODE_CHALLENGE_TYPE_UNSPECIFIED = "CODE_CHALLENGE_TYPE_UNSPECIFIED"
    NUMERIC = "NUMERIC"
    ALPHANUMERIC = "ALPHANUMERIC"


class SAMLNameIdFormat(OpenEnum):
    """The NameID format a SAML connection asks the IdP for."""

    NAME_ID_FORMAT_NIL = "NAME_ID_FORMAT_NIL"
    UNSPECIFIED = "UNSPECIFIED"
    EMAIL = "EMAIL"
    TRANSIENT = "TRANSIENT"
    PERSISTENT = "PERSISTENT"


class SAMLRequestBinding(OpenEnum):
    """The HTTP binding of SAML requests sent to the IdP."""

    REQUEST_BINDING_UNSPECIFIED = "REQUEST_BINDING_UNSPECIFIED"
    HTTP_POST = "HTTP_POST"
    HTTP_REDIRECT = "HTTP_REDIRECT"


class SAMLSigningOption(OpenEnum):
    """Which parts of the IdP's SAML answer must be signed."""

    SAML_SIGNING_OPTIONS_UNSPECIFIED = "SAML_SIGNING_OPTIONS_UNSPECIFIED"
    NO_SIGNING = "NO_SIGNING"
    SAML_ONLY_RESPONSE_SIGNING = "SAML_ONLY_RESPONSE_SIGNING"
    SAML_ONLY_ASSERTION_SIGNING = "SAML_ONLY_ASSERTION_SIGNING"
    SAML_RESPONSE_ASSERTION_SIGNING = "SAML_RESPONSE_ASSERTION_SIGNING"
    SAML_RESPONSE_OR_ASSERTION_SIGNING = "SAML_RESPONSE_OR_ASSERTION_SIGNING"


# -- protocol blocks ---------------------------------------------------------


@attrs.frozen(kw_only=True)
class OIDCConnectionConfig:
    """The settings of an OpenID Connect connection (the IdP's endpoints and client)."""

    issuer: str | None = None
    discovery_endpoint: str | None = None
    authorize_uri: str | None = None
    token_uri: str | None = None
    user_info_uri: str | None = None
    jwks_uri: str | None = None
    client_id: str | None = None
    client_secret: str | None = attrs.field(default=None, repr=False)
    scopes: tuple[OIDCScope, ...] = ()
    token_auth_type: OIDCTokenAuthType | None = None
    redirect_uri: str = ""
    pkce_enabled: bool | None = None
    idp_logout_required: bool | None = None
    post_logout_redirect_uri: str | None = None
    backchannel_logout_redirect_uri: str | None = None
    sync_user_profile_on_login: bool | None = None
    jit_provisioning_with_sso_enabled: bool | None = None


@attrs.frozen(kw_only=True)
class SAMLIdPCertificate:
    """A signing certificate of a SAML identity provider (public, PEM)."""

    id: str = ""
    certificate: str = ""
    issuer: str = ""
    create_time: datetime | None = None
    expiry_time: datetime | None = None


@attrs.frozen(kw_only=True)
class SAMLConnectionConfig:
    """The settings of a SAML connection: your SP endpoints and the IdP's."""

    sp_entity_id: str = ""
    sp_assertion_url: str = ""
    sp_metadata_url: str = ""
    sp_slo_url: str | None = None
    idp_metadata_url: str | None = None
    idp_entity_id: str | None = None
    idp_sso_url: str | None = None
    idp_slo_url: str | None = None
    idp_certificates: tuple[SAMLIdPCertificate, ...] = ()
    idp_name_id_format: SAMLNameIdFormat | None = None
    idp_sso_request_binding: SAMLRequestBinding | None = None
    idp_slo_request_binding: SAMLRequestBinding | None = None
    idp_slo_required: bool | None = None
    saml_signing_option: SAMLSigningOption | None = None
    ui_button_title: str | None = None
    allow_idp_initiated_login: bool | None = None
    force_authn: bool | None = None
    default_redirect_uri: str | None = None
    assertion_encrypted: bool | None = None
    want_request_signed: bool | None = None
    certificate_id: str | None = None
    sync_user_profile_on_login: bool | None = None
    jit_provisioning_with_sso_enabled: bool | None = None


@attrs.frozen(kw_only=True)
class OAuthOptionalScopes:
    """Extra scopes a user may grant, and the request field that carries them."""

    scopes: tuple[str, ...] = ()
    field_name: str = ""


@attrs.frozen(kw_only=True)
class SmartOnFhirConfig:
    """SMART on FHIR launch settings of an OAuth connection."""

    aud: str = ""
    domain: str = ""


@attrs.frozen(kw_only=True)
class OAuthExtensions:
    """Provider-specific additions to an OAuth connection's authorization request."""

    smart: SmartOnFhirConfig | None = None
    extra_authorize_params: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class OAuthConnectionConfig:
    """The settings of an OAuth 2.0 connection (social login or a connector)."""

    authorize_uri: str | None = None
    token_uri: str | None = None
    user_info_uri: str | None = None
    client_id: str | None = None
    client_secret: str | None = attrs.field(default=None, repr=False)
    scopes: tuple[str, ...] = ()
    redirect_uri: str = ""
    pkce_enabled: bool | None = None
    prompt: str | None = None
    use_platform_creds: bool | None = None
    access_type: str | None = None
    custom_scope_name: str | None = None
    sync_user_profile_on_login: bool | None = None
    token_access_type: str | None = None
    tenant_id: str | None = None
    is_cimd: bool | None = None
    app_name: str | None = None
    optional_scopes: OAuthOptionalScopes | None = None
    extensions: OAuthExtensions | None = None
    token_endpoint_auth_method: str | None = None
    googleads_developer_token: str | None = attrs.field(default=None, repr=False)


@attrs.frozen(kw_only=True)
class PasswordlessConnectionConfig:
    """The settings of a magic-link / one-time-code connection."""

    type: PasswordlessConnectionType | None = None
    frequency: int | None = None
    validity: int | None = None
    enforce_same_browser_origin: bool | None = None
    code_challenge_length: int | None = None
    code_challenge_type: CodeChallengeType | None = None
    regenerate_passwordless_credentials_on_resend: bool | None = None


@attrs.frozen(kw_only=True)
class StaticAuthConfig:
    """Free-form settings of a custom (basic, bearer, API-key) connection.

    It may hold credentials, so it is kept out of the repr.
    """

    static_config: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class GoogleDWDConfig:
    """Google Workspace domain-wide delegation settings (the key is write-only, masked)."""

    service_account_json: str | None = attrs.field(default=None, repr=False)
    scopes: tuple[str, ...] = ()
    token_uri: str | None = None


@attrs.frozen(kw_only=True)
class WebAuthnRelyingParty:
    """The relying-party ids and origins passkeys are bound to."""

    ids: tuple[str, ...] = ()
    origins: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class WebAuthnAttestation:
    """What attestation a WebAuthn connection asks authenticators for."""

    conveyance_preference: str | None = None
    enterprise_approved_ids: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class WebAuthnAuthenticators:
    """Which authenticator metadata checks a WebAuthn connection applies."""

    validate_entry: bool | None = None
    validate_entry_permit_zero_aaguid: bool | None = None
    validate_anchors: bool | None = None
    validate_status: bool | None = None
    validate_attestation_type: bool | None = None
    desired_authenticator_status: tuple[str, ...] = ()
    undesired_authenticator_status: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class WebAuthnAuthenticatorSelection:
    """Which authenticators may register, and whether user verification is required."""

    user_verification: str | None = None
    authenticator_attachment: str | None = None


@attrs.frozen(kw_only=True)
class WebAuthnTimeouts:
    """WebAuthn ceremony timeouts, as protobuf durations (e.g. ``"300s"``)."""

    registration: str = ""
    registration_uvd: str = ""
    login: str = ""
    login_uvd: str = ""


@attrs.frozen(kw_only=True)
class WebAuthnConnectionConfig:
    """The settings of a passkey (WebAuthn) connection."""

    rp: WebAuthnRelyingParty | None = None
    attestation: WebAuthnAttestation | None = None
    authenticators: WebAuthnAuthenticators | None = None
    authenticator_selection: WebAuthnAuthenticatorSelection | None = None
    timeout: WebAuthnTimeouts | None = None
    enable_auto_registration: bool = False
    show_passkey_button: bool = False
    enable_conditional_login: bool = False


# -- connections -------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Connection:
    """A connection in full: identity, state and its protocol settings.

    `provider` reuses `IdentityProviderType`: the wire values are the same,
    except the zero value ``CONNECTION_PROVIDER_UNSPECIFIED``, which is kept
    as an unknown member.
    """

    id: str = ""
    organization_id: str | None = None
    provider: IdentityProviderType | None = None
    provider_key: str = ""
    type: ConnectionType | None = None
    status: ConnectionStatus | None = None
    enabled: bool = False
    debug_enabled: bool = False
    configuration_type: ConnectionConfigurationType | None = None
    key_id: str | None = None
    ui_button_title: str = ""
    auth_mode: ConnectionAuthMode | None = None
    test_connection_uri: str = ""
    mcp_server_url: str | None = None
    resolved_proxy_url: str | None = None
    attribute_mapping: Mapping[str, str] = attrs.field(factory=dict)
    create_time: datetime | None = None
    update_time: datetime | None = None
    domains: tuple[Domain, ...] = ()
    oidc_config: OIDCConnectionConfig | None = None
    saml_config: SAMLConnectionConfig | None = None
    oauth_config: OAuthConnectionConfig | None = None
    passwordless_config: PasswordlessConnectionConfig | None = None
    static_config: StaticAuthConfig | None = None
    webauthn_config: WebAuthnConnectionConfig | None = None
    google_dwd_config: GoogleDWDConfig | None = None


@attrs.frozen(kw_only=True)
class ConnectionSummary:
    """A connection as listed: identity, state, owner and domain names (no settings)."""

    id: str = ""
    organization_id: str = ""
    organization_name: str = ""
    provider: IdentityProviderType | None = None
    provider_key: str = ""
    type: ConnectionType | None = None
    status: ConnectionStatus | None = None
    enabled: bool = False
    key_id: str = ""
    ui_button_title: str = ""
    auth_mode: ConnectionAuthMode | None = None
    mcp_server_url: str = ""
    domains: tuple[str, ...] = ()
    created_at: datetime | None = None


@attrs.frozen(kw_only=True)
class ConnectionToggle:
    """The outcome of enabling or disabling a connection: its state afterwards."""

    enabled: bool = False
    error_message: str | None = None


# -- custom login ------------------------------------------------------------


@attrs.frozen(kw_only=True)
class LoginUser:
    """The user your own login page signed in, handed to Scalekit to finish a login.

    With a custom (bring-your-own) login connection, Scalekit sends the user to
    your login page with a login request id; once you have authenticated them,
    `Connections.update_login_user` passes this to Scalekit, which completes the
    login as that user. `sub` and `email` are required unless `login_failed` is
    set (then the login ends in an error instead). Fields left at their
    defaults are not sent.
    """

    sub: str = ""
    email: str = ""
    given_name: str = ""
    family_name: str = ""
    name: str = ""
    preferred_username: str = ""
    email_verified: bool = False
    phone_number: str = ""
    phone_number_verified: bool = False
    picture: str = ""
    gender: str = ""
    locale: str = ""
    groups: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    custom_attributes: Mapping[str, Any] = attrs.field(factory=dict)
    organization_external_id: str | None = None
    organization_external_name: str | None = None
    login_failed: bool = False
