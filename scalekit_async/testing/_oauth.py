"""The fake's OAuth 2.0 / OpenID Connect side: hosted login, user grants, signing keys.

Routes (none needs an API token):

- ``GET /oauth/authorize``: signs a user in at once and redirects (302) to
  ``redirect_uri`` with ``code`` and ``state``; the user is the one whose
  email is ``login_hint`` (a `fake.users` entry when one matches);
- ``GET /keys``: the JWKS of the fake's RSA test keys (generated lazily,
  once per `FakeScalekit`; `FakeOAuth.rotate_key` adds one);
- ``GET /oidc/logout``: ends the session of ``id_token_hint`` (its refresh
  tokens stop working) and redirects to ``post_logout_redirect_uri``;
- ``POST /oauth/token`` grants ``authorization_code`` (single-use codes,
  ``redirect_uri`` and PKCE S256 checked) and ``refresh_token`` (rotated on
  use), answering RS256-signed ID and access tokens with Scalekit's claims;
- ``POST /_fake/tokens`` (`MINT_TOKEN_PATH`): **test-only**, no such route
  exists on Scalekit. Mints a signed user or M2M access token with the claims
  of its JSON body (`FakeOAuth.mint_requested`), so a process talking to the
  emulator over a socket gets tokens ``validate_access_token`` accepts.

Helpers for tests: `oauth(fake)` (the state, token minting, key rotation,
`FakeOAuth.use_key_file`) and `mint_access_token`; `sign_webhook` and
`new_webhook_secret` (from ``_delivery``) are importable from here too.

Key files (``scalekit-fake --keys FILE``): one unencrypted PEM (PKCS#8) RSA
private key of at least 2048 bits, created with mode 0600 on first use; its
``kid`` is derived from the public key (its RFC 7638 thumbprint), so the same
file gives the same JWKS after a restart and tokens signed before it still
validate.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import secrets
import tempfile
import time
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .._pkce import code_challenge
from ._constants import (
    AUTHORIZE_PATH,
    CONNECTION_PREFIX,
    DEFAULT_ENV_URL,
    JWKS_PATH,
    LOGOUT_PATH,
    M2M_CLIENT_PREFIX,
    ORGANIZATION_PREFIX,
    SESSION_PREFIX,
)
from ._delivery import new_webhook_secret, sign_webhook
from ._http import ApiError, FakeRequest, Reply
from ._state import FakeState

__all__ = [
    "M2M_TOKEN_FIELDS",
    "MINT_TOKEN_PATH",
    "USER_TOKEN_FIELDS",
    "FakeOAuth",
    "install",
    "load_key_file",
    "mint_access_token",
    "new_webhook_secret",
    "oauth",
    "sign_webhook",
]

CODE_TTL = 600.0
DEFAULT_EMAIL = "user@example.com"
DEFAULT_M2M_CLIENT_ID: Final = f"{M2M_CLIENT_PREFIX}_fake"
"""The ``client_id`` (and ``sub``) of M2M tokens minted without one."""
MIN_KEY_BITS: Final = 2048

MINT_TOKEN_PATH: Final = "/_fake/tokens"  # noqa: S105 - a path, not a password
"""The test-only minting route: no such route exists on Scalekit (`FakeOAuth.mint_route`)."""

USER_TOKEN_FIELDS: Final = frozenset(
    {
        "kind",
        "subject",
        "organization_id",
        "session_id",
        "client_id",
        "audience",
        "scopes",
        "roles",
        "permissions",
        "expires_in",
        "issued_at",
        "issuer",
        "claims",
    }
)
"""The names a user-token request to `MINT_TOKEN_PATH` may give (`FakeOAuth.mint_access_token`)."""

M2M_TOKEN_FIELDS: Final = USER_TOKEN_FIELDS - {"subject", "session_id"}
"""The names an M2M-token request (``"kind": "m2m"``) may give (`FakeOAuth.mint_m2m_token`)."""

_STATES: weakref.WeakKeyDictionary[FakeState, FakeOAuth] = weakref.WeakKeyDictionary()


def _oauth_error(error: str, description: str, status: int = 400) -> Reply:
    return Reply.json(status, {"error": error, "error_description": description})


def _redirect(url: str, params: Mapping[str, str]) -> Reply:
    """A 302 to *url* with *params* added to its query."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    location = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    return Reply(302, b"", (("location", location), ("cache-control", "no-store")))


