"""examples/worker.py against the fake: exactly once through 429s, bounded, resumable."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import httpx
import pytest

import scalekit_async as sk
from scalekit_async.testing import FakeScalekit, FakeTransport, Fault

pytestmark = pytest.mark.anyio

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "worker.py"
USERS, ORGANIZATIONS, PAGE_SIZE = 300, 7, 50
USER_CREATE = "/api/v1/organizations/{organization_id}/users"  # a route template: any org


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example_worker", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their annotations through it
    spec.loader.exec_module(module)
    return module


worker = load_example()


class RecordingSource:
    """The example's generated source, recording the page tokens asked for."""

    def __init__(self, on_page: Any = None) -> None:
        self.inner = worker.GeneratedSource(USERS, ORGANIZATIONS, PAGE_SIZE)
        self.total = USERS
        self.tokens: list[str | None] = []
        self.on_page = on_page

    async def page(self, token: str | None) -> Any:
        self.tokens.append(token)
        if self.on_page is not None:
            self.on_page(len(self.tokens))
        return await self.inner.page(token)


def client_for(fake: FakeScalekit, **options: Any) -> sk.ScalekitClient:
    return fake.client(max_retries=5, **options)


def assert_synced_exactly_once(fake: FakeScalekit, source: RecordingSource) -> None:
    expected = [source.inner.record(n) for n in range(USERS)]
    by_external = {u["external_id"]: u for u in fake.users.values()}
    assert len(fake.users) == len(by_external) == USERS
    orgs = {o["external_id"]: o["id"] for o in fake.organizations.values()}
    assert len(orgs) == len(fake.organizations) == ORGANIZATIONS  # no organization twice
    wanted = {(orgs[r.organization], by_external[r.external_id]["id"]) for r in expected}
    assert set(fake.memberships) == wanted  # one membership each, in the right organization
    assert {u["email"] for u in fake.users.values()} == {r.email for r in expected}


async def test_every_user_synced_exactly_once_through_rate_limits(tmp_path: Path) -> None:
    fake = FakeScalekit()
    faults: list[Fault] = []

    def inject(page: int) -> None:  # a burst of 429s as each page starts
        faults.append(
            fake.fail_next(4, method="POST", path=USER_CREATE, status=429, retry_after="0")
        )
        if page == 1:  # while the organizations are looked up
            faults.append(fake.fail_next(2, method="GET", status=429, retry_after="0"))

    source = RecordingSource(on_page=inject)
    progress_out = io.StringIO()
    async with client_for(fake) as client:
        job = worker.SyncJob(
            client,
            source,
            worker.CheckpointFile(tmp_path / "checkpoint.json"),
            concurrency=8,
            progress=worker.Progress(USERS, progress_out),
        )
        stats = await job.run()

    assert_synced_exactly_once(fake, source)
    assert all(f.times == 0 for f in faults)  # every injected 429 was met, and retried
    creates = [r for r in fake.api_requests("POST") if r.path.endswith("/users")]
    assert len(creates) == USERS + 4 * len(source.tokens)  # no create ever repeated after a 201
    assert (stats.created, stats.joined, stats.unchanged, stats.failed) == (USERS, 0, 0, [])
    assert stats.organizations_created == ORGANIZATIONS
    assert stats.pages == USERS // PAGE_SIZE
    assert stats.rate_limit_waits == 0  # the SDK's own retries were enough
    assert not (tmp_path / "checkpoint.json").exists()  # finished: nothing to resume
    lines = progress_out.getvalue().splitlines()
    assert len(lines) == stats.pages  # not a terminal: one line per page
    assert lines[-1].startswith(f"page {stats.pages}: [")
    assert f"{USERS}/{USERS}" in lines[-1]

    async with client_for(fake) as client:  # a second run changes nothing
        again = await worker.SyncJob(
            client, RecordingSource(), worker.CheckpointFile(tmp_path / "checkpoint.json")
        ).run()
    assert (again.created, again.joined, again.unchanged) == (0, 0, USERS)
    assert_synced_exactly_once(fake, source)


async def test_a_wait_longer_than_the_sdk_sleeps_is_waited_by_the_job(tmp_path: Path) -> None:
    fake = FakeScalekit()
    fake.fail_next(2, method="POST", path=USER_CREATE, status=429, retry_after="0.05")
    source = RecordingSource()
    # This client refuses to sleep more than 10 ms: it raises RateLimitError at once.
    policy = sk.RetryPolicy(max_retry_after=0.01)
    async with client_for(fake, retry=policy) as client:
        job = worker.SyncJob(client, source, worker.CheckpointFile(tmp_path / "cp.json"))
        stats = await job.run()
    assert stats.rate_limit_waits == 2
    assert_synced_exactly_once(fake, source)


