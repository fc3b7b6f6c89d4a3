"""Sign-in sessions for FastAPI (and Starlette): a router, a middleware and dependencies.

```python
auth = ScalekitAuth(
    SessionConfig(app_url="https://app.example.com", secrets=[os.environ["SESSION_SECRET"]]),
    client=lambda request: request.app.state.scalekit,  # opened in the lifespan
)
app = FastAPI(lifespan=lifespan)
auth.install(app)  # GET /auth/login, GET /auth/callback, POST /auth/logout, the middleware


@app.get("/me")
async def me(user: Annotated[SignedInUser, Depends(auth.user)]) -> dict[str, str]:
    return {"email": user.email, "organization_id": user.organization_id}
```

The middleware is pure ASGI: it resolves nothing by itself (routes without
a guard cost nothing) and appends the ``Set-Cookie`` headers a guard produced
(a refreshed session, or the removal of a bad one) to whatever response the
route returns, its own `Response` objects included. Guards raise
`AccessDenied`, which the installed exception handler turns into a 401/403/503
JSON answer, or a redirect to the login page for ``login_redirect=True``.

Needs FastAPI (``pip install 'scalekit-async[fastapi]'``); runs wherever
Starlette runs (asyncio, and trio with an ASGI server that supports it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

try:
    from fastapi import APIRouter, FastAPI, Request
    from starlette.responses import Response
    from starlette.types import ASGIApp, Message, Receive, Scope, Send
except ImportError as exc:  # pragma: no cover - the error users see without the extra
    raise ImportError(
        "scalekit_async.sessions.fastapi needs FastAPI; "
        "install it with: pip install 'scalekit-async[fastapi]'"
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

__all__ = ["SCOPE_KEY", "ScalekitAuth", "SessionMiddleware", "to_response", "webhook_endpoint"]

SCOPE_KEY = "scalekit_async.sessions"
"""The ASGI scope key under which the middleware puts each request's `RequestSession`."""

ClientSource = ScalekitClient | Callable[[Request], ScalekitClient]


def to_response(answer: Answer) -> Response:
    """A Starlette `Response` for a core `Answer` (repeated headers kept)."""
    response = Response(content=answer.body, status_code=answer.status)
    for name, value in answer.headers:
        response.headers.append(name, value)
    return response


class SessionMiddleware:
    """Gives each HTTP request a lazy `RequestSession` and sends its cookie updates.

    Installed by `ScalekitAuth.install`; add it yourself only when wiring a
    plain Starlette app (``Middleware(SessionMiddleware, auth=auth)``).
    """

    def __init__(self, app: ASGIApp, *, auth: ScalekitAuth) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection (HTTP requests get a session; others pass through)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        session = self.auth.manager.request(
            cookies=request.cookies, authorization=request.headers.get("authorization")
        )
        scope[SCOPE_KEY] = session

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start" and session.set_cookie_headers:
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in session.set_cookie_headers:
                    headers.append((name.encode("latin-1"), value.encode("latin-1")))
                if b"cache-control" not in present:  # never cache a response that sets a session
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookies)


