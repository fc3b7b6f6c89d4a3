"""The framework-neutral session core: login, callback, refresh, logout and route guards.

The FastAPI and aiohttp integrations translate requests into calls of
`SessionManager` and turn its `Answer`s and ``Set-Cookie`` header values
back into responses; every rule lives here, so both frameworks share them.

States of a browser session, by the access token's expiry ``exp`` and the
refresh window ``w``:

| state      | condition                  | a request...                                      |
|------------|----------------------------|---------------------------------------------------|
| none       | no cookie                  | is not signed in                                  |
| invalid    | tampered, truncated, stale | is not signed in; the cookie is cleared            |
|            | key, expired or revoked    |                                                   |
| fresh      | now < exp - w              | is signed in (the access token is verified)       |
| refreshing | exp - w <= now             | waits for the session's one refresh, then is      |
|            |                            | signed in with the new tokens (new cookie sent)   |
| refused    | the refresh is refused     | is not signed in; the session is deleted          |
| unreachable| the refresh fails          | is signed in while the old token is valid, else   |
|            | transiently                | gets 503; the session is kept                     |
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import math
import secrets as secrets_module
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal
from urllib.parse import quote, urlencode, urlsplit

import anyio
import attrs

from .. import (
    AccessTokenClaims,
    AuthenticatedUser,
    ConfigurationError,
    JwksUnavailableError,
    ScalekitClient,
    ScalekitError,
    TokenError,
    TokenValidationError,
    TokenValidationReason,
)
from ._cookies import (
    CHUNK_LIMIT,
    SessionCipher,
    check_cookie_name,
    chunk_cookie,
    delete_cookie_header,
    present_chunks,
    read_chunked_cookie,
    set_cookie_header,
)
from ._redirects import safe_return_path
from ._store import (
    REFUSED,
    UNAVAILABLE,
    CookieSessionStore,
    DedupeStore,
    MemoryDedupeStore,
    RefreshOutcome,
    SessionRecord,
    SessionStore,
    SessionStoreUnavailableError,
)

__all__ = [
    "AccessDenied",
    "Answer",
    "RequestSession",
    "Requirement",
    "SessionConfig",
    "SessionManager",
    "SessionTooLargeError",
    "SignedInUser",
    "request_target",
]

logger = logging.getLogger("scalekit_async.sessions")

DEFAULT_SCOPES = ("openid", "profile", "email", "offline_access")
PROMPTS = frozenset({"login", "create", "consent", "select_account", "none"})
PASS_THROUGH = ("organization_id", "connection_id", "login_hint")
MAX_HINT_LENGTH = 320
MAX_PENDING_LOGINS = 3
"""Logins started in other tabs that stay valid (a new tab does not break an older one)."""
MAX_STORED_TARGET = 512
"""The longest return path kept in the login cookie (so three pending logins fit in one)."""
OAUTH_ERRORS = frozenset(
    {
        "access_denied",
        "invalid_request",
        "unauthorized_client",
        "unsupported_response_type",
        "invalid_scope",
        "server_error",
        "temporarily_unavailable",
        "login_required",
        "consent_required",
        "interaction_required",
        "account_selection_required",
    }
)
NO_STORE = ("cache-control", "no-store")
SESSION_PURPOSE = "session"
LOGIN_PURPOSE = "login"
UNAVAILABLE_GRACE = 5.0
"""A transient refresh failure keeps serving the old access token while it has this much left."""


# -- configuration ----------------------------------------------------------------------------


def _app_url(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigurationError("app_url is required: the application's own origin URL")
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigurationError(f"app_url must be an http(s) origin, got {value[:100]!r}")
    if parts.path not in {"", "/"} or parts.query or parts.fragment or parts.username:
        raise ConfigurationError(
            "app_url must be an origin only (scheme, host and port), e.g. https://app.example.com"
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _secrets(value: object) -> tuple[str | bytes, ...]:
    if isinstance(value, str | bytes):
        return (value,)
    if isinstance(value, Sequence):
        return tuple(value)
    raise TypeError("secrets must be a str, bytes, or a sequence of them (newest first)")


def _path(name: str) -> Callable[[Any, Any, str], None]:
    def check(instance: Any, attribute: Any, value: str) -> None:
        if safe_return_path(value) is None:
            raise ConfigurationError(f"{name} must be a path on this origin, like /account")

    return check


def _prefix(instance: Any, attribute: Any, value: str) -> None:
    if not isinstance(value, str) or (value and safe_return_path(value) is None):
        raise ConfigurationError("prefix must be empty or a path such as /auth")
    if value.endswith("/") or "?" in value or "#" in value:
        raise ConfigurationError("prefix must not end with / nor hold a query: use /auth")


def _positive(instance: Any, attribute: Any, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigurationError(f"{attribute.name} must be a positive number of seconds")


def _audiences(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, Sequence) and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise TypeError("bearer_audience must be a str or a sequence of non-empty str")


def _scopes(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise TypeError("scopes must be a sequence of str")
    scopes = tuple(value)
    if "openid" not in scopes:
        raise ConfigurationError("scopes must include openid (the session needs an ID token)")
    return scopes


@attrs.frozen(kw_only=True)
class SessionConfig:
    """How sign-in sessions work; shared by the FastAPI and aiohttp integrations.

    Attributes:
        app_url: This application's origin as browsers reach it
            (``https://app.example.com``). The callback URL
            (``{app_url}{prefix}/callback``) and the post-logout URL derive from
            it, never from a request's ``Host`` header; register both in the
            Scalekit dashboard.
        secrets: The session secrets, newest first (one str is fine); each at
            least 32 random characters. The first seals, every one opens, so a
            secret is rotated without signing anybody out.
        prefix: Where the login, callback and logout routes live.
        cookie_secure: Mark cookies ``Secure`` (the default). Switch off only
            for ``http://localhost`` development.
        cookie_name: The session cookie's name. Default: ``__Host-sk_session``
            when secure (a sibling subdomain cannot plant or overwrite it),
            ``sk_session`` otherwise.
        login_cookie_name: The cookie holding pending logins (``__Host-sk_login``
            or ``sk_login``).
        cookie_domain: A ``Domain`` for the cookies (default none: this host only;
            setting one gives up the ``__Host-`` prefix).
        scopes: The scopes asked for; ``offline_access`` brings the refresh token.
        refresh_window: Refresh the access token when it has less than this
            many seconds left.
        session_lifetime: The absolute lifetime of a session, in seconds,
            whatever the refreshes (default 7 days).
        login_timeout: How long a started login may take to come back.
        post_login_path: Where a login without a (valid) ``return_to`` lands.
        post_logout_path: Where logout lands (made absolute with `app_url`).
        full_logout: Also end the Scalekit session (redirect through Scalekit's
            logout with ``id_token_hint``), not just this application's cookie.
        revoke_on_logout: Also revoke the Scalekit session through the API
            (``client.sessions.revoke``), so its refresh tokens stop working even
            if the browser never follows the logout redirect.
        bearer_audience: Accept ``Authorization: Bearer`` access tokens (user or
            M2M) whose ``aud`` holds one of these; empty (the default): bearer
            tokens are not accepted, the session cookie is the only credential.
        max_cookie_chunks: The most cookies one session may be split into
            (each under 4 KB); a larger session fails the login with a clear
            error: use a server-side store then.

    """

    app_url: str = attrs.field(converter=_app_url)
    secrets: tuple[str | bytes, ...] = attrs.field(converter=_secrets, repr=False)
    prefix: str = attrs.field(default="/auth", validator=_prefix)
    cookie_secure: bool = True
    cookie_name: str | None = None
    login_cookie_name: str | None = None
    cookie_domain: str | None = None
    scopes: tuple[str, ...] = attrs.field(default=DEFAULT_SCOPES, converter=_scopes)
    refresh_window: float = attrs.field(default=60.0, validator=_positive)
    session_lifetime: float = attrs.field(default=7 * 24 * 3600.0, validator=_positive)
    login_timeout: float = attrs.field(default=600.0, validator=_positive)
    post_login_path: str = attrs.field(default="/", validator=_path("post_login_path"))
    post_logout_path: str = attrs.field(default="/", validator=_path("post_logout_path"))
    full_logout: bool = True
    revoke_on_logout: bool = False
    bearer_audience: tuple[str, ...] = attrs.field(default=(), converter=_audiences)
    max_cookie_chunks: int = 4

    def __attrs_post_init__(self) -> None:
        for name in (self.cookie_name, self.login_cookie_name):
            if name is None:
                continue
            check_cookie_name(name)
            if name.startswith("__Host-") and (not self.cookie_secure or self.cookie_domain):
                raise ConfigurationError("a __Host- cookie must be Secure and have no Domain")
            if name.startswith("__Secure-") and not self.cookie_secure:
                raise ConfigurationError("a __Secure- cookie must be Secure")
        if self.session_cookie == self.login_cookie:
            raise ConfigurationError("cookie_name and login_cookie_name must differ")
        if self.app_url.startswith("https://") and not self.cookie_secure:
            raise ConfigurationError("an https app_url needs Secure cookies: keep cookie_secure")
        if not 1 <= self.max_cookie_chunks <= 9:
            raise ConfigurationError("max_cookie_chunks must be between 1 and 9")
        if self.refresh_window >= self.session_lifetime:
            raise ConfigurationError("refresh_window must be shorter than session_lifetime")

    def _default_name(self, base: str) -> str:
        return f"__Host-{base}" if self.cookie_secure and not self.cookie_domain else base

    @property
    def session_cookie(self) -> str:
        """The session cookie's name (chunks add ``.1``, ``.2``...)."""
        return self.cookie_name or self._default_name("sk_session")

    @property
    def login_cookie(self) -> str:
        """The pending-logins cookie's name."""
        return self.login_cookie_name or self._default_name("sk_login")

    @property
    def login_path(self) -> str:
        """``{prefix}/login``."""
        return f"{self.prefix}/login"

    @property
    def callback_path(self) -> str:
        """``{prefix}/callback``."""
        return f"{self.prefix}/callback"

    @property
    def logout_path(self) -> str:
        """``{prefix}/logout``."""
        return f"{self.prefix}/logout"

    @property
    def redirect_uri(self) -> str:
        """The callback URL Scalekit sends the browser back to (register it)."""
        return self.app_url + self.callback_path


# -- what the integrations hand to applications ---------------------------------------------


@attrs.frozen(kw_only=True)
class SignedInUser:
    """The caller: from the session cookie or a bearer access token.

    Attributes:
        user: The typed user. From a session: the verified ID token's profile.
            From a bearer token: only `id` (the token's subject) and, when the
            token carries it, `email`.
        claims: The verified access token's claims (roles, permissions, scopes...).
        organization_id: The organization the caller acts in.
        session_id: Scalekit's session id (``sid``), empty for M2M tokens.
        via: ``session`` (the cookie) or ``bearer`` (an ``Authorization`` header).
        access_token: The access token, to call your other APIs on the user's
            behalf (never shown in a repr).

    """

    user: AuthenticatedUser
    claims: AccessTokenClaims
    organization_id: str = ""
    session_id: str = ""
    via: Literal["session", "bearer"] = "session"
    access_token: str = attrs.field(default="", repr=False)

    @property
    def id(self) -> str:
        """The user's id (the tokens' ``sub``)."""
        return self.user.id

    @property
    def email(self) -> str:
        """The user's email (empty when unknown)."""
        return self.user.email

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles the access token grants."""
        return self.claims.roles

    @property
    def permissions(self) -> tuple[str, ...]:
        """The permissions the access token grants."""
        return self.claims.permissions

    def has_roles(self, *roles: str) -> bool:
        """Whether every one of *roles* is granted."""
        return set(roles) <= set(self.claims.roles)

    def has_permissions(self, *permissions: str) -> bool:
        """Whether every one of *permissions* is granted."""
        return self.claims.has_permissions(*permissions)

    def has_scopes(self, *scopes: str) -> bool:
        """Whether every one of *scopes* is granted."""
        return self.claims.has_scopes(*scopes)


class AccessDenied(Exception):
    """A guarded route refused the caller; the integrations turn it into an answer.

    Attributes:
        status: 401 (not signed in, or a bad bearer token), 403 (signed in,
            not allowed) or 503 (cannot check now; retry).
        error: A short machine-readable code (``not_signed_in``, ``forbidden``...).
        detail: A sentence for people; never a token nor a secret.
        headers: Extra response headers (``WWW-Authenticate``, ``Retry-After``).
        login: Redirect a browser to the login page instead of answering 401.

    """

    def __init__(
        self,
        status: int,
        error: str,
        detail: str,
        *,
        headers: Sequence[tuple[str, str]] = (),
        login: bool = False,
    ) -> None:
        super().__init__(f"{status} {error}: {detail}")
        self.status = status
        self.error = error
        self.detail = detail
        self.headers = tuple(headers)
        self.login = login


def _names(value: str | Iterable[str]) -> tuple[str, ...]:
    """Names to require: one str, or several (a bare str is one name, not its letters)."""
    names = (value,) if isinstance(value, str) else tuple(value)
    if not all(isinstance(n, str) and n for n in names):
        raise TypeError("scopes, permissions and roles are non-empty str")
    return names


@attrs.frozen(kw_only=True)
class Requirement:
    """What a guarded route asks of its caller (every listed item is required).

    Attributes:
        scopes: Scopes the access token must grant.
        permissions: Permissions the access token must grant.
        roles: Roles the access token must grant.
        organization: `True`: the caller must act in some organization; a
            string: in that organization.
        login_redirect: A browser that is not signed in is redirected to the
            login page (and back here after) instead of getting a 401.

    """

    scopes: tuple[str, ...] = attrs.field(default=(), converter=_names)
    permissions: tuple[str, ...] = attrs.field(default=(), converter=_names)
    roles: tuple[str, ...] = attrs.field(default=(), converter=_names)
    organization: bool | str = False
    login_redirect: bool = False

    def check(self, user: SignedInUser) -> AccessDenied | None:
        """Why *user* does not meet this requirement (a 403), or `None`."""
        missing = [s for s in self.scopes if not user.has_scopes(s)]
        if missing:
            return AccessDenied(
                403,
                "insufficient_scope",
                f"missing scope(s): {' '.join(missing)}",
                headers=[("www-authenticate", 'Bearer error="insufficient_scope"')],
            )
        missing = [p for p in self.permissions if not user.has_permissions(p)]
        if missing:
            return AccessDenied(403, "forbidden", f"missing permission(s): {', '.join(missing)}")
        missing = [r for r in self.roles if not user.has_roles(r)]
        if missing:
            return AccessDenied(403, "forbidden", f"missing role(s): {', '.join(missing)}")
        if self.organization is True and not user.organization_id:
            return AccessDenied(403, "organization_required", "sign in to an organization first")
        organization = self.organization
        if isinstance(organization, str) and organization and organization != user.organization_id:
            return AccessDenied(403, "forbidden", "this route belongs to another organization")
        return None


@attrs.frozen
class Answer:
    """A complete HTTP answer the integrations send as is."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The first header *name* (any case), or `None`."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)


