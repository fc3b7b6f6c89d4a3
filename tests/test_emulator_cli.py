"""The emulator: `scalekit-fake` / `python -m scalekit_async.testing`, fixtures and fault flags."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import anyio
import httpx
import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit, FakeTransport
from scalekit_async.testing.__main__ import EmulatedScalekit, build_parser, main, make_fake
from scalekit_async.testing._seed import SeedError, apply_seed, load_seed, parse_seed

FIXTURE_YAML = """\
organizations:
  - id: org_acme
    display_name: Acme
    external_id: acme
    metadata: {plan: pro}
    domains: [acme.com]
  - display_name: Globex
    external_id: globex
connections:
  - organization: acme
    type: OIDC
    provider: OKTA
users:
  - email: ada@acme.com
    id: usr_ada
    external_id: ada
    user_profile: {given_name: Ada, family_name: Lovelace}
    memberships:
      - organization: acme
        roles: [admin]
      - organization: globex
        invite: true
  - email: bob@globex.com
    memberships: [globex]
"""

FIXTURE = {
    "organizations": [
        {
            "id": "org_acme",
            "display_name": "Acme",
            "external_id": "acme",
            "metadata": {"plan": "pro"},
            "domains": ["acme.com"],
        },
        {"display_name": "Globex", "external_id": "globex"},
    ],
    "connections": [{"organization": "acme", "type": "OIDC", "provider": "OKTA"}],
    "users": [
        {
            "email": "ada@acme.com",
            "id": "usr_ada",
            "external_id": "ada",
            "user_profile": {"given_name": "Ada", "family_name": "Lovelace"},
            "memberships": [
                {"organization": "acme", "roles": ["admin"]},
                {"organization": "globex", "invite": True},
            ],
        },
        {"email": "bob@globex.com", "memberships": ["globex"]},
    ],
}

CALLBACK = "https://app.example.com/callback"

pytestmark = pytest.mark.anyio


def without_times(value: object) -> object:
    """A record with its timestamps removed (they differ between two runs)."""
    if isinstance(value, dict):
        return {
            k: without_times(v)
            for k, v in value.items()
            if not (isinstance(k, str) and k.endswith(("_time", "_at")))
        }
    if isinstance(value, list):
        return [without_times(v) for v in value]
    return value


# -- fixtures -----------------------------------------------------------------------------


async def test_seeded_state_is_what_the_sdk_reads_back() -> None:
    fake = FakeScalekit()
    summary = apply_seed(fake, parse_seed(FIXTURE_YAML, fmt="yaml"))
    assert (summary.organizations, summary.domains, summary.connections) == (2, 1, 1)
    assert (summary.users, summary.memberships) == (2, 3)
    assert fake.requests == []  # seeding is not traffic
    async with fake.client() as client:
        acme = await client.organizations.get("org_acme")
        assert (acme.display_name, acme.external_id, acme.metadata) == (
            "Acme",
            "acme",
            {"plan": "pro"},
        )
        globex = await client.organizations.get_by_external_id("globex")
        ada = await client.users.get("usr_ada")
        assert ada.user_profile is not None
        assert ada.user_profile.given_name == "Ada"
        statuses = {m.organization_id: m.membership_status for m in ada.memberships}
        assert statuses == {"org_acme": "ACTIVE", globex.id: "PENDING_INVITE"}
        roles = await client.users.list_roles("usr_ada", organization_id="org_acme")
        assert [r.name for r in roles.items] == ["admin"]
        members = [u.email async for u in client.users.list(organization_id=globex.id)]
        assert sorted(members) == ["ada@acme.com", "bob@globex.com"]
        connections = await client.connections.list(organization_id="org_acme")
        assert [(c.type, c.domains) for c in connections.items] == [("OIDC", ("acme.com",))]


def test_yaml_and_json_fixtures_give_the_same_state(tmp_path: Path) -> None:
    (tmp_path / "seed.yml").write_text(FIXTURE_YAML)
    (tmp_path / "seed.json").write_text(json.dumps(FIXTURE))
    assert load_seed(tmp_path / "seed.yml") == load_seed(tmp_path / "seed.json") == FIXTURE
    from_yaml, from_json = FakeScalekit(), FakeScalekit()
    apply_seed(from_yaml, load_seed(tmp_path / "seed.yml"))
    apply_seed(from_json, load_seed(tmp_path / "seed.json"))
    for name in ("organizations", "users", "memberships", "connections", "domains"):
        assert without_times(getattr(from_yaml, name)) == without_times(getattr(from_json, name))


async def test_seeded_records_have_the_shape_of_api_created_ones() -> None:
    """Seeding reuses the fake's handlers, so it cannot drift from what the API creates."""
    seeded = FakeScalekit()
    apply_seed(
        seeded,
        {
            "organizations": [{"display_name": "Acme", "external_id": "acme"}],
            "users": [
                {
                    "email": "ada@acme.com",
                    "external_id": "ada",
                    "memberships": [{"organization": "acme", "roles": ["admin"]}],
                }
            ],
        },
    )
    created = FakeScalekit()
    async with created.client() as client:
        org = await client.organizations.create(display_name="Acme", external_id="acme")
        await client.users.create(
            "ada@acme.com",
            organization_id=org.id,
            external_id="ada",
            roles=["admin"],
            send_invitation_email=False,
        )
    assert without_times(list(seeded.organizations.values())) == without_times(
        list(created.organizations.values())
    )
    assert without_times(list(seeded.users.values())) == without_times(list(created.users.values()))
    assert without_times(list(seeded.memberships.values())) == without_times(
        list(created.memberships.values())
    )


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ({"orgs": []}, "unknown fixture keys: orgs"),
        ({"organizations": {"display_name": "x"}}, "organizations must be a list"),
        ({"organizations": [{"display_name": ""}]}, r"organizations\[0\]: display_name"),
        ({"organizations": [{"display_name": "A", "colour": "red"}]}, "unknown keys colour"),
        (
            {"organizations": [{"display_name": "A", "domains": ["gmail.com"]}]},
            r"organizations\[0\]\.domains\[0\]: domain.domain: public",
        ),
        (
            {"organizations": [{"id": "o", "display_name": "A"}, {"id": "o", "display_name": "B"}]},
            r"organizations\[1\]\.id 'o' already exists",
        ),
        (
            {"organizations": [{"display_name": "A", "external_id": "a"}] * 2},
            r"organizations\[1\]: organization with this external_id already exists",
        ),
        ({"connections": [{"organization": "nope"}]}, r"connections\[0\]\.organization 'nope'"),
        (
            {
                "organizations": [{"display_name": "A", "external_id": "a"}],
                "connections": [{"organization": "a", "kind": "SAML"}],
            },
            r"connections\[0\]: not connection fields: kind",
        ),
        ({"users": [{"email": "a@b.co"}]}, r"users\[0\]\.memberships must list at least one"),
        (
            {
                "organizations": [{"display_name": "A", "external_id": "a"}],
                "users": [{"email": "not-an-email", "memberships": ["a"]}],
            },
            r"users\[0\]: user.email: value must be a valid email address",
        ),
        (
            {
                "organizations": [{"display_name": "A", "external_id": "a"}],
                "users": [{"email": "a@b.co", "memberships": ["a"]}] * 2,
            },
            r"users\[1\]: a user with this email already exists",
        ),
    ],
)
def test_fixture_mistakes_name_the_entry(fixture: dict[str, object], message: str) -> None:
    with pytest.raises(SeedError, match=message):
        apply_seed(FakeScalekit(), fixture)