def _hash_half(value: str) -> str:
    """OIDC ``at_hash``/``c_hash``: base64url of the left half of sha256(value)."""
    digest = hashlib.sha256(value.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


# -- key files ---------------------------------------------------------------------------


def key_id(key: rsa.RSAPrivateKey) -> str:
    """A ``kid`` derived from the public key (its RFC 7638 thumbprint): stable across restarts."""
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    canonical = json.dumps(
        {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"), sort_keys=True
    )
    return "snk_fake_" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _create_key_file(path: Path) -> None:
    """Write a new RSA key to *path* (mode 0600) unless the file appeared meanwhile."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=MIN_KEY_BITS)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # mkstemp creates the file 0600; linking it into place appears whole and never
    # overwrites: when two emulators start at once, the first key written wins.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(pem)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        except OSError:  # no hard links on this file system
            if not path.exists():
                os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def load_key_file(path: str | os.PathLike[str]) -> rsa.RSAPrivateKey:
    """The RSA signing key in the PEM file at *path*, created (mode 0600) if missing.

    Raises:
        ValueError: the file cannot be read or created, or holds no usable RSA key.
    """
    path = Path(path)
    try:
        if not path.exists():
            _create_key_file(path)
        pem = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"key file {str(path)!r}: {exc.strerror or exc}") from None
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ValueError(f"key file {str(path)!r} is not an unencrypted PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < MIN_KEY_BITS:
        raise ValueError(
            f"key file {str(path)!r} must hold an RSA key of at least {MIN_KEY_BITS} bits"
        )
    return key


class FakeOAuth:
    """The OAuth state of one `FakeScalekit`: keys, codes, refresh tokens, issuer.

    Attributes:
        issuer: The ``iss`` of the tokens it signs. Set it to the fake's URL
            when serving over a socket (``oauth(fake).issuer = url``).
        token_ttl: The ``expires_in`` of the user tokens it issues.
        codes: Unused authorization codes and what they were issued for.
        refresh_tokens: Live refresh tokens and the session they belong to.

    """

    def __init__(self, fake: FakeState) -> None:
        self._fake = weakref.ref(fake)
        self.issuer = DEFAULT_ENV_URL
        self.token_ttl = 3600
        self._keys: list[tuple[str, rsa.RSAPrivateKey]] = []
        self.codes: dict[str, dict[str, Any]] = {}
        self.refresh_tokens: dict[str, dict[str, Any]] = {}

    def __repr__(self) -> str:
        return f"<FakeOAuth issuer={self.issuer!r} keys={len(self._keys)}>"

    @property
    def fake(self) -> FakeState:
        """The fake this state belongs to."""
        fake = self._fake()
        assert fake is not None, "the FakeScalekit was garbage-collected"
        return fake

    # -- keys ------------------------------------------------------------------

    def _ensure_key(self) -> tuple[str, rsa.RSAPrivateKey]:
        if not self._keys:
            self.rotate_key()
        return self._keys[-1]

    def rotate_key(self) -> str:
        """Add a new RSA-2048 signing key, sign with it from now on; return its ``kid``.

        Older keys stay in the JWKS (as during a real rotation).
        """
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        kid = f"snk_fake_{len(self._keys) + 1}_{secrets.token_hex(4)}"
        self._keys.append((kid, key))
        return kid

    def use_key(self, key: rsa.RSAPrivateKey, kid: str | None = None) -> str:
        """Sign with *key* from now on (its ``kid``: derived from it unless given); return the kid.

        Keys used before stay in the JWKS, as with `rotate_key`.
        """
        kid = key_id(key) if kid is None else kid
        self._keys = [(k, old) for k, old in self._keys if k != kid]
        self._keys.append((kid, key))
        return kid

    def use_key_file(self, path: str | os.PathLike[str]) -> str:
        """Sign with the key in *path*, created on first use (see `load_key_file`); its kid.

        Two fakes (or two runs of the emulator) given the same file serve the
        same JWKS, so a token one signed validates against the other.
        """
        return self.use_key(load_key_file(path))

    def retire_keys(self) -> None:
        """Drop every key but the current one from the JWKS."""
        self._keys = [self._ensure_key()]

    @property
    def kid(self) -> str:
        """The ``kid`` of the current signing key."""
        return self._ensure_key()[0]

    @property
    def private_key(self) -> rsa.RSAPrivateKey:
        """The current signing key (for tests that forge tokens on purpose)."""
        return self._ensure_key()[1]

    def jwks(self) -> dict[str, Any]:
        """The JWKS document ``GET /keys`` serves."""
        self._ensure_key()
        keys = []
        for kid, key in self._keys:
            jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
        return {"keys": keys}

    @property
    def jwks_requests(self) -> int:
        """How many times ``GET /keys`` was called."""
        return sum(1 for r in self.fake.requests if r.path == JWKS_PATH)

    # -- tokens ------------------------------------------------------------------

    def sign(self, claims: Mapping[str, Any], *, headers: Mapping[str, Any] | None = None) -> str:
        """Sign *claims* with the current key (RS256, ``kid`` set)."""
        kid, key = self._ensure_key()
        return jwt.encode(
            dict(claims), key, algorithm="RS256", headers={"kid": kid, **(headers or {})}
        )

    def mint_access_token(
        self,
        *,
        subject: str = "usr_fake",
        organization_id: str = "org_fake",
        session_id: str | None = "ses_fake",
        client_id: str | None = None,
        audience: str | Iterable[str] | None = None,
        scopes: Iterable[str] = (),
        roles: Iterable[str] = (),
        permissions: Iterable[str] = (),
        expires_in: float | None = None,
        issued_at: float | None = None,
        issuer: str | None = None,
        claims: Mapping[str, Any] | None = None,
    ) -> str:
        """An access token with Scalekit's claims, signed with the fake's key.

        ``aud`` defaults to ``[client_id]`` (the fake's client id); *scopes*
        become the ``scopes`` array claim; a `None` *session_id* leaves ``sid``
        out; *expires_in* (default `token_ttl`) may be negative, for an expired
        token; *claims* adds or overrides any claim (``None`` values remove one).
        """
        now = time.time() if issued_at is None else issued_at
        cid = client_id or self.fake.client_id
        aud = (
            [cid]
            if audience is None
            else [audience]
            if isinstance(audience, str)
            else list(audience)
        )
        payload: dict[str, Any] = {
            "iss": issuer or self.issuer,
            "sub": subject,
            "aud": aud,
            "client_id": cid,
            "oid": organization_id,
            "jti": "tkn_" + secrets.token_hex(8),
            "iat": int(now),
            "nbf": int(now),
            "exp": int(now + (self.token_ttl if expires_in is None else expires_in)),
        }
        if session_id is not None:
            payload["sid"] = session_id
        if roles := list(roles):
            payload["roles"] = roles
        if permissions := list(permissions):
            payload["permissions"] = permissions
        if scopes := list(scopes):
            payload["scopes"] = scopes
        for name, value in (claims or {}).items():
            if value is None:
                payload.pop(name, None)
            else:
                payload[name] = value
        return self.sign(payload)

    def mint_m2m_token(
        self,
        *,
        client_id: str = DEFAULT_M2M_CLIENT_ID,
        organization_id: str = "org_fake",
        audience: str | Iterable[str] | None = None,
        scopes: Iterable[str] = (),
        roles: Iterable[str] = (),
        permissions: Iterable[str] = (),
        expires_in: float | None = None,
        issued_at: float | None = None,
        issuer: str | None = None,
        claims: Mapping[str, Any] | None = None,
    ) -> str:
        """A machine-to-machine access token, as an organization's API client gets one.

        Its ``sub`` and ``client_id`` are *client_id* (an ``m2morg_...`` id) and
        it has no session (``sid``); otherwise as `mint_access_token`.
        """
        return self.mint_access_token(
            subject=client_id,
            organization_id=organization_id,
            session_id=None,
            client_id=client_id,
            audience=audience,
            scopes=scopes,
            roles=roles,
            permissions=permissions,
            expires_in=expires_in,
            issued_at=issued_at,
            issuer=issuer,
            claims=claims,
        )

    def mint_requested(self, request: Mapping[str, object]) -> dict[str, Any]:
        """Mint the token a JSON request asks for; the answer of ``POST /_fake/tokens``.

        What ``POST /_fake/tokens`` and ``scalekit-fake mint-token`` send:
        ``"kind"`` (``"user"``, the default, or ``"m2m"``) and the keyword
        arguments of `mint_access_token` (`USER_TOKEN_FIELDS`) or of
        `mint_m2m_token` (`M2M_TOKEN_FIELDS`), by name, as JSON: strings, lists
        of strings, numbers, and an object for ``"claims"``.

        The answer: ``access_token``, ``token_type`` (``Bearer``) and
        ``expires_in`` (seconds).

        Raises:
            ValueError: an unknown name, or a value of the wrong type.
        """
        kind = request.get("kind", "user")
        if kind not in ("user", "m2m"):
            raise ValueError('kind must be "user" or "m2m"')
        allowed = USER_TOKEN_FIELDS if kind == "user" else M2M_TOKEN_FIELDS
        if kind == "m2m" and (own := sorted(set(request) & {"subject", "session_id"})):
            raise ValueError(f"an m2m token has no {' or '.join(own)}: its sub is its client_id")
        if unknown := sorted(set(request) - allowed):
            raise ValueError(
                f"unknown {kind} token field(s): {', '.join(unknown)}"
                f" (accepted: {', '.join(sorted(allowed))})"
            )
        raw_audience = request.get("audience")
        audience = (
            raw_audience
            if raw_audience is None or isinstance(raw_audience, str)
            else _strings(request, "audience")
        )
        extra = request.get("claims")
        if extra is not None and not (
            isinstance(extra, Mapping) and all(isinstance(k, str) for k in extra)
        ):
            raise ValueError("claims must be a JSON object")
        organization_id = _text(request, "organization_id") or "org_fake"
        client_id = _text(request, "client_id")
        scopes = _strings(request, "scopes")
        roles = _strings(request, "roles")
        permissions = _strings(request, "permissions")
        expires_in = _number(request, "expires_in")
        issued_at = _number(request, "issued_at")
        issuer = _text(request, "issuer")
        if kind == "m2m":
            token = self.mint_m2m_token(
                client_id=client_id or DEFAULT_M2M_CLIENT_ID,
                organization_id=organization_id,
                audience=audience,
                scopes=scopes,
                roles=roles,
                permissions=permissions,
                expires_in=expires_in,
                issued_at=issued_at,
                issuer=issuer,
                claims=extra,
            )
        else:
            session_id = request.get("session_id", "ses_fake")
            if session_id is not None and not isinstance(session_id, str):
                raise ValueError("session_id must be a string or null")
            token = self.mint_access_token(
                subject=_text(request, "subject") or "usr_fake",
                organization_id=organization_id,
                session_id=session_id,
                client_id=client_id,
                audience=audience,
                scopes=scopes,
                roles=roles,
                permissions=permissions,
                expires_in=expires_in,
                issued_at=issued_at,
                issuer=issuer,
                claims=extra,
            )
        lifetime = self.token_ttl if expires_in is None else expires_in
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(lifetime) if float(lifetime).is_integer() else lifetime,
        }

    def mint_route(self, request: FakeRequest) -> Reply:
        """``POST /_fake/tokens`` (test-only): a signed access token with the body's claims."""
        try:
            body = request.json()
        except (ApiError, ValueError):
            return _oauth_error("invalid_request", "the body is not JSON")
        if body is None:
            body = {}
        if not isinstance(body, Mapping):
            return _oauth_error("invalid_request", "the body must be a JSON object")
        try:
            answer = self.mint_requested(body)
        except ValueError as exc:
            return _oauth_error("invalid_request", str(exc))
        return Reply.json(200, answer, (("cache-control", "no-store"),))

    def mint_id_token(
        self,
        *,
        subject: str = "usr_fake",
        email: str = DEFAULT_EMAIL,
        organization_id: str = "org_fake",
        connection_id: str = "conn_fake",
        nonce: str | None = None,
        expires_in: float | None = None,
        claims: Mapping[str, Any] | None = None,
    ) -> str:
        """An ID token for the fake's client with Scalekit's claims (``amr``, ``oid``...)."""
        now = time.time()
        cid = self.fake.client_id
        payload: dict[str, Any] = {
            "iss": self.issuer,
            "sub": subject,
            "aud": [cid],
            "azp": cid,
            "amr": [connection_id],
            "oid": organization_id,
            "iat": int(now),
            "exp": int(now + (self.token_ttl if expires_in is None else expires_in)),
            "email": email,
            "email_verified": True,
        }
        if nonce is not None:
            payload["nonce"] = nonce
        for name, value in (claims or {}).items():
            if value is None:
                payload.pop(name, None)
            else:
                payload[name] = value
        return self.sign(payload)

    def mint_idp_initiated_token(
        self,
        *,
        connection_id: str = "conn_fake",
        organization_id: str = "org_fake",
        login_hint: str = DEFAULT_EMAIL,
        relay_state: str = "",
        expires_in: float = 300.0,
    ) -> str:
        """The ``idp_initiated_login`` token Scalekit sends to an initiate-login URL."""
        now = time.time()
        return self.sign(
            {
                "iss": self.issuer,
                "aud": [self.fake.client_id],
                "connection_id": connection_id,
                "organization_id": organization_id,
                "login_hint": login_hint,
                "relay_state": relay_state,
                "iat": int(now),
                "exp": int(now + expires_in),
            }
        )

    # -- the login flow -----------------------------------------------------------------

    def _user(self, email: str) -> dict[str, Any]:
        """The claims of the user signing in as *email* (looked up by the email index)."""
        key = self.fake.users.id_for_email(email)
        if key is not None:
            user = self.fake.users[key]
            profile = user.get("user_profile") or {}
            return {
                "sub": user.get("id", ""),
                "email": email,
                "given_name": profile.get("given_name", ""),
                "family_name": profile.get("family_name", ""),
                "name": profile.get("name", ""),
            }
        local = email.partition("@")[0]
        return {
            "sub": "usr_" + hashlib.sha256(email.encode()).hexdigest()[:17],
            "email": email,
            "name": local.replace(".", " ").title(),
        }

    def authorize(self, request: FakeRequest) -> Reply:
        """``GET /oauth/authorize``: sign the user in and redirect back with a code."""
        fake = self.fake
        redirect_uri = request.param("redirect_uri") or ""
        parts = urlsplit(redirect_uri)
        if not parts.scheme or not (parts.netloc or "." in parts.scheme):
            return _oauth_error("invalid_request", "redirect_uri is missing or not absolute")
        if request.param("client_id") != fake.client_id:
            return _oauth_error("invalid_client", "unknown client_id", 401)
        state = request.param("state")
        echo = {"state": state} if state is not None else {}
        if request.param("response_type") != "code":
            return _redirect(redirect_uri, {"error": "unsupported_response_type", **echo})
        challenge = request.param("code_challenge")
        if challenge is not None and request.param("code_challenge_method") != "S256":
            return _redirect(
                redirect_uri,
                {"error": "invalid_request", "error_description": "only S256 is supported", **echo},
            )
        code = "code_" + secrets.token_urlsafe(24)
        self.codes[code] = {
            "redirect_uri": redirect_uri,
            "code_challenge": challenge,
            "nonce": request.param("nonce"),
            "scope": request.param("scope") or "openid profile email",
            "organization_id": request.param("organization_id") or fake.new_id(ORGANIZATION_PREFIX),
            "connection_id": request.param("connection_id") or fake.new_id(CONNECTION_PREFIX),
            "user": self._user(request.param("login_hint") or DEFAULT_EMAIL),
            "expires_at": time.monotonic() + CODE_TTL,
        }
        return _redirect(redirect_uri, {"code": code, **echo})

    def _issue(self, session: Mapping[str, Any], *, code: str | None = None) -> Reply:
        user = session["user"]
        access = self.mint_access_token(
            subject=user["sub"],
            organization_id=session["organization_id"],
            session_id=session["session_id"],
        )
        scope = session["scope"]
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.token_ttl,
            "scope": scope,
        }
        if "openid" in scope.split():
            claims: dict[str, Any] = {**user, "sid": session["session_id"]}
            claims["at_hash"] = _hash_half(access)
            if code is not None:
                claims["c_hash"] = _hash_half(code)
            body["id_token"] = self.mint_id_token(
                subject=user["sub"],
                email=user["email"],
                organization_id=session["organization_id"],
                connection_id=session["connection_id"],
                nonce=session.get("nonce"),
                claims=claims,
            )
        refresh = "rt_" + secrets.token_urlsafe(32)
        self.refresh_tokens[refresh] = dict(session)
        body["refresh_token"] = refresh
        return Reply.json(200, body, (("cache-control", "no-store"),))

    def authorization_code_grant(self, request: FakeRequest, form: Mapping[str, str]) -> Reply:
        """``grant_type=authorization_code``: a code works once, with its redirect URI and PKCE."""
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or time.monotonic() >= grant["expires_at"]:
            return _oauth_error("invalid_grant", "the code is unknown, used or expired")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return _oauth_error("invalid_grant", "redirect_uri does not match the authorization")
        challenge = grant["code_challenge"]
        if challenge is not None:
            verifier = form.get("code_verifier")
            if not verifier:
                return _oauth_error("invalid_grant", "code_verifier is required (PKCE)")
            try:
                computed = code_challenge(verifier)
            except ValueError:
                return _oauth_error("invalid_grant", "code_verifier is malformed")
            if not secrets.compare_digest(computed, challenge):
                return _oauth_error("invalid_grant", "code_verifier does not match the challenge")
        session = {**grant, "session_id": self.fake.new_id(SESSION_PREFIX)}
        return self._issue(session, code=form["code"])

    def m2m_grant(self, client: Mapping[str, Any], form: Mapping[str, str]) -> Reply:
        """Client credentials of an API client created through the fake: a signed M2M token.

        Its ``sub`` and ``client_id`` are the client's id, ``oid`` its organization
        (none for an environment client), ``scopes`` the scopes asked for (``scope``,
        space-separated; each must be one of the client's) or else all of its scopes,
        and its lifetime the client's ``expiry`` (seconds).
        """
        client_id = str(client.get("client_id") or client.get("id") or "")
        allowed = [str(s) for s in client.get("scopes") or ()]
        asked = form.get("scope", "").split()
        if unknown := [s for s in asked if s not in allowed]:
            return Reply.json(
                400,
                {
                    "error": "invalid_scope",
                    "error_description": f"scopes not granted to {client_id}: {' '.join(unknown)}",
                },
            )
        scopes = asked or allowed
        try:
            expires_in = float(client.get("expiry") or self.token_ttl)
        except (TypeError, ValueError):
            expires_in = float(self.token_ttl)
        organization_id = str(client.get("organization_id") or "")
        audience = [str(a) for a in client.get("audience") or ()] or None
        token = self.mint_m2m_token(
            client_id=client_id,
            organization_id=organization_id,
            audience=audience,
            scopes=scopes,
            expires_in=expires_in,
            claims=None if organization_id else {"oid": None},
        )
        answer: dict[str, Any] = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(expires_in) if expires_in.is_integer() else expires_in,
        }
        if scopes:
            answer["scope"] = " ".join(scopes)
        return Reply.json(200, answer)

    def refresh_token_grant(self, request: FakeRequest, form: Mapping[str, str]) -> Reply:
        """``grant_type=refresh_token``: a refresh token works once and is replaced."""
        session = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
        if session is None:
            return _oauth_error("invalid_grant", "the refresh token is unknown, used or revoked")
        session.pop("nonce", None)
        return self._issue(session)

    def _verify_own(self, token: str) -> dict[str, Any] | None:
        """The claims of a token this fake signed (expiry ignored), or `None`."""
        for _, key in self._keys:
            try:
                claims: dict[str, Any] = jwt.decode(
                    token,
                    key.public_key(),
                    algorithms=["RS256"],
                    options={"verify_exp": False, "verify_aud": False},
                )
            except jwt.InvalidTokenError:
                continue
            return claims
        return None

    def logout(self, request: FakeRequest) -> Reply:
        """``GET /oidc/logout``: end the hinted session, then redirect back (or 200)."""
        hint = request.param("id_token_hint")
        if hint:
            claims = self._verify_own(hint)
            if claims is None:
                return _oauth_error("invalid_request", "id_token_hint is not a valid ID token")
            sid = claims.get("sid")
            for token, session in list(self.refresh_tokens.items()):
                if sid is not None and session.get("session_id") == sid:
                    del self.refresh_tokens[token]
        target = request.param("post_logout_redirect_uri")
        if target:
            state = request.param("state")
            return _redirect(target, {"state": state} if state is not None else {})
        return Reply(200, b"", (("content-type", "text/plain"),))


def _text(request: Mapping[str, object], name: str) -> str | None:
    value = request.get(name)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{name} must be a string")
    return value


def _strings(request: Mapping[str, object], name: str) -> list[str]:
    value = request.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name} must be a list of strings")
    return value