def _json_answer(
    status: int, error: str, detail: str, headers: Sequence[tuple[str, str]] = ()
) -> Answer:
    body = json.dumps({"error": error, "detail": detail}).encode()
    return Answer(
        status,
        (("content-type", "application/json"), NO_STORE, *headers),
        body,
    )


def _page_answer(
    status: int, title: str, detail: str, link: str, headers: Sequence[tuple[str, str]] = ()
) -> Answer:
    body = (
        "<!doctype html><html><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(detail)}</p>"
        f'<p><a href="{html.escape(link, quote=True)}">Sign in again</a></p>'
        "</body></html>"
    ).encode()
    return Answer(
        status,
        (("content-type", "text/html; charset=utf-8"), NO_STORE, *headers),
        body,
    )


def _wants_html(accept: str | None) -> bool:
    """A browser navigation (``text/html`` asked for); API clients get JSON."""
    return bool(accept) and "text/html" in (accept or "").lower()


def _redirect(location: str, headers: Sequence[tuple[str, str]] = (), status: int = 302) -> Answer:
    return Answer(status, (("location", location), NO_STORE, *headers))


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _hint(value: str | None) -> str | None:
    """A pass-through login parameter if it is short printable text."""
    if not value:
        return None
    if len(value) > MAX_HINT_LENGTH or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return None
    return value


