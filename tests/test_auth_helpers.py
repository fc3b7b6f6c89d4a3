"""Login helpers: PKCE, the authorization and logout URLs, code exchange, refresh, end to end."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from urllib.parse import parse_qs, parse_qsl, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

import scalekit_async as sk
from scalekit_async._jwt import TokenValidationError, TokenValidationReason as R
from scalekit_async._oidc import AuthenticationResult, RefreshResult
from scalekit_async._pkce import PkcePair, code_challenge, generate_pkce
from scalekit_async.testing import FakeScalekit, FakeTransport
from scalekit_async.testing._oauth import oauth

ENV = "http://fake.scalekit.test"
CALLBACK = "https://app.example.com/auth/callback"


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


async def follow_login(fake: FakeScalekit, url: str) -> dict[str, str]:
    """What a browser does: open the login URL, get redirected back; return the callback's query."""
    async with httpx.AsyncClient(transport=FakeTransport(fake)) as browser:
        response = await browser.get(url)
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(CALLBACK + "?")
    return dict(parse_qsl(urlsplit(location).query))


# -- PKCE -------------------------------------------------------------------------------


def test_pkce_verifier_and_challenge() -> None:
    pairs = [generate_pkce() for _ in range(50)]
    for pair in pairs:
        assert len(pair.verifier) == 64
        assert re.fullmatch(r"[A-Za-z0-9\-._~]+", pair.verifier)
        digest = hashlib.sha256(pair.verifier.encode()).digest()
        assert pair.challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        assert "=" not in pair.challenge
        assert len(pair.challenge) == 43
        assert pair.method == "S256"
    assert len({p.verifier for p in pairs}) == 50
    assert len(generate_pkce(43).verifier) == 43
    assert len(generate_pkce(128).verifier) == 128
    for bad in (42, 129):
        with pytest.raises(ValueError, match="between 43 and 128"):
            generate_pkce(bad)
    with pytest.raises(TypeError):
        generate_pkce(True)


def test_pkce_rfc7636_appendix_b_vector() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636 appendix B
    assert code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    for bad in ("short", "x" * 129, "a" * 42 + "+", "é" * 43):
        with pytest.raises(ValueError, match="RFC 7636"):
            code_challenge(bad)


def test_pkce_verifier_never_in_repr() -> None:
    pair = generate_pkce()
    assert pair.verifier not in repr(pair)
    assert pair.challenge in repr(pair)
    assert isinstance(
        sk.ScalekitClient("https://a.b", "c", "secret-of-at-least-16-chars").auth.generate_pkce(),
        PkcePair,
    )


# -- URLs ----------------------------------------------------------------------------------


def test_authorization_url_defaults() -> None:
    client = sk.ScalekitClient("https://acme.scalekit.dev", "skc_1", "secret-of-at-least-16-chars")
    url = client.auth.authorization_url(CALLBACK)
    assert url.startswith("https://acme.scalekit.dev/oauth/authorize?")
    assert query(url) == {
        "response_type": ["code"],
        "client_id": ["skc_1"],
        "redirect_uri": [CALLBACK],
        "scope": ["openid profile email"],
    }


def test_authorization_url_every_option() -> None:
    client = sk.ScalekitClient("https://acme.scalekit.dev", "skc_1", "secret-of-at-least-16-chars")
    pkce = generate_pkce()
    url = client.auth.authorization_url(
        CALLBACK,
        scopes=["openid", "offline_access"],
        state="st&=1",
        nonce="n1",
        login_hint="a+b@acme.com",
        domain_hint="acme.com",
        connection_id="conn_1",
        organization_id="org_1",
        provider="google",
        prompt="login",
        code_challenge=pkce.challenge,
    )
    assert query(url) == {
        "response_type": ["code"],
        "client_id": ["skc_1"],
        "redirect_uri": [CALLBACK],
        "scope": ["openid offline_access"],
        "state": ["st&=1"],
        "nonce": ["n1"],
        "login_hint": ["a+b@acme.com"],
        "domain_hint": ["acme.com"],
        "domain": ["acme.com"],
        "connection_id": ["conn_1"],
        "organization_id": ["org_1"],
        "provider": ["google"],
        "prompt": ["login"],
        "code_challenge": [pkce.challenge],
        "code_challenge_method": ["S256"],
    }
    assert pkce.verifier not in url
    # None means "not sent", like not passing the option.
    assert "state" not in query(client.auth.authorization_url(CALLBACK, state=None))


