"""Fan-out: a large run read by many workers at once.

A run that expects more than `fan_out_above` contacts reads its first batch as any run does; by
then its reader has split the list into many `created_at` ranges (paging.py). The ranges still
open are dealt round-robin into at most `max_partitions` shares, each a `sync_partitions` row
holding its ranges as a reader checkpoint. The first batch, the partitions and their jobs commit
together; the run's own lease is released.

A partition is worked exactly as a run is (runner.py): by leased jobs of its own generation, a
slice at a time, a heartbeat renewing the lease, the sweeper giving a lapsed lease to a new job.
Its batches lock the partition first and the run last, for the few statements that add the
batch's counters to it, so shares written by different workers do not wait on each other. A
batch finds the run cancelled or failed and rolls back, as a run's own batch does.

The batch that finishes the last open partition hands the run back to a run job (the next
generation), which handles removals and closes it: a run's report is the sum of its shares.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from app import metrics
from app.db import count_on_commit
from app.domain.filters import pushdown
from app.domain.integrations.repository import IntegrationRepository
from app.domain.models import PartitionStatus, SyncPartition, SyncRun, SyncStatus
from app.domain.outbox import service as outbox
from app.domain.outbox.service import unit_of_work
from app.domain.ports import ContactReader
from app.domain.scope import AccountScope
from app.domain.segments import service as segment_service
from app.domain.syncs.jobs import (
    CheckpointUnreadable,
    Crash,
    Defer,
    Fail,
    Fence,
    LeaseLost,
    RunnerPorts,
    RunWork,
    Slice,
    backoff,
    close_run,
    hand_over_run,
    load_work,
    outcome_of,
    read_batches,
    read_checkpoint,
    with_heartbeat,
    workspace_of,
    write_batch,
)
from app.domain.syncs.repository import SyncPartitionRepository, SyncRunRepository
from app.intercom.models import Contact, MalformedContact
from app.intercom.paging import Checkpoint, Partition

PARTITION_JOB = "syncs.partition"

log = structlog.get_logger(__name__)


def job_id(sync_id: uuid.UUID, number: int, generation: int) -> str:
    return f"{PARTITION_JOB}:{sync_id}:{number}:{generation}"


# -- the split ------------------------------------------------------------------------------


async def split(
    ports: RunnerPorts, work: RunWork, fence: Fence, reader: ContactReader, current: Slice
) -> Checkpoint | None:
    """Reads the run's first batch and, if its reader has split the list into ranges enough,
    writes it with the partitions that will read the rest: None. Otherwise writes it as a
    whole run's batch and answers the checkpoint to go on from."""
    batch: list[Contact | MalformedContact] = []
    async with contextlib.aclosing(reader.pages()) as pages:
        async for page in pages:
            batch.extend(page.contacts)
            if len(batch) >= ports.settings.batch_size:
                break
    checkpoint = reader.checkpoint()
    parts = shares(checkpoint, ports.settings.max_partitions)
    if len(parts) < 2:
        await current.write(batch, checkpoint)
        return checkpoint
    await write_batch(
        ports,
        work,
        _FanningOut(ports, fence, work.account, parts),
        batch,
        checkpoint,
        current.usage_since_last(),
    )
    log.info("syncs.fanned_out", sync_id=str(work.run_id), partitions=len(parts))
    return None


def shares(checkpoint: Checkpoint, most: int) -> list[Checkpoint]:
    """The ranges still to read, dealt round-robin into at most `most` checkpoints: a list's
    density changes slowly with time, so neighbouring ranges go to different shares."""
    open_ranges = [partition for partition in checkpoint.partitions if not partition.done]
    count = min(len(open_ranges), max(1, most))
    dealt: list[list[Partition]] = [[] for _ in range(count)]
    for index, partition in enumerate(open_ranges):
        dealt[index % count].append(partition.copy())
    return [Checkpoint(ranges) for ranges in dealt]


