"""Sign-in sessions with FastAPI: ``uvicorn examples.fastapi_sessions:app``.

Configuration comes from the environment:

- ``SCALEKIT_ENVIRONMENT_URL``, ``SCALEKIT_CLIENT_ID``, ``SCALEKIT_CLIENT_SECRET``
  (read by the client; ``scalekit-fake --port 8765`` prints emulator values);
- ``APP_URL``: this app's own origin as browsers reach it, e.g.
  ``http://127.0.0.1:8000`` (cookies are ``Secure`` when it is https);
  register ``{APP_URL}/auth/callback`` and ``{APP_URL}/`` in the dashboard;
- ``SESSION_SECRET``: 32+ random characters; during a rotation, several
  separated by commas, newest first;
- optionally ``SCALEKIT_WEBHOOK_SECRET``: serves ``POST /webhooks/scalekit``.

Routes: ``GET /auth/login``, ``GET /auth/callback``, ``POST /auth/logout``
(from `ScalekitAuth`), ``GET /me`` (JSON, 401 when signed out; a bearer
access token issued to this client works too), ``GET /account`` (a page
that sends signed-out browsers to the login and back), ``GET /``.
"""

import html
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse

import scalekit_async as sk
from scalekit_async.sessions import SessionConfig, SignedInUser, WebhookReceiver
from scalekit_async.sessions.fastapi import ScalekitAuth, webhook_endpoint

logger = logging.getLogger("example.fastapi_sessions")


def config_from_env() -> SessionConfig:
    """The session settings from ``APP_URL`` and ``SESSION_SECRET``."""
    app_url = os.environ["APP_URL"]
    secrets = [s.strip() for s in os.environ["SESSION_SECRET"].split(",") if s.strip()]
    return SessionConfig(
        app_url=app_url,
        secrets=secrets,
        cookie_secure=app_url.startswith("https://"),
        # Bearer access tokens issued to this client are accepted beside the cookie.
        bearer_audience=os.environ.get("SCALEKIT_CLIENT_ID") or None,
    )


def create_app(
    config: SessionConfig | None = None,
    *,
    client_factory: Callable[[], sk.ScalekitClient] = sk.ScalekitClient,
    webhook_secret: str | None = None,
    **auth_options: Any,
) -> FastAPI:
    """The app; *auth_options* go to `ScalekitAuth` (``store=``, ``clock=``...)."""
    config = config or config_from_env()
    webhook_secret = webhook_secret or os.environ.get("SCALEKIT_WEBHOOK_SECRET") or None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with client_factory() as client:
            app.state.scalekit = client
            yield

    auth = ScalekitAuth(config, client=lambda request: request.app.state.scalekit, **auth_options)
    app = FastAPI(lifespan=lifespan)
    app.state.auth = auth
    auth.install(app)

    @app.get("/me")
    async def me(user: Annotated[SignedInUser, Depends(auth.user)]) -> dict[str, str]:
        return {"email": user.email, "organization_id": user.organization_id}

    page_user = auth.require(login_redirect=True)

    @app.get("/account", response_class=HTMLResponse)
    async def account(user: Annotated[SignedInUser, Depends(page_user)]) -> str:
        return (
            f"<h1>{html.escape(user.email)}</h1>"
            '<form method="post" action="/auth/logout"><button>Log out</button></form>'
        )

    @app.get("/", response_class=HTMLResponse)
    async def home(user: Annotated[SignedInUser | None, Depends(auth.optional_user)]) -> str:
        if user is None:
            return '<a href="/auth/login?return_to=/account">Sign in</a>'
        return f'Signed in as {html.escape(user.email)}. <a href="/account">Account</a>'

    if webhook_secret:
        receiver = WebhookReceiver(webhook_secret)

        @receiver.on("organization.created")
        async def organization_created(event: sk.WebhookEvent) -> None:
            logger.info("organization created: %s", event.organization_id)

        app.state.webhooks = receiver
        app.add_api_route(
            "/webhooks/scalekit", webhook_endpoint(receiver), methods=["POST"], status_code=204
        )

    return app


app = create_app()
