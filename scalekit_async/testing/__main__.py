"""Run the fake Scalekit as a local emulator for your own tests and CI jobs.

```sh
scalekit-fake --port 8765 --seed fixtures.yaml        # or: python -m scalekit_async.testing
SCALEKIT_ENVIRONMENT_URL=http://127.0.0.1:8765
SCALEKIT_CLIENT_ID=skc_fake_client
SCALEKIT_CLIENT_SECRET=fake-secret-do-not-use
```

The three lines are printed (and written to ``--env-file``) once the socket
listens, so a script can wait for them. ``--fail-rate`` and ``--latency``
make the emulator answer like a loaded API, to exercise your retries. SIGINT
and SIGTERM stop it cleanly (exit status 0).

Access tokens for the code under test (signed, so ``validate_access_token``
accepts them), from a running emulator or, with ``--keys``, offline:

```sh
scalekit-fake --port 8765 --keys .scalekit-fake.pem   # the same key (and JWKS) after a restart
scalekit-fake mint-token --sub usr_1 --scope read --permission users:read --organization org_1
scalekit-fake mint-token --m2m --client-id m2morg_1 --scope deploy --expires-in 600
```

``mint-token`` prints the token. It asks the emulator at ``--url`` (default
``$SCALEKIT_ENVIRONMENT_URL``, else ``http://127.0.0.1:8765``) through the
test-only route ``POST /_fake/tokens``; with ``--keys FILE`` it signs with that
key file itself, naming ``--url`` as the issuer, and needs no running emulator.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import anyio
import httpx

from ._constants import API_PREFIX, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from ._fake import FakeScalekit
from ._http import Reply
from ._oauth import MINT_TOKEN_PATH, oauth
from ._seed import SeedError, seed_fake

__all__ = [
    "EmulatedScalekit",
    "ask_emulator",
    "build_parser",
    "main",
    "make_fake",
    "mint_token",
    "run",
    "sign_locally",
]

FAULT_STATUSES = (429, 500, 502, 503, 504)
DEFAULT_URL = "http://127.0.0.1:8765"
MINT_COMMAND = "mint-token"


class EmulatedScalekit(FakeScalekit):
    """A `FakeScalekit` that fails a random share of API requests and answers slowly.

    Args:
        fail_rate: The probability, per ``/api/`` request, of answering
            *fail_status* instead (the token endpoint and ``/keys`` never fail).
        fail_status: The status of an injected failure (429 or a 5xx).
        retry_after: The ``Retry-After`` of an injected failure, in seconds.
        latency: Seconds added before every answer.
        random_seed: Seeds the failure draws (and the fake's ids), so a run
            can be reproduced.
        options: The other `FakeScalekit` arguments.

    Injected failures go through `fail_next`, so their bodies are Scalekit's
    error bodies, and a failed request changes no state.
    """

    def __init__(
        self,
        *,
        fail_rate: float = 0.0,
        fail_status: int = 503,
        retry_after: float | None = None,
        latency: float = 0.0,
        random_seed: int = 0,
        **options: Any,
    ) -> None:
        if not 0.0 <= fail_rate <= 1.0:
            raise ValueError("fail_rate must be between 0 and 1")
        if fail_status not in FAULT_STATUSES:
            raise ValueError(f"fail_status must be one of {FAULT_STATUSES}")
        if latency < 0 or (retry_after is not None and retry_after < 0):
            raise ValueError("latency and retry_after must not be negative")
        super().__init__(seed=random_seed, **options)
        self.fail_rate = fail_rate
        self.fail_status = fail_status
        self.retry_after = retry_after
        self.latency = latency
        self.faults_injected = 0
        """How many requests were answered with an injected failure."""
        self._draws = random.Random(random_seed)  # noqa: S311 - fault draws, not secrets

    async def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Reply:
        """Wait `latency`, maybe inject a failure, then answer as the fake does."""
        if self.latency:
            await anyio.sleep(self.latency)
        path = target.partition("?")[0]
        if self.fail_rate and path.startswith(API_PREFIX) and self._draws.random() < self.fail_rate:
            self.faults_injected += 1
            wait = None if self.retry_after is None else f"{self.retry_after:g}"
            # No await between here and the fake's own fault lookup: this request takes it.
            self.fail_next(1, method=method, path=path, status=self.fail_status, retry_after=wait)
        return await super().handle(method, target, headers, body)


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``scalekit-fake``."""
    parser = argparse.ArgumentParser(
        prog="scalekit-fake",
        description="A stateful fake Scalekit API for local development, tests and CI.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8765, help="port to bind (default 8765; 0: any free port)"
    )
    parser.add_argument(
        "--seed",
        metavar="FILE",
        type=Path,
        help="JSON or YAML fixtures of organizations, connections and users to start with",
    )
    parser.add_argument(
        "--token-ttl", type=float, default=3600.0, help="API token lifetime, seconds (default 3600)"
    )
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID, help="the client id to accept")
    parser.add_argument(
        "--client-secret",
        default=os.environ.get("SCALEKIT_FAKE_CLIENT_SECRET", DEFAULT_CLIENT_SECRET),
        help="the client secret to accept (default: $SCALEKIT_FAKE_CLIENT_SECRET or a test value)",
    )
    faults = parser.add_argument_group("faults")
    faults.add_argument(
        "--fail-rate",
        type=float,
        default=0.0,
        metavar="P",
        help="answer this share of API requests (0..1) with --fail-status",
    )
    faults.add_argument(
        "--fail-status",
        type=int,
        default=503,
        choices=FAULT_STATUSES,
        help="the status of injected failures (default 503)",
    )
    faults.add_argument(
        "--retry-after",
        type=float,
        metavar="SECONDS",
        help="send Retry-After with injected failures",
    )
    faults.add_argument(
        "--latency", type=float, default=0.0, metavar="SECONDS", help="delay every answer"
    )
    faults.add_argument(
        "--random-seed", type=int, default=0, help="seed for fault draws and generated ids"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        default=None,  # not given: $SCALEKIT_FAKE_STRICT decides
        help="check the emulator's own answers against the spec: a defect (an answer "
        "outside the spec, a handler that failed) is answered 500 naming it, logged, "
        "and makes the exit status 1 (default: $SCALEKIT_FAKE_STRICT)",
    )
    parser.add_argument(
        "--env-file",
        type=Path,
        metavar="FILE",
        help="also write the SCALEKIT_* lines to FILE once listening",
    )
    parser.add_argument(
        "--keys",
        type=Path,
        metavar="FILE",
        help="sign tokens with the RSA key in this PEM file, created (mode 0600) on first run: "
        "tokens signed before a restart still validate after it (same --host and --port)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    mint = commands.add_parser(
        MINT_COMMAND,
        help="print a signed access token (user or M2M) with the claims given",
        description="Print an access token the SDK's validate_access_token accepts, asked of "
        f"a running emulator (test-only route POST {MINT_TOKEN_PATH}) or, with --keys, "
        "signed here with the emulator's key file.",
    )
    add_mint_token_arguments(mint)
    return parser


