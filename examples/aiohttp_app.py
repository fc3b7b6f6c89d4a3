"""An aiohttp service that uses Scalekit: ``python examples/aiohttp_app.py --port 8080``.

The same service as ``examples/fastapi_app.py``, the aiohttp way:

- the app's one `aiohttp.ClientSession` and one `ScalekitClient` are opened
  by `cleanup_ctx` (in order, closed in reverse), and the SDK sends through
  that session with `sk.AiohttpTransport(session=...)`: one connection pool
  for the whole service;
- ``GET /me``: the `authenticated` decorator validates the access token and
  passes the caller's claims to the handler;
- ``GET /admin/organizations`` (``organizations:read``), page by page, and
  ``GET /admin/organizations/{id}``;
- ``POST /webhooks/scalekit``: signature checked on the raw body, typed
  event handled at most once per delivery id;
- the `scalekit_errors` middleware turns Scalekit errors into HTTP answers.

Configuration: ``SCALEKIT_ENVIRONMENT_URL``, ``SCALEKIT_CLIENT_ID``,
``SCALEKIT_CLIENT_SECRET``, ``SCALEKIT_WEBHOOK_SECRET`` and optionally
``SCALEKIT_AUDIENCE``. asyncio only (aiohttp does not run on trio).
"""

from __future__ import annotations

import argparse
import logging
import math
import os
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import aiohttp
from aiohttp import web

import scalekit_async as sk

logger = logging.getLogger("example.aiohttp_app")


@dataclass(frozen=True)
class Settings:
    """What the service needs besides the client's own ``SCALEKIT_*`` variables."""

    webhook_secret: str | None = None
    audience: str | None = None

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            webhook_secret=os.environ.get("SCALEKIT_WEBHOOK_SECRET") or None,
            audience=os.environ.get("SCALEKIT_AUDIENCE") or None,
        )


class Deliveries:
    """The webhook ids already handled (bounded; a real service keeps them in its database)."""

    def __init__(self, size: int = 10_000) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def __contains__(self, delivery_id: object) -> bool:
        return delivery_id in self._seen

    def add(self, delivery_id: str) -> None:
        self._seen[delivery_id] = None
        while len(self._seen) > self._size:
            self._seen.popitem(last=False)


ClientFactory = Callable[[aiohttp.ClientSession], sk.ScalekitClient]

HTTP = web.AppKey("http", aiohttp.ClientSession)
SCALEKIT = web.AppKey("scalekit", sk.ScalekitClient)
SETTINGS = web.AppKey("settings", Settings)
DELIVERIES = web.AppKey("deliveries", Deliveries)


def default_client(session: aiohttp.ClientSession) -> sk.ScalekitClient:
    """A client (``SCALEKIT_*`` variables) sending through the app's own session."""
    return sk.ScalekitClient(transport=sk.AiohttpTransport(session=session))


# -- the caller: a validated access token -----------------------------------------------

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ClaimsHandler = Callable[[web.Request, sk.AccessTokenClaims], Awaitable[web.StreamResponse]]


def json_error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"detail": message}, status=status, headers=headers)


def authenticated(permission: str | None = None) -> Callable[[ClaimsHandler], Handler]:
    """Validate the bearer token (and *permission*); call the handler with the claims."""

    def decorate(handler: ClaimsHandler) -> Handler:
        async def wrapper(request: web.Request) -> web.StreamResponse:
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token:
                return json_error(401, "missing bearer token", {"WWW-Authenticate": "Bearer"})
            client = request.app[SCALEKIT]
            try:
                claims = await client.auth.validate_access_token(
                    token, audience=request.app[SETTINGS].audience
                )
            except sk.JwksUnavailableError:
                return json_error(503, "cannot check tokens right now", {"Retry-After": "5"})
            except sk.TokenValidationError as exc:
                challenge = f'Bearer error="invalid_token", error_description="{exc.reason.value}"'
                return json_error(401, exc.message, {"WWW-Authenticate": challenge})
            if permission is not None and not claims.has_permissions(permission):
                return json_error(403, f"permission {permission} required")
            return await handler(request, claims)

        return wrapper

    return decorate


# -- routes ----------------------------------------------------------------------------------

routes = web.RouteTableDef()


def organization_out(org: sk.Organization) -> dict[str, str | None]:
    return {"id": org.id, "display_name": org.display_name, "external_id": org.external_id}


@routes.get("/me")
@authenticated()
async def me(request: web.Request, claims: sk.AccessTokenClaims) -> web.Response:
    return web.json_response(
        {
            "user_id": claims.subject,
            "organization_id": claims.organization_id,
            "session_id": claims.session_id,
            "roles": list(claims.roles),
            "permissions": list(claims.permissions),
        }
    )


