"""What a caller asks of syncs: start one now, cancel the active ones."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from app import metrics
from app.db import count_on_commit
from app.domain.filters import apply as filters
from app.domain.filters import pushdown
from app.domain.filters.errors import FiltersOutOfDate
from app.domain.filters.validate import FiltersInvalid
from app.domain.integrations import service as integration_service
from app.domain.mapping import service as mapping_service
from app.domain.mapping.errors import MappingNotConfirmed, MappingWithoutEmail
from app.domain.models import SyncRun, SyncStatus, SyncTrigger
from app.domain.models.syncs import ACTIVE_STATUSES
from app.domain.outbox import service as outbox
from app.domain.properties.catalog import Target
from app.domain.scope import AccountScope
from app.domain.segments import service as segment_service
from app.domain.syncs.errors import SyncAlreadyActive, SyncNotActive, SyncNotFound
from app.domain.syncs.repository import SyncRunRepository

RUN_JOB = "syncs.run"

log = structlog.get_logger(__name__)


def job_id(sync_id: uuid.UUID, generation: int) -> str:
    # Deterministic: dispatching one continuation twice (relay, retry) collapses into one job.
    return f"{RUN_JOB}:{sync_id}:{generation}"


def continue_run(
    session: AsyncSession, run: SyncRun, *, not_before: datetime | None = None
) -> None:
    """Hands the run to a new job of its current generation, after the session commits."""
    outbox.enqueue_after_commit(
        session,
        RUN_JOB,
        job_id=job_id(run.id, run.generation),
        payload={"sync_id": str(run.id), "generation": run.generation},
        account_id=run.account_id,
        not_before=not_before,
    )


async def start(
    session: AsyncSession,
    account: AccountScope,
    segment_id: uuid.UUID,
    *,
    start_within: timedelta,
    trigger: SyncTrigger = SyncTrigger.MANUAL,
    use_default_mapping: bool = False,
) -> SyncRun:
    """Records a pending run and, with it, the job that will run it. `start_within` is how
    long the job may take to start before the sweeper sends another (a lost job, a Redis
    flush).

    A segment whose mapping nobody confirmed is refused (409 `mapping_not_confirmed`), unless
    `use_default_mapping`: then the default mapping is saved as its confirmed one first. The
    run's config (the mapping resolved, the segment's and integration's settings) is fixed
    here, with warnings for mapped attributes archived or removed in Intercom."""
    # Shared locks on the segment and its integration: a run is never inserted beside a
    # disconnect or a delete that would not see it to cancel it (they wait for this
    # transaction, or it waits for theirs and then finds the segment gone: a 404). Accepting
    # the default mapping writes the segment first, before these locks (see confirm_default_by_id).
    if use_default_mapping:
        await mapping_service.confirm_default_by_id(
            session, account, segment_id, now=datetime.now(UTC)
        )
    segment = await segment_service.get(session, account, segment_id, share_lock=True)
    segment_service.ensure_syncable(segment)
    integration = await integration_service.get(session, account, segment.integration_id)
    integration_service.ensure_usable(integration)
    if segment.mapping_confirmed_at is None:
        raise MappingNotConfirmed(segment.id)
    config, warnings = await mapping_service.run_config(session, account, segment, integration)
    if not any(entry.target == Target.EMAIL for entry in config.mapping):
        raise MappingWithoutEmail(segment.id)
    try:
        filters.predicate(config)
    except FiltersInvalid as exc:
        raise FiltersOutOfDate(segment.id, exc.extensions["errors"]) from exc
    if config.filters is not None and config.filters.groups and not pushdown.pushed_filters(config):
        # Every contact of the list is read to be filtered here: a user wondering why this
        # run reads so much for so few is told.
        warnings.append({"code": "filters_run_locally"})
    repository = SyncRunRepository(session)
    new_id = await repository.insert_pending(
        {
            "id": uuid.uuid4(),
            "account_id": account.id,
            "segment_id": segment.id,
            "status": SyncStatus.PENDING,
            "trigger": trigger,
            "skipped_reasons": {},
            "failed_reasons": {},
            "generation": 0,
            "config": config.to_json(),
            "warnings": warnings,
            # On the database's clock, the one the sweeper compares it with.
            "lease_expires_at": func.now() + start_within,
        }
    )
    if new_id is None:
        active = await repository.active_for_segment(account, segment.id)
        # The active run may have ended in between: then the caller simply tries again.
        raise SyncAlreadyActive(active.id if active else None)
    run = await repository.get_for_account(account, new_id)
    if run is None:  # inserted by this very transaction: cannot happen
        raise RuntimeError(f"sync {new_id} vanished after its insert")
    continue_run(session, run)
    return run


async def cancel_active(
    session: AsyncSession,
    account: AccountScope,
    segment_ids: Sequence[uuid.UUID],
    *,
    code: str,
    message: str,
) -> int:
    """Ends the segments' pending and running runs as cancelled, keeping what they committed.

    A worker working one of them notices at its next batch or heartbeat: every write is fenced
    by an active status, so it stops and writes nothing more. Returns how many were cancelled.
    """
    return await SyncRunRepository(session).cancel_active(
        account, segment_ids, code=code, message=message
    )


async def cancel(session: AsyncSession, account: AccountScope, sync_id: uuid.UUID) -> SyncRun:
    """A pending run never starts; a running one stops at its next batch (whose write finds
    the run no longer active and rolls back), keeping what it committed, with its partial
    report. Cancelling a cancelled run answers it again; a finished or failed one is a 409."""
    run = await SyncRunRepository(session).get_for_account(account, sync_id, lock=True)
    if run is None:
        raise SyncNotFound(sync_id)
    if run.status == SyncStatus.CANCELLED:
        return run
    if run.status not in ACTIVE_STATUSES:
        raise SyncNotActive(run.id, run.status)
    run.status = SyncStatus.CANCELLED
    count_on_commit(session, metrics.SYNCS_FINISHED.labels("cancelled"))
    run.error_code = "cancelled"
    run.error = "Cancelled by a user."
    run.finished_at = datetime.now(UTC)
    run.lease_owner = None
    run.lease_expires_at = None
    run.progress_seq += 1
    await session.flush()
    log.info("syncs.cancelled", sync_id=str(sync_id))
    return run
