"""Running syncs: short leased slices that a crash, a killed worker or a Redis flush cannot stall.

A run is worked by one job at a time, the job of the run's current `generation`. The job claims
the run's lease, reads contacts from its checkpoint, and writes them in batches; each batch
commits with the run's counters and checkpoint and renews the lease, fenced by generation and
owner, so a worker that lost its lease can never write. A heartbeat renews the lease while the
reader waits on Intercom. After `slice` the job hands the run to a new job (the next
generation, through the outbox) and ends: job timeouts are minutes, not hours.

The sweeper (`recover_lapsed`) gives any active run whose lease lapsed to a new job; a run
whose jobs keep dying without progress ends `failed` after `max_attempts`. Intercom outages
and rate limits defer the run (a later job, through the outbox) instead of failing it.
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
from typing import Any, TypeVar

import structlog
from sqlalchemy import func
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_random

from app.domain.customers.repository import CustomerRepository
from app.domain.customers.sources import WriteOptions
from app.domain.filters import apply as filters
from app.domain.filters import pushdown
from app.domain.filters.apply import Predicate
from app.domain.filters.validate import FiltersInvalid
from app.domain.integrations import service as integration_service
from app.domain.integrations import settings_service as integration_settings
from app.domain.integrations.errors import IntegrationNotFound
from app.domain.integrations.repository import IntegrationRepository
from app.domain.integrations.settings import OnDeletedInIntercom
from app.domain.mapping.config import Duplicates, RunConfig, standard_config
from app.domain.models import Integration, Segment, SyncRun, SyncStatus
from app.domain.outbox.service import unit_of_work
from app.domain.ports import IntercomGateway, IntercomWorkspace, JobQueue, SecretCipher
from app.domain.scope import AccountScope
from app.domain.segments import service as segment_service
from app.domain.segments.errors import SegmentMissing, SegmentNotFound
from app.domain.syncs import pipeline, removals
from app.domain.syncs.commands import continue_run
from app.domain.syncs.report import Report, merged_counts
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

    @property
    def start_within(self) -> timedelta:
        """How long a queued job may wait for a free worker before the sweeper sends another:
        a busy worker finishes a slice within `slice`, plus a lease for good measure."""
        return self.slice + self.lease


@dataclass(frozen=True)
class RunnerPorts:
    sessionmaker: async_sessionmaker[AsyncSession]
    queue: JobQueue
    intercom: IntercomGateway
    cipher: SecretCipher
    settings: SyncSettings


@dataclass(frozen=True)
class _Lease:
    """What fences a job's writes: the run, the generation it was handed, and its claim."""

    run_id: uuid.UUID
    generation: int
    owner: str
    account: AccountScope


@dataclass(frozen=True)
class _Job(_Lease):
    """The run as one job works it."""

    segment: Segment
    integration: Integration
    checkpoint: Checkpoint | None
    config: RunConfig
    accept: Predicate | None
    expected: int | None
    # Every contact was read: the run handles the list's members it did not see.
    removing: bool


class LeaseLost(Exception):
    """The sweeper gave the run to another job: this one stops and writes nothing more."""


