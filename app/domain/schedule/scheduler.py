"""Auto-sync: every list or segment with auto-sync on is synced once a day, at its own slot.

A tick, given `now` (so that tests control the clock), starts a run for every segment whose
`next_sync_at` has passed and moves it to the segment's next slot after `now`: a segment whose
slots were missed (workers down for days) runs once, not once per missed day. A segment whose
run is still active skips the slot (never two runs of one segment at once); one whose
integration needs a reconnect, or cannot be synced at all, skips it too. Each segment is
started in a savepoint of its own, so that one failure never blocks the others.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.integrations.errors import IntegrationNeedsReauth
from app.domain.models import Integration, Segment, SyncTrigger
from app.domain.outbox.service import unit_of_work
from app.domain.ports import JobQueue
from app.domain.schedule.slots import next_slot
from app.domain.scope import AccountScope
from app.domain.segments.service import AUTO_SYNC_PERIOD
from app.domain.syncs import commands
from app.domain.syncs.errors import SyncAlreadyActive
from app.errors import AppError

log = structlog.get_logger(__name__)

# The first slot is set when auto-sync is switched on (segments.service.set_auto_sync).
DAY = AUTO_SYNC_PERIOD


@dataclass
class TickResult:
    started: list[uuid.UUID] = field(default_factory=list)
    # segment id -> why its slot was skipped (active_run, reauth_required, or an error code)
    skipped: dict[uuid.UUID, str] = field(default_factory=dict)


async def tick(
    sessionmaker: async_sessionmaker[AsyncSession],
    queue: JobQueue,
    *,
    now: datetime,
    start_within: timedelta,
    batch_size: int = 100,
    max_batches: int = 100,
) -> TickResult:
    """Starts the runs due at `now`, each segment in a transaction of its own (at most
    `batch_size` times `max_batches` a tick: the next tick goes on). A run's job is sent when its
    transaction commits."""
    result = TickResult()
    for _ in range(max_batches):
        async with sessionmaker() as session:
            due = await _due(session, now, batch_size)
        for segment_id, account_id, integration_id in due:
            async with unit_of_work(sessionmaker, queue) as session:
                if not await _claim_slot(session, segment_id, integration_id, now):
                    continue  # another tick took it
                reason = await _start(session, segment_id, account_id, start_within)
            if reason is None:
                result.started.append(segment_id)
            else:
                result.skipped[segment_id] = reason
        if len(due) < batch_size:
            break
    if result.started or result.skipped:
        log.info("schedule.ticked", started=len(result.started), skipped=len(result.skipped))
    return result


async def _due(
    session: AsyncSession, now: datetime, limit: int
) -> list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]]:
    """Due segments (id, account id, integration id), unlocked: each is claimed on its own.
    The scheduler works for every account: each run is started in its segment's account."""
    rows = await session.execute(
        select(Segment.id, Segment.account_id, Segment.integration_id)
        .where(Segment.auto_sync.is_(True), Segment.next_sync_at <= now)
        .order_by(Segment.next_sync_at)
        .limit(limit)
    )
    return [(row[0], row[1], row[2]) for row in rows]


async def _claim_slot(
    session: AsyncSession, segment_id: uuid.UUID, integration_id: uuid.UUID, now: datetime
) -> bool:
    """Moves the segment to its next slot if it is still due: of two ticks, one claims it.
    The integration is share-locked first, the order of every writer of an integration and
    its segments (a disconnect, a refresh), so that the claim never deadlocks with them."""
    await session.execute(
        select(Integration.id).where(Integration.id == integration_id).with_for_update(read=True)
    )
    claimed = await session.scalar(
        update(Segment)
        .where(
            Segment.id == segment_id,
            Segment.auto_sync.is_(True),
            Segment.next_sync_at <= now,
        )
        .values(next_sync_at=next_slot(segment_id, DAY, after=now))
        .returning(Segment.id)
    )
    return claimed is not None


async def _start(
    session: AsyncSession, segment_id: uuid.UUID, account_id: uuid.UUID, start_within: timedelta
) -> str | None:
    """Starts the segment's run in a savepoint; None when it started, else why not."""
    try:
        async with session.begin_nested():
            await commands.start(
                session,
                AccountScope(account_id),
                segment_id,
                start_within=start_within,
                trigger=SyncTrigger.AUTO,
            )
    except SyncAlreadyActive:
        log.info("schedule.skipped", segment_id=str(segment_id), reason="active_run")
        return "active_run"
    except IntegrationNeedsReauth:
        # Scheduled work is refused until the workspace is connected again.
        log.warning("schedule.skipped", segment_id=str(segment_id), reason="reauth_required")
        return "reauth_required"
    except AppError as exc:  # missing from Intercom, removed, disconnected
        log.warning("schedule.skipped", segment_id=str(segment_id), reason=exc.code)
        return exc.code
    except Exception as exc:
        log.exception("schedule.start_failed", segment_id=str(segment_id))
        return f"internal_error:{type(exc).__name__}"
    return None
