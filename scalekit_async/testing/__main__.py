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
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import anyio

from ._constants import API_PREFIX, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from ._fake import FakeScalekit
from ._http import Reply
from ._oauth import oauth
from ._seed import SeedError, seed_fake

__all__ = ["EmulatedScalekit", "build_parser", "main", "make_fake", "run"]

FAULT_STATUSES = (429, 500, 502, 503, 504)


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
        "--env-file",
        type=Path,
        metavar="FILE",
        help="also write the SCALEKIT_* lines to FILE once listening",
    )
    return parser


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
    )
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