async def run_slice(ports: RunnerPorts, sync_id: uuid.UUID, generation: int, *, owner: str) -> None:
    """Works run `sync_id` for one slice, as the job of `generation`. Safe to call any number
    of times: a job that is not the run's current one, or whose run ended, does nothing."""
    # One fencing token per claim, not per process: two jobs of one generation in one worker
    # (a re-sent job after its result expired) must not both pass the fence.
    owner = f"{uuid.uuid4().hex[:12]}@{owner}"[:64]  # the token first: a long name is what gets cut
    lease = await _claim(ports, sync_id, generation, owner)
    if lease is None:
        log.info("syncs.stale_job", sync_id=str(sync_id), generation=generation)
        return
    log.info("syncs.slice_started", sync_id=str(sync_id), generation=generation)
    try:
        # Loaded after the claim committed: a failure here leaves a claimed lease, which the
        # sweeper counts as an attempt (a failure inside the claim would leave no trace).
        job = await _load(ports, lease)
        await _with_heartbeat(ports, job, _work(ports, job))
    except LeaseLost:
        log.warning("syncs.lease_lost", sync_id=str(sync_id), generation=generation)
    except (SegmentNotFound, SegmentMissing, IntegrationNotFound) as exc:
        await _end(ports, lease, SyncStatus.FAILED, "source_removed", exc.detail)
    except _CheckpointUnreadable as exc:
        await _end(ports, lease, SyncStatus.FAILED, "checkpoint_unreadable", str(exc))
    except IntercomRateLimited as exc:
        # No reset time: back off as for an outage, rather than retry within the second.
        wait = None if exc.reset_at is None else timedelta(seconds=exc.reset_at - time.time())
        wait = wait if wait is not None and wait.total_seconds() >= 1 else None
        await _defer(ports, lease, wait, "intercom_rate_limited", exc.message)
    except (IntercomServerError, IntercomTransportError, IntercomUnexpectedResponse) as exc:
        # Intercom's Retry-After, when it sent one, says when to come back; else back off.
        retry_after = exc.retry_after_s if isinstance(exc, IntercomServerError) else None
        wait = timedelta(seconds=retry_after) if retry_after else None
        await _defer(ports, lease, wait, "intercom_unavailable", exc.message)
    except IntercomAuthError as exc:
        if await _end(ports, lease, SyncStatus.FAILED, "intercom_token_rejected", exc.message):
            await _require_reauth(ports, job)
    except IntercomError as exc:
        await _end(ports, lease, SyncStatus.FAILED, "intercom_error", exc.message)
    except _TokenUnreadable:
        await _end(
            ports,
            lease,
            SyncStatus.FAILED,
            "token_undecryptable",
            "The stored Intercom token cannot be decrypted with the configured keys; "
            "reconnect the workspace.",
        )
    except Exception as exc:
        log.exception("syncs.slice_crashed", sync_id=str(sync_id), generation=generation)
        await _crashed(ports, lease, exc)


# -- claiming, heartbeat, hand-over ---------------------------------------------------------


async def _claim(
    ports: RunnerPorts, sync_id: uuid.UUID, generation: int, owner: str
) -> _Lease | None:
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        run = await SyncRunRepository(session).claim(
            sync_id, generation, owner, ports.settings.lease
        )
        if run is None:
            return None
        return _Lease(run.id, generation, owner, AccountScope(run.account_id))


class _CheckpointUnreadable(Exception):
    pass


async def _load(ports: RunnerPorts, lease: _Lease) -> _Job:
    async with ports.sessionmaker() as session:
        run = await SyncRunRepository(session).get_for_job(lease.run_id)
        if run is None:
            raise LeaseLost
        segment = await segment_service.get(session, lease.account, run.segment_id)
        segment_service.ensure_syncable(segment)
        integration = await integration_service.get(session, lease.account, segment.integration_id)
        saved = (run.checkpoint or {}).get("reader")
        removing = bool((run.checkpoint or {}).get("removing"))
        stored_config = run.config
        expected = run.expected
    try:
        # A run started before runs stored their config imports the standard attributes.
        config = RunConfig.from_json(stored_config) if stored_config else standard_config()
        accept = filters.predicate(config)
    # ValidationError: written by another version; FiltersInvalid: checked at the start, so
    # only a config written by another version.
    except (ValueError, FiltersInvalid) as exc:
        raise _CheckpointUnreadable(f"The run's config cannot be read: {exc}") from exc
    try:
        checkpoint = Checkpoint.from_json(saved) if saved else None
    except (ValueError, KeyError, TypeError) as exc:
        # A checkpoint this code cannot read (written by another version): resuming from
        # scratch would count its batches twice, so the run says so instead.
        raise _CheckpointUnreadable(f"The run's checkpoint cannot be read: {exc}") from exc
    return _Job(
        run_id=lease.run_id,
        generation=lease.generation,
        owner=lease.owner,
        account=lease.account,
        segment=segment,
        integration=integration,
        checkpoint=checkpoint,
        config=config,
        accept=accept,
        expected=expected,
        removing=removing,
    )


async def _with_heartbeat(ports: RunnerPorts, job: _Job, work: Coroutine[Any, Any, T]) -> T:
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
                    held = await SyncRunRepository(session).lock_leased(
                        job.run_id, job.generation, job.owner, ports.settings.lease
                    )
            except Exception as exc:  # a database blip: the next beat or batch tries again
                log.warning(
                    "syncs.heartbeat_failed", sync_id=str(job.run_id), error=type(exc).__name__
                )
                continue
            if held is None:
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


