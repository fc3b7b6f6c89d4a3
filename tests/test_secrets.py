"""No secret leaks: with logging at DEBUG (every logger) through a run with failures,
retries, 401 replays, token refreshes and a user login, neither the client secret nor
any access, refresh or ID token nor an API client's plain secret appears in the logs,
in any exception's str, repr or chained traceback text, in any result's repr, in the
client's repr or in what `on_attempt` observers see.
"""

from __future__ import annotations

import importlib
import json
import logging
import pkgutil
import re
import traceback
import typing
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import httpx
import pytest

import scalekit_async as sk
import scalekit_async.models as models_pkg
from scalekit_async.testing import FakeRequest, FakeScalekit, Reply, oauth

ORGS = "/api/v1/organizations"
FAST = sk.RetryPolicy(backoff_base=0.01, backoff_cap=0.02)
WRONG_SECRET = "wrong-secret-c0ffee-5a1t"
REDIRECT = "https://app.example.com/callback"


class Leaks:
    """Collects secrets as they are minted, and every text the SDK shows the world."""

    def __init__(self) -> None:
        self.secrets: set[str] = set()
        self.texts: list[tuple[str, str]] = []

    def secret(self, value: object) -> None:
        if isinstance(value, str) and value:
            self.secrets.add(value)
            if value.count(".") == 2:  # a JWT: its signature alone must not show either
                self.secrets.add(value.rsplit(".", 1)[1])

    def show(self, where: str, value: object) -> None:
        self.texts.append((where, value if isinstance(value, str) else repr(value)))

    def error(self, where: str, exc: BaseException) -> None:
        self.texts.append((where, str(exc)))
        self.texts.append((where, repr(exc)))
        self.texts.append((where, "".join(traceback.format_exception(exc))))

    async def expect(self, where: str, error: type[BaseException], call: Any) -> None:
        with pytest.raises(error) as info:
            await call
        self.error(where, info.value)

    def found(self) -> list[tuple[str, str]]:
        return [
            (where, secret[:12] + "...")
            for where, text in self.texts
            for secret in self.secrets
            if secret in text
        ]


def record_grants(fake: FakeScalekit, leaks: Leaks) -> None:
    """Wrap the fake's token-endpoint handlers to note every token they issue."""
    for grant_type, handler in list(fake.grant_handlers.items()):

        def noted(
            request: FakeRequest,
            form: Mapping[str, str],
            handler: Callable[[FakeRequest, Mapping[str, str]], Reply] = handler,
        ) -> Reply:
            reply = handler(request, form)
            body = json.loads(reply.body) if reply.body else {}
            for key in ("access_token", "refresh_token", "id_token"):
                leaks.secret(body.get(key))
            return reply

        fake.grant_handlers[grant_type] = noted


async def run_everything(url: str, fake: FakeScalekit, kind: str, leaks: Leaks) -> None:
    attempts: list[sk.Attempt] = []

    def client(secret: str, **options: Any) -> sk.ScalekitClient:
        if kind == "aiohttp":
            options["transport"] = sk.AiohttpTransport()
        options.setdefault("timeouts", sk.Timeouts(read=5.0))
        return sk.ScalekitClient(
            url, fake.client_id, secret, retry=FAST, on_attempt=(attempts.append,), **options
        )

    async with client(fake.client_secret) as good:
        leaks.show("client repr", good)
        org = await good.organizations.create(display_name="Acme", external_id="acme")
        leaks.show("model repr", org)
        fake.fail_next(1, method="GET", path=ORGS, status=503)  # a retry
        leaks.show("page repr", await good.organizations.list(page_size=5))
        fake.expire_tokens()  # a 401, a refresh and a replay
        leaks.show("model repr", await good.organizations.get(org.id))
        fake.expire_tokens()
        fake.fail_next(1, path="/oauth/token", status=500)  # a refresh that is retried
        leaks.show("model repr", await good.organizations.update(org.id, display_name="Acme 2"))
        created = await good.api_clients.create(organization_id=org.id, name="ci")
        leaks.secret(created.plain_secret)
        leaks.show("api client repr", created)
        assert created.client is not None
        rotated = await good.api_clients.create_secret(
            created.client.client_id, organization_id=org.id
        )
        leaks.secret(rotated.plain_secret)
        leaks.show("api client secret repr", rotated)

        await leaks.expect("404", sk.NotFoundError, good.organizations.get("org_missing"))
        await leaks.expect("400", sk.BadRequestError, good.organizations.create(display_name=""))
        fake.fail_next(1, method="POST", path=ORGS, drop="after")
        lost = good.organizations.create(display_name="Lost")
        await leaks.expect("lost answer", sk.APIConnectionError, lost)
        async with client(fake.client_secret, timeouts=sk.Timeouts(read=0.1)) as hasty:
            fake.fail_next(3, path=f"{ORGS}/{org.id}", stall_after_headers=5)
            timed_out = hasty.organizations.get(org.id)
            await leaks.expect("read timeout", sk.APITimeoutError, timed_out)
        fake.fail_next(1, path=f"{ORGS}/{org.id}", status=200, body=b"<html>")
        await leaks.expect("bad body", sk.ResponseValidationError, good.organizations.get(org.id))
        fake.expire_tokens()
        fake.fail_next(3, path="/oauth/token", status=503)
        await leaks.expect("token 503", sk.ServerError, good.organizations.list())

        # A user signs in, refreshes, and reuses a spent refresh token.
        oauth(fake).issuer = url
        pkce = sk.generate_pkce()
        login = good.auth.authorization_url(REDIRECT, state="st", code_challenge=pkce.challenge)
        # The browser's hop to the hosted login (not the SDK's business, nor its logs).
        query = tuple(httpx.URL(login).params.multi_items())
        redirect = oauth(fake).authorize(FakeRequest("GET", "/oauth/authorize", query, b""))
        code = httpx.URL(dict(redirect.headers)["location"]).params["code"]
        leaks.secret(code)
        result = await good.auth.exchange_code(code, REDIRECT, code_verifier=pkce.verifier)
        leaks.show("authentication result repr", result)
        leaks.show("claims repr", await good.auth.validate_access_token(result.access_token))
        assert result.refresh_token is not None
        refreshed = await good.auth.refresh_access_token(result.refresh_token)
        leaks.show("refresh result repr", refreshed)
        await leaks.expect(
            "spent refresh token",
            sk.TokenError,
            good.auth.refresh_access_token(result.refresh_token),
        )
        tampered = result.access_token[:-6] + (
            "AAAAAA" if result.access_token[-1] != "A" else "BBBBBB"
        )
        leaks.secret(tampered)
        await leaks.expect(
            "tampered token", sk.TokenValidationError, good.auth.validate_access_token(tampered)
        )
        await leaks.expect(
            "replayed code",
            sk.TokenError,
            good.auth.exchange_code(code, REDIRECT, code_verifier=pkce.verifier),
        )
        leaks.show("client repr", good)

    async with client(WRONG_SECRET) as bad:
        await leaks.expect("invalid_client", sk.TokenError, bad.organizations.list())
        leaks.show("client repr", bad)
    for attempt in attempts:
        leaks.show("attempt", attempt)
        leaks.show("attempt", str(attempt.error))
    assert len(attempts) > 20