@dataclass
class _FanningOut:
    """The run's own fence, for the batch that fans it out: it records the partitions and
    their jobs instead of a checkpoint, and lets the run's lease go."""

    ports: RunnerPorts
    inner: Fence
    account: AccountScope
    parts: list[Checkpoint]

    @property
    def run_id(self) -> uuid.UUID:
        return self.inner.run_id

    async def renew(self, session: AsyncSession) -> bool:
        return await self.inner.renew(session)

    async def hold(self, session: AsyncSession) -> None:
        await self.inner.hold(session)

    async def run(self, session: AsyncSession) -> SyncRun:
        return await self.inner.run(session)

    async def advance(
        self, session: AsyncSession, run: SyncRun, checkpoint: Checkpoint | None
    ) -> None:
        for number, part in enumerate(self.parts):
            partition = SyncPartition(
                run_id=run.id,
                number=number,
                account_id=self.account.id,
                status=PartitionStatus.PENDING,
                checkpoint=part.to_json(),
                generation=0,
                attempts=0,
                deferrals=0,
                lease_expires_at=func.now() + self.ports.settings.start_within,
            )
            session.add(partition)
            _send(session, partition)
        run.checkpoint = {"fanned_out": len(self.parts)}
        run.partitions = len(self.parts)
        # No job of the run's works it until the partitions hand it back: a stale job of this
        # generation finds nothing to claim, and the sweeper no lease to lapse.
        run.generation += 1
        run.lease_owner = None
        run.lease_expires_at = None
        run.attempts = 0
        run.deferrals = 0


def _send(
    session: AsyncSession, partition: SyncPartition, *, wait: timedelta | None = None
) -> None:
    outbox.enqueue_after_commit(
        session,
        PARTITION_JOB,
        job_id=job_id(partition.run_id, partition.number, partition.generation),
        payload={
            "sync_id": str(partition.run_id),
            "number": partition.number,
            "generation": partition.generation,
        },
        account_id=partition.account_id,
        not_before=datetime.now(UTC) + wait if wait else None,
    )


# -- a partition's job ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Lease:
    run_id: uuid.UUID
    number: int
    generation: int
    owner: str
    account: AccountScope


@dataclass
class _PartitionFence:
    """One share of a fanned-out run (jobs.Fence)."""

    ports: RunnerPorts
    lease: _Lease
    _partition: SyncPartition | None = field(default=None, repr=False)

    @property
    def run_id(self) -> uuid.UUID:
        return self.lease.run_id

    async def renew(self, session: AsyncSession) -> bool:
        return await _held(session, self.ports, self.lease) is not None

    async def hold(self, session: AsyncSession) -> None:
        self._partition = await _leased(session, self.ports, self.lease)

    async def run(self, session: AsyncSession) -> SyncRun:
        run = await SyncRunRepository(session).lock_running(self.lease.run_id)
        if run is None:  # cancelled, or failed by another share
            raise LeaseLost
        return run

    async def advance(
        self, session: AsyncSession, run: SyncRun, checkpoint: Checkpoint | None
    ) -> None:
        partition = self._partition
        assert partition is not None, "hold() first"
        partition.attempts = 0
        partition.deferrals = 0
        if checkpoint is not None:
            partition.checkpoint = checkpoint.to_json()
            return
        partition.status = PartitionStatus.DONE
        partition.checkpoint = None
        # The owner stays: which worker read the share last (a done share is never claimed).
        partition.lease_expires_at = None
        await session.flush()
        # Under the run's lock: of two shares finishing at once, the second sees the first.
        if await SyncPartitionRepository(session).open_count(run.id) == 0:
            run.checkpoint = {"removing": True}
            hand_over_run(session, self.ports, run)
            log.info("syncs.partitions_read", sync_id=str(run.id))


