"""A bulk job: sync the users of your own system into Scalekit organizations.

```sh
python examples/worker.py                          # 10,000 generated users
python examples/worker.py --input users.jsonl      # one JSON object per line
python examples/worker.py --users 500 --concurrency 8 --checkpoint sync.json
```

With ``SCALEKIT_ENVIRONMENT_URL``, ``SCALEKIT_CLIENT_ID`` and
``SCALEKIT_CLIENT_SECRET`` set it talks to that environment; without them, to
an embedded fake Scalekit on a loopback socket.

How it behaves:

- **Bounded concurrency**: the users of a page are synced by one anyio task
  group, and every Scalekit call waits on one shared `anyio.CapacityLimiter`,
  so at most ``--concurrency`` calls are in flight whatever the page size.
- **Idempotent**: a user is found by its ``external_id``; a 409 on create means
  it exists already, and only its missing membership is added. Running the
  job twice changes nothing the second time.
- **Resumable**: after each page the next page's token is written to the
  checkpoint file (atomically); a crashed run, started again, resumes at the
  first unfinished page. The file is removed when the job finishes.
- **Rate limits**: the SDK retries 429s after the ``Retry-After`` Scalekit
  asks for; when a wait is longer than the SDK sleeps (it raises
  `RateLimitError` instead), the job waits that long itself and tries again.
- **Progress**: a bar on a terminal (stderr), a line per page otherwise.

Bad records (an invalid email, an email taken by another user) are counted
and listed, not fatal; anything else (Scalekit down, credentials refused)
stops the job, ready to be resumed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO, TypeVar

import anyio

import scalekit_async as sk

T = TypeVar("T")

ENV_VARS = ("SCALEKIT_ENVIRONMENT_URL", "SCALEKIT_CLIENT_ID", "SCALEKIT_CLIENT_SECRET")


# -- the source: your system's users, page by page ---------------------------------------


@dataclass(frozen=True)
class UserRecord:
    """One user of your system and the organization (by your external id) they belong to."""

    external_id: str
    email: str
    organization: str
    organization_name: str
    given_name: str = ""
    family_name: str = ""
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourcePage:
    records: list[UserRecord]
    next_page_token: str | None  # None: this was the last page


class Source(Protocol):
    """Where users come from: pages addressed by opaque tokens (None: the first page)."""

    total: int | None

    async def page(self, token: str | None) -> SourcePage: ...


class GeneratedSource:
    """*users* made-up users spread over *organizations* organizations (tokens: offsets)."""

    def __init__(self, users: int = 10_000, organizations: int = 100, page_size: int = 100) -> None:
        self.total: int | None = users
        self._users = users
        self._organizations = organizations
        self._page_size = page_size

    def record(self, n: int) -> UserRecord:
        org = n % self._organizations
        return UserRecord(
            external_id=f"user-{n:06d}",
            email=f"user{n:06d}@org{org:04d}.example.com",
            organization=f"org-{org:04d}",
            organization_name=f"Organization {org:04d}",
            given_name="User",
            family_name=f"{n:06d}",
            roles=("member",),
        )

    async def page(self, token: str | None) -> SourcePage:
        start = int(token or 0)
        end = min(start + self._page_size, self._users)
        records = [self.record(n) for n in range(start, end)]
        return SourcePage(records, str(end) if end < self._users else None)


class JsonlSource:
    """A file of one JSON object per line (`UserRecord` fields); tokens are byte offsets."""

    def __init__(self, path: Path, page_size: int = 100) -> None:
        self.total: int | None = None
        self._path = path
        self._page_size = page_size

    async def page(self, token: str | None) -> SourcePage:
        offset = int(token or 0)
        records: list[UserRecord] = []
        async with await anyio.open_file(self._path, "rb") as file:
            await file.seek(offset)
            while True:
                line = await file.readline()
                if not line:
                    return SourcePage(records, None)
                if line.strip() and len(records) == self._page_size:
                    return SourcePage(records, str(offset))  # the next page starts at this line
                offset += len(line)
                if line.strip():
                    data = json.loads(line)
                    data["roles"] = tuple(data.get("roles", ()))
                    records.append(UserRecord(**data))


# -- the checkpoint --------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """Where a run stopped: the first unfinished page, and how many users came before it."""

    page_token: str
    users_done: int


class CheckpointFile:
    """A checkpoint kept in a JSON file, replaced atomically (never seen half written)."""

    def __init__(self, path: Path) -> None:
        self.path = anyio.Path(path)

    async def load(self) -> Checkpoint | None:
        try:
            data = json.loads(await self.path.read_text())
        except FileNotFoundError:
            return None
        return Checkpoint(str(data["page_token"]), int(data["users_done"]))

    async def save(self, checkpoint: Checkpoint) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        body = {"page_token": checkpoint.page_token, "users_done": checkpoint.users_done}
        await temporary.write_text(json.dumps(body))
        await temporary.replace(self.path)

    async def clear(self) -> None:
        await self.path.unlink(missing_ok=True)


# -- progress ----------------------------------------------------------------------------------


def render_bar(done: int, total: int | None, rate: float, width: int = 30) -> str:
    """``[#####-----]  1234/10000  12%  250/s  ETA 35s``; without a total, a count."""
    if not total:
        return f"{done} users  {rate:.0f}/s"
    share = min(done / total, 1.0)
    filled = round(share * width)
    eta = f"  ETA {(total - done) / rate:.0f}s" if rate > 0 and done < total else ""
    return (
        f"[{'#' * filled}{'-' * (width - filled)}]  {done}/{total}  {share:4.0%}  {rate:.0f}/s{eta}"
    )


class Progress:
    """A bar redrawn in place on a terminal; one line per page on anything else (CI logs)."""

    def __init__(
        self,
        total: int | None,
        stream: TextIO = sys.stderr,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.done = 0
        self._stream = stream
        self._tty = stream.isatty()
        self._clock = clock
        self._started = clock()
        self._start = 0
        self._drawn = 0.0

    def resume(self, done: int) -> None:
        """Start counting from *done* users (synced by an earlier run)."""
        self.done = self._start = done

    @property
    def rate(self) -> float:
        elapsed = self._clock() - self._started
        return (self.done - self._start) / elapsed if elapsed > 0 else 0.0

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = self._clock()
        if self._tty and now - self._drawn >= 0.1:  # ten redraws a second at most
            self._drawn = now
            self._stream.write("\r" + render_bar(self.done, self.total, self.rate))
            self._stream.flush()

    def page_done(self, pages: int) -> None:
        if not self._tty:
            self._stream.write(f"page {pages}: {render_bar(self.done, self.total, self.rate)}\n")
            self._stream.flush()

    def finish(self) -> None:
        if self._tty:
            self._stream.write("\r" + render_bar(self.done, self.total, self.rate) + "\n")
            self._stream.flush()


# -- the job -----------------------------------------------------------------------------------


@dataclass
class SyncStats:
    created: int = 0  # new users
    joined: int = 0  # existing users given their missing membership
    unchanged: int = 0  # already there (e.g. redone after a crash)
    organizations_created: int = 0
    pages: int = 0
    rate_limit_waits: int = 0  # waits the job did itself, beyond the SDK's retries
    failed: list[tuple[str, str]] = field(default_factory=list)  # (external_id, why)


class RecordError(Exception):
    """One record cannot be synced (bad data, not a failure of the job)."""


class Organizations:
    """Organization ids by external id: looked up or created once, whoever asks first."""

    def __init__(self, job: SyncJob) -> None:
        self._job = job
        self._ids: dict[str, str] = {}
        self._locks: dict[str, anyio.Lock] = {}

    async def id_for(self, external_id: str, name: str) -> str:
        if external_id in self._ids:
            return self._ids[external_id]
        lock = self._locks.setdefault(external_id, anyio.Lock())
        async with lock:  # one lookup per organization, however many users wait for it
            if external_id not in self._ids:
                self._ids[external_id] = await self._job.call(
                    lambda: self._ensure(external_id, name)
                )
        return self._ids[external_id]

    async def _ensure(self, external_id: str, name: str) -> str:
        organizations = self._job.client.organizations
        try:
            return (await organizations.get_by_external_id(external_id)).id
        except sk.NotFoundError:
            pass
        try:
            org = await organizations.create(display_name=name, external_id=external_id)
        except sk.ConflictError:  # someone else created it just now
            return (await organizations.get_by_external_id(external_id)).id
        self._job.stats.organizations_created += 1
        return org.id


class SyncJob:
    """Sync every user of *source* into Scalekit; see the module docstring.

    Args:
        client: The Scalekit client.
        source: Your users, page by page.
        checkpoint: Where progress is kept between runs.
        concurrency: The most Scalekit calls in flight at once.
        progress: Where progress is shown (`None`: nowhere).
        rate_limit_attempts: Tries per call when the SDK gives up on a 429.

    """

    def __init__(
        self,
        client: sk.ScalekitClient,
        source: Source,
        checkpoint: CheckpointFile,
        *,
        concurrency: int = 16,
        progress: Progress | None = None,
        rate_limit_attempts: int = 5,
    ) -> None:
        self.client = client
        self.source = source
        self.checkpoint = checkpoint
        self.limiter = anyio.CapacityLimiter(concurrency)
        self.progress = progress
        self.rate_limit_attempts = rate_limit_attempts
        self.stats = SyncStats()
        self.organizations = Organizations(self)

    async def run(self) -> SyncStats:
        saved = await self.checkpoint.load()
        token = saved.page_token if saved else None
        done = saved.users_done if saved else 0
        if self.progress is not None:
            self.progress.resume(done)
        while True:
            page = await self.source.page(token)
            async with anyio.create_task_group() as tg:
                for record in page.records:
                    tg.start_soon(self.sync_user, record)
            # Every user of the page is in Scalekit: the next run may start after it.
            done += len(page.records)
            self.stats.pages += 1
            if self.progress is not None:
                self.progress.page_done(self.stats.pages)
            if page.next_page_token is None:
                break
            token = page.next_page_token
            await self.checkpoint.save(Checkpoint(token, done))
        await self.checkpoint.clear()
        if self.progress is not None:
            self.progress.finish()
        return self.stats

    async def call(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run one Scalekit operation in a limiter slot, waiting out rate limits the SDK won't."""
        async with self.limiter:
            for attempt in range(1, self.rate_limit_attempts + 1):
                try:
                    return await operation()
                except sk.RateLimitError as exc:
                    if attempt == self.rate_limit_attempts:
                        raise
                    self.stats.rate_limit_waits += 1
                    # Keep the slot while waiting: a rate-limited job should slow down.
                    await anyio.sleep(exc.retry_after if exc.retry_after is not None else 1.0)
        raise AssertionError("unreachable")

    async def sync_user(self, record: UserRecord) -> None:
        org_id = await self.organizations.id_for(record.organization, record.organization_name)
        try:
            outcome = await self.upsert(record, org_id)
        except sk.BadRequestError as exc:
            why = "; ".join(f"{v.field}: {v.description}" for v in exc.field_violations)
            self.stats.failed.append((record.external_id, why or exc.message))
        except RecordError as exc:
            self.stats.failed.append((record.external_id, str(exc)))
        else:
            if outcome == "created":
                self.stats.created += 1
            elif outcome == "joined":
                self.stats.joined += 1
            else:
                self.stats.unchanged += 1
        if self.progress is not None:
            self.progress.advance()

    async def upsert(self, record: UserRecord, org_id: str) -> str:
        """Create the user in *org_id*, or give the existing user that membership."""
        users, memberships = self.client.users, self.client.memberships
        roles = list(record.roles) or sk.NOT_GIVEN
        try:
            await self.call(
                lambda: users.create(
                    record.email,
                    organization_id=org_id,
                    external_id=record.external_id,
                    user_profile={
                        "given_name": record.given_name,
                        "family_name": record.family_name,
                    },
                    roles=roles,
                    send_invitation_email=False,
                )
            )
        except sk.ConflictError:
            pass  # it exists: created by an earlier run, or a member of another organization
        else:
            return "created"
        try:
            user = await self.call(lambda: users.get_by_external_id(record.external_id))
        except sk.NotFoundError:
            raise RecordError(f"{record.email} belongs to another user") from None
        if any(m.organization_id == org_id for m in user.memberships):
            return "unchanged"
        try:
            await self.call(
                lambda: memberships.create(
                    organization_id=org_id,
                    user_id=user.id,
                    roles=roles,
                    send_invitation_email=False,
                )
            )
        except sk.ConflictError:
            return "unchanged"
        return "joined"


# -- running it ----------------------------------------------------------------------------------


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Sync users into Scalekit organizations.")
    parser.add_argument("--users", type=int, default=10_000, help="generated users (no --input)")
    parser.add_argument("--organizations", type=int, default=100, help="generated organizations")
    parser.add_argument("--input", type=Path, help="a JSONL file of users instead")
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--checkpoint", type=Path, default=Path("scalekit-sync.checkpoint.json"))
    parser.add_argument(
        "--transport",
        choices=("httpx", "aiohttp"),
        default="httpx",
        help="aiohttp: the faster transport (pip install 'scalekit-async[aiohttp]')",
    )
    args = parser.parse_args(argv)

    source: Source = (
        JsonlSource(args.input, args.page_size)
        if args.input
        else GeneratedSource(args.users, args.organizations, args.page_size)
    )
    async with AsyncExitStack() as stack:
        options: dict[str, Any] = {"max_retries": 5}
        if args.transport == "aiohttp":
            transport = sk.AiohttpTransport()
            stack.push_async_callback(transport.aclose)  # closed after the client
            options["transport"] = transport
        if all(os.environ.get(name) for name in ENV_VARS):
            client = sk.ScalekitClient(**options)
        else:
            from scalekit_async.testing import FakeScalekit

            fake = FakeScalekit()
            url = await stack.enter_async_context(fake.serve())
            sys.stderr.write(f"no SCALEKIT_* settings: syncing into a fake Scalekit at {url}\n")
            client = sk.ScalekitClient(url, fake.client_id, fake.client_secret, **options)
        await stack.enter_async_context(client)
        checkpoint = CheckpointFile(args.checkpoint)
        saved = await checkpoint.load()
        if saved is not None:
            sys.stderr.write(f"resuming after {saved.users_done} users ({args.checkpoint})\n")
        progress = Progress(source.total)
        job = SyncJob(client, source, checkpoint, concurrency=args.concurrency, progress=progress)
        stats = await job.run()
    print(
        f"{stats.created} created, {stats.joined} joined, {stats.unchanged} unchanged, "
        f"{stats.organizations_created} organizations created, {len(stats.failed)} failed"
    )
    for external_id, why in stats.failed[:20]:
        print(f"  {external_id}: {why}")
    return 1 if stats.failed else 0


if __name__ == "__main__":
    sys.exit(anyio.run(main))