# -- the manager ------------------------------------------------------------------------------


class SessionManager:
    """Every session rule, without a web framework: the integrations call it.

    Args:
        config: The `SessionConfig`.
        store: Where sessions live (default: `CookieSessionStore`, in the cookie).
        dedupe: Remembers consumed login states so a callback URL works once
            (default: `MemoryDedupeStore`; use the Redis one in a fleet).
        clock: Unix time, in seconds (injectable for tests).

    Constructing it does no I/O. Nothing it logs, raises or shows in a repr
    contains a token, a verifier or a secret.
    """

    def __init__(
        self,
        config: SessionConfig,
        *,
        store: SessionStore | None = None,
        dedupe: DedupeStore | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.config = config
        self.store: SessionStore = store if store is not None else CookieSessionStore()
        self.dedupe: DedupeStore = dedupe if dedupe is not None else MemoryDedupeStore()
        self._cipher = SessionCipher(config.secrets)
        self._clock = clock or time.time

    def __repr__(self) -> str:
        return f"<SessionManager app_url={self.config.app_url!r} store={self.store!r}>"

    def now(self) -> float:
        """The manager's clock (unix seconds)."""
        return self._clock()

    # -- cookies --------------------------------------------------------------------------

    def _cookie(self, name: str, value: str, *, max_age: int | None = None) -> tuple[str, str]:
        config = self.config
        header = set_cookie_header(
            name,
            value,
            secure=config.cookie_secure,
            domain=config.cookie_domain,
            max_age=max_age,
        )
        return ("set-cookie", header)

    def _deleted(self, name: str) -> tuple[str, str]:
        config = self.config
        header = delete_cookie_header(
            name, secure=config.cookie_secure, domain=config.cookie_domain
        )
        return ("set-cookie", header)

    def clear_session_headers(self, cookies: Mapping[str, str]) -> list[tuple[str, str]]:
        """``Set-Cookie`` headers removing the session cookie (and its chunks) the browser sent."""
        name = self.config.session_cookie
        names = ([name] if name in cookies else []) + present_chunks(name, cookies)
        return [self._deleted(n) for n in names]

    def session_headers(
        self, reference: Mapping[str, Any], record: SessionRecord, cookies: Mapping[str, str]
    ) -> list[tuple[str, str]]:
        """``Set-Cookie`` headers carrying *reference* (split into chunks when large).

        Raises:
            SessionTooLargeError: it needs more than ``max_cookie_chunks`` cookies.

        """
        config = self.config
        sealed = self._cipher.seal(SESSION_PURPOSE, reference, expires_at=record.expires_at)
        chunks = chunk_cookie(config.session_cookie, sealed, max_chunks=config.max_cookie_chunks)
        if chunks is None:
            raise SessionTooLargeError(len(sealed))
        headers = [self._cookie(name, value) for name, value in chunks]
        kept = {name for name, _ in chunks}
        headers += [
            self._deleted(n)
            for n in present_chunks(config.session_cookie, cookies)
            if n not in kept
        ]
        return headers

    def _pending_logins(self, cookies: Mapping[str, str], now: float) -> list[dict[str, Any]]:
        payload = self._cipher.open(LOGIN_PURPOSE, cookies.get(self.config.login_cookie), now=now)
        entries = payload.get("p") if payload else None
        if not isinstance(entries, list):
            return []
        keys = ("s", "n", "v", "r")
        return [
            e
            for e in entries
            if isinstance(e, dict)
            and all(isinstance(e.get(k), str) and e.get(k) for k in keys)
            and isinstance(e.get("e"), int | float)
            and e["e"] > now
        ]

    def _login_cookie(
        self, pending: list[dict[str, Any]], cookies: Mapping[str, str], now: float
    ) -> list[tuple[str, str]]:
        name = self.config.login_cookie
        if not pending:
            return [self._deleted(name)] if name in cookies else []
        while True:
            expires_at = max(float(e["e"]) for e in pending)
            sealed = self._cipher.seal(LOGIN_PURPOSE, {"p": pending}, expires_at=expires_at)
            if len(sealed) <= CHUNK_LIMIT or len(pending) == 1:
                return [self._cookie(name, sealed, max_age=math.ceil(expires_at - now))]
            pending = pending[1:]  # the oldest pending login gives way

    def _problem(
        self,
        status: int,
        error: str,
        detail: str,
        accept: str | None,
        headers: Sequence[tuple[str, str]] = (),
    ) -> Answer:
        if _wants_html(accept):
            title = "Sign-in failed" if status < 500 else "Sign-in is unavailable"
            return _page_answer(status, title, detail, self.config.login_path, headers)
        return _json_answer(status, error, detail, headers)

    # -- login ----------------------------------------------------------------------------

    async def login(
        self, client: ScalekitClient, *, query: Mapping[str, str], cookies: Mapping[str, str]
    ) -> Answer:
        """``GET {prefix}/login``: start an authorization-code flow (state, nonce, PKCE S256).

        Query parameters: ``return_to`` (or ``returnTo``: a path on this
        origin, anything else is ignored), ``organization_id``,
        ``connection_id``, ``login_hint`` and ``prompt`` (passed to Scalekit),
        and ``idp_initiated_login`` (a token from Scalekit's initiate-login
        call; verified, then its connection, organization and hint are used).
        """
        config = self.config
        now = self.now()
        options: dict[str, str] = {}
        for name in PASS_THROUGH:
            value = _hint(query.get(name))
            if value is not None:
                options[name] = value
        prompt = query.get("prompt")
        if prompt in PROMPTS:
            options["prompt"] = prompt
        idp_token = query.get("idp_initiated_login")
        if idp_token:
            try:
                claims = await client.auth.idp_initiated_login_claims(idp_token)
            except ScalekitError as exc:
                logger.warning(
                    "ignoring an IdP-initiated login token that did not verify (%s)",
                    getattr(exc, "reason", type(exc).__name__),
                )
            else:
                for name, value in (
                    ("connection_id", claims.connection_id),
                    ("organization_id", claims.organization_id),
                    ("login_hint", claims.login_hint),
                ):
                    if _hint(value):
                        options[name] = value
        target = safe_return_path(query.get("return_to") or query.get("returnTo"))
        if target is None or len(target) > MAX_STORED_TARGET:
            target = config.post_login_path
        state = secrets_module.token_urlsafe(32)
        nonce = secrets_module.token_urlsafe(32)
        pkce = client.auth.generate_pkce()
        url = client.auth.authorization_url(
            config.redirect_uri,
            scopes=config.scopes,
            state=state,
            nonce=nonce,
            code_challenge=pkce.challenge,
            **options,
        )
        entry = {
            "s": state,
            "n": nonce,
            "v": pkce.verifier,
            "r": target,
            "e": now + config.login_timeout,
        }
        pending = [*self._pending_logins(cookies, now), entry][-MAX_PENDING_LOGINS:]
        return _redirect(url, self._login_cookie(pending, cookies, now))

    # -- callback ---------------------------------------------------------------------------

    async def callback(
        self,
        client: ScalekitClient,
        *,
        query: Mapping[str, str],
        cookies: Mapping[str, str],
        accept: str | None = None,
    ) -> Answer:
        """``GET {prefix}/callback``: check the state, exchange the code, start the session.

        Every failure is a clear 4xx (or a 503 when Scalekit cannot be
        reached), as a page for browsers and JSON otherwise; never a 500 and
        never a redirect back to login (no loops).
        """
        config = self.config
        now = self.now()
        pending = self._pending_logins(cookies, now)
        state = query.get("state") or ""
        entry = next(
            (e for e in pending if state and secrets_module.compare_digest(e["s"], state)), None
        )
        remaining = [e for e in pending if e is not entry]
        headers = self._login_cookie(remaining, cookies, now) if entry is not None else []

        def fail(status: int, error: str, detail: str) -> Answer:
            return self._problem(status, error, detail, accept, headers)

        error = query.get("error")
        if error:
            code = error if error in OAUTH_ERRORS else "login_failed"
            logger.info("sign-in ended with an error from the identity provider (%s)", code)
            return fail(400, code, "Sign-in was not completed.")
        code_value = query.get("code")
        if not code_value or not state:
            return fail(400, "invalid_callback", "The sign-in answer is incomplete.")
        if entry is None:
            return fail(
                400, "invalid_state", "This sign-in link is invalid, used or expired; start again."
            )
        try:
            claimed = await self.dedupe.begin("login-state:" + _digest(state), config.login_timeout)
            if claimed == "new":
                await self.dedupe.finish("login-state:" + _digest(state), config.login_timeout)
        except SessionStoreUnavailableError:
            return fail(503, "temporarily_unavailable", "Sign-in is unavailable; try again soon.")
        if claimed != "new":
            return fail(400, "invalid_state", "This sign-in link was already used; start again.")
        try:
            result = await client.auth.exchange_code(
                code_value, config.redirect_uri, code_verifier=entry["v"], nonce=entry["n"]
            )
            claims = await client.auth.validate_access_token(result.access_token)
        except TokenError as exc:
            logger.info("the sign-in code was refused (%s)", exc.error or "no error code")
            return fail(400, "login_failed", "The sign-in code was refused; start again.")
        except JwksUnavailableError:
            return fail(503, "temporarily_unavailable", "Sign-in is unavailable; try again soon.")
        except TokenValidationError as exc:
            logger.warning("a token from the code exchange did not verify (%s)", exc.reason.value)
            return fail(400, "login_failed", "The sign-in answer did not verify; start again.")
        except ScalekitError as exc:
            logger.warning("the code exchange failed (%s)", type(exc).__name__)
            return fail(503, "temporarily_unavailable", "Sign-in is unavailable; try again soon.")
        if claims.subject != result.user.id:
            logger.warning("the access token and the ID token name different users")
            return fail(400, "login_failed", "The sign-in answer did not verify; start again.")
        record = SessionRecord(
            id=secrets_module.token_urlsafe(24),
            user=result.user,
            organization_id=result.organization_id or claims.organization_id,
            connection_id=result.connection_id,
            scalekit_session_id=claims.session_id or result.id_token_claims.session_id,
            access_token=result.access_token,
            refresh_token=result.refresh_token,
            id_token=result.id_token,
            access_expires_at=_expiry(claims, result.expires_in, now),
            created_at=now,
            expires_at=now + config.session_lifetime,
        )
        try:
            await self._forget_previous(cookies, now)
            reference = await self.store.save(record)
            headers += self.session_headers(reference, record, cookies)
        except SessionStoreUnavailableError:
            return fail(503, "temporarily_unavailable", "Sign-in is unavailable; try again soon.")
        except SessionTooLargeError as exc:
            logger.warning("%s", exc)
            return self._problem(
                500,
                "session_too_large",
                "The session is too large for a cookie; the site must use a server-side store.",
                accept,
                headers,
            )
        target = safe_return_path(entry["r"]) or config.post_login_path  # sealed, checked again
        return _redirect(config.app_url + target, headers, status=303)

    async def _forget_previous(self, cookies: Mapping[str, str], now: float) -> None:
        """Delete the session a browser held before signing in again (no fixation)."""
        previous = await self._read_record(cookies, now)
        if previous is not None:
            await self.store.delete(previous)

    async def _read_record(self, cookies: Mapping[str, str], now: float) -> SessionRecord | None:
        config = self.config
        sealed = read_chunked_cookie(
            config.session_cookie, cookies, max_chunks=config.max_cookie_chunks
        )
        reference = self._cipher.open(SESSION_PURPOSE, sealed, now=now) if sealed else None
        if reference is None:
            return None
        return await self.store.load(reference)

    # -- logout -----------------------------------------------------------------------------

    def same_origin(self, origin: str | None, fetch_site: str | None) -> bool:
        """Whether a state-changing request may come from where it says it comes from.

        ``Sec-Fetch-Site: cross-site`` and an ``Origin`` other than `app_url`
        (``null`` included) are refused; a request with neither header (not a
        browser, or an old one) is let through: ``SameSite=Lax`` keeps the
        session cookie off cross-site POSTs anyway.
        """
        if fetch_site is not None and fetch_site.lower() == "cross-site":
            return False
        if origin is None:
            return True
        return origin.rstrip("/").lower() == self.config.app_url

    async def logout(
        self,
        client: ScalekitClient,
        *,
        cookies: Mapping[str, str],
        origin: str | None = None,
        fetch_site: str | None = None,
        accept: str | None = None,
    ) -> Answer:
        """``POST {prefix}/logout``: end the session, then leave through Scalekit's logout.

        Refused with 403 when the request comes from another origin (CSRF).
        The session is deleted from the store and its cookies cleared; with
        `SessionConfig.full_logout` the browser is sent (303) to Scalekit's
        logout URL with ``id_token_hint`` and the absolute post-logout URL.
        """
        config = self.config
        if not self.same_origin(origin, fetch_site):
            return self._problem(403, "csrf", "Log out from this site's own pages.", accept)
        now = self.now()
        headers = self.clear_session_headers(cookies)
        record = None
        try:
            record = await self._read_record(cookies, now)
            if record is not None:
                await self.store.delete(record)
        except SessionStoreUnavailableError:
            return self._problem(503, "temporarily_unavailable", "Try again soon.", accept)
        if record is not None and config.revoke_on_logout and record.scalekit_session_id:
            await self._revoke(client, record.scalekit_session_id)
        target = config.app_url + config.post_logout_path
        if config.full_logout and record is not None and record.id_token:
            target = client.auth.logout_url(
                id_token_hint=record.id_token, post_logout_redirect_uri=target
            )
        return _redirect(target, headers, status=303)

    @staticmethod
    async def _revoke(client: ScalekitClient, scalekit_session_id: str) -> None:
        try:
            with anyio.fail_after(10):
                await client.sessions.revoke(scalekit_session_id)
        except (ScalekitError, TimeoutError) as exc:
            logger.warning(
                "could not revoke the Scalekit session at logout (%s)", type(exc).__name__
            )

    # -- requests ---------------------------------------------------------------------------

    def request(self, *, cookies: Mapping[str, str], authorization: str | None) -> RequestSession:
        """The lazily resolved session of one request (nothing is read until asked)."""
        return RequestSession(self, cookies=cookies, authorization=authorization)

    def login_redirect(self, return_to: str) -> Answer:
        """A 303 to the login route that comes back to *return_to* (if it is a safe path)."""
        target = safe_return_path(return_to)
        query = "?" + urlencode({"return_to": target}) if target else ""
        return _redirect(self.config.app_url + self.config.login_path + query, status=303)

    def render(self, problem: AccessDenied, *, return_to: str, accept: str | None) -> Answer:
        """The answer for a refused request: a login redirect, a page, or JSON."""
        if problem.status == 401 and problem.login:
            return self.login_redirect(return_to)
        headers = list(problem.headers)
        if problem.status == 401 and not any(k == "www-authenticate" for k, _ in headers):
            headers.append(("www-authenticate", "Bearer"))
        return _json_answer(problem.status, problem.error, problem.detail, headers)

    async def bearer_user(self, client: ScalekitClient, token: str) -> SignedInUser:
        """The caller of a bearer access token, validated locally against the cached JWKS.

        Raises:
            AccessDenied: 401 for a token that does not validate, 503 when the
                signing keys cannot be fetched.

        """
        try:
            claims = await client.auth.validate_access_token(
                token, audience=self.config.bearer_audience
            )
        except JwksUnavailableError:
            raise _unavailable() from None
        except TokenValidationError as exc:
            raise AccessDenied(
                401,
                "invalid_token",
                exc.message,
                headers=[("www-authenticate", 'Bearer error="invalid_token"')],
            ) from None
        email = claims.claims.get("email")
        return SignedInUser(
            user=AuthenticatedUser(
                id=claims.subject, email=email if isinstance(email, str) else ""
            ),
            claims=claims,
            organization_id=claims.organization_id,
            session_id=claims.session_id,
            via="bearer",
            access_token=token,
        )

    async def session_user(
        self, client: ScalekitClient, cookies: Mapping[str, str]
    ) -> tuple[SignedInUser | None, list[tuple[str, str]]]:
        """The signed-in user of a session cookie, refreshing it when due.

        Returns:
            The user (or `None`: not signed in) and the ``Set-Cookie`` headers
            the response must carry (a refreshed cookie, or the removal of a
            bad or ended one).

        Raises:
            AccessDenied: 503 when the session cannot be checked now (the store
                or Scalekit is unreachable and the access token has expired).

        """
        config = self.config
        now = self.now()
        sealed = read_chunked_cookie(
            config.session_cookie, cookies, max_chunks=config.max_cookie_chunks
        )
        if sealed is None:
            return None, (self.clear_session_headers(cookies) if cookies else [])
        reference = self._cipher.open(SESSION_PURPOSE, sealed, now=now)
        if reference is None:
            logger.info("a session cookie did not open (tampered, truncated, stale key or expired)")
            return None, self.clear_session_headers(cookies)
        try:
            record = await self.store.load(reference)
        except SessionStoreUnavailableError:
            raise _unavailable() from None
        if record is None or now >= record.expires_at:
            if record is not None:
                await self._delete_quietly(record)
            return None, self.clear_session_headers(cookies)
        if now < record.access_expires_at - config.refresh_window:
            claims = await self._claims(client, record.access_token)
            if claims is not None:
                return _session_user(record, claims), []
        return await self._refresh(client, record, reference, cookies, now)

    async def _refresh(
        self,
        client: ScalekitClient,
        record: SessionRecord,
        reference: Mapping[str, Any],
        cookies: Mapping[str, str],
        now: float,
    ) -> tuple[SignedInUser | None, list[tuple[str, str]]]:
        if record.refresh_token is None:  # no offline_access: the session ends with its token
            claims = await self._claims(client, record.access_token)
            if claims is not None:
                return _session_user(record, claims), []
            await self._delete_quietly(record)
            return None, self.clear_session_headers(cookies)
        try:
            outcome = await self.store.refresh(
                record, lambda current: self._perform_refresh(client, current)
            )
        except SessionStoreUnavailableError:
            outcome = UNAVAILABLE
        if outcome.kind == "refreshed" and outcome.record is not None:
            fresh = outcome.record
            claims = await self._claims(client, fresh.access_token)
            if claims is None:
                await self._delete_quietly(fresh)
                return None, self.clear_session_headers(cookies)
            new_reference = self.store.reference(fresh)
            try:
                headers = (
                    []
                    if new_reference == reference
                    else self.session_headers(new_reference, fresh, cookies)
                )
            except SessionTooLargeError as exc:
                logger.warning("%s", exc)
                return None, self.clear_session_headers(cookies)
            return _session_user(fresh, claims), headers
        if outcome.kind == "refused":
            logger.info("the session ended: its refresh was refused")
            await self._delete_quietly(record)
            return None, self.clear_session_headers(cookies)
        # Unavailable: keep the session; serve the old token while it is still good.
        if now + UNAVAILABLE_GRACE < record.access_expires_at:
            claims = await self._claims(client, record.access_token)
            if claims is not None:
                return _session_user(record, claims), []
        raise _unavailable()

    async def _perform_refresh(
        self, client: ScalekitClient, record: SessionRecord
    ) -> RefreshOutcome:
        assert record.refresh_token is not None
        try:
            result = await client.auth.refresh_access_token(record.refresh_token)
            claims = await client.auth.validate_access_token(result.access_token)
        except TokenError as exc:
            logger.info("Scalekit refused a session refresh (%s)", exc.error or "no error code")
            return REFUSED
        except JwksUnavailableError:
            return UNAVAILABLE
        except TokenValidationError as exc:
            logger.warning("a refreshed access token did not verify (%s)", exc.reason.value)
            return REFUSED
        except ScalekitError as exc:
            logger.warning("a session refresh failed; will retry (%s)", type(exc).__name__)
            return UNAVAILABLE
        if claims.subject != record.user.id:
            logger.warning("a refreshed access token names another user; ending the session")
            return REFUSED
        id_token = record.id_token
        if result.id_token:
            try:
                id_claims = await client.auth.validate_id_token(result.id_token)
            except TokenValidationError:
                id_claims = None
            if id_claims is not None and id_claims.subject == record.user.id:
                id_token = result.id_token
        return RefreshOutcome(
            "refreshed",
            attrs.evolve(
                record,
                access_token=result.access_token,
                refresh_token=result.refresh_token or record.refresh_token,
                id_token=id_token,
                access_expires_at=_expiry(claims, result.expires_in, self.now()),
            ),
        )

    async def _claims(self, client: ScalekitClient, token: str) -> AccessTokenClaims | None:
        """The claims of a stored access token, `None` if it no longer validates."""
        try:
            return await client.auth.validate_access_token(token)
        except JwksUnavailableError:
            raise _unavailable() from None
        except TokenValidationError as exc:
            if exc.reason is not TokenValidationReason.EXPIRED:
                logger.warning("a stored access token no longer verifies (%s)", exc.reason.value)
            return None

    async def _delete_quietly(self, record: SessionRecord) -> None:
        try:
            await self.store.delete(record)
        except SessionStoreUnavailableError:
            logger.warning("could not delete an ended session: the store is unavailable")


class SessionTooLargeError(ScalekitError):
    """A session does not fit in ``max_cookie_chunks`` cookies."""

    def __init__(self, size: int) -> None:
        super().__init__(
            f"a session of {size} characters does not fit in the allowed cookies; "
            "raise max_cookie_chunks or use a server-side store (RedisSessionStore)"
        )


def _unavailable() -> AccessDenied:
    return AccessDenied(
        503,
        "temporarily_unavailable",
        "The session cannot be checked right now; retry shortly.",
        headers=[("retry-after", "5")],
    )


def _expiry(claims: AccessTokenClaims, expires_in: int | None, now: float) -> float:
    if claims.expires_at is not None:
        return claims.expires_at.timestamp()
    return now + (expires_in if expires_in else 300)


def _session_user(record: SessionRecord, claims: AccessTokenClaims) -> SignedInUser:
    return SignedInUser(
        user=record.user,
        claims=claims,
        organization_id=record.organization_id or claims.organization_id,
        session_id=record.scalekit_session_id,
        via="session",
        access_token=record.access_token,
    )


class RequestSession:
    """One request's session: resolved at most once, on first use, with its cookie updates.

    The integrations create one per request; guards call `user` or
    `require`; the response then carries `set_cookie_headers`.
    """

    def __init__(
        self,
        manager: SessionManager,
        *,
        cookies: Mapping[str, str],
        authorization: str | None,
    ) -> None:
        self.manager = manager
        self._cookies = dict(cookies)
        self._authorization = authorization
        self._resolved = False
        self._user: SignedInUser | None = None
        self._problem: AccessDenied | None = None
        self._lock: anyio.Lock | None = None
        self.set_cookie_headers: list[tuple[str, str]] = []
        """``Set-Cookie`` headers the response must carry."""

    def __repr__(self) -> str:
        return f"<RequestSession resolved={self._resolved}>"

    def _bearer_token(self) -> str | None:
        if not self.manager.config.bearer_audience or not self._authorization:
            return None
        scheme, _, token = self._authorization.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return token.strip() or None

    async def user(self, client: ScalekitClient) -> SignedInUser | None:
        """The caller, or `None` when not signed in.

        A bearer token (when `SessionConfig.bearer_audience` is set) is used
        when present, else the session cookie.

        Raises:
            AccessDenied: 401 for a bearer token that does not validate; 503
                when the session cannot be checked now.

        """
        if self._lock is None:
            self._lock = anyio.Lock()
        async with self._lock:
            if not self._resolved:
                try:
                    await self._resolve(client)
                except AccessDenied as problem:
                    self._problem = problem
                self._resolved = True
        if self._problem is not None:
            raise self._problem
        return self._user

    async def _resolve(self, client: ScalekitClient) -> None:
        token = self._bearer_token()
        if token is not None:
            self._user = await self.manager.bearer_user(client, token)
            return
        user, headers = await self.manager.session_user(client, self._cookies)
        self.set_cookie_headers.extend(headers)
        self._user = user

    async def require(self, client: ScalekitClient, requirement: Requirement) -> SignedInUser:
        """The caller if it meets *requirement*.

        Raises:
            AccessDenied: 401 (not signed in; with ``login`` set when the
                requirement redirects to login), 403 (not allowed) or 503.

        """
        user = await self.user(client)
        if user is None:
            raise AccessDenied(
                401, "not_signed_in", "Sign in first.", login=requirement.login_redirect
            )
        problem = requirement.check(user)
        if problem is not None:
            raise problem
        return user


def request_target(path: str, query_string: str) -> str:
    """The path and query of a request, as a ``return_to`` value."""
    return quote(path, safe="/%:@!$&'()*+,;=-._~") + (f"?{query_string}" if query_string else "")
