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

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app import metrics
from app.db import count_on_commit
from app.domain.filters import pushdown
from app.domain.integrations import settings_service as integration_settings
from app.domain.integrations.repository import IntegrationRepository
from app.domain.integrations.settings import OnDeletedInIntercom
from app.domain.models import SyncRun, SyncStatus
from app.domain.outbox.service import unit_of_work
from app.domain.ports import ContactReader, IntercomWorkspace
from app.domain.scope import AccountScope
from app.domain.segments import service as segment_service
from app.domain.syncs import fanout, removals
from app.domain.syncs.jobs import (
    Crash,
    Defer,
    Fail,
    LeaseLost,
    RunnerPorts,
    RunWork,
    Slice,
    SyncSettings,
    add_usage,
    backoff,
    close_run,
    hand_over_run,
    load_work,
    outcome_of,
    read_batches,
    read_checkpoint,
    retry_conflicts,
    with_heartbeat,
    workspace_of,
)
from app.domain.syncs.report import merged_counts
from app.domain.syncs.repository import SyncRunRepository
from app.intercom.client import Usage
from app.intercom.paging import Checkpoint

__all__ = ["LeaseLost", "RunnerPorts", "SyncSettings", "recover_lapsed", "run_slice"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class _Lease:
    """What fences a job's writes: the run, the generation it was handed, and its claim."""

    run_id: uuid.UUID
    generation: int
    owner: str
    account: AccountScope


@dataclass
class _RunFence:
    """The whole run, worked by one job at a time (jobs.Fence)."""

    ports: RunnerPorts
    lease: _Lease
    _run: SyncRun | None = field(default=None, repr=False)

    @property
    def run_id(self) -> uuid.UUID:
        return self.lease.run_id

    async def renew(self, session: AsyncSession) -> bool:
        return await _held(session, self.ports, self.lease) is not None

    async def hold(self, session: AsyncSession) -> None:
        self._run = await _leased(session, self.ports, self.lease)

    async def run(self, session: AsyncSession) -> SyncRun:
        assert self._run is not None, "hold() first"
        return self._run

    async def advance(
        self, session: AsyncSession, run: SyncRun, checkpoint: Checkpoint | None
    ) -> None:
        # Read whole: its removals come next (a resumed job goes straight to them).
        run.checkpoint = {"reader": checkpoint.to_json()} if checkpoint else {"removing": True}
        run.attempts = 0
        run.deferrals = 0


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
    work: RunWork | None = None
    try:
        # Loaded after the claim committed: a failure here leaves a claimed lease, which the
        # sweeper counts as an attempt (a failure inside the claim would leave no trace).
        work, checkpoint, state = await _load(ports, lease)
        fence = _RunFence(ports, lease)
        await with_heartbeat(ports, fence, _work(ports, lease, work, fence, checkpoint, state))
    except Exception as exc:
        outcome = outcome_of(exc)
        if outcome is None:
            log.warning("syncs.lease_lost", sync_id=str(sync_id), generation=generation)
        elif isinstance(outcome, Defer):
            await _defer(ports, lease, outcome)
        elif isinstance(outcome, Fail):
            ended = await _end(ports, lease, SyncStatus.FAILED, outcome.code, outcome.message)
            if ended and outcome.reauth and work is not None:
                await _require_reauth(ports, work)
        else:
            log.exception("syncs.slice_crashed", sync_id=str(sync_id), generation=generation)
            await _crashed(ports, lease, outcome)


# -- claiming and hand-over -----------------------------------------------------------------


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


async def _load(ports: RunnerPorts, lease: _Lease) -> tuple[RunWork, Checkpoint | None, str]:
    """The run's work, its reader checkpoint, and its state: "reading" or "removing" (read
    whole)."""
    async with ports.sessionmaker() as session:
        run = await SyncRunRepository(session).get_for_job(lease.run_id)
        if run is None:
            raise LeaseLost
        work = await load_work(session, lease.account, run)
        saved = run.checkpoint or {}
    state = "removing" if saved.get("removing") else "reading"
    return work, read_checkpoint(saved.get("reader")), state


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


# -- the work -------------------------------------------------------------------------------


async def _work(
    ports: RunnerPorts,
    lease: _Lease,
    work: RunWork,
    fence: _RunFence,
    checkpoint: Checkpoint | None,
    state: str,
) -> None:
    workspace = workspace_of(ports, work)
    current = Slice(ports, work, fence, workspace.usage)
    if state == "removing":
        await _remove_unseen(ports, lease, work, workspace, current)
        return
    query, custom_types = pushdown.search_query(
        segment_service.search_query(work.segment), work.config
    )
    expected = work.expected
    if expected is None:
        # What the progress counts towards: one request, once per run.
        expected = await workspace.count_contacts(query)
        await _set_expected(ports, lease, expected)

    def reader_from(checkpoint: Checkpoint | None) -> ContactReader:
        return workspace.reader(
            query,
            timezone=work.integration.timezone,
            concurrency=ports.settings.read_concurrency,
            checkpoint=checkpoint,
            custom_attribute_types=custom_types,
        )

    if checkpoint is None and expected > ports.settings.fan_out_above:
        checkpoint = await fanout.split(ports, work, fence, reader_from(None), current)
        if checkpoint is None:
            return  # the partitions' jobs read it, on any worker; the last one hands it back
    if not await read_batches(ports, reader_from(checkpoint), current):
        await _continue_later(ports, lease)
        return
    await _remove_unseen(ports, lease, work, workspace, current)
    log.info("syncs.finished", sync_id=str(work.run_id))


async def _set_expected(ports: RunnerPorts, lease: _Lease, expected: int) -> None:
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        run = await _leased(session, ports, lease)
        run.expected = max(0, min(expected, 2**31 - 1))
        run.progress_seq += 1


# Members handled per transaction: one existence check each, a few at a time.
REMOVAL_CHUNK = 200


async def _remove_unseen(
    ports: RunnerPorts,
    lease: _Lease,
    work: RunWork,
    workspace: IntercomWorkspace,
    current: Slice,
) -> None:
    """The removals phase (removals.py), a chunk at a time within the slice; then the run is
    finished."""
    on_deleted = integration_settings.parse(work.integration.settings).on_deleted_in_intercom
    query, custom_types = pushdown.search_query(
        segment_service.search_query(work.segment), work.config
    )
    after: str | None = None  # members Intercom could not say about stay behind
    while True:
        if current.over:
            await _continue_later(ports, lease)
            return
        async with ports.sessionmaker() as session:
            chunk = await removals.unseen(
                session, work.account, work.segment.id, work.run_id, REMOVAL_CHUNK, after=after
            )
        after = chunk[-1] if chunk else after
        exists = await removals.still_exist(workspace, chunk) if chunk else {}
        present = [contact_id for contact_id, found in exists.items() if found]
        missed = (
            await removals.still_in_list(
                workspace,
                query,
                custom_types,
                work.config,
                present,
                timezone=work.integration.timezone,
            )
            if present
            else set()
        )
        await _write_removals(
            ports,
            lease,
            work,
            exists,
            missed,
            current.usage_since_last(),
            on_deleted,
            finish=not chunk,
        )
        if not chunk:
            return


async def _write_removals(
    ports: RunnerPorts,
    lease: _Lease,
    work: RunWork,
    exists: dict[str, bool | None],
    missed: set[str],
    usage: Usage,
    on_deleted: OnDeletedInIntercom,
    *,
    finish: bool,
) -> None:
    async def attempt() -> None:
        async with unit_of_work(ports.sessionmaker, ports.queue) as session:
            run = await _leased(session, ports, lease)
            if missed:
                # Still in the list: the read missed them. Seen now, not removed.
                await removals.link(session, work.account, work.segment.id, run.id, sorted(missed))
            if exists:
                handled = await removals.handle(
                    session,
                    work.account,
                    work.integration.id,
                    work.segment.id,
                    work.run_id,
                    exists,
                    on_deleted,
                )
                run.removed += sum(handled.reasons.values())
                count_on_commit(
                    session,
                    metrics.CONTACTS_PROCESSED.labels("removed"),
                    sum(handled.reasons.values()),
                )
                run.removed_reasons = merged_counts(run.removed_reasons, handled.reasons)
                run.progress_seq += 1
            add_usage(run, usage)
            if finish:
                close_run(run, SyncStatus.FINISHED)

    await retry_conflicts(attempt)


# -- hand-over, deferral, failure -----------------------------------------------------------


async def _continue_later(ports: RunnerPorts, lease: _Lease) -> None:
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        run = await _leased(session, ports, lease)
        hand_over_run(session, ports, run)
    log.info("syncs.slice_ended", sync_id=str(lease.run_id), generation=lease.generation)


async def _defer(ports: RunnerPorts, lease: _Lease, outcome: Defer) -> None:
    """Intercom cannot serve the run now: a later job resumes it from its checkpoint. A run
    deferred `max_deferrals` times in a row without progress fails with the outcome's code."""
    wait = outcome.wait
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        run = await _held(session, ports, lease)
        if run is None:
            return
        run.deferrals += 1
        run.last_error = outcome.message
        if run.deferrals > ports.settings.max_deferrals:
            close_run(
                run,
                SyncStatus.FAILED,
                outcome.code,
                f"{outcome.message} (gave up after {run.deferrals - 1} retries)",
            )
            log.warning("syncs.failed", sync_id=str(lease.run_id), error_code=outcome.code)
            return
        if wait is None:
            wait = backoff(ports.settings, run.deferrals)
        hand_over_run(session, ports, run, wait=wait)
    log.warning(
        "syncs.deferred",
        sync_id=str(lease.run_id),
        error_code=outcome.code,
        wait_s=wait.total_seconds(),
    )


async def _crashed(ports: RunnerPorts, lease: _Lease, crash: Crash) -> None:
    """An unexpected error: counted as a failed attempt, retried later, failed for good after
    `max_attempts` in a row."""
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        run = await _held(session, ports, lease)
        if run is not None:
            _record_attempt(session, ports, run, crash.error)


def _record_attempt(session: AsyncSession, ports: RunnerPorts, run: SyncRun, error: str) -> None:
    run.attempts += 1
    run.last_error = error
    if run.attempts >= ports.settings.max_attempts:
        close_run(
            run,
            SyncStatus.FAILED,
            "internal_error",
            f"The sync stopped {run.attempts} times in a row without progress ({error}).",
        )
        log.warning("syncs.failed", sync_id=str(run.id), error_code="internal_error")
        return
    # The first retry is immediate (a killed worker is no reason to wait); repeated ones back
    # off, in case the run itself is what kills its workers.
    wait = timedelta(0) if run.attempts == 1 else backoff(ports.settings, run.attempts - 1)
    hand_over_run(session, ports, run, wait=wait)


async def _end(
    ports: RunnerPorts, lease: _Lease, status: SyncStatus, code: str, message: str
) -> bool:
    """Ends the run, if this job still holds it; says whether it did."""
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        run = await _held(session, ports, lease)
        if run is None:
            return False
        close_run(run, status, code, message)
    log.warning("syncs.failed", sync_id=str(lease.run_id), error_code=code)
    return True


async def _require_reauth(ports: RunnerPorts, work: RunWork) -> None:
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        await IntegrationRepository(session).require_reauth(work.account, work.integration.id)


# -- the sweeper ----------------------------------------------------------------------------


async def recover_lapsed(ports: RunnerPorts) -> int:
    """Gives every active run whose lease lapsed to a new job, from its checkpoint. A run that
    a worker had claimed counts an attempt (the worker died); one whose job never started (lost
    with a Redis flush) is simply sent again. The partitions of fanned-out runs are swept the
    same way (fanout.recover_lapsed)."""
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        lapsed = await SyncRunRepository(session).lapsed()
        for run in lapsed:
            if run.lease_owner is not None:
                log.warning("syncs.lease_lapsed", sync_id=str(run.id), generation=run.generation)
                count_on_commit(session, metrics.LEASE_TAKEOVERS.labels("sync"))
                _record_attempt(session, ports, run, "its worker stopped renewing the lease")
            else:
                hand_over_run(session, ports, run)
    return len(lapsed) + await fanout.recover_lapsed(ports)
