"""A sync end to end, measured in one run: Intercom sandbox (200 ms per page) -> worker process
-> PostgreSQL, for a Users list of 100,000 contacts.

1. wall time of this service's sync through the worker, against a sequential single-cursor
   sync of the same contacts written by the same writer (the runner's own code, one cursor
   after the other); the ratio (goal: at least 8x);
2. the worker's CPU time per contact over the sync (goal: at most 80 microseconds);
3. the worker's peak RSS syncing 20,000 and 100,000 users, each in a fresh worker process
   (goal: under 30 MB apart);
4. an unchanged re-sync: rows it wrote in customers and customer_sources (goal: none), and its
   report (0 created, 0 updated);
5. the same sync fanned out into partitions, through one worker process and through two, with
   pages served fast (20 ms) so that the writer is the bottleneck: the two-worker speed-up
   (goal: at least 1.2x on 2 cores, which PostgreSQL and the sandbox share with the workers;
   the line says how busy the machine was).

    .venv/bin/python -m bench.sync          (make bench-sync)

It prints one line per figure and exits non-zero when a goal is missed. It needs the local
PostgreSQL and Redis; it creates a database of its own and drops it at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import psutil
from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from app.adapters import sync_settings
from app.cli import migrate
from app.config import Settings
from app.crypto import SecretBox, generate_key
from app.db import create_engine, create_sessionmaker
from app.domain.accounts import service as account_service
from app.domain.integrations import service as integration_service
from app.domain.integrations.schemas import IntegrationCreate
from app.domain.models import SegmentKind, SyncRun, SyncStatus
from app.domain.outbox.service import unit_of_work
from app.domain.ports import IntercomWorkspace
from app.domain.scope import AccountScope
from app.domain.segments import service as segment_service
from app.domain.segments.repository import SegmentQuery
from app.domain.syncs import commands, runner
from app.domain.syncs.repository import SyncRunRepository
from app.intercom.client import IntercomClient, Usage, WorkspaceClient, new_http_client
from app.intercom.models import Contact, DataAttribute, MalformedContact, Me, Segment
from app.intercom.paging import Checkpoint, Partition
from app.workers.arq_backend import ArqQueue
from bench.common import pinned_sandbox, report
from tests.servers import worker_process

ADMIN_URL = os.environ.get(
    "BENCH_ADMIN_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1/postgres"
)
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# The sandbox makes 70 % of its contacts users.
USER_SHARE = 0.7


@dataclass
class Measured:
    fetched: int
    seconds: float
    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0
    run: SyncRun | None = None
    # The machine's CPUs' busy share over the measure (1.0: every core busy throughout).
    machine_busy: float = 0.0


# -- the baseline's reader: one cursor after the other --------------------------------------


@dataclass
class _Page:
    contacts: list[Contact | MalformedContact]


class SequentialReader:
    """The walk public connectors do: one search cursor, page after page."""

    def __init__(self, workspace: WorkspaceClient, query: Mapping[str, Any]) -> None:
        self._workspace = workspace
        self._query = query
        self._cursor: str | None = None
        self._done = False

    def checkpoint(self) -> Checkpoint:
        return Checkpoint([Partition(None, None, cursor=self._cursor, done=self._done)])

    async def pages(self) -> AsyncGenerator[_Page, None]:
        while not self._done:
            page = await self._workspace.search_page(self._query, self._cursor)
            self._cursor = page.next_cursor
            self._done = page.next_cursor is None
            yield _Page(list(page.data))


@dataclass
class SequentialWorkspace:
    """The real workspace client, but read with one cursor."""

    inner: WorkspaceClient

    @property
    def usage(self) -> Usage:
        return self.inner.usage

    async def me(self) -> Me:
        return await self.inner.me()

    async def list_segments(self, *, include_count: bool = True) -> list[Segment]:
        return await self.inner.list_segments(include_count=include_count)

    async def count_contacts(self, query: Mapping[str, Any]) -> int:
        return await self.inner.count_contacts(query)

    async def contact_exists(self, contact_id: str) -> bool:
        return await self.inner.contact_exists(contact_id)

    async def contact_segment_ids(self, contact_id: str) -> set[str]:
        return await self.inner.contact_segment_ids(contact_id)

    async def create_event(
        self,
        *,
        event_name: str,
        created_at: int,
        contact_id: str,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        await self.inner.create_event(
            event_name=event_name, created_at=created_at, contact_id=contact_id, metadata=metadata
        )

    async def list_data_attributes(self, *, include_archived: bool = False) -> list[DataAttribute]:
        return await self.inner.list_data_attributes(include_archived=include_archived)

    def reader(
        self,
        query: Mapping[str, Any],
        *,
        timezone: str | None,
        concurrency: int = 8,
        checkpoint: Checkpoint | None = None,
        custom_attribute_types: Mapping[str, str] | None = None,
    ) -> SequentialReader:
        return SequentialReader(self.inner, query)


@dataclass
class SequentialGateway:
    inner: IntercomClient

    def workspace(
        self, token: str, region: str | None = None, *, app_id: str | None = None
    ) -> IntercomWorkspace:
        return SequentialWorkspace(self.inner.workspace(token, region, app_id=app_id))


class InlineQueue:
    """Keeps the runner's hand-overs so the baseline runs them in this process."""

    def __init__(self) -> None:
        self.jobs: list[dict[str, Any]] = []

    async def enqueue(self, name: str, *, job_id: str, **kwargs: Any) -> None:
        kwargs.pop("defer_until", None)
        self.jobs.append(kwargs)


