"""What every sync job shares, whether it works a whole run (runner.py) or a share of a
fanned-out one (fanout.py): the settings and ports, the lease's fence, the heartbeat, and the
batches a slice reads and writes.

A job writes only through its `Fence`: the leased row it works (the run, or one partition),
locked and renewed by the statement that checks the lease is still its own. A job that lost its
lease (the sweeper gave the work to another job, the run was cancelled) writes nothing more.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

import structlog
from sqlalchemy import func
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import object_session
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_random

from app import metrics
from app.db import count_on_commit
from app.domain.customers.repository import CustomerRepository
from app.domain.customers.sources import WriteOptions
from app.domain.filters import apply as filters
from app.domain.filters.apply import Predicate
from app.domain.filters.validate import FiltersInvalid
from app.domain.integrations import service as integration_service
from app.domain.integrations.errors import IntegrationNotFound
from app.domain.mapping.config import Duplicates, RunConfig, standard_config
from app.domain.models import Integration, Segment, SyncRun, SyncStatus
from app.domain.outbox.service import unit_of_work
from app.domain.ports import (
    ContactReader,
    IntercomGateway,
    IntercomWorkspace,
    JobQueue,
    SecretCipher,
)
from app.domain.scope import AccountScope
from app.domain.segments import service as segment_service
from app.domain.segments.errors import SegmentMissing, SegmentNotFound
from app.domain.syncs import pipeline, removals
from app.domain.syncs.commands import continue_run
from app.domain.syncs.report import Report
from app.domain.syncs.repository import SyncRunRepository
from app.intercom.client import Usage
from app.intercom.errors import (
    IntercomAuthError,
    IntercomError,
    IntercomRateLimited,
    IntercomServerError,
    IntercomTransportError,
    IntercomUnexpectedResponse,
)
from app.intercom.models import Contact, MalformedContact
from app.intercom.paging import Checkpoint

log = structlog.get_logger(__name__)

T = TypeVar("T")

# PostgreSQL's deadlock_detected and serialization_failure: two batches locked one customer in
# different orders; the loser's transaction is retried whole.
_RETRYABLE_SQLSTATES = {"40P01", "40001"}


@dataclass(frozen=True)
class SyncSettings:
    batch_size: int = 500
    read_concurrency: int = 8
    lease: timedelta = timedelta(seconds=60)
    slice: timedelta = timedelta(seconds=120)
    max_attempts: int = 5
    max_deferrals: int = 20
    # The first wait after an Intercom outage; doubled with each deferral, capped.
    defer_initial: timedelta = timedelta(seconds=15)
    defer_max: timedelta = timedelta(minutes=10)
    # A run expecting more contacts than this is split into partitions that any worker takes.
    fan_out_above: int = 20_000
    max_partitions: int = 16
    # Partition jobs one worker process works at once; each reads `read_concurrency` divided
    # among them, so a worker reads no more at once for partitions than for a whole run.
    partitions_per_worker: int = 2

    @property
    def start_within(self) -> timedelta:
        """How long a queued job may wait for a free worker before the sweeper sends another:
        a busy worker finishes a slice within `slice`, plus a lease for good measure."""
        return self.slice + self.lease

    @property
    def partition_read_concurrency(self) -> int:
        return max(1, self.read_concurrency // max(1, self.partitions_per_worker))


@dataclass(frozen=True)
class RunnerPorts:
    sessionmaker: async_sessionmaker[AsyncSession]
    queue: JobQueue
    intercom: IntercomGateway
    cipher: SecretCipher
    settings: SyncSettings


class LeaseLost(Exception):
    """The sweeper gave the work to another job, or the run ended: this job writes nothing more."""


class CheckpointUnreadable(Exception):
    pass


class TokenUnreadable(Exception):
    pass


@dataclass(frozen=True)
class RunWork:
    """What a job applies, read from its run: the list, its workspace, the run's config."""

    run_id: uuid.UUID
    account: AccountScope
    segment: Segment
    integration: Integration
    config: RunConfig
    accept: Predicate | None
    expected: int | None