def add_mint_token_arguments(mint: argparse.ArgumentParser) -> None:
    """The flags of ``mint-token``: where to get the token, and its claims."""
    mint.add_argument(
        "--url",
        default=os.environ.get("SCALEKIT_ENVIRONMENT_URL") or DEFAULT_URL,
        help="the emulator's URL, also the token's issuer "
        f"(default: $SCALEKIT_ENVIRONMENT_URL or {DEFAULT_URL})",
    )
    mint.add_argument(
        "--keys",
        dest="token_keys",
        type=Path,
        metavar="FILE",
        help="sign here with the key file the emulator was started with (--keys FILE) "
        "instead of asking it",
    )
    mint.add_argument(
        "--m2m",
        action="store_true",
        help="a machine-to-machine token: sub and client_id are --client-id, no session",
    )
    mint.add_argument(
        "--sub", dest="token_subject", metavar="ID", help="the user (default usr_fake)"
    )
    mint.add_argument(
        "--organization", metavar="ID", help="the organization, claim oid (default org_fake)"
    )
    mint.add_argument("--session", metavar="ID", help="the session, claim sid (default ses_fake)")
    mint.add_argument(
        "--client-id",
        dest="token_client_id",
        metavar="ID",
        help="claim client_id (default: the emulator's client id; with --m2m, m2morg_fake)",
    )
    for flag, name in (
        ("--scope", "scopes"),
        ("--permission", "permissions"),
        ("--role", "roles"),
        ("--audience", "audience"),
    ):
        mint.add_argument(
            flag,
            dest=f"token_{name}",
            action="append",
            metavar=flag[2:].upper(),
            help=f"add to claim {'aud' if name == 'audience' else name} (repeatable)",
        )
    mint.add_argument(
        "--expires-in",
        type=float,
        metavar="SECONDS",
        help="lifetime (default: the emulator's token lifetime, 3600; negative: already expired)",
    )
    mint.add_argument(
        "--claim",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="add or override any claim; VALUE is read as JSON if it parses (repeatable)",
    )
    mint.add_argument(
        "--json",
        action="store_true",
        help="print the whole answer (access_token, token_type, expires_in) as JSON",
    )