# -- plumbing -------------------------------------------------------------------------------


@contextlib.contextmanager
def database() -> Iterator[str]:
    name = f"isync_bench_{uuid.uuid4().hex[:8]}"
    url = str(make_url(ADMIN_URL).set(database=name))
    migrate(url)
    try:
        yield url
    finally:
        asyncio.run(_drop(name))


async def _drop(name: str) -> None:
    admin = create_async_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.dispose()


@contextlib.contextmanager
def worker(settings: Settings, *, every_cpu: bool = False) -> Iterator[psutil.Process]:
    """A worker process, on this process's CPUs (those the sandbox leaves), or on every CPU."""
    with worker_process(settings) as process:
        measured = psutil.Process(process.pid)
        if every_cpu:
            measured.cpu_affinity([])  # [] means all of them
        time.sleep(2)  # start-up: imports, connections, the first sweep
        yield measured


def peak_rss_mb(process: psutil.Process) -> float:
    with open(f"/proc/{process.pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def cpu_s(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


async def connect_users(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, queue: Any, token: str
) -> tuple[AccountScope, uuid.UUID]:
    async with unit_of_work(sessionmaker, queue) as session:
        created = await account_service.create_account(session, f"bench {uuid.uuid4().hex[:6]}")
    account = AccountScope(created.account.id)
    http = new_http_client(30)
    try:
        async with unit_of_work(sessionmaker, queue) as session:
            connection = await integration_service.connect_with_token(
                session,
                account,
                IntegrationCreate(access_token=SecretStr(token)),
                intercom=IntercomClient(http, base_url_override=settings.intercom_base_url),
                cipher=SecretBox(settings.encryption_keys),
            )
            integration = connection.integration
            page = await segment_service.list_page(
                session, account, integration.id, SegmentQuery(), cursor=None, limit=10
            )
            segments = page.data
    finally:
        await http.aclose()
    return account, next(s.id for s in segments if s.kind == SegmentKind.USERS)


async def start(
    sessionmaker: async_sessionmaker[AsyncSession],
    queue: Any,
    account: AccountScope,
    segment_id: uuid.UUID,
) -> uuid.UUID:
    async with unit_of_work(sessionmaker, queue) as session:
        run = await commands.start(
            session,
            account,
            segment_id,
            start_within=timedelta(minutes=5),
            use_default_mapping=True,
        )
    return run.id


async def wait_finished(
    sessionmaker: async_sessionmaker[AsyncSession], run_id: uuid.UUID
) -> SyncRun:
    while True:
        async with sessionmaker() as session:
            run = await SyncRunRepository(session).get_for_job(run_id)
        assert run is not None
        if run.status not in (SyncStatus.PENDING, SyncStatus.RUNNING):
            if run.status != SyncStatus.FINISHED:
                raise RuntimeError(f"the sync ended {run.status}: {run.error_code} {run.error}")
            return run
        await asyncio.sleep(0.1)


async def through_worker(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    queue: ArqQueue,
    token: str,
    process: psutil.Process | list[psutil.Process],
    account_segment: tuple[AccountScope, uuid.UUID] | None = None,
) -> Measured:
    """A sync of the Users list (a new account's, unless `account_segment`) through the worker
    process(es) running; CPU time is theirs, summed."""
    processes = process if isinstance(process, list) else [process]
    account, segment_id = account_segment or await connect_users(
        sessionmaker, settings, queue, token
    )
    cpu_before = sum(cpu_s(p) for p in processes)
    started = time.perf_counter()
    run = await wait_finished(sessionmaker, await start(sessionmaker, queue, account, segment_id))
    return Measured(
        fetched=run.fetched,
        seconds=time.perf_counter() - started,
        cpu_s=sum(cpu_s(p) for p in processes) - cpu_before,
        peak_rss_mb=max(peak_rss_mb(p) for p in processes),
        run=run,
    )


async def fanned_out(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    queue: ArqQueue,
    token: str,
    workers: int,
    *,
    every_cpu: bool = False,
) -> Measured:
    """The Users sync, fanned out, through `workers` fresh worker processes."""
    with contextlib.ExitStack() as stack:
        processes = [
            stack.enter_context(worker(settings, every_cpu=every_cpu)) for _ in range(workers)
        ]
        busy_before = machine_busy_s()
        measured = await through_worker(sessionmaker, settings, queue, token, processes)
        measured.machine_busy = (machine_busy_s() - busy_before) / (
            measured.seconds * (psutil.cpu_count() or 1)
        )
        return measured


def machine_busy_s() -> float:
    """CPU seconds the whole machine spent busy (workers, PostgreSQL, the sandbox, the rest)."""
    times = psutil.cpu_times()
    return float(times.user + times.nice + times.system + times.irq + times.softirq)


async def partitions_of(sessionmaker: async_sessionmaker[AsyncSession], run_id: uuid.UUID) -> int:
    async with sessionmaker() as session:
        count = await session.scalar(
            text("SELECT count(*) FROM sync_partitions WHERE run_id = :run"), {"run": run_id}
        )
    return int(count or 0)


async def sequential(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, token: str
) -> Measured:
    queue = InlineQueue()
    account, segment_id = await connect_users(sessionmaker, settings, queue, token)
    http = new_http_client(30)
    try:
        ports = runner.RunnerPorts(
            sessionmaker=sessionmaker,
            queue=queue,
            intercom=SequentialGateway(
                IntercomClient(http, base_url_override=settings.intercom_base_url)
            ),
            cipher=SecretBox(settings.encryption_keys),
            settings=sync_settings(settings),
        )
        started = time.perf_counter()
        run_id = await start(sessionmaker, queue, account, segment_id)
        while queue.jobs:
            job = queue.jobs.pop(0)
            await runner.run_slice(
                ports, uuid.UUID(job["sync_id"]), job["generation"], owner="bench"
            )
        run = await wait_finished(sessionmaker, run_id)
    finally:
        await http.aclose()
    return Measured(fetched=run.fetched, seconds=time.perf_counter() - started, run=run)


async def current_xid(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        value = await session.scalar(text("SELECT (pg_current_xact_id()::text)::bigint"))
    return int(value or 0)


async def rows_written_since(sessionmaker: async_sessionmaker[AsyncSession], xid: int) -> int:
    """Rows of customers and customer_sources whose version a transaction after `xid` wrote."""
    low = xid & 0xFFFFFFFF
    async with sessionmaker() as session:
        total = 0
        for table in ("customers", "customer_sources"):
            count = await session.scalar(
                text(f"SELECT count(*) FROM {table} WHERE (xmin::text)::bigint > :low"),
                {"low": low},
            )
            total += int(count or 0)
    return total


@contextlib.asynccontextmanager
async def environment(
    database_url: str, sandbox_url: str, args: argparse.Namespace
) -> AsyncIterator[tuple[Settings, async_sessionmaker[AsyncSession], ArqQueue]]:
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        redis_url=REDIS_URL,
        redis_prefix=f"bench-sync-{uuid.uuid4().hex[:8]}",
        encryption_keys=[SecretStr(generate_key())],
        intercom_base_url=sandbox_url,
        intercom_read_concurrency=args.concurrency,
        sync_batch_size=args.batch_size,
        sync_slice_s=300,
    )
    engine = create_engine(database_url, pool_size=4)
    redis = Redis.from_url(REDIS_URL)
    try:
        yield (
            settings,
            create_sessionmaker(engine),
            ArqQueue(redis, queue_name=settings.queue_name, prefix=settings.redis_prefix),
        )
    finally:
        keys = [key async for key in redis.scan_iter(match=f"*{settings.redis_prefix}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
        await engine.dispose()


def sandbox_token(url: str) -> str:
    workspace = httpx.get(f"{url}/_sandbox/workspaces", timeout=60).json()[0]
    return str(workspace["access_token"])


def set_latency(url: str, latency_ms: float) -> None:
    httpx.put(
        f"{url}/_sandbox/faults", json={"latency_ms": latency_ms}, timeout=30
    ).raise_for_status()


def reset_sandbox(url: str, users: int) -> None:
    response = httpx.post(
        f"{url}/_sandbox/reset",
        json={"contacts": round(users / USER_SHARE), "workspaces": 1},
        timeout=300,
    )
    response.raise_for_status()


async def benchmark(args: argparse.Namespace, database_url: str) -> bool:
    results: list[tuple[str, bool]] = []
    large_users = args.users
    small_users = args.users // 5
    with pinned_sandbox(
        "--workspaces",
        "1",
        "--contacts",
        str(round(large_users / USER_SHARE)),
        "--latency-ms",
        str(args.latency_ms),
        "--rate-limit",
        "1000000",
    ) as url:
        token = sandbox_token(url)
        async with environment(database_url, url, args) as (settings, sessionmaker, queue):
            with worker(settings) as process:
                ours = await through_worker(sessionmaker, settings, queue, token, process)
                assert ours.run is not None
                account = AccountScope(ours.run.account_id)
                xid = await current_xid(sessionmaker)
                again = await through_worker(
                    sessionmaker, settings, queue, token, process, (account, ours.run.segment_id)
                )
                rewritten = await rows_written_since(sessionmaker, xid)
            baseline = await sequential(sessionmaker, settings, token)

            ratio = baseline.seconds / ours.seconds
            results.append(
                (
                    f"1. Users sync of {ours.fetched:,} contacts at {args.latency_ms:.0f} ms/page "
                    f"into PostgreSQL: sequential single cursor {baseline.seconds:.1f} s "
                    f"({baseline.fetched / baseline.seconds:,.0f}/s), through the worker "
                    f"{ours.seconds:.1f} s ({ours.fetched / ours.seconds:,.0f}/s) -> "
                    f"{ratio:.1f}x (goal >= 8x)",
                    ratio >= 8 and baseline.fetched == ours.fetched,
                )
            )
            per_contact_us = ours.cpu_s / ours.fetched * 1e6
            results.append(
                (
                    f"2. worker CPU: {ours.cpu_s:.1f} s for {ours.fetched:,} contacts = "
                    f"{per_contact_us:.0f} us per contact (goal <= 80 us)",
                    per_contact_us <= 80,
                )
            )

            # 5. One large run, fanned out, through one worker and then two. Pages come fast
            # here, so that the writer (parsing, mapping, PostgreSQL) is the bottleneck.
            set_latency(url, args.fanout_latency_ms)
            # The workers may use every CPU here (the sandbox's too): one worker process uses
            # at most one, and what the second gains is what is left of the machine.
            one = await fanned_out(sessionmaker, settings, queue, token, workers=1, every_cpu=True)
            two = await fanned_out(sessionmaker, settings, queue, token, workers=2, every_cpu=True)
            set_latency(url, args.latency_ms)
            assert one.run is not None
            assert two.run is not None
            shares = await partitions_of(sessionmaker, two.run.id)
            speedup = one.seconds / two.seconds
            fan_out_figure = (
                f"5. fanned-out sync of {two.fetched:,} contacts at "
                f"{args.fanout_latency_ms:.0f} ms/page in {shares} partitions: one worker "
                f"{one.seconds:.1f} s ({one.cpu_s:.0f} s CPU, machine "
                f"{one.machine_busy:.0%} busy), two workers {two.seconds:.1f} s "
                f"({two.cpu_s:.0f} s CPU, machine "
                f"{two.machine_busy:.0%} busy) -> {speedup:.2f}x (goal >= 1.2x)",
                speedup >= 1.2
                and shares >= 2
                and one.fetched == two.fetched == ours.fetched
                and (one.run.created, two.run.created) == (ours.run.created,) * 2,
            )

            reset_sandbox(url, small_users)
            small_token = sandbox_token(url)
            with worker(settings) as process:
                small = await through_worker(sessionmaker, settings, queue, small_token, process)
            results.append(
                (
                    f"3. worker peak RSS: {small.peak_rss_mb:.0f} MB for {small.fetched:,} users, "
                    f"{ours.peak_rss_mb:.0f} MB for {ours.fetched:,} -> "
                    f"{ours.peak_rss_mb - small.peak_rss_mb:+.0f} MB (goal < 30 MB)",
                    ours.peak_rss_mb - small.peak_rss_mb < 30,
                )
            )
            assert again.run is not None
            results.append(
                (
                    f"4. unchanged re-sync of {again.fetched:,} contacts in {again.seconds:.1f} s: "
                    f"{rewritten} rows written (goal 0), created {again.run.created}, updated "
                    f"{again.run.updated}, unchanged {again.run.unchanged}, skipped "
                    f"{again.run.skipped}",
                    rewritten == 0 and again.run.created == 0 and again.run.updated == 0,
                )
            )
            results.append(fan_out_figure)

    return report(results)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--fanout-latency-ms", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=24)
    # The service's own defaults, so the figures are those of a deployment left as it ships.
    parser.add_argument(
        "--batch-size", type=int, default=Settings.model_fields["sync_batch_size"].default
    )
    args = parser.parse_args()
    with database() as url:
        ok = asyncio.run(benchmark(args, url))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