async def load_work(session: AsyncSession, account: AccountScope, run: SyncRun) -> RunWork:
    segment = await segment_service.get(session, account, run.segment_id)
    segment_service.ensure_syncable(segment)
    integration = await integration_service.get(session, account, segment.integration_id)
    try:
        # A run started before runs stored their config imports the standard attributes.
        config = RunConfig.from_json(run.config) if run.config else standard_config()
        accept = filters.predicate(config)
    # ValidationError: written by another version; FiltersInvalid: checked at the start, so
    # only a config written by another version.
    except (ValueError, FiltersInvalid) as exc:
        raise CheckpointUnreadable(f"The run's config cannot be read: {exc}") from exc
    return RunWork(run.id, account, segment, integration, config, accept, run.expected)


def read_checkpoint(saved: dict[str, Any] | None) -> Checkpoint | None:
    try:
        return Checkpoint.from_json(saved) if saved else None
    except (ValueError, KeyError, TypeError) as exc:
        # A checkpoint this code cannot read (written by another version): resuming from
        # scratch would count its batches twice, so the run says so instead.
        raise CheckpointUnreadable(f"The run's checkpoint cannot be read: {exc}") from exc


def workspace_of(ports: RunnerPorts, work: RunWork) -> IntercomWorkspace:
    try:
        return integration_service.workspace_for(work.integration, ports.intercom, ports.cipher)
    except ValueError as exc:  # SecretCipher: a key was retired before the token was rotated
        raise TokenUnreadable from exc


# -- the fence ------------------------------------------------------------------------------


class Fence(Protocol):
    """The leased row a job works, and what its writes go through."""

    @property
    def run_id(self) -> uuid.UUID: ...

    async def renew(self, session: AsyncSession) -> bool:
        """Renews the lease (the heartbeat); False when it is someone else's."""
        ...

    async def hold(self, session: AsyncSession) -> None:
        """Locks the job's row, renewing its lease (LeaseLost when the job may no longer
        write). Called first in every transaction the job writes."""
        ...

    async def run(self, session: AsyncSession) -> SyncRun:
        """The run a batch adds its counters to, locked: taken last, so that jobs writing
        shares of one run lock it only for the few statements that add to it."""
        ...

    async def advance(
        self, session: AsyncSession, run: SyncRun, checkpoint: Checkpoint | None
    ) -> None:
        """Records, with a batch, where the read stands; None: read whole."""
        ...


# -- heartbeat ------------------------------------------------------------------------------


async def with_heartbeat(ports: RunnerPorts, fence: Fence, work: Coroutine[Any, Any, T]) -> T:
    """Runs `work` while renewing the lease every third of it; cancels the work (LeaseLost)
    when the lease turns out to be someone else's."""
    task = asyncio.create_task(work)
    lost = asyncio.Event()

    async def beat() -> None:
        interval = ports.settings.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(interval)
            try:
                async with ports.sessionmaker() as session, session.begin():
                    held = await fence.renew(session)
            except Exception as exc:  # a database blip: the next beat or batch tries again
                log.warning(
                    "syncs.heartbeat_failed", sync_id=str(fence.run_id), error=type(exc).__name__
                )
                continue
            if not held:
                lost.set()
                task.cancel()
                return

    heartbeat = asyncio.create_task(beat())
    try:
        return await task
    except asyncio.CancelledError:
        if lost.is_set():
            raise LeaseLost from None
        raise
    finally:
        heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heartbeat


def hand_over_run(
    session: AsyncSession, ports: RunnerPorts, run: SyncRun, *, wait: timedelta = timedelta(0)
) -> None:
    """Gives the run to the job of the next generation, due after `wait`, which must start
    within `start_within` of that (or the sweeper sends another). Deadlines are on the
    database's clock, the one the sweeper compares them with."""
    run.generation += 1
    run.lease_owner = None
    run.lease_expires_at = func.now() + wait + ports.settings.start_within
    continue_run(session, run, not_before=datetime.now(UTC) + wait if wait else None)


