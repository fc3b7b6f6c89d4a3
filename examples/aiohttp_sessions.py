"""Sign-in sessions with aiohttp: ``python -m aiohttp.web examples.aiohttp_sessions:create_app``.

The same routes and configuration as ``examples/fastapi_sessions.py``:

- ``SCALEKIT_ENVIRONMENT_URL``, ``SCALEKIT_CLIENT_ID``, ``SCALEKIT_CLIENT_SECRET``
  (read by the client);
- ``APP_URL``: this app's own origin (cookies are ``Secure`` when it is https);
- ``SESSION_SECRET``: 32+ random characters (comma-separated, newest first,
  during a rotation);
- optionally ``SCALEKIT_WEBHOOK_SECRET``: serves ``POST /webhooks/scalekit``.

Routes: ``GET /auth/login``, ``GET /auth/callback``, ``POST /auth/logout``,
``GET /me`` (JSON, 401 when signed out), ``GET /account`` (a page that sends
signed-out browsers to the login and back), ``GET /``.
"""

import html
import logging
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web

import scalekit_async as sk
from scalekit_async.sessions import SessionConfig, SignedInUser, WebhookReceiver
from scalekit_async.sessions.aiohttp import ScalekitAuth, webhook_handler

logger = logging.getLogger("example.aiohttp_sessions")

SCALEKIT = web.AppKey("scalekit", sk.ScalekitClient)
AUTH = web.AppKey("auth", ScalekitAuth)
WEBHOOKS = web.AppKey("webhooks", WebhookReceiver)


def config_from_env() -> SessionConfig:
    """The session settings from ``APP_URL`` and ``SESSION_SECRET``."""
    app_url = os.environ["APP_URL"]
    secrets = [s.strip() for s in os.environ["SESSION_SECRET"].split(",") if s.strip()]
    return SessionConfig(
        app_url=app_url,
        secrets=secrets,
        cookie_secure=app_url.startswith("https://"),
        bearer_audience=os.environ.get("SCALEKIT_CLIENT_ID") or None,
    )


def create_app(
    config: SessionConfig | None = None,
    *,
    client_factory: Callable[[], sk.ScalekitClient] = sk.ScalekitClient,
    webhook_secret: str | None = None,
    **auth_options: Any,
) -> web.Application:
    """The app; *auth_options* go to `ScalekitAuth` (``store=``, ``clock=``...)."""
    config = config or config_from_env()
    webhook_secret = webhook_secret or os.environ.get("SCALEKIT_WEBHOOK_SECRET") or None
    auth = ScalekitAuth(config, client=lambda request: request.app[SCALEKIT], **auth_options)

    async def scalekit_client(app: web.Application) -> AsyncIterator[None]:
        async with client_factory() as client:
            app[SCALEKIT] = client
            yield

    routes = web.RouteTableDef()

    @routes.get("/me")
    @auth.require()
    async def me(request: web.Request, user: SignedInUser) -> web.Response:
        return web.json_response({"email": user.email, "organization_id": user.organization_id})

    @routes.get("/account")
    @auth.require(login_redirect=True)
    async def account(request: web.Request, user: SignedInUser) -> web.Response:
        page = (
            f"<h1>{html.escape(user.email)}</h1>"
            '<form method="post" action="/auth/logout"><button>Log out</button></form>'
        )
        return web.Response(text=page, content_type="text/html")

    @routes.get("/")
    async def home(request: web.Request) -> web.Response:
        user = await auth.optional_user(request)
        if user is None:
            page = '<a href="/auth/login?return_to=/account">Sign in</a>'
        else:
            page = f'Signed in as {html.escape(user.email)}. <a href="/account">Account</a>'
        return web.Response(text=page, content_type="text/html")

    app = web.Application()
    app[AUTH] = auth
    app.cleanup_ctx.append(scalekit_client)
    auth.setup(app)
    app.add_routes(routes)
    if webhook_secret:
        receiver = WebhookReceiver(webhook_secret)

        @receiver.on("organization.created")
        async def organization_created(event: sk.WebhookEvent) -> None:
            logger.info("organization created: %s", event.organization_id)

        app[WEBHOOKS] = receiver
        app.router.add_post("/webhooks/scalekit", webhook_handler(receiver))
    return app


app = create_app()