@pytest.mark.anyio
async def test_no_secret_in_logs_errors_or_reprs(
    transport_kind: str, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: the SDK's, httpx's, httpcore's, aiohttp's
    fake = FakeScalekit()
    leaks = Leaks()
    leaks.secret(fake.client_secret)
    leaks.secret(WRONG_SECRET)
    record_grants(fake, leaks)
    async with fake.serve() as url:
        await run_everything(url, fake, transport_kind, leaks)
    for request in fake.requests:  # every bearer token that was sent, too
        leaks.secret(request.token)
    captured = capsys.readouterr()
    leaks.show("log", caplog.text)
    leaks.show("stdout", captured.out)
    leaks.show("stderr", captured.err)
    assert "retrying GET /api/v1/organizations" in caplog.text  # the run did log
    assert len(leaks.secrets) > 10
    assert leaks.found() == []


@pytest.mark.anyio
async def test_an_echoing_server_cannot_make_an_error_show_a_secret() -> None:
    fake = FakeScalekit()
    leaks = Leaks()
    leaks.secret(fake.client_secret)
    async with fake.client(max_retries=0) as client:
        echo = {"error": "invalid_request", "error_description": f"bad: {fake.client_secret}"}
        fake.fail_next(1, path="/oauth/token", status=400, body=json.dumps(echo).encode())
        await leaks.expect("echoed secret", sk.TokenError, client.organizations.list())
        await client.organizations.list()
        token = next(r.token for r in fake.requests if r.token)
        leaks.secret(token)
        echoed = {"code": 16, "message": f"invalid token Bearer {token}"}
        fake.fail_next(1, path=ORGS, status=403, body=json.dumps(echoed).encode())
        await leaks.expect("echoed token", sk.PermissionDeniedError, client.organizations.list())
    assert leaks.found() == []


# -- every model's repr ------------------------------------------------------------------

SENSITIVE = re.compile(
    r"(^|_)(secret|password|passcode|otp|token|access_token|refresh_token|id_token|"
    r"session_token|plain_secret|private_key|api_key|developer_token|secret_access_key)$"
)


def attrs_classes() -> list[type]:
    modules = [
        importlib.import_module(f"{pkg.__name__}.{info.name}")
        for pkg in (sk, models_pkg)
        for info in pkgutil.iter_modules(pkg.__path__)
        if info.name not in {"testing", "redis", "otel"}
    ]
    found: dict[str, type] = {}
    for module in modules:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and attrs.has(value)
                and value.__module__.startswith("scalekit_async")
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


def holds_text(cls: type, field: attrs.Attribute[Any]) -> bool:
    """Whether *field* can hold a plain string (nested models have their own reprs)."""
    try:
        hint = typing.get_type_hints(cls)[field.name]
    except Exception:  # an unresolvable annotation: judge by its text
        return "str" in str(field.type)
    return hint is str or str in typing.get_args(hint)


def test_every_model_hides_its_secret_fields_from_repr() -> None:
    classes = attrs_classes()
    assert len(classes) > 100
    shown = [
        f"{cls.__module__}.{cls.__qualname__}.{field.name}"
        for cls in classes
        for field in attrs.fields(cls)
        if SENSITIVE.search(field.name)
        and not field.name.endswith("page_token")  # a cursor, not a credential
        and holds_text(cls, field)
        and field.repr is not False
    ]
    assert shown == []


def test_the_secret_never_shows_in_a_client_repr_or_vars() -> None:
    secret = "s3cr3t-" + "9" * 20
    client = sk.ScalekitClient("https://acme.scalekit.dev", "skc_1", secret)
    for text in (repr(client), str(client), repr(vars(client)), repr(client.auth)):
        assert secret not in text
