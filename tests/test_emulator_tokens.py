"""Signed access tokens from the emulator: ``mint-token``, ``POST /_fake/tokens``, ``--keys``.

Issue 14, item 1: a process talking to ``scalekit-fake`` over a socket gets
user and M2M tokens that ``validate_access_token`` accepts, with the claims it
chose, and (with ``--keys FILE``) they still validate after a restart. Item 15:
`mint_access_token` takes typed keyword arguments, so a typo fails ``mypy``.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import scalekit_async as sk
from scalekit_async.testing import FakeOAuth, FakeScalekit, mint_access_token, oauth
from scalekit_async.testing.__main__ import EmulatedScalekit, build_parser, main
from scalekit_async.testing._oauth import (
    M2M_TOKEN_FIELDS,
    MINT_TOKEN_PATH,
    USER_TOKEN_FIELDS,
    key_id,
    load_key_file,
)

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[1]
EMULATOR = [sys.executable, "-m", "scalekit_async.testing"]


@asynccontextmanager
async def served(fake: FakeScalekit) -> AsyncIterator[tuple[str, sk.ScalekitClient]]:
    """*fake* on a socket, its issuer the served URL, and a client of it."""
    async with fake.serve() as url:
        oauth(fake).issuer = url
        async with sk.ScalekitClient(url, fake.client_id, fake.client_secret) as client:
            yield url, client


async def mint_over_http(url: str, body: object) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(url + MINT_TOKEN_PATH, json=body)


# -- the test-only route ----------------------------------------------------------------------


async def test_the_route_mints_a_user_token_with_the_claims_asked_for() -> None:
    fake = FakeScalekit()
    async with served(fake) as (url, client):
        answer = await mint_over_http(
            url,
            {
                "subject": "usr_1",
                "organization_id": "org_1",
                "scopes": ["read", "write"],
                "permissions": ["users:read"],
                "roles": ["admin"],
                "audience": "res_api",
                "expires_in": 600,
                "claims": {"tenant": "acme"},
            },
        )
        assert answer.status_code == 200
        body = answer.json()
        assert (body["token_type"], body["expires_in"]) == ("Bearer", 600)
        claims = await client.auth.validate_access_token(
            body["access_token"], audience="res_api", required_scopes=["read"]
        )
    assert (claims.subject, claims.organization_id, claims.session_id) == (
        "usr_1",
        "org_1",
        "ses_fake",
    )
    assert claims.scopes == ("read", "write")
    assert claims.has_permissions("users:read")
    assert claims.roles == ("admin",)
    assert claims.audience == ("res_api",)
    assert claims.claims["tenant"] == "acme"
    assert claims.expires_at is not None
    assert 590 <= claims.expires_at.timestamp() - time.time() <= 600
    assert claims.issuer == url
    assert fake.api_requests() == []  # a test helper, not API traffic; needs no API token


async def test_the_route_mints_an_m2m_token() -> None:
    fake = FakeScalekit()
    async with served(fake) as (url, client):
        answer = await mint_over_http(
            url,
            {"kind": "m2m", "client_id": "m2morg_1", "organization_id": "org_1", "scopes": ["x"]},
        )
        claims = await client.auth.validate_access_token(answer.json()["access_token"])
    assert (claims.subject, claims.client_id, claims.organization_id) == (
        "m2morg_1",
        "m2morg_1",
        "org_1",
    )
    assert claims.scopes == ("x",)
    assert "sid" not in claims.claims  # no user, no session
    assert answer.json()["expires_in"] == 3600


async def test_an_empty_body_gives_the_default_user_token() -> None:
    fake = FakeScalekit()
    async with served(fake) as (url, client):
        async with httpx.AsyncClient() as http:
            answer = await http.post(url + MINT_TOKEN_PATH)
        claims = await client.auth.validate_access_token(answer.json()["access_token"])
    assert (claims.subject, claims.organization_id, claims.client_id) == (
        "usr_fake",
        "org_fake",
        fake.client_id,
    )
    assert claims.audience == (fake.client_id,)


async def test_an_expired_token_can_be_minted_and_is_refused() -> None:
    fake = FakeScalekit()
    async with served(fake) as (url, client):
        answer = await mint_over_http(url, {"expires_in": -120})
        assert answer.json()["expires_in"] == -120
        with pytest.raises(sk.TokenValidationError) as caught:
            await client.auth.validate_access_token(answer.json()["access_token"])
    assert caught.value.reason == "expired"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"permisions": ["users:read"]}, "unknown user token field(s): permisions (accepted: "),
        ({"sub": "usr_1"}, "unknown user token field(s): sub"),
        ({"kind": "m2m", "subject": "usr_1"}, "an m2m token has no subject"),
        ({"kind": "m2m", "session_id": "ses_1"}, "an m2m token has no session_id"),
        ({"kind": "robot"}, 'kind must be "user" or "m2m"'),
        ({"scopes": "read write"}, "scopes must be a list of strings"),
        ({"permissions": [1]}, "permissions must be a list of strings"),
        ({"subject": 7}, "subject must be a string"),
        ({"expires_in": "600"}, "expires_in must be a number"),
        ({"expires_in": True}, "expires_in must be a number"),
        ({"claims": ["a"]}, "claims must be a JSON object"),
        ({"session_id": 1}, "session_id must be a string or null"),
        (["usr_1"], "the body must be a JSON object"),
    ],
)
async def test_the_route_refuses_unknown_names_and_wrong_types(body: object, message: str) -> None:
    fake = FakeScalekit()
    async with served(fake) as (url, _):
        answer = await mint_over_http(url, body)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"
    assert message in answer.json()["error_description"]


async def test_the_route_is_post_only_and_refuses_a_non_json_body() -> None:
    fake = FakeScalekit()
    async with served(fake) as (url, _), httpx.AsyncClient() as http:
        assert (await http.get(url + MINT_TOKEN_PATH)).status_code == 405
        garbled = await http.post(url + MINT_TOKEN_PATH, content=b"{nope")
    assert garbled.status_code == 400
    assert garbled.json()["error_description"] == "the body is not JSON"


async def test_the_emulator_never_fails_the_route() -> None:
    """Injected faults hit ``/api/`` only: minting works while every API call fails."""
    fake = EmulatedScalekit(fail_rate=1.0)
    async with served(fake) as (url, client):
        answer = await mint_over_http(url, {"subject": "usr_1"})
        assert (await client.auth.validate_access_token(answer.json()["access_token"])).subject
    assert fake.faults_injected == 0


def test_the_json_names_are_the_keyword_arguments_of_the_python_helpers() -> None:
    """One vocabulary: the route's names are `mint_access_token`'s (and `mint_m2m_token`'s)."""
    user = set(inspect.signature(FakeOAuth.mint_access_token).parameters) - {"self"}
    m2m = set(inspect.signature(FakeOAuth.mint_m2m_token).parameters) - {"self"}
    assert user | {"kind"} == USER_TOKEN_FIELDS
    assert m2m | {"kind"} == M2M_TOKEN_FIELDS


# -- the client-credentials grant -------------------------------------------------------------


async def test_client_credentials_tokens_stay_the_emulator_s_own_api_credential() -> None:
    """The decision, pinned: ``POST /oauth/token`` (client credentials) keeps answering the
    opaque API token `expire_tokens` and `token_ttl` control; a signed M2M token for code
    under test comes from the minting route. A minted JWT is not an API credential."""
    fake = FakeScalekit()
    async with served(fake) as (url, client):
        await client.organizations.list()
        assert fake.tokens_issued == 1
        m2m = (await mint_over_http(url, {"kind": "m2m"})).json()["access_token"]
        async with httpx.AsyncClient() as http:
            refused = await http.get(
                url + "/api/v1/organizations", headers={"authorization": f"Bearer {m2m}"}
            )
    assert refused.status_code == 401


# -- the mint-token command -------------------------------------------------------------------


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


async def test_mint_token_asks_the_running_emulator(capsys: pytest.CaptureFixture[str]) -> None:
    fake = FakeScalekit()
    async with served(fake) as (url, client):
        argv = [
            *("mint-token", "--url", url, "--sub", "usr_1", "--organization", "org_1"),
            *("--scope", "read", "--scope", "write", "--permission", "users:read"),
            *("--role", "admin", "--audience", "res_a", "--audience", "res_b"),
            *("--session", "ses_1", "--expires-in", "600"),
            *("--claim", "tenant=acme", "--claim", "level=3", "--claim", 'groups=["a","b"]'),
        ]
        status, out, err = await anyio.to_thread.run_sync(run_main, argv, capsys)
        assert (status, err) == (0, "")
        assert out.endswith("\n")
        assert out.count("\n") == 1  # only the token: TOKEN=$(scalekit-fake mint-token ...)
        claims = await client.auth.validate_access_token(out.strip(), audience="res_b")
    assert (claims.subject, claims.organization_id, claims.session_id) == (
        "usr_1",
        "org_1",
        "ses_1",
    )
    assert (claims.scopes, claims.permissions, claims.roles) == (
        ("read", "write"),
        ("users:read",),
        ("admin",),
    )
    assert claims.audience == ("res_a", "res_b")
    assert (claims.claims["tenant"], claims.claims["level"], claims.claims["groups"]) == (
        "acme",
        3,
        ["a", "b"],
    )


async def test_mint_token_m2m_and_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    fake = FakeScalekit()
    async with served(fake) as (url, client):
        argv = ["mint-token", "--url", url, "--m2m", "--client-id", "m2morg_7", "--json"]
        status, out, _ = await anyio.to_thread.run_sync(run_main, argv, capsys)
        answer = json.loads(out)
        claims = await client.auth.validate_access_token(answer["access_token"])
    assert status == 0
    assert (answer["token_type"], answer["expires_in"]) == ("Bearer", 3600)
    assert (claims.subject, claims.client_id) == ("m2morg_7", "m2morg_7")


async def test_mint_token_reads_the_url_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeScalekit()
    async with served(fake) as (url, client):
        monkeypatch.setenv("SCALEKIT_ENVIRONMENT_URL", url)
        status, out, _ = await anyio.to_thread.run_sync(run_main, ["mint-token"], capsys)
        assert status == 0
        assert (await client.auth.validate_access_token(out.strip())).subject == "usr_fake"


async def test_mint_token_reports_a_refusal_and_an_absent_emulator(
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake = FakeScalekit()
    async with served(fake) as (url, _):
        argv = ["mint-token", "--url", url, "--m2m", "--sub", "usr_1"]
        status, out, err = await anyio.to_thread.run_sync(run_main, argv, capsys)
    assert (status, out) == (2, "")
    assert "an m2m token has no subject" in err

    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{unused.getsockname()[1]}"
    status, out, err = run_main(["mint-token", "--url", closed], capsys)
    assert (status, out) == (1, "")
    assert f"cannot reach the emulator at {closed}" in err
    assert "--keys FILE" in err

    status, _, err = run_main(["mint-token", "--claim", "no-equals-sign"], capsys)
    assert status == 2
    assert "expected NAME=VALUE" in err


def test_mint_token_refuses_a_key_file_that_does_not_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistyped path would sign with a new key no emulator serves: refused, not created."""
    missing = tmp_path / "typo.pem"
    status, out, err = run_main(["mint-token", "--keys", str(missing)], capsys)
    assert (status, out) == (2, "")
    assert "no key file" in err
    assert "typo.pem" in err
    assert not missing.exists()


async def test_mint_token_with_keys_signs_offline_for_the_emulator_using_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys.pem"
    fake = FakeScalekit()
    oauth(fake).use_key_file(keys)  # what `scalekit-fake --keys keys.pem` does
    async with served(fake) as (url, client):
        argv = ["mint-token", "--keys", str(keys), "--url", url, "--sub", "usr_9", "--scope", "x"]
        status, out, _ = run_main(argv, capsys)  # no request: nothing to wait for
        assert status == 0
        claims = await client.auth.validate_access_token(out.strip(), required_scopes=["x"])
    assert (claims.subject, claims.issuer) == ("usr_9", url)
    assert oauth(fake).jwks_requests == 1  # the client fetched the keys; mint-token did not ask


def test_mint_token_flags_parse() -> None:
    args = build_parser().parse_args(
        ["mint-token", "--sub", "usr_1", "--scope", "read", "--permission", "users:read"]
    )
    assert (args.command, args.token_subject, args.token_scopes) == (
        "mint-token",
        "usr_1",
        ["read"],
    )
    serve = build_parser().parse_args(["--port", "0", "--keys", "k.pem"])
    assert (serve.command, serve.keys) == (None, Path("k.pem"))


# -- key files --------------------------------------------------------------------------------


def test_a_key_file_is_created_once_with_mode_0600_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "keys.pem"
    first = load_key_file(path)
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_key_file(path)
    assert first.private_numbers() == again.private_numbers()
    assert key_id(first) == key_id(again)
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind

    one, other = FakeScalekit(), FakeScalekit()
    assert oauth(one).use_key_file(path) == oauth(other).use_key_file(path)
    assert oauth(one).jwks() == oauth(other).jwks()


def test_an_openssl_key_file_works(tmp_path: Path) -> None:
    """Any unencrypted PEM RSA key will do (PKCS#1 as ``openssl genrsa`` writes it, too)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    path = tmp_path / "openssl.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    assert load_key_file(path).private_numbers() == key.private_numbers()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a key", "is not an unencrypted PEM private key"),
        (
            ec.generate_private_key(ec.SECP256R1()).private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            "must hold an RSA key of at least 2048 bits",
        ),
        (
            rsa.generate_private_key(public_exponent=65537, key_size=1024).private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            "must hold an RSA key of at least 2048 bits",
        ),
    ],
    ids=["garbage", "ec", "rsa-1024"],
)
def test_a_bad_key_file_is_refused_by_name(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "keys.pem"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as caught:
        load_key_file(path)
    assert "keys.pem" in str(caught.value)
    assert path.read_bytes() == content  # never replaced


def test_a_bad_key_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "keys.pem").write_text("not a key")
    with pytest.raises(SystemExit) as exited:
        main(["--port", "0", "--keys", str(tmp_path / "keys.pem")])
    assert exited.value.code == 2
    assert "is not an unencrypted PEM private key" in capsys.readouterr().err
    with pytest.raises(ValueError, match="No such file or directory"):
        load_key_file(tmp_path / "missing-folder" / "keys.pem")


# -- tokens outlive a restart (the real command) ----------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def emulator(*flags: str, cwd: Path | None = None) -> AsyncIterator[dict[str, str]]:
    """``scalekit-fake FLAGS`` in a subprocess, until SIGTERM; yields its settings."""
    process = await anyio.open_process([*EMULATOR, *flags], stdout=subprocess.PIPE, cwd=cwd)
    try:
        assert process.stdout is not None
        printed = b""
        with anyio.fail_after(20):
            while printed.count(b"\n") < 3:
                printed += await process.stdout.receive()
        yield dict(line.split("=", 1) for line in printed.decode().splitlines())
        process.send_signal(signal.SIGTERM)
        with anyio.fail_after(10):
            assert await process.wait() == 0
    finally:
        if process.returncode is None:
            process.kill()
        await process.aclose()


@pytest.mark.parametrize("anyio_backend", [("asyncio", {})])  # processes, not the loop
async def test_tokens_minted_before_a_restart_validate_after_it(tmp_path: Path) -> None:
    keys = tmp_path / "scalekit-fake.pem"
    flags = ("--port", str(free_port()), "--keys", str(keys))
    async with emulator(*flags) as settings:
        url = settings["SCALEKIT_ENVIRONMENT_URL"]
        minted = await anyio.run_process(
            [*EMULATOR, "mint-token", "--url", url, "--sub", "usr_1", "--permission", "p:r"]
        )
        user_token = minted.stdout.decode().strip()
        m2m_token = (await mint_over_http(url, {"kind": "m2m"})).json()["access_token"]
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600 or os.name != "posix"
    key_file = keys.read_bytes()

    async with emulator(*flags) as settings:
        assert settings["SCALEKIT_ENVIRONMENT_URL"] == url
        async with sk.ScalekitClient(
            url, settings["SCALEKIT_CLIENT_ID"], settings["SCALEKIT_CLIENT_SECRET"]
        ) as client:
            claims = await client.auth.validate_access_token(user_token)
            assert (claims.subject, claims.permissions) == ("usr_1", ("p:r",))
            m2m = await client.auth.validate_access_token(m2m_token)
            assert m2m.client_id == "m2morg_fake"
    assert keys.read_bytes() == key_file  # reused, not rewritten

    # Without --keys, a restart means new keys: the old token names an unknown key.
    async with (
        emulator("--port", str(free_port())) as settings,
        sk.ScalekitClient(
            settings["SCALEKIT_ENVIRONMENT_URL"],
            settings["SCALEKIT_CLIENT_ID"],
            settings["SCALEKIT_CLIENT_SECRET"],
        ) as client,
    ):
        with pytest.raises(sk.TokenValidationError) as caught:
            await client.auth.validate_access_token(user_token, issuer=url)
    assert caught.value.reason == "unknown_key"


# -- typed helpers (issue 14, item 15) --------------------------------------------------------


def test_mint_access_token_mirrors_the_method_s_keyword_arguments() -> None:
    function = inspect.signature(mint_access_token).parameters
    method = inspect.signature(FakeOAuth.mint_access_token).parameters
    assert not any(p.kind is p.VAR_KEYWORD for p in function.values())
    assert list(function)[1:] == list(method)[1:]
    for name in list(method)[1:]:
        assert (function[name].kind, function[name].default, function[name].annotation) == (
            method[name].kind,
            method[name].default,
            method[name].annotation,
        )
    with pytest.raises(TypeError, match="permisions"):
        mint_access_token(FakeScalekit(), permisions=["users:read"])  # type: ignore[call-arg]


def test_a_typo_in_a_minting_argument_fails_mypy_strict(tmp_path: Path) -> None:
    from mypy import api

    program = tmp_path / "typo.py"
    program.write_text(
        "from scalekit_async.testing import FakeScalekit, mint_access_token\n\n"
        "mint_access_token(FakeScalekit(), permisions=['users:read'])\n"
    )
    out, _, status = api.run(
        [
            # The project's settings (mypy --strict) and cache: warm after `mypy` ran.
            *("--config-file", str(ROOT / "pyproject.toml"), "--no-error-summary"),
            *("--cache-dir", str(ROOT / ".mypy_cache")),
            str(program),
        ]
    )
    assert status == 1
    assert 'Unexpected keyword argument "permisions" for "mint_access_token"' in out


def test_minted_tokens_decode_as_scalekit_shapes_them() -> None:
    fake = FakeScalekit()
    state = oauth(fake)
    user = jwt.decode(state.mint_access_token(session_id=None), options={"verify_signature": False})
    assert "sid" not in user
    m2m = jwt.decode(state.mint_m2m_token(), options={"verify_signature": False})
    assert (m2m["sub"], m2m["client_id"], m2m["oid"]) == ("m2morg_fake", "m2morg_fake", "org_fake")
    assert {"iss", "aud", "exp", "iat", "nbf", "jti"} <= set(m2m)


# -- the documented commands run as written ---------------------------------------------------


def token_commands(document: str) -> list[str]:
    """The shell block of *document* that mints tokens, one command a line."""
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / document).read_text(), re.S)
    (block,) = [b for b in blocks if "mint-token" in b]
    return [line for line in block.replace("\\\n", " ").splitlines() if line.strip()]