def test_authorization_url_validates_input() -> None:
    auth = sk.ScalekitClient(
        "https://acme.scalekit.dev", "skc_1", "secret-of-at-least-16-chars"
    ).auth
    with pytest.raises(ValueError, match="redirect_uri"):
        auth.authorization_url("/relative/callback")
    with pytest.raises(TypeError, match="redirect_uri"):
        auth.authorization_url(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="scopes"):
        auth.authorization_url(CALLBACK, scopes=[])
    with pytest.raises(TypeError, match="scopes"):
        auth.authorization_url(CALLBACK, scopes=[1])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="code_challenge"):
        auth.authorization_url(CALLBACK, code_challenge="plain-verifier")
    with pytest.raises(ValueError, match="state"):
        auth.authorization_url(CALLBACK, state="")
    # A native app's private-use scheme is an absolute redirect URI.
    assert "com.acme.app" in auth.authorization_url("com.acme.app:/callback")
    assert query(auth.authorization_url(CALLBACK, scopes="openid"))["scope"] == ["openid"]


def test_logout_url() -> None:
    auth = sk.ScalekitClient(
        "https://acme.scalekit.dev", "skc_1", "secret-of-at-least-16-chars"
    ).auth
    assert auth.logout_url() == "https://acme.scalekit.dev/oidc/logout"
    url = auth.logout_url(
        id_token_hint="eyJ.a.b", post_logout_redirect_uri="https://app.example.com/", state="s"
    )
    assert url.startswith("https://acme.scalekit.dev/oidc/logout?")
    assert query(url) == {
        "id_token_hint": ["eyJ.a.b"],
        "post_logout_redirect_uri": ["https://app.example.com/"],
        "state": ["s"],
    }
    with pytest.raises(ValueError, match="post_logout_redirect_uri"):
        auth.logout_url(post_logout_redirect_uri="nowhere")


# -- the login flow against the fake --------------------------------------------------------