async def run_slice(
    ports: RunnerPorts, sync_id: uuid.UUID, number: int, generation: int, *, owner: str
) -> None:
    """Works partition `number` of run `sync_id` for one slice, as the job of `generation`;
    like runner.run_slice, safe to call any number of times."""
    owner = f"{uuid.uuid4().hex[:12]}@{owner}"[:64]
    lease = await _claim(ports, sync_id, number, generation, owner)
    if lease is None:
        log.info("syncs.stale_partition_job", sync_id=str(sync_id), partition=number)
        return
    work: RunWork | None = None
    try:
        work, checkpoint = await _load(ports, lease)
        fence = _PartitionFence(ports, lease)
        await with_heartbeat(ports, fence, _work(ports, lease, work, fence, checkpoint))
    except Exception as exc:
        outcome = outcome_of(exc)
        if outcome is None:
            log.warning("syncs.lease_lost", sync_id=str(sync_id), partition=number)
        elif isinstance(outcome, Defer):
            await _defer(ports, lease, outcome)
        elif isinstance(outcome, Fail):
            if await _fail_run(ports, lease, outcome.code, outcome.message):
                if outcome.reauth and work is not None:
                    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
                        await IntegrationRepository(session).require_reauth(
                            work.account, work.integration.id
                        )
        else:
            log.exception("syncs.partition_crashed", sync_id=str(sync_id), partition=number)
            await _crashed(ports, lease, outcome)


async def is_current(ports: RunnerPorts, sync_id: uuid.UUID, number: int, generation: int) -> bool:
    """Whether a job of `generation` may still work the partition (one primary-key read): a
    busy worker passes on only such jobs, and drops the others."""
    async with ports.sessionmaker() as session:
        partition = await SyncPartitionRepository(session).get(sync_id, number)
    return (
        partition is not None
        and partition.generation == generation
        and partition.status != PartitionStatus.DONE
    )


async def _claim(
    ports: RunnerPorts, sync_id: uuid.UUID, number: int, generation: int, owner: str
) -> _Lease | None:
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        partition = await SyncPartitionRepository(session).claim(
            sync_id, number, generation, owner, ports.settings.lease
        )
        if partition is None:
            return None
        return _Lease(sync_id, number, generation, owner, AccountScope(partition.account_id))


async def _load(ports: RunnerPorts, lease: _Lease) -> tuple[RunWork, Checkpoint]:
    async with ports.sessionmaker() as session:
        partition = await SyncPartitionRepository(session).get(lease.run_id, lease.number)
        run = await SyncRunRepository(session).get_for_job(lease.run_id)
        if partition is None or run is None:
            raise LeaseLost
        work = await load_work(session, lease.account, run)
        saved = partition.checkpoint
    checkpoint = read_checkpoint(saved)
    if checkpoint is None:  # a share is its ranges: without them it would read the whole list
        raise CheckpointUnreadable("The partition has no ranges to read.")
    return work, checkpoint


async def _held(session: AsyncSession, ports: RunnerPorts, lease: _Lease) -> SyncPartition | None:
    return await SyncPartitionRepository(session).lock_leased(
        lease.run_id, lease.number, lease.generation, lease.owner, ports.settings.lease
    )


async def _leased(session: AsyncSession, ports: RunnerPorts, lease: _Lease) -> SyncPartition:
    partition = await _held(session, ports, lease)
    if partition is None:
        raise LeaseLost
    return partition


async def _work(
    ports: RunnerPorts,
    lease: _Lease,
    work: RunWork,
    fence: _PartitionFence,
    checkpoint: Checkpoint,
) -> None:
    workspace = workspace_of(ports, work)
    query, custom_types = pushdown.search_query(
        segment_service.search_query(work.segment), work.config
    )
    reader = workspace.reader(
        query,
        timezone=work.integration.timezone,
        concurrency=ports.settings.partition_read_concurrency,
        checkpoint=checkpoint,
        custom_attribute_types=custom_types,
    )
    current = Slice(ports, work, fence, workspace.usage)
    if not await read_batches(ports, reader, current):
        await _continue_later(ports, lease)


