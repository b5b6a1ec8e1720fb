"""Reading runs for the API: one run with its progress, a list's history, a run's failures."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.models import SyncRun, SyncStatus
from app.domain.pagination import decode_cursor, encode_cursor
from app.domain.scope import AccountScope
from app.domain.segments import service as segment_service
from app.domain.syncs.errors import SyncNotFound
from app.domain.syncs.repository import SyncRunRepository
from app.domain.syncs.schemas import (
    IntercomUsage,
    SyncCounters,
    SyncFailurePage,
    SyncFailureRead,
    SyncPage,
    SyncProgress,
    SyncRead,
    SyncWarning,
)
from app.errors import InvalidInput

# Below 100 until the run says it is finished: the count it expected may have grown.
_RUNNING_CEILING = 99.9


def progress_of(run: SyncRun, now: datetime) -> SyncProgress:
    """Pure. The percentage only moves forward: `fetched` only grows and `expected` is fixed
    when the run starts. The ETA is the run's average pace so far applied to what is left,
    which settles as the run goes rather than jumping with each batch."""
    processed = run.fetched
    expected = run.expected
    if run.status == SyncStatus.FINISHED:
        return SyncProgress(processed=processed, expected=expected, percent=100.0, eta_s=0.0)
    if expected is None:
        return SyncProgress(processed=processed, expected=None, percent=None, eta_s=None)
    percent = 0.0 if expected == 0 else min(_RUNNING_CEILING, 100.0 * processed / expected)
    eta = None
    if run.status == SyncStatus.RUNNING and run.started_at is not None and processed > 0:
        elapsed = max(0.0, (now - run.started_at).total_seconds())
        eta = round(elapsed / processed * max(0, expected - processed), 1)
    return SyncProgress(
        processed=processed, expected=expected, percent=round(percent, 1), eta_s=eta
    )


def to_read(run: SyncRun, now: datetime | None = None) -> SyncRead:
    now = now or datetime.now(UTC)
    duration = None
    if run.started_at is not None:
        end = run.finished_at or now
        duration = round(max(0.0, (end - run.started_at).total_seconds()), 3)
    return SyncRead(
        id=run.id,
        segment_id=run.segment_id,
        status=run.status,
        trigger=run.trigger,
        counters=SyncCounters.model_validate(run),
        progress=progress_of(run, now),
        intercom=IntercomUsage(
            requests=run.intercom_requests, rate_limit_wait_s=run.rate_limit_wait_ms / 1000
        ),
        duration_s=duration,
        partitions=run.partitions,
        error_code=run.error_code,
        error=run.error,
        warnings=[SyncWarning.model_validate(item) for item in run.warnings or []],
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


async def get(session: AsyncSession, account: AccountScope, sync_id: uuid.UUID) -> SyncRun:
    run = await SyncRunRepository(session).get_for_account(account, sync_id)
    if run is None:
        raise SyncNotFound(sync_id)
    return run


async def history(
    session: AsyncSession,
    account: AccountScope,
    segment_id: uuid.UUID,
    *,
    cursor: str | None,
    limit: int,
) -> SyncPage:
    """A list's runs, newest first."""
    await segment_service.get(session, account, segment_id)
    before: tuple[datetime, uuid.UUID] | None = None
    if cursor:
        created_at, run_id = decode_cursor(cursor, arity=2)
        try:
            moment = datetime.fromisoformat(created_at)
            if moment.tzinfo is None:
                raise ValueError
            before = (moment, uuid.UUID(run_id))
        except (TypeError, ValueError, AttributeError):
            raise InvalidInput("query.cursor", "is not a cursor returned by this API") from None
    rows = await SyncRunRepository(session).page_for_segment(
        account, segment_id, before=before, limit=limit + 1
    )
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = encode_cursor([last.created_at.isoformat(), str(last.id)])
    now = datetime.now(UTC)
    return SyncPage(data=[to_read(run, now) for run in page], next_cursor=next_cursor)


async def failures(
    session: AsyncSession,
    account: AccountScope,
    sync_id: uuid.UUID,
    *,
    cursor: str | None,
    limit: int,
) -> SyncFailurePage:
    await get(session, account, sync_id)
    after = None
    if cursor:
        (after,) = decode_cursor(cursor, arity=1)
        if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after < 2**63:
            raise InvalidInput("query.cursor", "is not a cursor returned by this API")
    rows = await SyncRunRepository(session).failures(account, sync_id, after=after, limit=limit + 1)
    page = rows[:limit]
    next_cursor = encode_cursor([page[-1].id]) if len(rows) > limit else None
    return SyncFailurePage(
        data=[SyncFailureRead.model_validate(row) for row in page], next_cursor=next_cursor
    )