async def _held(session: AsyncSession, ports: RunnerPorts, lease: _Lease) -> SyncRun | None:
    """The run, locked, if this job still holds its lease (renewed by the same statement)."""
    return await SyncRunRepository(session).lock_leased(
        lease.run_id, lease.generation, lease.owner, ports.settings.lease
    )


async def _leased(session: AsyncSession, ports: RunnerPorts, lease: _Lease) -> SyncRun:
    run = await _held(session, ports, lease)
    if run is None:
        raise LeaseLost
    return run


def _hand_over(
    session: AsyncSession, ports: RunnerPorts, run: SyncRun, *, wait: timedelta = timedelta(0)
) -> None:
    """Gives the run to the job of the next generation, due after `wait`, which must start
    within `start_within` of that (or the sweeper sends another). Deadlines are on the
    database's clock, the one the sweeper compares them with."""
    run.generation += 1
    run.lease_owner = None
    run.lease_expires_at = func.now() + wait + ports.settings.start_within
    continue_run(session, run, not_before=datetime.now(UTC) + wait if wait else None)


# -- the work -------------------------------------------------------------------------------


class _TokenUnreadable(Exception):
    pass


class _Slice:
    """Reads pages into batches and writes each batch while the next one is read: the reader
    never waits for the database unless the database is the slower of the two."""

    def __init__(self, ports: RunnerPorts, job: _Job, usage: Usage) -> None:
        self.ports = ports
        self.job = job
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

    async def submit(
        self, contacts: list[Contact | MalformedContact], checkpoint: Checkpoint
    ) -> None:
        await self.drain()
        self._writing = asyncio.create_task(
            _write_batch(
                self.ports,
                self.job,
                contacts,
                checkpoint,
                self.usage_since_last(),
                finish=False,
            )
        )

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


async def _work(ports: RunnerPorts, job: _Job) -> None:
    try:
        workspace = integration_service.workspace_for(job.integration, ports.intercom, ports.cipher)
    except ValueError as exc:  # SecretCipher: a key was retired before the token was rotated
        raise _TokenUnreadable from exc
    if job.removing:
        await _remove_unseen(ports, job, workspace, _Slice(ports, job, workspace.usage))
        return
    query, custom_types = pushdown.search_query(
        segment_service.search_query(job.segment), job.config
    )
    if job.expected is None:
        # What the progress counts towards: one request, once per run.
        await _set_expected(ports, job, await workspace.count_contacts(query))
    reader = workspace.reader(
        query,
        timezone=job.integration.timezone,
        concurrency=ports.settings.read_concurrency,
        checkpoint=job.checkpoint,
        custom_attribute_types=custom_types,
    )
    current = _Slice(ports, job, workspace.usage)
    batch: list[Contact | MalformedContact] = []
    try:
        async with contextlib.aclosing(reader.pages()) as pages:
            async for page in pages:
                batch.extend(page.contacts)
                if len(batch) < ports.settings.batch_size:
                    continue
                # The reader's checkpoint covers exactly the pages received so far, those of this
                # batch: written with it, it lets a resumed run continue exactly there.
                await current.submit(batch, reader.checkpoint())
                batch = []
                if current.over:
                    await current.drain()
                    await _continue_later(ports, job)
                    return
        await current.drain()
        await _write_batch(ports, job, batch, None, current.usage_since_last(), finish=True)
        await _remove_unseen(ports, job, workspace, current)
    except Exception:
        # What was read before Intercom failed is committed, so the deferred run resumes after it.
        try:
            await current.drain()
        except Exception as drain_error:  # the original error is the one to handle
            log.warning(
                "syncs.batch_not_written", sync_id=str(job.run_id), error=type(drain_error).__name__
            )
        raise
    except BaseException:  # cancelled (lease lost, shutdown): write nothing more
        await current.abandon()
        raise
    log.info("syncs.finished", sync_id=str(job.run_id))


async def _set_expected(ports: RunnerPorts, job: _Job, expected: int) -> None:
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        run = await _leased(session, ports, job)
        run.expected = max(0, min(expected, 2**31 - 1))
        run.progress_seq += 1


