"""Sign-in sessions for aiohttp: routes, a middleware and guard decorators.

```python
auth = ScalekitAuth(
    SessionConfig(app_url="https://app.example.com", secrets=[os.environ["SESSION_SECRET"]]),
    client=lambda request: request.app[SCALEKIT],  # opened in cleanup_ctx
)
auth.setup(app)  # GET /auth/login, GET /auth/callback, POST /auth/logout, the middleware


@routes.get("/me")
@auth.require()
async def me(request: web.Request, user: SignedInUser) -> web.Response:
    return web.json_response({"email": user.email, "organization_id": user.organization_id})
```

Guards raise `AccessDenied`, which the middleware turns into a 401/403/503
JSON answer (or a redirect to login for ``login_redirect=True``). The
``Set-Cookie`` headers a guard produced (a refreshed session, or the removal
of a bad one) are added in ``on_response_prepare``, so they reach the
browser on every response, streamed ones included.

Needs aiohttp (``pip install 'scalekit-async[aiohttp]'``); asyncio only.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

try:
    from aiohttp import web
    from multidict import CIMultiDict
except ImportError as exc:  # pragma: no cover - the error users see without the extra
    raise ImportError(
        "scalekit_async.sessions.aiohttp needs aiohttp; "
        "install it with: pip install 'scalekit-async[aiohttp]'"
    ) from exc

from .. import ScalekitClient
from ._core import (
    AccessDenied,
    Answer,
    RequestSession,
    Requirement,
    SessionConfig,
    SessionManager,
    SignedInUser,
    request_target,
)
from ._store import DedupeStore, SessionStore
from ._webhooks import WebhookReceiver

__all__ = ["ScalekitAuth", "to_response", "webhook_handler"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
UserHandler = Callable[[web.Request, SignedInUser], Awaitable[web.StreamResponse]]
ClientSource = ScalekitClient | Callable[[web.Request], ScalekitClient]

SESSION: Any
try:  # aiohttp >= 3.13 warns on plain-string request keys
    SESSION = web.RequestKey("scalekit_async.sessions", RequestSession)
except AttributeError:  # pragma: no cover - older aiohttp
    SESSION = "scalekit_async.sessions"


def to_response(answer: Answer) -> web.Response:
    """An aiohttp `web.Response` for a core `Answer` (repeated headers kept)."""
    return web.Response(status=answer.status, body=answer.body, headers=CIMultiDict(answer.headers))


class ScalekitAuth:
    """Sign-in sessions for an aiohttp app: routes, middleware and guard decorators.

    Args:
        config: The `SessionConfig` (app URL, secrets, cookie and refresh rules).
        client: The app's `ScalekitClient`, or a function of the request that
            returns it (e.g. ``lambda request: request.app[SCALEKIT]``).
        store: Where sessions live (default: sealed in the cookie).
        dedupe: Remembers consumed login states (default: in memory).
        clock: Unix time in seconds (for tests).

    Attributes:
        manager: The framework-neutral `SessionManager`.

    """

    def __init__(
        self,
        config: SessionConfig,
        *,
        client: ClientSource,
        store: SessionStore | None = None,
        dedupe: DedupeStore | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.config = config
        self.manager = SessionManager(config, store=store, dedupe=dedupe, clock=clock)
        self._client = client

    def __repr__(self) -> str:
        return f"<ScalekitAuth {self.manager!r}>"

    def setup(self, app: web.Application) -> None:
        """Add the middleware, the cookie hook and the three routes to *app*."""
        manager = self.manager

        @web.middleware
        async def sessions(request: web.Request, handler: Handler) -> web.StreamResponse:
            request[SESSION] = manager.request(
                cookies=request.cookies, authorization=request.headers.get("Authorization")
            )
            try:
                return await handler(request)
            except AccessDenied as problem:
                answer = manager.render(
                    problem,
                    return_to=request_target(request.path, request.query_string),
                    accept=request.headers.get("Accept"),
                )
                return to_response(answer)

        app.middlewares.append(sessions)
        app.on_response_prepare.append(self._send_cookies)
        app.router.add_get(self.config.login_path, self.login)
        app.router.add_get(self.config.callback_path, self.callback)
        app.router.add_post(self.config.logout_path, self.logout)

    @staticmethod
    async def _send_cookies(request: web.Request, response: web.StreamResponse) -> None:
        session = request.get(SESSION)
        if isinstance(session, RequestSession) and session.set_cookie_headers:
            for name, value in session.set_cookie_headers:
                response.headers.add(name, value)
            response.headers.setdefault("Cache-Control", "no-store")

    def client_for(self, request: web.Request) -> ScalekitClient:
        """The `ScalekitClient` serving *request*."""
        if isinstance(self._client, ScalekitClient):
            return self._client
        return self._client(request)

    @staticmethod
    def session_of(request: web.Request) -> RequestSession:
        """The request's `RequestSession` (put there by the middleware)."""
        session = request.get(SESSION)
        if isinstance(session, RequestSession):
            return session
        raise RuntimeError("no session middleware on this app: call auth.setup(app)")

    # -- routes ---------------------------------------------------------------------------------

    async def login(self, request: web.Request) -> web.Response:
        """``GET {prefix}/login``: redirect to Scalekit's hosted login."""
        answer = await self.manager.login(
            self.client_for(request), query=request.query, cookies=request.cookies
        )
        return to_response(answer)

    async def callback(self, request: web.Request) -> web.Response:
        """``GET {prefix}/callback``: finish the login, start the session."""
        answer = await self.manager.callback(
            self.client_for(request),
            query=request.query,
            cookies=request.cookies,
            accept=request.headers.get("Accept"),
        )
        return to_response(answer)

    async def logout(self, request: web.Request) -> web.Response:
        """``POST {prefix}/logout``: end the session (same-origin requests only)."""
        answer = await self.manager.logout(
            self.client_for(request),
            cookies=request.cookies,
            origin=request.headers.get("Origin"),
            fetch_site=request.headers.get("Sec-Fetch-Site"),
            accept=request.headers.get("Accept"),
        )
        return to_response(answer)

    # -- guards ---------------------------------------------------------------------------------

    async def user(self, request: web.Request) -> SignedInUser:
        """The signed-in caller; raises `AccessDenied` (a 401 answer) otherwise."""
        return await self.session_of(request).require(self.client_for(request), Requirement())

    async def optional_user(self, request: web.Request) -> SignedInUser | None:
        """The signed-in caller, or `None`."""
        return await self.session_of(request).user(self.client_for(request))

    def require(
        self,
        *,
        scopes: Sequence[str] = (),
        permissions: Sequence[str] = (),
        roles: Sequence[str] = (),
        organization: bool | str = False,
        login_redirect: bool = False,
    ) -> Callable[[UserHandler], Handler]:
        """A decorator: the handler runs as ``handler(request, user)`` for an allowed caller.

        Not signed in: 401 JSON, or with *login_redirect* a redirect to the
        login page that comes back to this URL (for page routes). Missing a
        scope, permission, role or organization (see `Requirement`): 403 JSON.
        """
        requirement = Requirement(
            scopes=scopes,
            permissions=permissions,
            roles=roles,
            organization=organization,
            login_redirect=login_redirect,
        )

        def decorate(handler: UserHandler) -> Handler:
            @functools.wraps(handler)
            async def guarded(request: web.Request) -> web.StreamResponse:
                session = self.session_of(request)
                user = await session.require(self.client_for(request), requirement)
                return await handler(request, user)

            return guarded

        return decorate


def webhook_handler(receiver: WebhookReceiver) -> Handler:
    """A handler that hands each delivery's raw body to *receiver*.

    ``app.router.add_post("/webhooks/scalekit", webhook_handler(receiver))``
    """

    async def handle(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        return to_response(await receiver.receive(request.headers, body))

    return handle