def _hand_over(
    session: AsyncSession,
    ports: RunnerPorts,
    partition: SyncPartition,
    *,
    wait: timedelta = timedelta(0),
) -> None:
    partition.generation += 1
    partition.lease_owner = None
    partition.lease_expires_at = func.now() + wait + ports.settings.start_within
    _send(session, partition, wait=wait)


async def _continue_later(ports: RunnerPorts, lease: _Lease) -> None:
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        _hand_over(session, ports, await _leased(session, ports, lease))


async def _defer(ports: RunnerPorts, lease: _Lease, outcome: Defer) -> None:
    """As runner._defer, for one share: after `max_deferrals` in a row, the run fails."""
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        partition = await _held(session, ports, lease)
        if partition is None:
            return
        partition.deferrals += 1
        partition.last_error = outcome.message
        if partition.deferrals > ports.settings.max_deferrals:
            message = f"{outcome.message} (gave up after {partition.deferrals - 1} retries)"
            await _close_run(session, lease.run_id, outcome.code, message)
            return
        wait = outcome.wait or backoff(ports.settings, partition.deferrals)
        _hand_over(session, ports, partition, wait=wait)
    log.warning(
        "syncs.partition_deferred",
        sync_id=str(lease.run_id),
        partition=lease.number,
        error_code=outcome.code,
    )


async def _crashed(ports: RunnerPorts, lease: _Lease, crash: Crash) -> None:
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        partition = await _held(session, ports, lease)
        if partition is not None:
            await _record_attempt(session, ports, partition, crash.error)


async def _record_attempt(
    session: AsyncSession, ports: RunnerPorts, partition: SyncPartition, error: str
) -> None:
    partition.attempts += 1
    partition.last_error = error
    if partition.attempts >= ports.settings.max_attempts:
        message = (
            f"A share of the sync stopped {partition.attempts} times in a row without progress "
            f"({error})."
        )
        await _close_run(session, partition.run_id, "internal_error", message)
        return
    wait = (
        timedelta(0) if partition.attempts == 1 else backoff(ports.settings, partition.attempts - 1)
    )
    _hand_over(session, ports, partition, wait=wait)


async def _fail_run(ports: RunnerPorts, lease: _Lease, code: str, message: str) -> bool:
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        if await _held(session, ports, lease) is None:
            return False
        return await _close_run(session, lease.run_id, code, message)


async def _close_run(session: AsyncSession, run_id: uuid.UUID, code: str, message: str) -> bool:
    """Fails the run (its other shares stop at their next batch); False if it had ended."""
    run = await SyncRunRepository(session).lock_running(run_id)
    if run is None:
        return False
    close_run(run, SyncStatus.FAILED, code, message)
    log.warning("syncs.failed", sync_id=str(run_id), error_code=code)
    return True


async def recover_lapsed(ports: RunnerPorts) -> int:
    """Gives every open partition whose lease lapsed to a new job (an attempt, if a worker had
    claimed it); lets go of those whose run ended."""
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        lapsed = await SyncPartitionRepository(session).lapsed()
        # Runs are locked in one order, whatever sweeps overlap.
        for partition in sorted(lapsed, key=lambda p: (str(p.run_id), p.number)):
            if await SyncRunRepository(session).lock_running(partition.run_id) is None:
                partition.lease_owner = None
                partition.lease_expires_at = None
                continue
            if partition.lease_owner is not None:
                log.warning(
                    "syncs.partition_lease_lapsed",
                    sync_id=str(partition.run_id),
                    partition=partition.number,
                )
                count_on_commit(session, metrics.LEASE_TAKEOVERS.labels("sync_partition"))
                await _record_attempt(
                    session, ports, partition, "its worker stopped renewing the lease"
                )
            else:
                # Never claimed: its job was lost (Redis), or is stuck with a dead worker (arq
                # holds a job a worker took until its timeout), or waits behind busy workers. A
                # new generation's job, under a new id, is the one that surely runs; the old one
                # ends as soon as a worker looks at it (is_current).
                _hand_over(session, ports, partition)
    return len(lapsed)