@routes.get("/admin/organizations")
@authenticated("organizations:read")
async def list_organizations(request: web.Request, claims: sk.AccessTokenClaims) -> web.Response:
    raw_size = request.query.get("page_size", "20")
    if not raw_size.isdigit() or not 1 <= int(raw_size) <= 100:
        return json_error(422, "page_size must be an integer from 1 to 100")
    page = await request.app[SCALEKIT].organizations.list(
        page_size=int(raw_size), page_token=request.query.get("page_token") or sk.NOT_GIVEN
    )
    return web.json_response(
        {
            "organizations": [organization_out(org) for org in page.items],
            "next_page_token": page.next_page_token or None,
            "total_size": page.total_size,
        }
    )


@routes.get("/admin/organizations/{organization_id}")
@authenticated("organizations:read")
async def get_organization(request: web.Request, claims: sk.AccessTokenClaims) -> web.Response:
    org = await request.app[SCALEKIT].organizations.get(request.match_info["organization_id"])
    return web.json_response(organization_out(org))


@routes.post("/webhooks/scalekit")
async def webhook(request: web.Request) -> web.Response:
    secret = request.app[SETTINGS].webhook_secret
    if secret is None:
        return json_error(503, "webhooks are not configured")
    client = request.app[SCALEKIT]
    body = await request.read()  # the raw bytes: a re-serialized body would not verify
    try:
        event = client.auth.verify_webhook(secret, request.headers, body)
    except sk.WebhookVerificationError as exc:
        return json_error(400, exc.message)
    deliveries = request.app[DELIVERIES]
    delivery_id = request.headers["webhook-id"]
    if delivery_id not in deliveries:  # Scalekit redelivers until it gets a 2xx
        await handle_event(client, event)
        deliveries.add(delivery_id)  # only once handled: a failure means "send it again"
    return web.Response(status=204)


async def handle_event(client: sk.ScalekitClient, event: sk.WebhookEvent) -> None:
    """Act on the events this service cares about; ignore the others."""
    if isinstance(event, sk.OrganizationCreatedEvent):
        try:
            org = await client.organizations.get(event.data.id)
        except sk.NotFoundError:
            return  # deleted since: nothing left to set up
        await client.organizations.update(
            org.id, metadata={**org.metadata, "onboarding": "started"}
        )
        logger.info("onboarding started for %s", org.id)
    elif isinstance(event, sk.UserSignupEvent) and event.data.user is not None:
        logger.info("new user %s", event.data.user.id)


# -- Scalekit errors as HTTP answers ---------------------------------------------------------


def error_answer(exc: sk.ScalekitError) -> tuple[int, str, dict[str, str]]:
    """The status, message and headers a Scalekit failure becomes for *our* caller."""
    if isinstance(exc, sk.NotFoundError):
        return 404, exc.message, {}
    if isinstance(exc, sk.BadRequestError):
        fields = "; ".join(f"{v.field}: {v.description}" for v in exc.field_violations)
        return 400, fields or exc.message, {}
    if isinstance(exc, sk.ConflictError):
        return 409, exc.message, {}
    if isinstance(exc, sk.RateLimitError):
        wait = math.ceil(exc.retry_after) if exc.retry_after is not None else 1
        return 503, "busy, retry later", {"Retry-After": str(max(wait, 1))}
    if isinstance(exc, sk.APITimeoutError):
        return 504, "Scalekit did not answer in time", {}
    # Our own credentials refused, Scalekit down or unreachable: not the caller's fault.
    return 502, "identity provider unavailable", {}


@web.middleware
async def scalekit_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except sk.ScalekitError as exc:
        status, message, headers = error_answer(exc)
        if status >= 500:
            logger.warning("Scalekit call failed: %s", exc)  # the SDK never puts secrets in it
        return json_error(status, message, headers)


# -- the app -----------------------------------------------------------------------------------


def create_app(
    config: Settings | None = None,
    *,
    client_factory: ClientFactory = default_client,
    session_factory: Callable[[], aiohttp.ClientSession] = aiohttp.ClientSession,
) -> web.Application:
    """The service; its session and client open at startup and close at cleanup."""

    async def http_session(app: web.Application) -> AsyncIterator[None]:
        async with session_factory() as session:
            app[HTTP] = session
            yield

    async def scalekit_client(app: web.Application) -> AsyncIterator[None]:
        # Opened after the session and closed before it (cleanup runs in reverse).
        async with client_factory(app[HTTP]) as client:
            app[SCALEKIT] = client
            app[SETTINGS] = config or Settings.from_env()
            app[DELIVERIES] = Deliveries()
            yield

    app = web.Application(middlewares=[scalekit_errors])
    app.cleanup_ctx.append(http_session)
    app.cleanup_ctx.append(scalekit_client)
    app.add_routes(routes)
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    web.run_app(create_app(), host=args.host, port=args.port)