@pytest.mark.parametrize("anyio_backend", [("asyncio", {})])  # processes, not the loop
@pytest.mark.parametrize("document", ["README.md", "docs/testing.md"])
async def test_the_documented_token_commands_run(tmp_path: Path, document: str) -> None:
    """Each command of the block, as written but for the port: the emulator, then the mints."""
    port = str(free_port())
    program = f"{shlex.quote(sys.executable)} -m scalekit_async.testing"
    serve, *mints = (
        re.sub(r"(?<![\w.-])scalekit-fake(?![\w.-])", lambda _: program, line.replace("8765", port))
        for line in token_commands(document)
    )
    words = shlex.split(serve, comments=True)
    assert words[:3] == EMULATOR
    assert words[-1] == "&"  # started in the background
    async with emulator(*words[3:-1], cwd=tmp_path) as settings:
        url = settings["SCALEKIT_ENVIRONMENT_URL"]
        assert url == f"http://127.0.0.1:{port}"
        env = {**os.environ, **settings}  # the user exported the emulator's settings
        async with sk.ScalekitClient(
            url, settings["SCALEKIT_CLIENT_ID"], settings["SCALEKIT_CLIENT_SECRET"]
        ) as client:
            for command in mints:
                if command.startswith("curl") and shutil.which("curl") is None:
                    continue
                result = await anyio.run_process(["bash", "-c", command], cwd=tmp_path, env=env)
                out = result.stdout.decode().strip()
                token = json.loads(out)["access_token"] if out.startswith("{") else out
                claims = await client.auth.validate_access_token(token)
                assert claims.issuer == url
    keys = [path async for path in anyio.Path(tmp_path).glob("*.pem")]
    assert len(keys) == 1  # --keys wrote the key file