def close_run(
    run: SyncRun, status: SyncStatus, code: str | None = None, message: str | None = None
) -> None:
    run.progress_seq += 1
    run.status = status
    session = object_session(run)
    if session is not None:
        count_on_commit(session, metrics.SYNCS_FINISHED.labels(status.value))
    run.finished_at = datetime.now(UTC)
    run.error_code = code
    run.error = message
    run.lease_owner = None
    run.lease_expires_at = None
    run.checkpoint = None


def backoff(settings: SyncSettings, times: int) -> timedelta:
    seconds = settings.defer_initial.total_seconds() * 2 ** (times - 1)
    capped = min(seconds, settings.defer_max.total_seconds())
    return timedelta(seconds=capped * random.uniform(0.8, 1.0))


# -- batches --------------------------------------------------------------------------------


class Slice:
    """Reads pages into batches and writes each batch while the next one is read: the reader
    never waits for the database unless the database is the slower of the two."""

    def __init__(self, ports: RunnerPorts, work: RunWork, fence: Fence, usage: Usage) -> None:
        self.ports = ports
        self.work = work
        self.fence = fence
        self.deadline = time.monotonic() + ports.settings.slice.total_seconds()
        self._writing: asyncio.Task[None] | None = None
        self._usage = usage
        self._reported = Usage()

    def usage_since_last(self) -> Usage:
        """The Intercom usage not reported yet; it goes with the next batch written."""
        now = Usage(self._usage.requests, self._usage.budget_wait_s)
        delta = Usage(
            now.requests - self._reported.requests,
            now.budget_wait_s - self._reported.budget_wait_s,
        )
        self._reported = now
        return delta

    async def write(
        self, contacts: list[Contact | MalformedContact], checkpoint: Checkpoint | None
    ) -> None:
        await write_batch(
            self.ports, self.work, self.fence, contacts, checkpoint, self.usage_since_last()
        )

    async def submit(
        self, contacts: list[Contact | MalformedContact], checkpoint: Checkpoint
    ) -> None:
        await self.drain()
        self._writing = asyncio.create_task(self.write(contacts, checkpoint))

    async def drain(self) -> None:
        if self._writing is not None:
            writing, self._writing = self._writing, None
            await writing

    async def abandon(self) -> None:
        if self._writing is not None:
            self._writing.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._writing

    @property
    def over(self) -> bool:
        return time.monotonic() >= self.deadline


async def read_batches(ports: RunnerPorts, reader: ContactReader, current: Slice) -> bool:
    """Reads and writes batches until the read is whole (True: its last batch is written,
    with no checkpoint) or the slice is over (False)."""
    batch: list[Contact | MalformedContact] = []
    try:
        async with contextlib.aclosing(reader.pages()) as pages:
            async for page in pages:
                batch.extend(page.contacts)
                if len(batch) < ports.settings.batch_size:
                    continue
                # The reader's checkpoint covers exactly the pages received so far, those of this
                # batch: written with it, it lets a resumed read continue exactly there.
                await current.submit(batch, reader.checkpoint())
                batch = []
                if current.over:
                    await current.drain()
                    return False
        await current.drain()
        await current.write(batch, None)
        return True
    except Exception:
        # What was read before Intercom failed is committed, so the deferred work resumes after it.
        try:
            await current.drain()
        except Exception as drain_error:  # the original error is the one to handle
            log.warning(
                "syncs.batch_not_written",
                sync_id=str(current.work.run_id),
                error=type(drain_error).__name__,
            )
        raise
    except BaseException:  # cancelled (lease lost, shutdown): write nothing more
        await current.abandon()
        raise