async def _write_batch(
    ports: RunnerPorts,
    job: _Job,
    contacts: list[Contact | MalformedContact],
    checkpoint: Checkpoint | None,
    usage: Usage,
    *,
    finish: bool,
) -> None:
    prepared = pipeline.prepare(contacts, job.config, job.accept)
    options = WriteOptions(
        segment_id=job.segment.id,
        skip_existing=job.config.duplicates == Duplicates.SKIP,
        tag=job.config.tag,
        untag=job.config.untag,
    )

    async def attempt() -> None:
        async with unit_of_work(ports.sessionmaker, ports.queue) as session:
            run = await _leased(session, ports, job)
            report: Report = prepared.report
            if prepared.sources:
                written = await CustomerRepository(session).write_sources(
                    job.account,
                    job.integration.id,
                    prepared.winners_by_email,
                    prepared.sources,
                    options,
                )
                report = pipeline.classify(prepared, job.integration.id, written)
            # Every contact read that belongs to the list, imported or not: a member that failed
            # this time has not left the list.
            await removals.link(session, job.account, job.segment.id, run.id, prepared.seen)
            # Counters and checkpoint commit with the rows they describe: a resumed run
            # neither loses nor double-counts a batch.
            report.apply_to(run)
            await SyncRunRepository(session).add_failures(job.account, run.id, report.failures)
            run.intercom_requests += usage.requests
            run.rate_limit_wait_ms += round(usage.budget_wait_s * 1000)
            run.checkpoint = {"reader": checkpoint.to_json()} if checkpoint else None
            run.attempts = 0
            run.deferrals = 0
            if finish:
                # Read whole: its removals come next (a resumed job goes straight to them).
                run.checkpoint = {"removing": True}

    await _retry_conflicts(attempt)


# Members handled per transaction: one existence check each, a few at a time.
REMOVAL_CHUNK = 200


async def _remove_unseen(
    ports: RunnerPorts, job: _Job, workspace: IntercomWorkspace, current: _Slice
) -> None:
    """The removals phase (removals.py), a chunk at a time within the slice; then the run is
    finished."""
    on_deleted = integration_settings.parse(job.integration.settings).on_deleted_in_intercom
    query, custom_types = pushdown.search_query(
        segment_service.search_query(job.segment), job.config
    )
    after: str | None = None  # members Intercom could not say about stay behind
    while True:
        if current.over:
            await _continue_later(ports, job)
            return
        async with ports.sessionmaker() as session:
            chunk = await removals.unseen(
                session, job.account, job.segment.id, job.run_id, REMOVAL_CHUNK, after=after
            )
        after = chunk[-1] if chunk else after
        exists = await removals.still_exist(workspace, chunk) if chunk else {}
        present = [contact_id for contact_id, found in exists.items() if found]
        missed = (
            await removals.still_in_list(
                workspace,
                query,
                custom_types,
                job.config,
                present,
                timezone=job.integration.timezone,
            )
            if present
            else set()
        )
        await _write_removals(
            ports, job, exists, missed, current.usage_since_last(), on_deleted, finish=not chunk
        )
        if not chunk:
            return


async def _write_removals(
    ports: RunnerPorts,
    job: _Job,
    exists: dict[str, bool | None],
    missed: set[str],
    usage: Usage,
    on_deleted: OnDeletedInIntercom,
    *,
    finish: bool,
) -> None:
    async def attempt() -> None:
        async with unit_of_work(ports.sessionmaker, ports.queue) as session:
            run = await _leased(session, ports, job)
            if missed:
                # Still in the list: the read missed them. Seen now, not removed.
                await removals.link(session, job.account, job.segment.id, run.id, sorted(missed))
            if exists:
                handled = await removals.handle(
                    session,
                    job.account,
                    job.integration.id,
                    job.segment.id,
                    job.run_id,
                    exists,
                    on_deleted,
                )
                run.removed += sum(handled.reasons.values())
                run.removed_reasons = merged_counts(run.removed_reasons, handled.reasons)
                run.progress_seq += 1
            run.intercom_requests += usage.requests
            run.rate_limit_wait_ms += round(usage.budget_wait_s * 1000)
            if finish:
                _close(run, SyncStatus.FINISHED)

    await _retry_conflicts(attempt)