@pytest.mark.anyio
async def test_full_login_flow_with_pkce(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    pkce = generate_pkce()
    url = client.auth.authorization_url(
        CALLBACK,
        state="csrf-1",
        nonce="nonce-1",
        login_hint="ada@acme.com",
        organization_id="org_acme",
        connection_id="conn_okta",
        code_challenge=pkce.challenge,
    )
    callback = await follow_login(fake, url)
    assert callback["state"] == "csrf-1"
    result = await client.auth.exchange_code(
        callback["code"], CALLBACK, code_verifier=pkce.verifier, nonce="nonce-1"
    )
    assert isinstance(result, AuthenticationResult)
    assert result.user.email == "ada@acme.com"
    assert result.user.email_verified is True
    assert result.user.id.startswith("usr_")
    assert result.organization_id == "org_acme"
    assert result.connection_id == "conn_okta"
    assert result.id_token_claims.nonce == "nonce-1"
    assert result.id_token_claims.authorized_party == "skc_fake_client"
    assert result.expires_in == 3600
    assert result.refresh_token
    # The token call carried the verifier and the client's credentials, form-encoded.
    token_calls = [r for r in fake.requests if r.path == "/oauth/token"]
    form = dict(parse_qsl(token_calls[-1].body.decode()))
    assert form["grant_type"] == "authorization_code"
    assert form["code_verifier"] == pkce.verifier
    assert form["redirect_uri"] == CALLBACK
    assert form["client_id"] == "skc_fake_client"
    # The access token validates locally with the now-warm key cache.
    claims = await client.auth.validate_access_token(result.access_token)
    assert claims.subject == result.user.id
    assert claims.organization_id == "org_acme"
    assert claims.session_id == result.id_token_claims.session_id
    assert oauth(fake).jwks_requests == 1


@pytest.mark.anyio
async def test_login_user_comes_from_the_fake_directory(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    fake.users["usr_known"] = {
        "id": "usr_known",
        "email": "grace@acme.com",
        "user_profile": {"given_name": "Grace", "family_name": "Hopper", "name": "Grace Hopper"},
    }
    callback = await follow_login(
        fake, client.auth.authorization_url(CALLBACK, login_hint="grace@acme.com")
    )
    result = await client.auth.exchange_code(callback["code"], CALLBACK)
    assert result.user.id == "usr_known"
    assert (result.user.given_name, result.user.family_name, result.user.name) == (
        "Grace",
        "Hopper",
        "Grace Hopper",
    )


@pytest.mark.anyio
async def test_login_flow_over_a_socket(fake: FakeScalekit) -> None:
    async with fake.serve() as base:
        oauth(fake).issuer = base
        async with sk.ScalekitClient(base, fake.client_id, fake.client_secret) as client:
            pkce = generate_pkce()
            url = client.auth.authorization_url(CALLBACK, state="s", code_challenge=pkce.challenge)
            async with httpx.AsyncClient() as browser:
                response = await browser.get(url)
            assert response.status_code == 302
            code = query(response.headers["location"])["code"][0]
            result = await client.auth.exchange_code(code, CALLBACK, code_verifier=pkce.verifier)
            assert result.id_token_claims.issuer == base
            claims = await client.auth.validate_access_token(result.access_token)
            assert claims.issuer == base


@pytest.mark.anyio
async def test_exchange_needs_the_right_verifier(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    pkce = generate_pkce()
    for verifier in (None, generate_pkce().verifier):
        callback = await follow_login(
            fake, client.auth.authorization_url(CALLBACK, code_challenge=pkce.challenge)
        )
        with pytest.raises(sk.TokenError) as info:
            await client.auth.exchange_code(callback["code"], CALLBACK, code_verifier=verifier)
        assert info.value.error == "invalid_grant"
        assert info.value.status_code == 400
        assert callback["code"] not in str(info.value)
        assert fake.client_secret not in str(info.value)
    with pytest.raises(ValueError, match="code_verifier"):
        await client.auth.exchange_code("code", CALLBACK, code_verifier="too-short")


@pytest.mark.anyio
async def test_code_is_single_use_and_bound_to_its_redirect(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    callback = await follow_login(fake, client.auth.authorization_url(CALLBACK))
    with pytest.raises(sk.TokenError) as info:
        await client.auth.exchange_code(callback["code"], "https://elsewhere.example/cb")
    assert info.value.error == "invalid_grant"
    callback = await follow_login(fake, client.auth.authorization_url(CALLBACK))
    await client.auth.exchange_code(callback["code"], CALLBACK)
    with pytest.raises(sk.TokenError):
        await client.auth.exchange_code(callback["code"], CALLBACK)
    # An exchange is not replayed on a lost connection (a code works once).
    callback = await follow_login(fake, client.auth.authorization_url(CALLBACK))
    fake.fail_next(path="/oauth/token", drop="after")
    with pytest.raises(sk.APIConnectionError) as lost:
        await client.auth.exchange_code(callback["code"], CALLBACK)
    assert lost.value.outcome_unknown


@pytest.mark.anyio
async def test_exchange_verifies_the_id_token_nonce(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    callback = await follow_login(fake, client.auth.authorization_url(CALLBACK, nonce="right"))
    with pytest.raises(TokenValidationError) as info:
        await client.auth.exchange_code(callback["code"], CALLBACK, nonce="wrong")
    assert info.value.reason is R.NONCE


@pytest.mark.anyio
async def test_exchange_verifies_the_id_token_signature(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    # The JWKS the client receives holds another key under the fake's kid: the ID
    # token must then fail verification (it is verified, not just decoded).
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(other.public_key(), as_dict=True)
    jwks = {"keys": [{**jwk, "kid": oauth(fake).kid, "alg": "RS256", "use": "sig"}]}
    fake.fail_next(path="/keys", status=200, body=json.dumps(jwks).encode())
    callback = await follow_login(fake, client.auth.authorization_url(CALLBACK))
    with pytest.raises(TokenValidationError) as info:
        await client.auth.exchange_code(callback["code"], CALLBACK)
    assert info.value.reason is R.SIGNATURE


@pytest.mark.anyio
async def test_exchange_without_openid_scope_has_no_id_token(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    callback = await follow_login(fake, client.auth.authorization_url(CALLBACK, scopes=["email"]))
    with pytest.raises(sk.ResponseValidationError, match="id_token") as info:
        await client.auth.exchange_code(callback["code"], CALLBACK)
    assert info.value.body is None  # a token response is never kept in an error


@pytest.mark.anyio
async def test_authorize_errors(fake: FakeScalekit) -> None:
    async with httpx.AsyncClient(transport=FakeTransport(fake)) as browser:
        bad_client = await browser.get(
            f"{ENV}/oauth/authorize",
            params={"response_type": "code", "client_id": "nope", "redirect_uri": CALLBACK},
        )
        assert bad_client.status_code == 401
        token_flow = await browser.get(
            f"{ENV}/oauth/authorize",
            params={
                "response_type": "token",
                "client_id": fake.client_id,
                "redirect_uri": CALLBACK,
                "state": "s",
            },
        )
        assert token_flow.status_code == 302
        assert query(token_flow.headers["location"]) == {
            "error": ["unsupported_response_type"],
            "state": ["s"],
        }


# -- refresh and logout -------------------------------------------------------------------------


@pytest.mark.anyio
async def test_refresh_rotates_the_refresh_token(
    client: sk.ScalekitClient, fake: FakeScalekit
) -> None:
    callback = await follow_login(fake, client.auth.authorization_url(CALLBACK))
    login = await client.auth.exchange_code(callback["code"], CALLBACK)
    assert login.refresh_token is not None
    refreshed = await client.auth.refresh_access_token(login.refresh_token)
    assert isinstance(refreshed, RefreshResult)
    assert refreshed.access_token != login.access_token
    assert refreshed.refresh_token not in (None, login.refresh_token)
    assert refreshed.expires_in == 3600
    form = dict(parse_qsl([r for r in fake.requests if r.path == "/oauth/token"][-1].body.decode()))
    assert form["grant_type"] == "refresh_token"
    assert form["refresh_token"] == login.refresh_token
    claims = await client.auth.validate_access_token(refreshed.access_token)
    assert claims.session_id == login.id_token_claims.session_id
    # The old refresh token was used up.
    with pytest.raises(sk.TokenError) as info:
        await client.auth.refresh_access_token(login.refresh_token)
    assert info.value.error == "invalid_grant"
    assert login.refresh_token not in str(info.value)
    with pytest.raises(ValueError, match="refresh_token"):
        await client.auth.refresh_access_token("")


@pytest.mark.anyio
async def test_logout_ends_the_session(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    callback = await follow_login(fake, client.auth.authorization_url(CALLBACK))
    login = await client.auth.exchange_code(callback["code"], CALLBACK)
    url = client.auth.logout_url(
        id_token_hint=login.id_token,
        post_logout_redirect_uri="https://app.example.com/bye",
        state="z",
    )
    async with httpx.AsyncClient(transport=FakeTransport(fake)) as browser:
        response = await browser.get(url)
    assert response.status_code == 302
    assert response.headers["location"] == "https://app.example.com/bye?state=z"
    assert login.refresh_token is not None
    with pytest.raises(sk.TokenError):
        await client.auth.refresh_access_token(login.refresh_token)


# -- secrets stay out of reprs and messages ---------------------------------------------


@pytest.mark.anyio
async def test_no_token_or_secret_in_reprs(client: sk.ScalekitClient, fake: FakeScalekit) -> None:
    pkce = generate_pkce()
    callback = await follow_login(
        fake, client.auth.authorization_url(CALLBACK, code_challenge=pkce.challenge)
    )
    login = await client.auth.exchange_code(callback["code"], CALLBACK, code_verifier=pkce.verifier)
    assert login.refresh_token is not None
    refreshed = await client.auth.refresh_access_token(login.refresh_token)
    assert refreshed.refresh_token is not None
    secrets = [
        login.access_token,
        login.id_token,
        login.refresh_token,
        refreshed.access_token,
        refreshed.refresh_token,
        pkce.verifier,
        fake.client_secret,
    ]
    texts = [
        repr(login),
        str(login),
        repr(refreshed),
        repr(pkce),
        repr(client.auth),
        repr(client.auth.jwks),
        repr(oauth(fake)),
        repr(login.id_token_claims),
        repr(login.user),
    ]
    for text in texts:
        for secret in secrets:
            assert secret not in text
    assert "access_token" not in repr(login)