async def write_batch(
    ports: RunnerPorts,
    work: RunWork,
    fence: Fence,
    contacts: list[Contact | MalformedContact],
    checkpoint: Checkpoint | None,
    usage: Usage,
) -> None:
    prepared = pipeline.prepare(contacts, work.config, work.accept)
    options = WriteOptions(
        segment_id=work.segment.id,
        skip_existing=work.config.duplicates == Duplicates.SKIP,
        tag=work.config.tag,
        untag=work.config.untag,
    )

    async def attempt() -> None:
        async with unit_of_work(ports.sessionmaker, ports.queue) as session:
            await fence.hold(session)
            report: Report = prepared.report
            if prepared.sources:
                written = await CustomerRepository(session).write_sources(
                    work.account,
                    work.integration.id,
                    prepared.winners_by_email,
                    prepared.sources,
                    options,
                )
                report = pipeline.classify(prepared, work.integration.id, written)
            # Every contact read that belongs to the list, imported or not: a member that failed
            # this time has not left the list.
            await removals.link(session, work.account, work.segment.id, work.run_id, prepared.seen)
            # Counters and checkpoint commit with the rows they describe: a resumed run
            # neither loses nor double-counts a batch.
            run = await fence.run(session)
            report.apply_to(run)
            count_contacts(session, report)
            await SyncRunRepository(session).add_failures(work.account, run.id, report.failures)
            add_usage(run, usage)
            await fence.advance(session, run, checkpoint)

    await retry_conflicts(attempt)


def count_contacts(session: AsyncSession, report: Report) -> None:
    for outcome, amount in (
        ("new", report.created),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
        ("skipped", report.skipped),
        ("failed", report.failed),
    ):
        count_on_commit(session, metrics.CONTACTS_PROCESSED.labels(outcome), amount)


def add_usage(run: SyncRun, usage: Usage) -> None:
    run.intercom_requests += usage.requests
    run.rate_limit_wait_ms += round(usage.budget_wait_s * 1000)


async def retry_conflicts(attempt: Callable[[], Awaitable[None]]) -> None:
    retrying = AsyncRetrying(
        retry=retry_if_exception(_is_conflict),
        stop=stop_after_attempt(5),
        wait=wait_random(0.01, 0.2),
        reraise=True,
    )
    async for trial in retrying:
        with trial:
            await attempt()


def _is_conflict(exc: BaseException) -> bool:
    return (
        isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES
    )


# -- what a job's error means ---------------------------------------------------------------


@dataclass(frozen=True)
class Defer:
    """Intercom cannot serve the work now: a later job resumes it (after `wait`, or a backoff)."""

    wait: timedelta | None
    code: str
    message: str


@dataclass(frozen=True)
class Fail:
    """The run cannot go on: it ends failed with `code`."""

    code: str
    message: str
    # The token was refused: the integration must be connected again.
    reauth: bool = False


@dataclass(frozen=True)
class Crash:
    """Unexpected: counted as an attempt, retried, failed after `max_attempts` in a row."""

    error: str


def outcome_of(exc: Exception) -> Defer | Fail | Crash | None:
    """What a job does about `exc`; None when the job lost its lease (it does nothing)."""
    if isinstance(exc, LeaseLost):
        return None
    if isinstance(exc, SegmentNotFound | SegmentMissing | IntegrationNotFound):
        return Fail("source_removed", exc.detail)
    if isinstance(exc, CheckpointUnreadable):
        return Fail("checkpoint_unreadable", str(exc))
    if isinstance(exc, TokenUnreadable):
        return Fail(
            "token_undecryptable",
            "The stored Intercom token cannot be decrypted with the configured keys; "
            "reconnect the workspace.",
        )
    if isinstance(exc, IntercomRateLimited):
        # No reset time: back off as for an outage, rather than retry within the second.
        wait = None if exc.reset_at is None else timedelta(seconds=exc.reset_at - time.time())
        wait = wait if wait is not None and wait.total_seconds() >= 1 else None
        return Defer(wait, "intercom_rate_limited", exc.message)
    if isinstance(exc, IntercomServerError | IntercomTransportError | IntercomUnexpectedResponse):
        # Intercom's Retry-After, when it sent one, says when to come back; else back off.
        retry_after = exc.retry_after_s if isinstance(exc, IntercomServerError) else None
        return Defer(
            timedelta(seconds=retry_after) if retry_after else None,
            "intercom_unavailable",
            exc.message,
        )
    if isinstance(exc, IntercomAuthError):
        return Fail("intercom_token_rejected", exc.message, reauth=True)
    if isinstance(exc, IntercomError):
        return Fail("intercom_error", exc.message)
    return Crash(f"{type(exc).__name__} during the sync")