def token_request(args: argparse.Namespace) -> dict[str, Any]:
    """The JSON request (`FakeOAuth.mint_requested`) that parsed ``mint-token`` *args* make."""
    request: dict[str, Any] = {"kind": "m2m" if args.m2m else "user"}
    given = {
        "subject": args.token_subject,
        "organization_id": args.organization,
        "session_id": args.session,
        "client_id": args.token_client_id,
        "scopes": args.token_scopes,
        "permissions": args.token_permissions,
        "roles": args.token_roles,
        "audience": args.token_audience,
        "expires_in": args.expires_in,
    }
    request.update((name, value) for name, value in given.items() if value is not None)
    claims: dict[str, Any] = {}
    for item in args.claim:
        name, equals, raw = item.partition("=")
        if not equals or not name:
            raise ValueError(f"--claim {item!r}: expected NAME=VALUE")
        try:
            claims[name] = json.loads(raw)
        except ValueError:
            claims[name] = raw
    if claims:
        request["claims"] = claims
    return request


def mint_token(args: argparse.Namespace) -> int:
    """Run ``mint-token``: print the token (or the JSON answer); return the exit status."""
    answer: dict[str, Any]
    try:
        request = token_request(args)
        if args.token_keys is not None:
            answer = sign_locally(args.token_keys, args.url, request)
        else:
            answer = ask_emulator(args.url, request)
    except ValueError as exc:
        sys.stderr.write(f"scalekit-fake {MINT_COMMAND}: {exc}\n")
        return 2
    except (OSError, httpx.HTTPError) as exc:
        sys.stderr.write(
            f"scalekit-fake {MINT_COMMAND}: cannot reach the emulator at {args.url} ({exc}); "
            "start it first, or sign here with --keys FILE\n"
        )
        return 1
    sys.stdout.write(json.dumps(answer) + "\n" if args.json else answer["access_token"] + "\n")
    sys.stdout.flush()
    return 0


def sign_locally(keys: Path, url: str, request: Mapping[str, Any]) -> dict[str, Any]:
    """Mint *request* with the emulator's key file, for the emulator served at *url*.

    The audience defaults to ``$SCALEKIT_CLIENT_ID`` (else the emulator's default
    client id), as the emulator's own tokens do.

    Raises:
        ValueError: no such key file (a typo would sign with a key nobody serves),
            or a bad request.
    """
    if not keys.is_file():
        raise ValueError(
            f"no key file {str(keys)!r}: start the emulator with --keys FILE first "
            "(it creates the file)"
        )
    fake = FakeScalekit(client_id=os.environ.get("SCALEKIT_CLIENT_ID") or DEFAULT_CLIENT_ID)
    state = oauth(fake)
    state.use_key_file(keys)
    state.issuer = url.rstrip("/")
    return state.mint_requested(request)


