"""Local validation of Scalekit-issued JWTs (access, ID and IdP-initiated login tokens).

Every check, in order, and the `TokenValidationReason` a failure carries:

1. the token is a compact JWS of sane size with a JSON header (``malformed``);
2. the header's ``alg`` is exactly ``RS256``: ``none``, ``HS256`` and every
   other algorithm are refused before any key is looked at (``algorithm``);
   ``jku``/``x5u``/``jwk`` headers are ignored, never fetched or trusted;
3. the ``kid`` names a key of the environment's JWKS (``unknown_key``);
   the JWKS comes from the client's `JwksCache` (``jwks_unavailable``);
4. the RS256 signature verifies with that key (``signature``);
5. ``exp`` is present and not past, ``nbf`` and ``iat`` are not in the
   future, each with the leeway (``missing_claim``, ``expired``, ``not_yet_valid``);
6. ``iss`` is one of the accepted issuers (``issuer``);
7. ``aud`` (string or list) shares a value with the accepted audiences, when
   audiences are given (``audience``);
8. every required scope is granted, by the ``scopes`` array claim or the
   space-separated ``scope`` claim (``scope``);
9. for ID tokens, the ``nonce`` matches the one sent (``nonce``).

Messages name the failed rule, never the token.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import attrs

from ._errors import JwksUnavailableError, TokenValidationError, TokenValidationReason

if TYPE_CHECKING:
    from ._jwks import JwksCache

__all__ = [
    "AccessTokenClaims",
    "IdTokenClaims",
    "IdpInitiatedLoginClaims",
    # defined in `_errors`; re-exported here until every importer uses `_errors`
    "JwksUnavailableError",
    "TokenValidationError",
    "TokenValidationReason",
]

ALGORITHM = "RS256"
DEFAULT_LEEWAY = 30.0
MAX_TOKEN_LENGTH = 32 * 1024
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")

_DECODE_OPTIONS: Any = {
    "verify_signature": True,
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "verify_aud": False,
    "verify_iss": False,
    "require": [],
}


@attrs.frozen(kw_only=True)
class AccessTokenClaims:
    """The validated claims of a Scalekit access token.

    Attributes map claims: `subject` ``sub`` (the user ``usr_...``, or the
    client of a machine token), `issuer` ``iss``, `audience` ``aud`` (always
    a tuple), `expires_at` ``exp``, `issued_at` ``iat``, `not_before` ``nbf``,
    `token_id` ``jti``, `client_id`, `session_id` ``sid``, `organization_id`
    ``oid``, `roles`, `permissions`, and `scopes`: the union of the ``scopes``
    array and the space-separated ``scope`` claim. `claims` holds every claim
    as sent, custom ones included.
    """

    subject: str = ""
    issuer: str = ""
    audience: tuple[str, ...] = ()
    expires_at: datetime | None = None
    issued_at: datetime | None = None
    not_before: datetime | None = None
    token_id: str = ""
    client_id: str = ""
    session_id: str = ""
    organization_id: str = ""
    roles: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    claims: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    def has_scopes(self, *scopes: str) -> bool:
        """Whether every one of *scopes* is granted."""
        return set(scopes) <= set(self.scopes)

    def has_permissions(self, *permissions: str) -> bool:
        """Whether every one of *permissions* is granted (``resource:action`` names)."""
        return set(permissions) <= set(self.permissions)


@attrs.frozen(kw_only=True)
class IdTokenClaims:
    """The validated claims of an OpenID Connect ID token issued by Scalekit.

    `subject` ``sub``, `issuer` ``iss``, `audience` ``aud``, `authorized_party`
    ``azp``, `authentication_methods` ``amr`` (its first value is the
    connection used), `organization_id` ``oid``, `session_id` ``sid``, the
    standard profile claims, and `claims` with every claim as sent.
    """

    subject: str = ""
    issuer: str = ""
    audience: tuple[str, ...] = ()
    expires_at: datetime | None = None
    issued_at: datetime | None = None
    authorized_party: str = ""
    authentication_methods: tuple[str, ...] = ()
    organization_id: str = ""
    session_id: str = ""
    nonce: str = ""
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
    claims: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    @property
    def connection_id(self) -> str:
        """The connection the user signed in with (the first ``amr`` value)."""
        return self.authentication_methods[0] if self.authentication_methods else ""


@attrs.frozen(kw_only=True)
class IdpInitiatedLoginClaims:
    """What an IdP-initiated login token says: where the login came from.

    Start a normal login with these as options of `Auth.authorization_url`
    (``connection_id``, ``organization_id``, ``login_hint``) and carry
    `relay_state` through ``state``.
    """

    connection_id: str = ""
    organization_id: str = ""
    login_hint: str = ""
    relay_state: str = ""
    claims: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


# -- input normalization ------------------------------------------------------


def string_set(value: object, name: str) -> tuple[str, ...]:
    """One string or an iterable of strings, as a tuple (a bare str is one value).

    Raises:
        TypeError: *value* is neither.
        ValueError: it is empty or holds an empty string.

    """
    if isinstance(value, str):
        items: tuple[object, ...] = (value,)
    elif isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        items = tuple(value)
    else:
        raise TypeError(f"{name} must be a str or an iterable of str, not {type(value).__name__}")
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{name} must hold only str, not {type(item).__name__}")
        if not item:
            raise ValueError(f"{name} must not hold an empty string")
    if not items:
        raise ValueError(f"{name} must not be empty")
    return items  # type: ignore[return-value]


def scope_set(value: object) -> tuple[str, ...]:
    """Required scopes: an iterable of names, or one space-separated string."""
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        out: list[str] = []
        for item in value:
            if not isinstance(item, str):
                raise TypeError(f"required_scopes must hold only str, not {type(item).__name__}")
            out.extend(item.split())
        return tuple(out)
    raise TypeError(
        f"required_scopes must be a str or an iterable of str, not {type(value).__name__}"
    )


def check_leeway(leeway: object) -> float:
    """A leeway in seconds: a finite number >= 0."""
    if isinstance(leeway, bool) or not isinstance(leeway, int | float):
        raise TypeError(f"leeway must be a number of seconds, not {type(leeway).__name__}")
    if not math.isfinite(leeway) or leeway < 0:
        raise ValueError(f"leeway must be a finite number >= 0, got {leeway}")
    return float(leeway)


# -- validation -----------------------------------------------------------------


def _fail(reason: TokenValidationReason, message: str) -> TokenValidationError:
    return TokenValidationError(reason, message)


def _header(token: object) -> Mapping[str, Any]:
    if not isinstance(token, str):
        raise TypeError(f"token must be a str, not {type(token).__name__}")
    if not token:
        raise _fail(TokenValidationReason.MALFORMED, "the token is empty")
    if len(token) > MAX_TOKEN_LENGTH:
        raise _fail(TokenValidationReason.MALFORMED, "the token is too long")
    if token.count(".") != 2:
        raise _fail(TokenValidationReason.MALFORMED, "the token is not a compact JWS (3 parts)")
    # Only the header is read here (PyJWT decodes and checks the whole token again
    # when it verifies the signature); reading it by hand halves the parsing cost.
    segment = token[: token.index(".")]
    header: Any = None
    if _BASE64URL.fullmatch(segment):
        try:
            header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
        except (ValueError, binascii.Error):
            header = None
    if not isinstance(header, dict):
        raise _fail(TokenValidationReason.MALFORMED, "the token header is not a JSON object")
    return header


def _numeric(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(TokenValidationReason.MALFORMED, f"the {name!r} claim is not a number")
    return float(value)


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list | tuple):
        return tuple(v for v in value if isinstance(v, str) and v)
    return ()


def granted_scopes(claims: Mapping[str, Any]) -> tuple[str, ...]:
    """The scopes a token grants: its ``scopes`` array and its space-separated ``scope``."""
    out: dict[str, None] = {}
    for name in _strings(claims.get("scopes")):
        out.update(dict.fromkeys(name.split()))
    scope = claims.get("scope")
    if isinstance(scope, str):
        out.update(dict.fromkeys(scope.split()))
    elif isinstance(scope, list):
        for name in _strings(scope):
            out.update(dict.fromkeys(name.split()))
    return tuple(out)


async def validate_claims(
    token: str,
    *,
    jwks: JwksCache,
    issuers: tuple[str, ...],
    audiences: tuple[str, ...] | None,
    required_scopes: tuple[str, ...] = (),
    leeway: float = DEFAULT_LEEWAY,
    nonce: str | None = None,
    authorized_party: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """Run every check of the module doc and return the token's claims.

    With a fresh cached key this never awaits anything (no I/O, no checkpoint).

    Raises:
        TypeError: *token* is not a string.
        TokenValidationError: a check failed (`JwksUnavailableError` when no
            keys could be fetched).

    """
    header = _header(token)
    alg = header.get("alg")
    if alg != ALGORITHM:
        shown = alg if isinstance(alg, str) and len(alg) <= 16 else "unsupported"
        raise _fail(
            TokenValidationReason.ALGORITHM,
            f"the token's algorithm {shown!r} is not accepted; only RS256 is",
        )
    if "crit" in header:
        raise _fail(TokenValidationReason.MALFORMED, "the token has critical header parameters")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise _fail(TokenValidationReason.MALFORMED, "the token's kid is not a string")
    key = jwks.cached(kid)
    if key is None:
        key = await jwks.get(kid)
    import jwt  # PyJWT (and cryptography): imported by the first validation, not the package

    try:
        claims: dict[str, Any] = jwt.decode(
            token, key=key, algorithms=[ALGORITHM], options=_DECODE_OPTIONS
        )
    except jwt.InvalidSignatureError:
        raise _fail(
            TokenValidationReason.SIGNATURE, "the token's signature does not verify"
        ) from None
    except jwt.InvalidAlgorithmError:
        raise _fail(
            TokenValidationReason.ALGORITHM, "the token's algorithm is not accepted"
        ) from None
    except jwt.InvalidTokenError:
        raise _fail(TokenValidationReason.MALFORMED, "the token could not be decoded") from None

    current = time.time() if now is None else now
    exp = _numeric(claims, "exp")
    if exp is None:
        raise _fail(TokenValidationReason.MISSING_CLAIM, "the token has no 'exp' claim")
    if current - leeway >= exp:
        raise _fail(TokenValidationReason.EXPIRED, "the token has expired")
    nbf = _numeric(claims, "nbf")
    if nbf is not None and current + leeway < nbf:
        raise _fail(TokenValidationReason.NOT_YET_VALID, "the token is not valid yet (nbf)")
    iat = _numeric(claims, "iat")
    if iat is not None and current + leeway < iat:
        raise _fail(TokenValidationReason.NOT_YET_VALID, "the token was issued in the future (iat)")

    iss = claims.get("iss")
    if not isinstance(iss, str) or not iss:
        raise _fail(TokenValidationReason.MISSING_CLAIM, "the token has no 'iss' claim")
    if iss not in issuers:
        raise _fail(
            TokenValidationReason.ISSUER,
            f"the token's issuer {iss[:200]!r} is not one of the accepted issuers",
        )

    if audiences is not None:
        aud = _strings(claims.get("aud"))
        if not aud:
            raise _fail(TokenValidationReason.MISSING_CLAIM, "the token has no 'aud' claim")
        if not set(aud) & set(audiences):
            raise _fail(
                TokenValidationReason.AUDIENCE,
                "the token's audience is not one of the accepted audiences",
            )
    if authorized_party is not None:
        azp = claims.get("azp")
        if azp is not None and azp != authorized_party:
            raise _fail(
                TokenValidationReason.AUDIENCE,
                "the token's authorized party (azp) is not this client",
            )

    if required_scopes:
        granted = set(granted_scopes(claims))
        missing = tuple(s for s in dict.fromkeys(required_scopes) if s not in granted)
        if missing:
            raise TokenValidationError(
                TokenValidationReason.SCOPE,
                "the token lacks required scope(s): " + ", ".join(m[:100] for m in missing),
                missing_scopes=missing,
            )

    if nonce is not None and claims.get("nonce") != nonce:
        raise _fail(TokenValidationReason.NONCE, "the ID token's nonce does not match")
    return claims


# -- typed claims ---------------------------------------------------------------


def _str(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    return value if isinstance(value, str) else ""


def _bool(claims: Mapping[str, Any], name: str) -> bool:
    value = claims.get(name)
    return value is True or value == "true"


def _time(claims: Mapping[str, Any], name: str) -> datetime | None:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value, UTC)


def access_token_claims(claims: Mapping[str, Any]) -> AccessTokenClaims:
    """Type the claims of a validated access token."""
    return AccessTokenClaims(
        subject=_str(claims, "sub"),
        issuer=_str(claims, "iss"),
        audience=_strings(claims.get("aud")),
        expires_at=_time(claims, "exp"),
        issued_at=_time(claims, "iat"),
        not_before=_time(claims, "nbf"),
        token_id=_str(claims, "jti"),
        client_id=_str(claims, "client_id"),
        session_id=_str(claims, "sid"),
        organization_id=_str(claims, "oid"),
        roles=_strings(claims.get("roles")),
        permissions=_strings(claims.get("permissions")),
        scopes=granted_scopes(claims),
        claims=dict(claims),
    )


def id_token_claims(claims: Mapping[str, Any]) -> IdTokenClaims:
    """Type the claims of a validated ID token."""
    return IdTokenClaims(
        subject=_str(claims, "sub"),
        issuer=_str(claims, "iss"),
        audience=_strings(claims.get("aud")),
        expires_at=_time(claims, "exp"),
        issued_at=_time(claims, "iat"),
        authorized_party=_str(claims, "azp"),
        authentication_methods=_strings(claims.get("amr")),
        organization_id=_str(claims, "oid"),
        session_id=_str(claims, "sid"),
        nonce=_str(claims, "nonce"),
        email=_str(claims, "email"),
        email_verified=_bool(claims, "email_verified"),
        name=_str(claims, "name"),
        given_name=_str(claims, "given_name"),
        family_name=_str(claims, "family_name"),
        preferred_username=_str(claims, "preferred_username"),
        picture=_str(claims, "picture"),
        locale=_str(claims, "locale"),
        phone_number=_str(claims, "phone_number"),
        phone_number_verified=_bool(claims, "phone_number_verified"),
        claims=dict(claims),
    )


def idp_initiated_claims(claims: Mapping[str, Any]) -> IdpInitiatedLoginClaims:
    """Type the claims of a validated IdP-initiated login token."""
    return IdpInitiatedLoginClaims(
        connection_id=_str(claims, "connection_id"),
        organization_id=_str(claims, "organization_id"),
        login_hint=_str(claims, "login_hint"),
        relay_state=_str(claims, "relay_state"),
        claims=dict(claims),
    )
