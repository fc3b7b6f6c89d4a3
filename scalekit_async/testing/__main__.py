"""Run the fake Scalekit as a local emulator: ``python -m scalekit_async.testing --port 8765``."""

from __future__ import annotations

import argparse
import sys

import anyio

from ._fake import FakeScalekit

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, serve the fake until interrupted, and print how to reach it."""
    parser = argparse.ArgumentParser(
        prog="scalekit-fake", description="A stateful fake Scalekit API for local tests."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port to bind (0: any free port)")
    parser.add_argument("--token-ttl", type=float, default=3600.0, help="token lifetime, seconds")
    parser.add_argument("--seed", type=int, default=0, help="seed for generated ids")
    args = parser.parse_args(argv)
    fake = FakeScalekit(token_ttl=args.token_ttl, seed=args.seed)

    async def run() -> None:
        async with fake.serve(args.host, args.port) as url:
            sys.stdout.write(
                f"SCALEKIT_ENVIRONMENT_URL={url}\n"
                f"SCALEKIT_CLIENT_ID={fake.client_id}\n"
                f"SCALEKIT_CLIENT_SECRET={fake.client_secret}\n"
            )
            sys.stdout.flush()
            await anyio.sleep_forever()

    try:
        anyio.run(run)
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
