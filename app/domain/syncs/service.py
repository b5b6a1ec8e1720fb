"""Starting syncs and running them. `run()` is what the worker's job calls."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import transaction
from app.domain.customers.repository import BatchOutcome, CustomerRepository, IncomingContact
from app.domain.integrations import service as integration_service
from app.domain.models import Integration, Segment, SyncRun, SyncStatus, SyncTrigger
from app.domain.ports import IntercomGateway, JobQueue, SecretCipher
from app.domain.scope import AccountScope
from app.domain.segments import service as segment_service
from app.domain.syncs.errors import SyncAlreadyActive, SyncNotFound
from app.domain.syncs.mapping import Skip, map_contact
from app.domain.syncs.repository import SyncRunRepository
from app.domain.syncs.schemas import SyncCounters, SyncRead
from app.errors import RetryLater
from app.intercom.errors import IntercomAuthError, IntercomError, IntercomRateLimited
from app.intercom.models import Contact
from app.intercom.paging import Checkpoint

log = structlog.get_logger(__name__)

RUN_JOB = "syncs.run"


def job_id(sync_id: uuid.UUID) -> str:
    # Deterministic, so that a duplicate enqueue (API retry, sweeper) collapses into one job.
    return f"{RUN_JOB}:{sync_id}"


def to_read(run: SyncRun) -> SyncRead:
    return SyncRead(
        id=run.id,
        segment_id=run.segment_id,
        status=run.status,
        trigger=run.trigger,
        counters=SyncCounters.model_validate(run),
        error_code=run.error_code,
        error=run.error,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


async def get(session: AsyncSession, account: AccountScope, sync_id: uuid.UUID) -> SyncRun:
    run = await SyncRunRepository(session).get_for_account(account.id, sync_id)
    if run is None:
        raise SyncNotFound(sync_id)
    return run


async def start(
    session: AsyncSession,
    account: AccountScope,
    segment_id: uuid.UUID,
    *,
    trigger: SyncTrigger = SyncTrigger.MANUAL,
) -> SyncRun:
    """Records a pending run. The caller commits, then enqueues (see `enqueue`)."""
    segment = await segment_service.get(session, account, segment_id)
    active = await SyncRunRepository(session).active_for_segment(account.id, segment.id)
    if active is not None:
        raise SyncAlreadyActive(active.id)
    run = SyncRun(
        account_id=account.id,
        segment_id=segment.id,
        status=SyncStatus.PENDING,
        trigger=trigger,
        skipped_reasons={},
        failed_reasons={},
    )
    session.add(run)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        # Lost a race with a concurrent "sync now": the partial unique index said no.
        active = await SyncRunRepository(session).active_for_segment(account.id, segment.id)
        if active is None:
            raise
        raise SyncAlreadyActive(active.id) from None
    await session.refresh(run)
    return run


async def enqueue(queue: JobQueue, sync_id: uuid.UUID) -> None:
    await queue.enqueue(RUN_JOB, job_id=job_id(sync_id), sync_id=str(sync_id))


async def requeue_stale(
    sessionmaker: async_sessionmaker[AsyncSession], queue: JobQueue, *, older_than: timedelta
) -> int:
    """The database is the source of truth for work: a pending run whose job vanished (crash
    between commit and enqueue) is enqueued again; the deterministic job id collapses repeats."""
    async with sessionmaker() as session:
        stale = await SyncRunRepository(session).stale_pending(datetime.now(UTC) - older_than)
    for sync_id in stale:
        await enqueue(queue, sync_id)
    return len(stale)


@dataclass(frozen=True)
class _RunContext:
    run_id: uuid.UUID
    segment: Segment
    integration: Integration
    checkpoint: Checkpoint | None

    @property
    def account_id(self) -> uuid.UUID:
        return self.integration.account_id

    @property
    def integration_id(self) -> uuid.UUID:
        return self.integration.id


async def run(
    sessionmaker: async_sessionmaker[AsyncSession],
    sync_id: uuid.UUID,
    *,
    intercom: IntercomGateway,
    cipher: SecretCipher,
    batch_size: int,
    read_concurrency: int = 8,
) -> None:
    """Runs (or resumes) one sync. Safe to call more than once: a finished run is left alone and
    a running one resumes from the checkpoint written with the last batch."""
    context = await _begin(sessionmaker, sync_id)
    if context is None:
        return
    log.info("syncs.started", sync_id=str(sync_id), segment_id=str(context.segment.id))
    workspace = integration_service.workspace_for(context.integration, intercom, cipher)
    reader = workspace.reader(
        segment_service.search_query(context.segment),
        timezone=context.integration.timezone,
        concurrency=read_concurrency,
        checkpoint=context.checkpoint,
    )
    batch: list[Contact] = []
    try:
        async with contextlib.aclosing(reader.pages()) as pages:
            async for page in pages:
                batch.extend(page.contacts)
                if len(batch) >= batch_size:
                    # The reader's checkpoint covers exactly the pages received so far: those of
                    # this batch. Written with the batch, it lets a killed run resume exactly.
                    await _write_batch(sessionmaker, context, batch, reader.checkpoint())
                    batch = []
        await _write_batch(sessionmaker, context, batch, None)
    except IntercomRateLimited as exc:
        delay = max(1.0, (exc.reset_at or 0) - datetime.now(UTC).timestamp())
        raise RetryLater(delay) from exc
    except IntercomAuthError as exc:
        await _fail(sessionmaker, context, "intercom_token_rejected", exc.message, revoke=True)
        return
    except IntercomError as exc:
        await _fail(sessionmaker, context, "intercom_error", exc.message)
        return
    await _finish(sessionmaker, context)
    log.info("syncs.finished", sync_id=str(sync_id))


async def _begin(
    sessionmaker: async_sessionmaker[AsyncSession], sync_id: uuid.UUID
) -> _RunContext | None:
    async with transaction(sessionmaker) as session:
        run = await SyncRunRepository(session).lock_for_job(sync_id)
        if run is None or run.status in (SyncStatus.FINISHED, SyncStatus.FAILED):
            return None
        scope = AccountScope(run.account_id)
        segment = await segment_service.get(session, scope, run.segment_id)
        integration = await integration_service.get(session, scope, segment.integration_id)
        if run.status == SyncStatus.PENDING:
            run.status = SyncStatus.RUNNING
            run.started_at = datetime.now(UTC)
        saved = (run.checkpoint or {}).get("reader")
        return _RunContext(
            run_id=run.id,
            segment=segment,
            integration=integration,
            checkpoint=Checkpoint.from_json(saved) if saved else None,
        )


async def _write_batch(
    sessionmaker: async_sessionmaker[AsyncSession],
    context: _RunContext,
    contacts: list[Contact],
    checkpoint: Checkpoint | None,
) -> None:
    incoming: list[IncomingContact] = []
    outcome = BatchOutcome()
    failed: dict[str, int] = {}
    for contact in contacts:
        try:
            mapped = map_contact(contact)
        except Skip as skip:
            outcome.skip(skip.reason)
            continue
        except (TypeError, ValueError) as exc:
            reason = f"mapping_error:{type(exc).__name__}"
            failed[reason] = failed.get(reason, 0) + 1
            continue
        incoming.append(IncomingContact(contact.id, contact.role, mapped))

    async with transaction(sessionmaker) as session:
        written = await CustomerRepository(session).upsert_batch(
            context.account_id, context.integration_id, context.run_id, incoming
        )
        run = await SyncRunRepository(session).lock_for_job(context.run_id)
        assert run is not None
        # Counters and checkpoint commit with the rows they describe: a resumed run neither
        # loses nor double-counts a batch.
        run.fetched += len(contacts)
        run.created += written.created
        run.updated += written.updated
        run.unchanged += written.unchanged
        skipped = _merge(outcome.skipped_reasons, written.skipped_reasons)
        run.skipped += sum(skipped.values())
        run.skipped_reasons = _merge(run.skipped_reasons, skipped)
        run.failed += sum(failed.values())
        run.failed_reasons = _merge(run.failed_reasons, failed)
        run.checkpoint = {"reader": checkpoint.to_json()} if checkpoint else None


async def _finish(sessionmaker: async_sessionmaker[AsyncSession], context: _RunContext) -> None:
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(SyncRun)
            .where(SyncRun.id == context.run_id, SyncRun.account_id == context.account_id)
            .values(status=SyncStatus.FINISHED, finished_at=datetime.now(UTC), checkpoint=None)
        )


async def _fail(
    sessionmaker: async_sessionmaker[AsyncSession],
    context: _RunContext,
    code: str,
    message: str,
    *,
    revoke: bool = False,
) -> None:
    log.warning("syncs.failed", sync_id=str(context.run_id), error_code=code)
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(SyncRun)
            .where(SyncRun.id == context.run_id, SyncRun.account_id == context.account_id)
            .values(
                status=SyncStatus.FAILED,
                finished_at=datetime.now(UTC),
                error_code=code,
                error=message,
            )
        )
        if revoke:
            await session.execute(
                update(Integration)
                .where(
                    Integration.id == context.integration_id,
                    Integration.account_id == context.account_id,
                )
                .values(status="reauth_required")
            )


def _merge(left: dict[str, int], right: dict[str, int]) -> dict[str, int]:
    merged = dict(left)
    for key, value in right.items():
        merged[key] = merged.get(key, 0) + value
    return merged


async def mark_crashed(
    sessionmaker: async_sessionmaker[AsyncSession],
    sync_id: uuid.UUID,
    message: str,
    *,
    code: str = "internal_error",
) -> None:
    """Last resort for an unexpected error: the run must not stay 'running' forever."""
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(SyncRun)
            .where(
                SyncRun.id == sync_id, SyncRun.status.in_([SyncStatus.PENDING, SyncStatus.RUNNING])
            )
            .values(
                status=SyncStatus.FAILED,
                finished_at=datetime.now(UTC),
                error_code=code,
                error=message,
            )
        )