class ScalekitAuth:
    """Sign-in sessions for a FastAPI app: routes, middleware and guard dependencies.

    Args:
        config: The `SessionConfig` (app URL, secrets, cookie and refresh rules).
        client: The app's `ScalekitClient`, or a function of the request that
            returns it (e.g. ``lambda request: request.app.state.scalekit``
            when the client is opened in the lifespan).
        store: Where sessions live (default: sealed in the cookie).
        dedupe: Remembers consumed login states (default: in memory).
        clock: Unix time in seconds (for tests).

    Attributes:
        manager: The framework-neutral `SessionManager`.
        router: The ``{prefix}/login``, ``/callback`` and ``/logout`` routes.

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
        self.router = APIRouter(prefix=config.prefix)
        self.router.add_api_route("/login", self.login, methods=["GET"], include_in_schema=False)
        self.router.add_api_route(
            "/callback", self.callback, methods=["GET"], include_in_schema=False
        )
        self.router.add_api_route("/logout", self.logout, methods=["POST"], include_in_schema=False)

    def __repr__(self) -> str:
        return f"<ScalekitAuth {self.manager!r}>"

    def install(self, app: FastAPI) -> None:
        """Add the routes, the middleware and the `AccessDenied` handler to *app*."""
        app.include_router(self.router)
        app.add_middleware(SessionMiddleware, auth=self)
        app.add_exception_handler(AccessDenied, self.access_denied)

    def client_for(self, request: Request) -> ScalekitClient:
        """The `ScalekitClient` serving *request*."""
        if isinstance(self._client, ScalekitClient):
            return self._client
        return self._client(request)

    @staticmethod
    def session_of(request: Request) -> RequestSession:
        """The request's `RequestSession` (put there by the middleware)."""
        session = request.scope.get(SCOPE_KEY)
        if isinstance(session, RequestSession):
            return session
        raise RuntimeError("no session middleware on this app: call auth.install(app)")

    # -- routes ---------------------------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        """``GET {prefix}/login``: redirect to Scalekit's hosted login."""
        answer = await self.manager.login(
            self.client_for(request), query=request.query_params, cookies=request.cookies
        )
        return to_response(answer)

    async def callback(self, request: Request) -> Response:
        """``GET {prefix}/callback``: finish the login, start the session."""
        answer = await self.manager.callback(
            self.client_for(request),
            query=request.query_params,
            cookies=request.cookies,
            accept=request.headers.get("accept"),
        )
        return to_response(answer)

    async def logout(self, request: Request) -> Response:
        """``POST {prefix}/logout``: end the session (same-origin requests only)."""
        answer = await self.manager.logout(
            self.client_for(request),
            cookies=request.cookies,
            origin=request.headers.get("origin"),
            fetch_site=request.headers.get("sec-fetch-site"),
            accept=request.headers.get("accept"),
        )
        return to_response(answer)

    async def access_denied(self, request: Request, exc: Exception) -> Response:
        """The exception handler for `AccessDenied`: 401/403/503 JSON or a login redirect."""
        if not isinstance(exc, AccessDenied):  # pragma: no cover - registered for it only
            raise exc
        answer = self.manager.render(
            exc,
            return_to=request_target(request.url.path, request.url.query),
            accept=request.headers.get("accept"),
        )
        return to_response(answer)

    # -- dependencies ---------------------------------------------------------------------------

    async def user(self, request: Request) -> SignedInUser:
        """Dependency: the signed-in caller, or a 401 JSON answer."""
        return await self.session_of(request).require(self.client_for(request), Requirement())

    async def optional_user(self, request: Request) -> SignedInUser | None:
        """Dependency: the signed-in caller, or `None`."""
        return await self.session_of(request).user(self.client_for(request))

    def require(
        self,
        *,
        scopes: Sequence[str] = (),
        permissions: Sequence[str] = (),
        roles: Sequence[str] = (),
        organization: bool | str = False,
        login_redirect: bool = False,
    ) -> Callable[[Request], Awaitable[SignedInUser]]:
        """A dependency: the caller, if signed in with everything listed (see `Requirement`).

        Not signed in: 401 JSON, or with *login_redirect* a redirect to the
        login page that comes back to this URL (for page routes). Missing a
        scope, permission, role or organization: 403 JSON.
        """
        requirement = Requirement(
            scopes=scopes,
            permissions=permissions,
            roles=roles,
            organization=organization,
            login_redirect=login_redirect,
        )

        async def dependency(request: Request) -> SignedInUser:
            return await self.session_of(request).require(self.client_for(request), requirement)

        return dependency


def webhook_endpoint(receiver: WebhookReceiver) -> Callable[[Request], Awaitable[Response]]:
    """A route endpoint that hands each delivery's raw body to *receiver*.

    ``app.add_api_route("/webhooks/scalekit", webhook_endpoint(receiver), methods=["POST"])``
    """

    async def endpoint(request: Request) -> Response:
        body = await request.body()
        return to_response(await receiver.receive(request.headers, body))

    return endpoint