def test_unparsable_fixtures_are_seed_errors(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{organizations: [")
    (tmp_path / "bad.yaml").write_text("organizations: [")
    (tmp_path / "list.json").write_text("[]")
    with pytest.raises(SeedError, match="not valid JSON"):
        load_seed(tmp_path / "bad.json")
    with pytest.raises(SeedError, match="not valid YAML"):
        load_seed(tmp_path / "bad.yaml")
    with pytest.raises(SeedError, match="must be a mapping"):
        load_seed(tmp_path / "list.json")
    with pytest.raises(SeedError, match="cannot read fixture"):
        load_seed(tmp_path / "missing.json")


def test_yaml_without_pyyaml_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "seed.yaml").write_text(FIXTURE_YAML)
    monkeypatch.setitem(sys.modules, "yaml", None)  # as if PyYAML were not installed
    with pytest.raises(SeedError, match=r"pip install pyyaml.*or write the fixture as JSON"):
        load_seed(tmp_path / "seed.yaml")
    (tmp_path / "seed.json").write_text(json.dumps(FIXTURE))
    assert load_seed(tmp_path / "seed.json") == FIXTURE  # JSON needs nothing


def test_bad_fixture_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "seed.json").write_text('{"users": [{"email": "x@y.co"}]}')
    with pytest.raises(SystemExit) as exit_info:
        main(["--port", "0", "--seed", str(tmp_path / "seed.json")])
    assert exit_info.value.code == 2
    assert "users[0].memberships must list at least one" in capsys.readouterr().err


def test_busy_port_exits_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["--port", str(port)]) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


