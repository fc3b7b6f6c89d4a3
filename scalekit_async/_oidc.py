"""``client.auth``: login, code exchange, token validation and webhook verification helpers.

| helper                          | endpoint                    | I/O                          |
|---------------------------------|-----------------------------|------------------------------|
| `Auth.authorization_url`        | ``GET /oauth/authorize``    | none (builds a URL)          |
| `Auth.exchange_code`            | ``POST /oauth/token``       | token call + JWKS (cached)   |
| `Auth.refresh_access_token`     | ``POST /oauth/token``       | token call                   |
| `Auth.get_client_token`         | ``POST /oauth/token``       | token call (never cached)    |
| `Auth.logout_url`               | ``GET /oidc/logout``        | none (builds a URL)          |
| `Auth.validate_access_token`    | ``GET /keys`` (cached)      | none once the JWKS is cached |
| `Auth.validate_id_token`        | ``GET /keys`` (cached)      | none once the JWKS is cached |
| `Auth.idp_initiated_login_claims` | ``GET /keys`` (cached)    | none once the JWKS is cached |
| `Auth.verify_webhook`           | -                           | none                         |
| `Auth.verify_interceptor`       | -                           | none                         |
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import attrs

from ._errors import ResponseValidationError
from ._jwt import (
    DEFAULT_LEEWAY,
    AccessTokenClaims,
    IdpInitiatedLoginClaims,
    IdTokenClaims,
    access_token_claims,
    check_leeway,
    id_token_claims,
    idp_initiated_claims,
    scope_set,
    string_set,
    validate_claims,
)
from ._pkce import PkcePair, check_challenge, check_verifier, generate_pkce
from ._routes import AUTHORIZE_PATH, LOGOUT_PATH
from ._types import NOT_GIVEN, NotGiven, NotGivenOr
from ._webhooks import (
    DEFAULT_TOLERANCE,
    InterceptorPayload,
    verify_interceptor_payload,
    verify_webhook_payload,
)

if TYPE_CHECKING:
    from ._engine import Engine
    from ._jwks import JwksCache
    from .models.events import WebhookEvent

__all__ = ["Auth", "AuthenticatedUser", "AuthenticationResult", "ClientToken", "RefreshResult"]

DEFAULT_SCOPES = ("openid", "profile", "email")


@attrs.frozen(kw_only=True)
class AuthenticatedUser:
    """The signed-in user, from the verified ID token's claims.

    `id` is ``sub``; the other fields are the standard OpenID Connect claims
    of the same name (empty when the token does not carry them).
    """

    id: str = ""
    email: str = ""
    email_verified: bool = False
    name: str = ""
    given_name: str = ""
    family_name: str = ""
    preferred_username: str = ""
    picture: str = ""
    locale: str = ""
    phone_number: str = ""
    phone_number_verified: bool = False


@attrs.frozen(kw_only=True)
class AuthenticationResult:
    """The outcome of a code exchange: the user and their tokens (never shown in a repr).

    `organization_id` is the ID token's ``oid`` claim and `connection_id` its
    first ``amr`` value. `id_token_claims` holds every verified claim.
    """

    user: AuthenticatedUser
    id_token_claims: IdTokenClaims
    id_token: str = attrs.field(repr=False)
    access_token: str = attrs.field(repr=False)
    refresh_token: str | None = attrs.field(default=None, repr=False)
    expires_in: int | None = None
    token_type: str = "Bearer"  # noqa: S105 - a token type, not a secret
    scope: str = ""
    organization_id: str = ""
    connection_id: str = ""


@attrs.frozen(kw_only=True)
class RefreshResult:
    """New tokens for a user session (never shown in a repr).

    `refresh_token` is the one to store from now on: Scalekit may rotate it.
    """

    access_token: str = attrs.field(repr=False)
    refresh_token: str | None = attrs.field(default=None, repr=False)
    id_token: str | None = attrs.field(default=None, repr=False)
    expires_in: int | None = None
    token_type: str = "Bearer"  # noqa: S105 - a token type, not a secret
    scope: str = ""


@attrs.frozen(kw_only=True)
class ClientToken:
    """An API client's access token (client-credentials grant): the token endpoint's whole answer.

    `access_token` is kept out of the repr. `expires_in` is the lifetime in
    seconds the endpoint gave (`None` when it gave none); `scope` the granted
    scopes, space-separated (`scopes` splits them). `extra` holds any other
    field of the answer, as sent.
    """

    access_token: str = attrs.field(repr=False)
    token_type: str = "Bearer"  # noqa: S105 - a token type, not a secret
    expires_in: int | None = None
    scope: str = ""
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    @property
    def scopes(self) -> tuple[str, ...]:
        """The granted scopes, in the order the endpoint listed them."""
        return tuple(self.scope.split())


_CLIENT_TOKEN_FIELDS = frozenset({"access_token", "token_type", "expires_in", "scope"})


def _check_text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value


def _check_url(name: str, value: object) -> str:
    url = _check_text(name, value)
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} and not (parts.scheme and "." in parts.scheme):
        # http(s), or a private-use scheme of a native app (RFC 8252 §7.1: com.example.app:/cb)
        raise ValueError(f"{name} must be an absolute URL, got {url[:200]!r}")
    if parts.scheme in {"http", "https"} and not parts.netloc:
        raise ValueError(f"{name} must be an absolute URL, got {url[:200]!r}")
    return url


def _optional(name: str, value: object) -> str | None:
    if value is None or isinstance(value, NotGiven):
        return None
    return _check_text(name, value)


def _expires_in(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


class Auth:
    """Helpers for services that sign users in with Scalekit and receive its webhooks.

    Token validation keeps Scalekit's signing keys in `jwks` (a `JwksCache`
    shared by every validation of this client): after the first fetch a
    token signed with a known key is validated with no I/O at all.
    """

    __slots__ = ("_engine",)

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __repr__(self) -> str:
        return f"<Auth environment_url={self._engine.environment_url!r}>"

    @property
    def jwks(self) -> JwksCache:
        """The signing-key cache (its `refetch_interval` and `max_age` may be tuned)."""
        return self._engine.jwks

    # -- login ---------------------------------------------------------------

    @staticmethod
    def generate_pkce(length: int = 64) -> PkcePair:
        """A fresh PKCE verifier and S256 challenge (see `scalekit_async.generate_pkce`)."""
        return generate_pkce(length)

    def authorization_url(
        self,
        redirect_uri: str,
        *,
        scopes: Iterable[str] = DEFAULT_SCOPES,
        state: NotGivenOr[str | None] = NOT_GIVEN,
        nonce: NotGivenOr[str | None] = NOT_GIVEN,
        login_hint: NotGivenOr[str | None] = NOT_GIVEN,
        domain_hint: NotGivenOr[str | None] = NOT_GIVEN,
        connection_id: NotGivenOr[str | None] = NOT_GIVEN,
        organization_id: NotGivenOr[str | None] = NOT_GIVEN,
        provider: NotGivenOr[str | None] = NOT_GIVEN,
        prompt: NotGivenOr[str | None] = NOT_GIVEN,
        code_challenge: NotGivenOr[str | None] = NOT_GIVEN,
    ) -> str:
        """The URL of Scalekit's hosted login to redirect the browser to.

        Args:
            redirect_uri: Where Scalekit sends the browser back with ``code``
                and ``state`` (it must be registered in the dashboard).
            scopes: The scopes to ask for (default ``openid profile email``;
                ``offline_access`` adds a refresh token).
            state: An unguessable value you store and compare on return (CSRF).
            nonce: A value echoed in the ID token (pass it to `exchange_code`).
            login_hint: The user's email, to skip the email prompt.
            domain_hint: An organization domain, to pick its SSO connection.
            connection_id: Send the user straight to this connection.
            organization_id: Send the user to this organization's SSO.
            provider: A social provider (``google``, ``microsoft``, ``github``...).
            prompt: ``login``, ``create``, ``consent``, ``select_account`` or ``none``.
            code_challenge: The S256 challenge of a `PkcePair`
                (``code_challenge_method=S256`` is added).

        No I/O happens: this only builds the URL.

        """
        redirect = _check_url("redirect_uri", redirect_uri)
        scope = " ".join(string_set(scopes, "scopes"))
        params: dict[str, str] = {
            "response_type": "code",
            "client_id": self._engine.client_id,
            "redirect_uri": redirect,
            "scope": scope,
        }
        options = {
            "state": state,
            "nonce": nonce,
            "login_hint": login_hint,
            "domain_hint": domain_hint,
            "connection_id": connection_id,
            "organization_id": organization_id,
            "provider": provider,
            "prompt": prompt,
        }
        for name, value in options.items():
            text = _optional(name, value)
            if text is not None:
                params[name] = text
        if "domain_hint" in params:
            # The Node and Go SDKs send both names; the server reads either.
            params["domain"] = params["domain_hint"]
        if not isinstance(code_challenge, NotGiven) and code_challenge is not None:
            params["code_challenge"] = check_challenge(code_challenge)
            params["code_challenge_method"] = "S256"
        return f"{self._engine.environment_url}{AUTHORIZE_PATH}?{urlencode(params)}"

    async def exchange_code(
        self,
        code: str,
        redirect_uri: str,
        *,
        code_verifier: NotGivenOr[str | None] = NOT_GIVEN,
        nonce: NotGivenOr[str | None] = NOT_GIVEN,
        leeway: float = DEFAULT_LEEWAY,
    ) -> AuthenticationResult:
        """Exchange the ``code`` of the login callback for the user and their tokens.

        The ID token is verified (signature against the JWKS, issuer, audience
        = this client, expiry, and *nonce* when given), not just decoded.

        Args:
            code: The ``code`` query parameter of the callback.
            redirect_uri: The same redirect URI the authorization URL used.
            code_verifier: The `PkcePair.verifier` whose challenge the URL carried.
            nonce: The nonce the authorization URL carried.
            leeway: Clock-skew allowance, in seconds, for the ID token's times.

        Raises:
            TokenError: Scalekit refused the code (``error`` says why, e.g. ``invalid_grant``).
            TokenValidationError: the ID token did not verify.

        """
        form = {
            "grant_type": "authorization_code",
            "code": _check_text("code", code),
            "redirect_uri": _check_url("redirect_uri", redirect_uri),
        }
        if not isinstance(code_verifier, NotGiven) and code_verifier is not None:
            form["code_verifier"] = check_verifier(code_verifier)
        expected_nonce = _optional("nonce", nonce)
        check_leeway(leeway)
        body = await self._engine.grant(form)
        access_token = body.get("access_token")
        id_token = body.get("id_token")
        if not isinstance(access_token, str) or not access_token:
            raise ResponseValidationError(
                "token endpoint answered without an access_token", status_code=200
            )
        if not isinstance(id_token, str) or not id_token:
            raise ResponseValidationError(
                "token endpoint answered without an id_token (was the openid scope asked for?)",
                status_code=200,
            )
        claims = await self.validate_id_token(id_token, nonce=expected_nonce, leeway=leeway)
        refresh = body.get("refresh_token")
        return AuthenticationResult(
            user=AuthenticatedUser(
                id=claims.subject,
                email=claims.email,
                email_verified=claims.email_verified,
                name=claims.name,
                given_name=claims.given_name,
                family_name=claims.family_name,
                preferred_username=claims.preferred_username,
                picture=claims.picture,
                locale=claims.locale,
                phone_number=claims.phone_number,
                phone_number_verified=claims.phone_number_verified,
            ),
            id_token_claims=claims,
            id_token=id_token,
            access_token=access_token,
            refresh_token=refresh if isinstance(refresh, str) and refresh else None,
            expires_in=_expires_in(body.get("expires_in")),
            token_type=str(body.get("token_type") or "Bearer"),
            scope=str(body.get("scope") or ""),
            organization_id=claims.organization_id,
            connection_id=claims.connection_id,
        )

    async def refresh_access_token(self, refresh_token: str) -> RefreshResult:
        """Trade a user's refresh token for a new access token (and a new refresh token).

        Raises:
            TokenError: Scalekit refused it (``invalid_grant``: expired, revoked or reused).

        """
        form = {
            "grant_type": "refresh_token",
            "refresh_token": _check_text("refresh_token", refresh_token),
        }
        body = await self._engine.grant(form)
        access_token = body.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise ResponseValidationError(
                "token endpoint answered without an access_token", status_code=200
            )
        new_refresh = body.get("refresh_token")
        id_token = body.get("id_token")
        return RefreshResult(
            access_token=access_token,
            refresh_token=new_refresh if isinstance(new_refresh, str) and new_refresh else None,
            id_token=id_token if isinstance(id_token, str) and id_token else None,
            expires_in=_expires_in(body.get("expires_in")),
            token_type=str(body.get("token_type") or "Bearer"),
            scope=str(body.get("scope") or ""),
        )

    async def get_client_token(
        self,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        scopes: Iterable[str] | None = None,
    ) -> ClientToken:
        """Get a fresh access token for an API client (machine-to-machine), with its lifetime.

        With *client_id* and *client_secret* (both or neither) the token is
        another API client's, e.g. an organization's M2M client, to hand to a
        service that calls your API; without, it is this client's own. The
        answer is not cached and does not touch the token this client uses
        for its own calls: every call is one grant at the token endpoint.

        Unlike the official SDKs' ``generate_client_token`` and
        ``get_client_access_token``, which return only the token string, the
        whole answer comes back: `ClientToken.expires_in` tells when to get a
        new one and `ClientToken.scope` what was granted.

        The other client's secret is redacted from every error, log line and
        repr, like this client's own.

        Args:
            client_id: The API client whose token to get (``m2m_...``/``skc_...``).
            client_secret: That client's secret.
            scopes: Scopes to ask for (sent as ``scope``, space-separated;
                none: the client's default scopes).

        Raises:
            TokenError: The endpoint refused the grant (``invalid_client``:
                wrong id or secret; ``invalid_scope``).
            APIConnectionError: It could not be reached.

        """
        if (client_id is None) != (client_secret is None):
            raise ValueError("pass client_id and client_secret together, or neither")
        client: tuple[str, str] | None = None
        if client_id is not None and client_secret is not None:
            client = (
                _check_text("client_id", client_id),
                _check_text("client_secret", client_secret),
            )
        form = {"grant_type": "client_credentials"}
        if scopes is not None:
            scope = " ".join(string_set(scopes, "scopes"))
            if scope:
                form["scope"] = scope
        body = await self._engine.grant(form, idempotent=True, client=client)
        access_token = body.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise ResponseValidationError(
                "token endpoint answered without an access_token", status_code=200
            )
        scope_value = body.get("scope")
        return ClientToken(
            access_token=access_token,
            token_type=str(body.get("token_type") or "Bearer"),
            expires_in=_expires_in(body.get("expires_in")),
            scope=scope_value if isinstance(scope_value, str) else "",
            extra={k: v for k, v in body.items() if k not in _CLIENT_TOKEN_FIELDS},
        )

    def logout_url(
        self,
        *,
        id_token_hint: NotGivenOr[str | None] = NOT_GIVEN,
        post_logout_redirect_uri: NotGivenOr[str | None] = NOT_GIVEN,
        state: NotGivenOr[str | None] = NOT_GIVEN,
    ) -> str:
        """The URL that ends the user's Scalekit session (RP-initiated logout).

        Pass the user's ID token as *id_token_hint* and a registered
        *post_logout_redirect_uri* to come back to; *state* is echoed. No I/O.
        """
        params: dict[str, str] = {}
        hint = _optional("id_token_hint", id_token_hint)
        if hint is not None:
            params["id_token_hint"] = hint
        if (
            not isinstance(post_logout_redirect_uri, NotGiven)
            and post_logout_redirect_uri is not None
        ):
            params["post_logout_redirect_uri"] = _check_url(
                "post_logout_redirect_uri", post_logout_redirect_uri
            )
        text = _optional("state", state)
        if text is not None:
            params["state"] = text
        url = f"{self._engine.environment_url}{LOGOUT_PATH}"
        return f"{url}?{urlencode(params)}" if params else url

    # -- token validation ------------------------------------------------------

    def _issuers(self, issuer: NotGivenOr[str | Iterable[str]]) -> tuple[str, ...]:
        if isinstance(issuer, NotGiven):
            return (self._engine.environment_url,)
        return string_set(issuer, "issuer")

    @staticmethod
    def _audiences(audience: NotGivenOr[str | Iterable[str] | None]) -> tuple[str, ...] | None:
        if isinstance(audience, NotGiven) or audience is None:
            return None
        return string_set(audience, "audience")

    async def validate_access_token(
        self,
        token: str,
        *,
        audience: NotGivenOr[str | Iterable[str] | None] = NOT_GIVEN,
        issuer: NotGivenOr[str | Iterable[str]] = NOT_GIVEN,
        required_scopes: str | Iterable[str] = (),
        leeway: float = DEFAULT_LEEWAY,
    ) -> AccessTokenClaims:
        """Validate a Scalekit access token locally and return its claims.

        Args:
            token: The bearer token (without the ``Bearer `` prefix).
            audience: Accept only tokens whose ``aud`` holds one of these
                (your client id, or a resource id ``res_...``). Not given:
                ``aud`` is not checked, so any token of your environment passes;
                pin it whenever your API has its own audience.
            issuer: The accepted ``iss`` value(s) (default: the environment URL).
            required_scopes: Scopes the token must grant, read from both the
                ``scopes`` array and the ``scope`` string claim.
            leeway: Clock-skew allowance, in seconds, for ``exp``/``nbf``/``iat``.

        Raises:
            TokenValidationError: the token is not valid; ``reason`` says why.
            JwksUnavailableError: Scalekit's keys could not be fetched.

        """
        claims = await validate_claims(
            token,
            jwks=self._engine.jwks,
            issuers=self._issuers(issuer),
            audiences=self._audiences(audience),
            required_scopes=scope_set(required_scopes),
            leeway=check_leeway(leeway),
        )
        return access_token_claims(claims)

    async def validate_id_token(
        self,
        token: str,
        *,
        nonce: NotGivenOr[str | None] = NOT_GIVEN,
        audience: NotGivenOr[str | Iterable[str]] = NOT_GIVEN,
        issuer: NotGivenOr[str | Iterable[str]] = NOT_GIVEN,
        leeway: float = DEFAULT_LEEWAY,
    ) -> IdTokenClaims:
        """Validate an OpenID Connect ID token and return its claims.

        The audience defaults to this client's id (and ``azp``, when present,
        must be it); *nonce*, when given, must equal the token's.

        Raises:
            TokenValidationError: the token is not valid; ``reason`` says why.

        """
        client_id = self._engine.client_id
        audiences = (client_id,) if isinstance(audience, NotGiven) else self._audiences(audience)
        claims = await validate_claims(
            token,
            jwks=self._engine.jwks,
            issuers=self._issuers(issuer),
            audiences=audiences,
            leeway=check_leeway(leeway),
            nonce=_optional("nonce", nonce),
            authorized_party=client_id if isinstance(audience, NotGiven) else None,
        )
        return id_token_claims(claims)

    async def idp_initiated_login_claims(
        self,
        token: str,
        *,
        audience: NotGivenOr[str | Iterable[str] | None] = NOT_GIVEN,
        issuer: NotGivenOr[str | Iterable[str]] = NOT_GIVEN,
        leeway: float = DEFAULT_LEEWAY,
    ) -> IdpInitiatedLoginClaims:
        """Verify the ``idp_initiated_login`` token sent to your initiate-login URL.

        Returns where the login came from (connection, organization, login
        hint, relay state); start a normal login with them.

        Raises:
            TokenValidationError: the token is not valid; ``reason`` says why.

        """
        claims = await validate_claims(
            token,
            jwks=self._engine.jwks,
            issuers=self._issuers(issuer),
            audiences=self._audiences(audience),
            leeway=check_leeway(leeway),
        )
        return idp_initiated_claims(claims)

    # -- webhooks ----------------------------------------------------------------

    def verify_webhook(
        self,
        secret: str,
        headers: Mapping[str, str],
        payload: bytes | str,
        *,
        tolerance: float = DEFAULT_TOLERANCE,
    ) -> WebhookEvent:
        """Verify a webhook delivery (raw body, headers) and return its typed event.

        See `scalekit_async.verify_webhook_payload`; raises a
        `WebhookVerificationError` subclass per failure.
        """
        return verify_webhook_payload(
            secret, headers, payload, tolerance=tolerance, converter=self._engine.converter
        )

    @staticmethod
    def verify_interceptor(
        secret: str,
        headers: Mapping[str, str],
        payload: bytes | str,
        *,
        tolerance: float = DEFAULT_TOLERANCE,
    ) -> InterceptorPayload:
        """Verify an interceptor call (``interceptor-*`` headers) and return its payload.

        See `scalekit_async.verify_interceptor_payload`.
        """
        return verify_interceptor_payload(secret, headers, payload, tolerance=tolerance)
