"""Local token validation: every rule, forged tokens, and the JWKS cache's fetch discipline."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any

import anyio
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from scalekit_async import ScalekitClient, ScalekitError
from scalekit_async._errors import (
    JwksUnavailableError,
    TokenValidationError,
    TokenValidationReason as R,
)
from scalekit_async._jwks import JwksCache, parse_jwks
from scalekit_async._jwt import AccessTokenClaims
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._oauth import mint_access_token, oauth

pytestmark = pytest.mark.anyio

ENV = "http://fake.scalekit.test"


@pytest.fixture(scope="module")
def attacker_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def compact(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    return ".".join(
        (b64(json.dumps(header).encode()), b64(json.dumps(payload).encode()), b64(signature))
    )


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ENV,
        "sub": "usr_1",
        "aud": ["skc_fake_client"],
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


async def rejected(client: ScalekitClient, token: str, **options: Any) -> TokenValidationError:
    with pytest.raises(TokenValidationError) as info:
        await client.auth.validate_access_token(token, **options)
    error = info.value
    # The token (or any part of it) never leaks into the error.
    for part in token.split("."):
        if len(part) > 8:
            assert part not in str(error)
            assert part not in repr(error)
    assert isinstance(error, ScalekitError)
    return error


# -- the happy path and typed claims ------------------------------------------------


async def test_valid_token_returns_typed_claims(client: ScalekitClient, fake: FakeScalekit) -> None:
    token = mint_access_token(
        fake,
        subject="usr_42",
        organization_id="org_7",
        session_id="ses_9",
        roles=["admin"],
        permissions=["projects:read", "projects:write"],
        scopes=["read"],
        claims={"scope": "write read", "custom": {"tier": "gold"}},
    )
    result = await client.auth.validate_access_token(token, required_scopes=["read", "write"])
    assert isinstance(result, AccessTokenClaims)
    assert result.subject == "usr_42"
    assert result.organization_id == "org_7"
    assert result.session_id == "ses_9"
    assert result.client_id == "skc_fake_client"
    assert result.audience == ("skc_fake_client",)
    assert result.issuer == ENV
    assert result.roles == ("admin",)
    assert result.permissions == ("projects:read", "projects:write")
    assert result.scopes == ("read", "write")
    assert result.has_scopes("read", "write")
    assert not result.has_scopes("admin")
    assert result.has_permissions("projects:read")
    assert result.token_id.startswith("tkn_")
    assert result.claims["custom"] == {"tier": "gold"}
    assert isinstance(result.expires_at, datetime)
    assert result.expires_at.tzinfo is UTC
    assert result.expires_at > datetime.now(UTC)
    assert "claims=" not in repr(result)


async def test_audience_one_or_several(client: ScalekitClient, fake: FakeScalekit) -> None:
    token = mint_access_token(fake, audience=["res_api", "res_other"])
    assert (await client.auth.validate_access_token(token, audience="res_api")).audience == (
        "res_api",
        "res_other",
    )
    await client.auth.validate_access_token(token, audience=["nope", "res_other"])
    single = mint_access_token(fake, claims={"aud": "res_api"})  # aud as a plain string
    await client.auth.validate_access_token(single, audience="res_api")
    error = await rejected(client, token, audience=["skc_fake_client", "res_else"])
    assert error.reason is R.AUDIENCE
    no_aud = mint_access_token(fake, claims={"aud": None})
    assert (await rejected(client, no_aud, audience="res_api")).reason is R.MISSING_CLAIM
    # Without an audience option, aud is not checked.
    await client.auth.validate_access_token(no_aud)


async def test_issuer_one_or_several(client: ScalekitClient, fake: FakeScalekit) -> None:
    migrated = mint_access_token(fake, issuer=f"{ENV}/resources/res_1")
    assert (await rejected(client, migrated)).reason is R.ISSUER
    ok = await client.auth.validate_access_token(migrated, issuer=[ENV, f"{ENV}/resources/res_1"])
    assert ok.issuer == f"{ENV}/resources/res_1"
    evil = mint_access_token(fake, issuer="https://evil.example")
    error = await rejected(client, evil, issuer=[ENV, f"{ENV}/resources/res_1"])
    assert error.reason is R.ISSUER
    no_iss = mint_access_token(fake, claims={"iss": None})
    assert (await rejected(client, no_iss)).reason is R.MISSING_CLAIM


async def test_required_scopes_from_either_claim(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    array = mint_access_token(fake, scopes=["read", "write"])
    spaced = mint_access_token(fake, claims={"scope": "read write"})
    for token in (array, spaced):
        got = await client.auth.validate_access_token(token, required_scopes="read write")
        assert set(got.scopes) == {"read", "write"}
        await client.auth.validate_access_token(token, required_scopes=["write"])
    error = await rejected(client, spaced, required_scopes=["read", "admin", "delete"])
    assert error.reason is R.SCOPE
    assert error.missing_scopes == ("admin", "delete")
    assert "admin" in str(error)
    none = mint_access_token(fake)
    assert (await rejected(client, none, required_scopes=["read"])).reason is R.SCOPE


# -- forged and broken tokens ------------------------------------------------------------


async def test_wrong_key_is_a_bad_signature(
    client: ScalekitClient, fake: FakeScalekit, attacker_key: rsa.RSAPrivateKey
) -> None:
    forged = jwt.encode(claims(), attacker_key, algorithm="RS256", headers={"kid": oauth(fake).kid})
    assert (await rejected(client, forged)).reason is R.SIGNATURE


async def test_tampered_payload_is_a_bad_signature(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    token = mint_access_token(fake, roles=["member"])
    header, _, signature = token.split(".")
    payload = b64(json.dumps(claims(roles=["admin"])).encode())
    assert (await rejected(client, f"{header}.{payload}.{signature}")).reason is R.SIGNATURE


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "HS256", "RS512", "PS256", "ES256", ""])
async def test_algorithms_other_than_rs256_are_refused(
    client: ScalekitClient, fake: FakeScalekit, alg: str
) -> None:
    token = compact({"alg": alg, "typ": "JWT", "kid": oauth(fake).kid}, claims())
    error = await rejected(client, token)
    assert error.reason is R.ALGORITHM
    assert oauth(fake).jwks_requests == 0  # refused before any key is looked up


async def test_hs256_signed_with_the_public_key_is_refused(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    state = oauth(fake)
    pem = state.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": state.kid}).encode())
    payload = b64(json.dumps(claims()).encode())
    signature = hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    error = await rejected(client, f"{header}.{payload}.{b64(signature)}")
    assert error.reason is R.ALGORITHM


async def test_rs512_with_the_real_key_is_refused(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    state = oauth(fake)
    token = jwt.encode(claims(), state.private_key, algorithm="RS512", headers={"kid": state.kid})
    assert (await rejected(client, token)).reason is R.ALGORITHM


async def test_embedded_jwk_header_is_not_trusted(
    client: ScalekitClient, fake: FakeScalekit, attacker_key: rsa.RSAPrivateKey
) -> None:
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(attacker_key.public_key(), as_dict=True)
    evil = jwt.encode(
        claims(),
        attacker_key,
        algorithm="RS256",
        headers={"kid": "attacker", "jwk": jwk, "jku": "https://evil.example/keys"},
    )
    assert (await rejected(client, evil)).reason is R.UNKNOWN_KEY
    with_real_kid = jwt.encode(
        claims(), attacker_key, algorithm="RS256", headers={"kid": oauth(fake).kid, "jwk": jwk}
    )
    assert (await rejected(client, with_real_kid)).reason is R.SIGNATURE
    assert all(r.path == "/keys" for r in fake.requests)  # never fetched the jku


async def test_expired_token(client: ScalekitClient, fake: FakeScalekit) -> None:
    old = mint_access_token(fake, issued_at=time.time() - 7200, expires_in=3600)
    assert (await rejected(client, old)).reason is R.EXPIRED


async def test_leeway_is_configurable(client: ScalekitClient, fake: FakeScalekit) -> None:
    just_expired = mint_access_token(fake, issued_at=time.time() - 610, expires_in=600)
    await client.auth.validate_access_token(just_expired)  # default leeway: 30 s
    assert (await rejected(client, just_expired, leeway=0)).reason is R.EXPIRED
    soon = mint_access_token(fake, issued_at=time.time() + 10)
    await client.auth.validate_access_token(soon)
    assert (await rejected(client, soon, leeway=0)).reason is R.NOT_YET_VALID
    with pytest.raises(ValueError, match="leeway"):
        await client.auth.validate_access_token(soon, leeway=-1)
    with pytest.raises(TypeError, match="leeway"):
        await client.auth.validate_access_token(soon, leeway="5")  # type: ignore[arg-type]


async def test_not_yet_valid_and_issued_in_future(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    later = time.time() + 3600
    nbf = mint_access_token(fake, claims={"nbf": int(later)})
    assert (await rejected(client, nbf)).reason is R.NOT_YET_VALID
    iat = mint_access_token(fake, claims={"iat": int(later), "nbf": None})
    error = await rejected(client, iat)
    assert error.reason is R.NOT_YET_VALID
    assert "iat" in str(error)


async def test_exp_is_required_and_numeric(client: ScalekitClient, fake: FakeScalekit) -> None:
    no_exp = mint_access_token(fake, claims={"exp": None})
    assert (await rejected(client, no_exp)).reason is R.MISSING_CLAIM
    text_exp = mint_access_token(fake, claims={"exp": "2999999999"})
    assert (await rejected(client, text_exp)).reason is R.MALFORMED
    bool_exp = mint_access_token(fake, claims={"exp": True})
    assert (await rejected(client, bool_exp)).reason is R.MALFORMED


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b", "a.b.c.d", "!!!.###.$$$", "e30.e30.", "x" * 40_000 + ".a.b"],
)
async def test_malformed_tokens(client: ScalekitClient, token: str) -> None:
    with pytest.raises(TokenValidationError) as info:
        await client.auth.validate_access_token(token)
    assert info.value.reason in {R.MALFORMED, R.ALGORITHM}


async def test_token_must_be_a_string(client: ScalekitClient) -> None:
    with pytest.raises(TypeError, match="token must be a str"):
        await client.auth.validate_access_token(b"a.b.c")  # type: ignore[arg-type]


async def test_critical_header_is_refused(client: ScalekitClient, fake: FakeScalekit) -> None:
    state = oauth(fake)
    token = jwt.encode(
        claims(), state.private_key, algorithm="RS256", headers={"kid": state.kid, "crit": ["exp"]}
    )
    assert (await rejected(client, token)).reason is R.MALFORMED


async def test_token_without_kid(client: ScalekitClient, fake: FakeScalekit) -> None:
    state = oauth(fake)
    bare = jwt.encode(claims(), state.private_key, algorithm="RS256")
    assert (await client.auth.validate_access_token(bare)).subject == "usr_1"
    state.rotate_key()
    client.auth.jwks.clear()
    bare = jwt.encode(claims(), state.private_key, algorithm="RS256")
    # Two keys: a token without kid is ambiguous, so it is refused.
    assert (await rejected(client, bare)).reason is R.UNKNOWN_KEY


async def test_id_token_audience_nonce_and_azp(client: ScalekitClient, fake: FakeScalekit) -> None:
    state = oauth(fake)
    good = state.mint_id_token(nonce="n-1", organization_id="org_1", connection_id="conn_1")
    got = await client.auth.validate_id_token(good, nonce="n-1")
    assert got.organization_id == "org_1"
    assert got.connection_id == "conn_1"
    assert got.nonce == "n-1"
    with pytest.raises(TokenValidationError) as info:
        await client.auth.validate_id_token(good, nonce="n-2")
    assert info.value.reason is R.NONCE
    other = state.mint_id_token(claims={"aud": ["skc_other"], "azp": "skc_other"})
    with pytest.raises(TokenValidationError) as info:
        await client.auth.validate_id_token(other)
    assert info.value.reason is R.AUDIENCE
    azp = state.mint_id_token(claims={"aud": ["skc_fake_client", "x"], "azp": "skc_other"})
    with pytest.raises(TokenValidationError) as info:
        await client.auth.validate_id_token(azp)
    assert info.value.reason is R.AUDIENCE


async def test_idp_initiated_login_claims(client: ScalekitClient, fake: FakeScalekit) -> None:
    state = oauth(fake)
    token = state.mint_idp_initiated_token(
        connection_id="conn_9", organization_id="org_9", login_hint="a@b.co", relay_state="rs"
    )
    got = await client.auth.idp_initiated_login_claims(token)
    assert (got.connection_id, got.organization_id, got.login_hint, got.relay_state) == (
        "conn_9",
        "org_9",
        "a@b.co",
        "rs",
    )
    expired = state.mint_idp_initiated_token(expires_in=-3600)
    with pytest.raises(TokenValidationError) as info:
        await client.auth.idp_initiated_login_claims(expired)
    assert info.value.reason is R.EXPIRED


# -- the JWKS cache ---------------------------------------------------------------------------


async def test_warm_cache_validation_does_no_io(client: ScalekitClient, fake: FakeScalekit) -> None:
    token = mint_access_token(fake)
    await client.auth.validate_access_token(token)
    before = len(fake.requests)
    fake.fail_next(100, path="/keys", status=500)
    with anyio.CancelScope() as scope:
        scope.cancel()
        # A cancelled scope raises at the first checkpoint: passing proves no await happened.
        for _ in range(50):
            await client.auth.validate_access_token(token)
    assert len(fake.requests) == before
    assert client.auth.jwks.fetches == 1


async def test_cold_cache_concurrent_validators_share_one_fetch(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    token = mint_access_token(fake)
    fake.fail_next(path="/keys", delay=0.05)  # hold the fetch so everyone piles up on it
    results: list[AccessTokenClaims] = []

    async def validate() -> None:
        results.append(await client.auth.validate_access_token(token))

    async with anyio.create_task_group() as tg:
        for _ in range(50):
            tg.start_soon(validate)
    assert len(results) == 50
    assert oauth(fake).jwks_requests == 1
    assert client.auth.jwks.fetches == 1


async def test_cancelled_first_caller_does_not_break_the_fetch(
    client: ScalekitClient, fake: FakeScalekit
) -> None:
    token = mint_access_token(fake)
    fake.fail_next(path="/keys", delay=0.1)
    outcome: list[str] = []

    async def impatient() -> None:
        with anyio.move_on_after(0.02):
            await client.auth.validate_access_token(token)
            outcome.append("impatient finished")

    async def patient() -> None:
        await anyio.sleep(0.01)
        await client.auth.validate_access_token(token)
        outcome.append("patient ok")

    async with anyio.create_task_group() as tg:
        tg.start_soon(impatient)
        tg.start_soon(patient)
    assert outcome == ["patient ok"]
    assert oauth(fake).jwks_requests == 1


async def test_unknown_kid_flood_is_rate_limited(
    client: ScalekitClient, fake: FakeScalekit, attacker_key: rsa.RSAPrivateKey
) -> None:
    await client.auth.validate_access_token(mint_access_token(fake))
    forged = [
        jwt.encode(claims(), attacker_key, algorithm="RS256", headers={"kid": f"forged-{i}"})
        for i in range(200)
    ]
    reasons: list[R] = []

    async def attack(token: str) -> None:
        try:
            await client.auth.validate_access_token(token)
        except TokenValidationError as exc:
            reasons.append(exc.reason)

    async with anyio.create_task_group() as tg:
        for token in forged[:100]:
            tg.start_soon(attack, token)
    for token in forged[100:]:
        await attack(token)
    assert reasons == [R.UNKNOWN_KEY] * 200
    # The cache was fetched moments ago: not one refetch for 200 forged kids.
    assert oauth(fake).jwks_requests == 1


async def test_unknown_kid_flood_on_cold_cache_costs_one_fetch(
    client: ScalekitClient, fake: FakeScalekit, attacker_key: rsa.RSAPrivateKey
) -> None:
    fake.fail_next(path="/keys", delay=0.03)

    async def attack(i: int) -> None:
        token = jwt.encode(claims(), attacker_key, algorithm="RS256", headers={"kid": f"k{i}"})
        with pytest.raises(TokenValidationError):
            await client.auth.validate_access_token(token)

    async with anyio.create_task_group() as tg:
        for i in range(100):
            tg.start_soon(attack, i)
    assert oauth(fake).jwks_requests == 1


async def test_rotation_refetches_after_the_cooldown(
    client: ScalekitClient, fake: FakeScalekit, attacker_key: rsa.RSAPrivateKey
) -> None:
    jwks = client.auth.jwks
    state = oauth(fake)
    await client.auth.validate_access_token(mint_access_token(fake))
    old_kid = state.kid
    new_kid = state.rotate_key()
    rotated = mint_access_token(fake)
    # Within the cooldown (default 30 s) the new kid is unknown and nothing is fetched.
    assert (await rejected(client, rotated)).reason is R.UNKNOWN_KEY
    assert state.jwks_requests == 1
    jwks.refetch_interval = 0.05
    await anyio.sleep(0.06)
    got = await client.auth.validate_access_token(rotated)  # one refetch finds the new key
    assert got.subject == "usr_fake"
    assert state.jwks_requests == 2
    assert set(jwks.kids) == {old_kid, new_kid}
    # Right after that refetch, forged kids are again refused without fetching.
    jwks.refetch_interval = 30.0
    for i in range(20):
        forged = jwt.encode(claims(), attacker_key, algorithm="RS256", headers={"kid": f"f{i}"})
        assert (await rejected(client, forged)).reason is R.UNKNOWN_KEY
    assert state.jwks_requests == 2


async def test_jwks_unavailable(fake: FakeScalekit) -> None:
    async with fake.client(max_retries=0) as client:
        client.auth.jwks.refetch_interval = 0.5
        token = mint_access_token(fake)
        fake.fail_next(path="/keys", status=503)
        with pytest.raises(JwksUnavailableError) as info:
            await client.auth.validate_access_token(token)
        assert info.value.reason is R.JWKS_UNAVAILABLE
        assert isinstance(info.value, TokenValidationError)
        # Moments after a failure, validators fail fast instead of hammering the endpoint.
        with pytest.raises(JwksUnavailableError):
            await client.auth.validate_access_token(token)
        assert oauth(fake).jwks_requests == 1
        await anyio.sleep(0.55)
        await client.auth.validate_access_token(token)
        assert oauth(fake).jwks_requests == 2


async def test_stale_keys_are_refreshed_and_kept_when_refresh_fails(
    fake: FakeScalekit,
) -> None:
    async with fake.client(max_retries=0) as client:
        token = mint_access_token(fake)
        await client.auth.validate_access_token(token)
        jwks = client.auth.jwks
        jwks.max_age = 0.0
        jwks.refetch_interval = 0.0
        await client.auth.validate_access_token(token)
        assert oauth(fake).jwks_requests == 2  # stale: refetched
        fake.fail_next(path="/keys", status=500)
        await client.auth.validate_access_token(token)  # refresh failed: old keys still serve
        assert oauth(fake).jwks_requests == 3


def test_parse_jwks_keeps_only_rs256_signing_keys() -> None:
    def public(bits: int, **extra: Any) -> dict[str, Any]:
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
        return {**jwt.algorithms.RSAAlgorithm.to_jwk(key, as_dict=True), **extra}

    good = public(2048, kid="good", alg="RS256", use="sig")
    keys = parse_jwks(
        {
            "keys": [
                good,
                public(2048, kid="enc", use="enc"),
                public(2048, kid="rs512", alg="RS512"),
                public(1024, kid="weak"),
                {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "x", "y": "y"},
                {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
                {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
                "junk",
            ]
        }
    )
    assert list(keys) == ["good"]
    for bad in ({}, {"keys": "x"}, {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}, []):
        with pytest.raises(JwksUnavailableError):
            parse_jwks(bad)


async def test_cache_fetch_errors_become_jwks_unavailable() -> None:
    async def broken() -> Any:
        raise RuntimeError("boom")

    cache = JwksCache(broken)
    with pytest.raises(JwksUnavailableError, match="boom"):
        await cache.get("kid")
    assert cache.fetches == 1
    assert "keys=0" in repr(cache)
