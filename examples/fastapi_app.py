"""A FastAPI service that uses Scalekit: ``uvicorn examples.fastapi_app:app``.

The patterns, each in one place below:

- one `ScalekitClient` per process, opened in the lifespan, closed on
  shutdown, and handed to routes by a dependency (`Scalekit`);
- ``GET /me``: protected by local access-token validation, with the caller's
  claims injected (`Caller`);
- ``GET /admin/organizations``: lists organizations page by page (needs the
  ``organizations:read`` permission); ``GET /admin/organizations/{id}``;
- ``POST /webhooks/scalekit``: verifies the signature on the raw body, then
  acts on the typed event, at most once per delivery id;
- Scalekit errors mapped to HTTP answers in one exception handler.

Configuration comes from the environment: ``SCALEKIT_ENVIRONMENT_URL``,
``SCALEKIT_CLIENT_ID``, ``SCALEKIT_CLIENT_SECRET`` (read by the client),
``SCALEKIT_WEBHOOK_SECRET`` and, optionally, ``SCALEKIT_AUDIENCE`` (the
audience your API's access tokens are issued for). Try it offline with the
emulator: ``scalekit-fake --port 8765`` prints the first three.
"""

from __future__ import annotations

import logging
import math
import os
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

import scalekit_async as sk

logger = logging.getLogger("example.fastapi_app")


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


# -- the client: one per process, shared by every request ------------------------------


def scalekit(request: Request) -> sk.ScalekitClient:
    """The process's client, opened by the lifespan."""
    client: sk.ScalekitClient = request.app.state.scalekit
    return client


def settings(request: Request) -> Settings:
    found: Settings = request.app.state.settings
    return found


Scalekit = Annotated[sk.ScalekitClient, Depends(scalekit)]
Config = Annotated[Settings, Depends(settings)]


# -- the caller: a validated access token -----------------------------------------------

bearer = HTTPBearer(auto_error=False)


async def caller(
    client: Scalekit,
    config: Config,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> sk.AccessTokenClaims:
    """The caller's validated claims; 401 without a valid token, 503 without Scalekit's keys."""
    if credentials is None:
        raise HTTPException(401, "missing bearer token", {"WWW-Authenticate": "Bearer"})
    try:
        return await client.auth.validate_access_token(
            credentials.credentials, audience=config.audience
        )
    except sk.JwksUnavailableError:
        raise HTTPException(503, "cannot check tokens right now", {"Retry-After": "5"}) from None
    except sk.TokenValidationError as exc:
        challenge = f'Bearer error="invalid_token", error_description="{exc.reason.value}"'
        raise HTTPException(401, exc.message, {"WWW-Authenticate": challenge}) from None


Caller = Annotated[sk.AccessTokenClaims, Depends(caller)]


def permission(name: str) -> Callable[[sk.AccessTokenClaims], sk.AccessTokenClaims]:
    """A dependency: the caller's claims, or 403 unless they grant permission *name*."""

    def check(claims: Caller) -> sk.AccessTokenClaims:
        if not claims.has_permissions(name):
            raise HTTPException(403, f"permission {name} required")
        return claims

    return check


# -- answers -------------------------------------------------------------------------------


class Me(BaseModel):
    user_id: str
    organization_id: str
    session_id: str
    roles: list[str]
    permissions: list[str]


class OrganizationOut(BaseModel):
    id: str
    display_name: str
    external_id: str | None = None

    @classmethod
    def of(cls, org: sk.Organization) -> OrganizationOut:
        return cls(id=org.id, display_name=org.display_name, external_id=org.external_id)


class OrganizationPage(BaseModel):
    organizations: list[OrganizationOut]
    next_page_token: str | None
    total_size: int | None


# -- routes ----------------------------------------------------------------------------------

router = APIRouter()


@router.get("/me")
async def me(claims: Caller) -> Me:
    return Me(
        user_id=claims.subject,
        organization_id=claims.organization_id,
        session_id=claims.session_id,
        roles=list(claims.roles),
        permissions=list(claims.permissions),
    )


AdminCaller = Annotated[sk.AccessTokenClaims, Depends(permission("organizations:read"))]


@router.get("/admin/organizations")
async def list_organizations(
    client: Scalekit,
    _: AdminCaller,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
    page_token: str | None = None,
) -> OrganizationPage:
    page = await client.organizations.list(
        page_size=page_size, page_token=page_token or sk.NOT_GIVEN
    )
    return OrganizationPage(
        organizations=[OrganizationOut.of(org) for org in page.items],
        next_page_token=page.next_page_token or None,
        total_size=page.total_size,
    )


@router.get("/admin/organizations/{organization_id}")
async def get_organization(
    client: Scalekit, _: AdminCaller, organization_id: str
) -> OrganizationOut:
    return OrganizationOut.of(await client.organizations.get(organization_id))


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


@router.post("/webhooks/scalekit", status_code=204)
async def webhook(request: Request, client: Scalekit, config: Config) -> Response:
    if config.webhook_secret is None:
        raise HTTPException(503, "webhooks are not configured")
    body = await request.body()  # the raw bytes: a re-serialized body would not verify
    try:
        event = client.auth.verify_webhook(config.webhook_secret, request.headers, body)
    except sk.WebhookVerificationError as exc:
        raise HTTPException(400, exc.message) from None
    deliveries: Deliveries = request.app.state.deliveries
    delivery_id = request.headers["webhook-id"]
    if delivery_id in deliveries:  # Scalekit redelivers until it gets a 2xx
        return Response(status_code=204)
    await handle_event(client, event)
    deliveries.add(delivery_id)  # only once handled: a failure above means "send it again"
    return Response(status_code=204)


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


async def on_scalekit_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, sk.ScalekitError)
    status, message, headers = error_answer(exc)
    if status >= 500:
        logger.warning("Scalekit call failed: %s", exc)  # the SDK never puts secrets in it
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


# -- the app -----------------------------------------------------------------------------------


def create_app(
    config: Settings | None = None,
    client_factory: Callable[[], sk.ScalekitClient] = sk.ScalekitClient,
) -> FastAPI:
    """The service; *client_factory* builds its client at startup (tests pass their own)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with client_factory() as client:  # no I/O yet: the first call fetches a token
            app.state.scalekit = client
            app.state.settings = config or Settings.from_env()
            app.state.deliveries = Deliveries()
            yield
        # leaving the block closed the client's connections

    app = FastAPI(title="Scalekit FastAPI example", lifespan=lifespan)
    app.include_router(router)
    app.add_exception_handler(sk.ScalekitError, on_scalekit_error)
    return app


app = create_app()