def ask_emulator(url: str, request: Mapping[str, Any]) -> dict[str, Any]:
    """POST *request* to the emulator's test-only minting route; its JSON answer.

    Raises:
        ValueError: the emulator refused the request (its message).
        httpx.HTTPError: it could not be reached, or answered something else.
    """
    with httpx.Client(trust_env=False, timeout=30) as http:  # a local emulator: no proxy
        reply = http.post(url.rstrip("/") + MINT_TOKEN_PATH, json=dict(request))
    if reply.status_code == 400:
        raise ValueError(reply.json().get("error_description", reply.text))
    if reply.status_code != 200:
        raise httpx.HTTPStatusError(
            f"{reply.status_code} from {MINT_TOKEN_PATH}", request=reply.request, response=reply
        )
    answer: dict[str, Any] = reply.json()
    return answer


def make_fake(args: argparse.Namespace) -> EmulatedScalekit:
    """The emulator the parsed *args* describe, seeded (raises `SeedError`, `ValueError`)."""
    fake = EmulatedScalekit(
        fail_rate=args.fail_rate,
        fail_status=args.fail_status,
        retry_after=args.retry_after,
        latency=args.latency,
        random_seed=args.random_seed,
        client_id=args.client_id,
        client_secret=args.client_secret,
        token_ttl=args.token_ttl,
        strict=args.strict,
    )
    if args.keys is not None:
        oauth(fake).use_key_file(args.keys)
    if args.seed is not None:
        seed_fake(fake, args.seed)
    return fake


def environment_lines(fake: FakeScalekit, url: str) -> str:
    """The ``SCALEKIT_*`` settings that point a client at *fake* served at *url*."""
    return (
        f"SCALEKIT_ENVIRONMENT_URL={url}\n"
        f"SCALEKIT_CLIENT_ID={fake.client_id}\n"
        f"SCALEKIT_CLIENT_SECRET={fake.client_secret}\n"
    )


async def run(
    fake: FakeScalekit,
    host: str,
    port: int,
    ready: Callable[[str], None],
) -> None:
    """Serve *fake* until cancelled or signalled; call *ready* with its URL once listening.

    Tokens the emulator signs (hosted login, ``/keys``) name the served URL as
    their issuer, so a client configured with that URL validates them.
    """
    async with fake.serve(host, port) as url:
        oauth(fake).issuer = url
        ready(url)
        try:
            with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
                async for _ in signals:
                    return
        except NotImplementedError:  # pragma: no cover - platforms without signal receivers
            await anyio.sleep_forever()


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, seed the fake, serve it and print how to reach it."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == MINT_COMMAND:
        return mint_token(args)
    try:
        fake = make_fake(args)
    except (SeedError, ValueError) as exc:
        parser.error(str(exc))

    def ready(url: str) -> None:
        lines = environment_lines(fake, url)
        if args.env_file is not None:
            temporary = args.env_file.with_name(args.env_file.name + ".tmp")
            temporary.write_text(lines, encoding="utf-8")
            temporary.replace(args.env_file)  # appears whole, so a poller never reads half
        sys.stdout.write(lines)
        sys.stdout.flush()

    try:
        anyio.run(run, fake, args.host, args.port, ready)
    except KeyboardInterrupt:
        return 0
    except OSError as exc:
        sys.stderr.write(f"scalekit-fake: cannot listen on {args.host}:{args.port}: {exc}\n")
        return 1
    if fake.strict and fake.defects:
        sys.stderr.write("scalekit-fake: defects (--strict):\n")
        sys.stderr.writelines(f"  {defect}\n" for defect in fake.defects)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
