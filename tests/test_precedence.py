"""Configuration precedence: an explicit argument wins over the policy, the policy over the default.

Also: per-call options (`with_options`) share the pool and the token, and each constant
of the wire (the token path, the JWKS path) is defined once.
"""

from __future__ import annotations

import re
from pathlib import Path

import anyio
import httpx
import pytest

import scalekit_async as sk

pytestmark = pytest.mark.anyio

URL = "https://acme.scalekit.test"
SECRET = "secret-of-at-least-16-chars"
NO_WAIT = {"backoff_base": 0.0, "backoff_cap": 0.0}


class Server:
    """Answers tokens, and 503 to every API call (or *delay* seconds late)."""

    def __init__(self, *, status: int = 503, delay: float = 0.0) -> None:
        self.status = status
        self.delay = delay
        self.api_calls = 0
        self.token_calls = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            self.token_calls += 1
            return httpx.Response(200, json={"access_token": "at-1", "expires_in": 3600})
        self.api_calls += 1
        if self.delay:
            await anyio.sleep(self.delay)
        body = {"organization": {"id": "org_1", "display_name": "Acme"}}
        return httpx.Response(self.status, json=body)


def client(server: Server, **options: object) -> sk.ScalekitClient:
    return sk.ScalekitClient(URL, "skc_1", SECRET, transport=httpx.MockTransport(server), **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "attempts"),
    [
        ({}, 3),  # the default policy: 2 retries
        ({"retry": sk.RetryPolicy(max_retries=5, **NO_WAIT)}, 6),  # the policy's count
        ({"retry": sk.RetryPolicy(max_retries=5, **NO_WAIT), "max_retries": 1}, 2),  # explicit
        ({"retry": sk.RetryPolicy(max_retries=5, **NO_WAIT), "max_retries": 0}, 1),
        ({"retry": sk.RetryPolicy(max_retries=5, **NO_WAIT), "max_retries": None}, 6),
    ],
)
async def test_an_explicit_argument_wins_over_the_policy_which_wins_over_the_default(
    options: dict[str, object], attempts: int
) -> None:
    server = Server()
    options.setdefault("retry", sk.RetryPolicy(**NO_WAIT))
    async with client(server, **options) as c:
        with pytest.raises(sk.ServerError):
            await c.organizations.get("org_1")
    assert server.api_calls == attempts


async def test_with_options_changes_the_calls_made_through_it_only() -> None:
    server = Server()
    async with client(server, retry=sk.RetryPolicy(max_retries=3, **NO_WAIT)) as c:
        quick = c.with_options(max_retries=0)
        with pytest.raises(sk.ServerError):
            await quick.organizations.get("org_1")
        assert server.api_calls == 1
        with pytest.raises(sk.ServerError):
            await c.organizations.get("org_1")
        assert server.api_calls == 1 + 4  # the client's own options are untouched
        assert server.token_calls == 1  # one token, shared
        assert c.token_fetches == quick.token_fetches == 1


async def test_with_options_timeout_bounds_the_call() -> None:
    server = Server(status=200, delay=30)
    async with client(server) as c:
        with anyio.fail_after(10), pytest.raises(sk.APITimeoutError):
            await c.with_options(timeout=0.2, max_retries=0).organizations.get("org_1")


async def test_closing_a_view_closes_the_shared_pool() -> None:
    server = Server(status=200)
    c = client(server)
    view = c.with_options(timeout=5)
    await view.organizations.get("org_1")
    await c.aclose()
    with pytest.raises(sk.ClientClosedError):
        await view.organizations.get("org_1")


@pytest.mark.parametrize("bad", [{"timeout": 0}, {"timeout": -1}, {"max_retries": -1}])
def test_bad_options_are_configuration_errors(bad: dict[str, object]) -> None:
    with pytest.raises(sk.ConfigurationError):
        client(Server(), **bad)
    with pytest.raises(sk.ConfigurationError):
        client(Server()).with_options(**bad)  # type: ignore[arg-type]


LIBRARY = [
    p
    for p in (Path(sk.__file__).parent).rglob("*.py")
    if "testing" not in p.relative_to(Path(sk.__file__).parent).parts
]


@pytest.mark.parametrize("literal", ['"/oauth/token"', '"/keys"', '"/oauth/authorize"'])
def test_each_wire_path_is_defined_once(literal: str) -> None:
    places = [p.name for p in LIBRARY for _ in re.finditer(re.escape(literal), p.read_text())]
    assert len(places) == 1, places


def test_the_jwks_timeout_is_defined_once() -> None:
    places = [p.name for p in LIBRARY if re.search(r"^JWKS_TIMEOUT\s*=", p.read_text(), re.M)]
    assert places == ["_engine.py"]