async def test_crash_then_resume_from_the_checkpoint(tmp_path: Path) -> None:
    fake = FakeScalekit()
    checkpoint = tmp_path / "checkpoint.json"

    def crash_in_page_four(page: int) -> None:
        if page == 4:  # the connection drops after Scalekit created the user: outcome unknown
            fake.fail_next(1, method="POST", path=USER_CREATE, drop="after")

    first = RecordingSource(on_page=crash_in_page_four)
    async with client_for(fake) as client:
        job = worker.SyncJob(client, first, worker.CheckpointFile(checkpoint), concurrency=8)
        # The task group cancels the page's other tasks and raises the failure in a group.
        with pytest.RaisesGroup(sk.APIConnectionError) as crashed:
            await job.run()
    assert crashed.value.exceptions[0].outcome_unknown
    saved = json.loads(checkpoint.read_text())
    assert saved == {"page_token": first.tokens[3], "users_done": 3 * PAGE_SIZE}
    assert len(fake.users) > 3 * PAGE_SIZE  # page four was partly done, its users included

    second = RecordingSource()
    progress_out = io.StringIO()
    async with client_for(fake) as client:
        progress = worker.Progress(USERS, progress_out)
        job = worker.SyncJob(client, second, worker.CheckpointFile(checkpoint), progress=progress)
        stats = await job.run()
    assert second.tokens[0] == first.tokens[3]  # pages one to three were not read again
    assert len(second.tokens) == 3
    assert stats.created + stats.unchanged == 3 * PAGE_SIZE
    assert stats.unchanged >= 1  # the user whose answer was lost: found, not created twice
    assert stats.failed == []
    assert_synced_exactly_once(fake, first)
    assert not checkpoint.exists()
    first_line = progress_out.getvalue().splitlines()[0]
    assert first_line.startswith("page 1: [")
    assert "200/300" in first_line  # the count carried over from the first run


class InFlight(httpx.AsyncBaseTransport):
    """The fake behind a transport that measures how many requests are in flight at once."""

    def __init__(self, fake: FakeScalekit) -> None:
        self.inner = FakeTransport(fake)
        self.now = 0
        self.most = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            await anyio.sleep(0.001)  # long enough for the others to pile up
            return await self.inner.handle_async_request(request)
        finally:
            self.now -= 1


async def test_concurrency_is_bounded(tmp_path: Path) -> None:
    fake = FakeScalekit()
    transport = InFlight(fake)
    source = RecordingSource()
    async with sk.ScalekitClient(
        "http://fake.scalekit.test", fake.client_id, fake.client_secret, transport=transport
    ) as client:
        await worker.SyncJob(
            client, source, worker.CheckpointFile(tmp_path / "cp.json"), concurrency=5
        ).run()
    assert transport.most == 5  # saturated, never exceeded
    assert_synced_exactly_once(fake, source)


async def test_existing_users_join_and_bad_records_are_listed(tmp_path: Path) -> None:
    fake = FakeScalekit()
    async with fake.client() as client:
        other = await client.organizations.create(display_name="Other", external_id="other")
        await client.users.create("ada@acme.example", organization_id=other.id, external_id="ada")
        await client.users.create(
            "taken@acme.example", organization_id=other.id, external_id="someone-else"
        )
    records = [
        worker.UserRecord("ada", "ada@acme.example", "acme", "Acme"),
        worker.UserRecord("bad", "not-an-email", "acme", "Acme"),
        worker.UserRecord("dup", "taken@acme.example", "acme", "Acme"),
        worker.UserRecord("new", "new@acme.example", "acme", "Acme", roles=("admin",)),
    ]
    lines = "\n".join(json.dumps({**r.__dict__, "roles": list(r.roles)}) for r in records)
    (tmp_path / "users.jsonl").write_text(lines + "\n\n")
    source = worker.JsonlSource(tmp_path / "users.jsonl", page_size=3)
    async with fake.client() as client:
        stats = await worker.SyncJob(client, source, worker.CheckpointFile(tmp_path / "cp")).run()
    assert (stats.created, stats.joined, stats.pages) == (1, 1, 2)
    assert dict(stats.failed) == {
        "bad": "user.email: value must be a valid email address",
        "dup": "taken@acme.example belongs to another user",
    }
    acme = next(o["id"] for o in fake.organizations.values() if o["external_id"] == "acme")
    ada = next(u["id"] for u in fake.users.values() if u["external_id"] == "ada")
    assert {(acme, ada), (other.id, ada)} <= set(fake.memberships)
    roles = Counter(r["name"] for m in fake.memberships.values() for r in m["roles"])
    assert roles == {"admin": 1}


async def test_jsonl_pages_resume_at_their_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "users.jsonl"
    generated = worker.GeneratedSource(120, 3)
    rows = [{**generated.record(n).__dict__, "roles": []} for n in range(120)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    source = worker.JsonlSource(path, page_size=50)
    got, token, tokens = [], None, []
    while True:
        page = await source.page(token)
        got += [r.external_id for r in page.records]
        token = page.next_page_token
        if token is None:
            break
        tokens.append(token)
    assert got == [row["external_id"] for row in rows]
    assert len(tokens) == 2
    resumed = await source.page(tokens[1])
    assert [r.external_id for r in resumed.records] == got[100:]
    assert resumed.next_page_token is None


def test_progress_bar_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    now = [0.0]
    out = Terminal()
    progress = worker.Progress(200, out, clock=lambda: now[0])
    for _ in range(100):
        now[0] += 1 / 32  # exact in binary: a redraw every fourth step (0.125 s)
        progress.advance()
    progress.page_done(1)  # on a terminal the bar itself says it
    progress.finish()
    text = out.getvalue()
    assert text.startswith("\r[")
    assert text.count("\r") == 26  # redrawn at most ten times a second, then once at the end
    assert text.endswith("\r[###############---------------]  100/200   50%  32/s  ETA 3s\n")
    assert worker.render_bar(0, None, 0.0) == "0 users  0/s"
    assert worker.render_bar(10, 10, 5.0, width=4) == "[####]  10/10  100%  5/s"