async def _retry_conflicts(attempt: Callable[[], Awaitable[None]]) -> None:
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


def _close(
    run: SyncRun, status: SyncStatus, code: str | None = None, message: str | None = None
) -> None:
    run.progress_seq += 1
    run.status = status
    run.finished_at = datetime.now(UTC)
    run.error_code = code
    run.error = message
    run.lease_owner = None
    run.lease_expires_at = None
    run.checkpoint = None


async def _continue_later(ports: RunnerPorts, job: _Lease) -> None:
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        run = await _leased(session, ports, job)
        _hand_over(session, ports, run)
    log.info("syncs.slice_ended", sync_id=str(job.run_id), generation=job.generation)


async def _defer(
    ports: RunnerPorts, lease: _Lease, wait: timedelta | None, code: str, message: str
) -> None:
    """Intercom cannot serve the run now: a later job resumes it from its checkpoint. A run
    deferred `max_deferrals` times in a row without progress fails with `code`."""
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        run = await _held(session, ports, lease)
        if run is None:
            return
        run.deferrals += 1
        run.last_error = message
        if run.deferrals > ports.settings.max_deferrals:
            _close(
                run,
                SyncStatus.FAILED,
                code,
                f"{message} (gave up after {run.deferrals - 1} retries)",
            )
            log.warning("syncs.failed", sync_id=str(lease.run_id), error_code=code)
            return
        if wait is None:
            wait = _backoff(ports.settings, run.deferrals)
        _hand_over(session, ports, run, wait=wait)
    log.warning(
        "syncs.deferred", sync_id=str(lease.run_id), error_code=code, wait_s=wait.total_seconds()
    )


def _backoff(settings: SyncSettings, times: int) -> timedelta:
    seconds = settings.defer_initial.total_seconds() * 2 ** (times - 1)
    capped = min(seconds, settings.defer_max.total_seconds())
    return timedelta(seconds=capped * random.uniform(0.8, 1.0))


async def _crashed(ports: RunnerPorts, lease: _Lease, exc: Exception) -> None:
    """An unexpected error: counted as a failed attempt, retried later, failed for good after
    `max_attempts` in a row."""
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        run = await _held(session, ports, lease)
        if run is not None:
            _record_attempt(session, ports, run, f"{type(exc).__name__} during the sync")


def _record_attempt(session: AsyncSession, ports: RunnerPorts, run: SyncRun, error: str) -> None:
    run.attempts += 1
    run.last_error = error
    if run.attempts >= ports.settings.max_attempts:
        _close(
            run,
            SyncStatus.FAILED,
            "internal_error",
            f"The sync stopped {run.attempts} times in a row without progress ({error}).",
        )
        log.warning("syncs.failed", sync_id=str(run.id), error_code="internal_error")
        return
    # The first retry is immediate (a killed worker is no reason to wait); repeated ones back
    # off, in case the run itself is what kills its workers.
    wait = timedelta(0) if run.attempts == 1 else _backoff(ports.settings, run.attempts - 1)
    _hand_over(session, ports, run, wait=wait)


async def _end(
    ports: RunnerPorts, lease: _Lease, status: SyncStatus, code: str, message: str
) -> bool:
    """Ends the run, if this job still holds it; says whether it did."""
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        run = await _held(session, ports, lease)
        if run is None:
            return False
        _close(run, status, code, message)
    log.warning("syncs.failed", sync_id=str(lease.run_id), error_code=code)
    return True


async def _require_reauth(ports: RunnerPorts, job: _Job) -> None:
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        await IntegrationRepository(session).require_reauth(job.account, job.integration.id)


# -- the sweeper ----------------------------------------------------------------------------


async def recover_lapsed(ports: RunnerPorts) -> int:
    """Gives every active run whose lease lapsed to a new job, from its checkpoint. A run that
    a worker had claimed counts an attempt (the worker died); one whose job never started (lost
    with a Redis flush) is simply sent again."""
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        lapsed = await SyncRunRepository(session).lapsed()
        for run in lapsed:
            if run.lease_owner is not None:
                log.warning("syncs.lease_lapsed", sync_id=str(run.id), generation=run.generation)
                _record_attempt(session, ports, run, "its worker stopped renewing the lease")
            else:
                _hand_over(session, ports, run)
    return len(lapsed)