def _number(request: Mapping[str, object], name: str) -> float | None:
    value = request.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number (seconds)")
    return value


def oauth(fake: FakeState) -> FakeOAuth:
    """The OAuth state of *fake* (created on first use)."""
    state = _STATES.get(fake)
    if state is None:
        state = _STATES[fake] = FakeOAuth(fake)
    return state


def install(fake: FakeState) -> None:
    """Register the OAuth/OIDC routes and the user grants on *fake*."""
    state = oauth(fake)
    fake.router.add("GET", AUTHORIZE_PATH, lambda request: state.authorize(request))
    fake.router.add("GET", JWKS_PATH, lambda request: Reply.json(200, state.jwks()))
    fake.router.add("GET", LOGOUT_PATH, lambda request: state.logout(request))
    fake.router.add("POST", MINT_TOKEN_PATH, lambda request: state.mint_route(request))
    fake.grant_handlers["authorization_code"] = state.authorization_code_grant
    fake.grant_handlers["refresh_token"] = state.refresh_token_grant
    fake.m2m_grant = state.m2m_grant


def mint_access_token(
    fake: FakeState,
    *,
    subject: str = "usr_fake",
    organization_id: str = "org_fake",
    session_id: str | None = "ses_fake",
    client_id: str | None = None,
    audience: str | Iterable[str] | None = None,
    scopes: Iterable[str] = (),
    roles: Iterable[str] = (),
    permissions: Iterable[str] = (),
    expires_in: float | None = None,
    issued_at: float | None = None,
    issuer: str | None = None,
    claims: Mapping[str, Any] | None = None,
) -> str:
    """An access token signed by *fake* (the arguments of `FakeOAuth.mint_access_token`)."""
    return oauth(fake).mint_access_token(
        subject=subject,
        organization_id=organization_id,
        session_id=session_id,
        client_id=client_id,
        audience=audience,
        scopes=scopes,
        roles=roles,
        permissions=permissions,
        expires_in=expires_in,
        issued_at=issued_at,
        issuer=issuer,
        claims=claims,
    )