# -- flags --------------------------------------------------------------------------------


async def test_flags_configure_the_fake() -> None:
    args = build_parser().parse_args(
        ["--token-ttl", "5", "--client-id", "skc_ci", "--client-secret", "ci-secret-0123456789"]
    )
    fake = make_fake(args)
    async with sk.ScalekitClient(
        "http://fake.scalekit.test",
        "skc_ci",
        "ci-secret-0123456789",
        transport=FakeTransport(fake),
    ) as client:
        await client.organizations.list()
    token_request = next(r for r in fake.requests if r.path == "/oauth/token")
    assert dict(parse_qsl(token_request.body.decode()))["client_id"] == "skc_ci"
    assert fake.token_ttl == 5.0
    assert fake.tokens_issued == 1


async def test_fail_rate_injects_failures_the_sdk_retries() -> None:
    fake = EmulatedScalekit(fail_rate=0.3, random_seed=7)
    policy = sk.RetryPolicy(backoff_base=0.0, budget_floor=1000.0, retry_writes=True)
    async with fake.client(retry=policy, max_retries=10) as client:
        for n in range(40):
            await client.organizations.create(display_name=f"Org {n}")
    assert 0 < fake.faults_injected < 40
    assert len(fake.organizations) == 40  # a failed create changed nothing, none was doubled
    assert len(fake.api_requests("POST")) == 40 + fake.faults_injected
    assert fake.tokens_issued == 1  # the token endpoint never fails


async def test_rate_limit_faults_carry_retry_after() -> None:
    fake = EmulatedScalekit(fail_rate=1.0, fail_status=429, retry_after=120)
    async with fake.client() as client:
        with pytest.raises(sk.RateLimitError) as error:
            await client.organizations.create(display_name="Acme")
    assert error.value.retry_after == 120.0  # longer than the SDK waits: raised at once
    assert fake.organizations == {}
    assert fake.faults_injected == 1


async def test_latency_delays_every_answer() -> None:
    fake = EmulatedScalekit(latency=0.1)
    async with fake.client() as client:
        started = anyio.current_time()
        await client.organizations.list()  # token + list: two slow answers
        assert anyio.current_time() - started >= 0.2


def test_fault_settings_are_checked() -> None:
    for bad in ({"fail_rate": 1.5}, {"fail_status": 404}, {"latency": -1.0}):
        with pytest.raises(ValueError, match=r"fail_rate|fail_status|negative"):
            EmulatedScalekit(**bad)  # type: ignore[arg-type]
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--fail-status", "404"])


# -- the real command ---------------------------------------------------------------------


async def test_command_serves_seeded_state_and_stops_on_sigterm(tmp_path: Path) -> None:
    (tmp_path / "seed.yaml").write_text(FIXTURE_YAML)
    env_file = tmp_path / "fake.env"
    command = [
        sys.executable,
        *("-m", "scalekit_async.testing", "--port", "0"),
        *("--seed", str(tmp_path / "seed.yaml"), "--env-file", str(env_file)),
    ]
    process = await anyio.open_process(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout is not None
        printed = b""
        with anyio.fail_after(20):
            while printed.count(b"\n") < 3:
                printed += await process.stdout.receive()
        settings = dict(line.split("=", 1) for line in printed.decode().splitlines())
        assert env_file.read_text() == printed.decode()
        url = settings["SCALEKIT_ENVIRONMENT_URL"]
        assert url.startswith("http://127.0.0.1:")
        async with sk.ScalekitClient(
            url, settings["SCALEKIT_CLIENT_ID"], settings["SCALEKIT_CLIENT_SECRET"]
        ) as client:
            acme = await client.organizations.get("org_acme")
            assert acme.external_id == "acme"
            # The hosted login of the emulator signs tokens for the served URL.
            login = client.auth.authorization_url(CALLBACK, login_hint="ada@acme.com")
            async with httpx.AsyncClient() as browser:
                redirect = await browser.get(login)
            code = dict(parse_qsl(urlsplit(redirect.headers["location"]).query))["code"]
            result = await client.auth.exchange_code(code, CALLBACK)
            assert (result.user.id, result.user.email) == ("usr_ada", "ada@acme.com")
            claims = await client.auth.validate_access_token(result.access_token)
            assert claims.subject == "usr_ada"
        process.send_signal(signal.SIGTERM)
        with anyio.fail_after(10):
            assert await process.wait() == 0
    finally:
        if process.returncode is None:
            process.kill()
        await process.aclose()
