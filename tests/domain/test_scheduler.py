"""The auto-sync scheduler on real PostgreSQL with a recording queue and a clock the test
controls. The clock is a year ahead, so that the test worker's own ticks (on the real clock)
never see these segments due."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.crypto import SecretBox
from app.db import transaction
from app.domain.models import Integration, Segment, SegmentKind, SyncRun, SyncStatus, SyncTrigger
from app.domain.models.integrations import REAUTH_REQUIRED
from app.domain.schedule import scheduler
from app.domain.schedule.slots import next_slot
from app.domain.segments import service as segment_service
from tests.fakes.queue import RecordingQueue
from tests.fixtures.factories import Tenant, create_integration, create_tenant

DAY = timedelta(days=1)
START_WITHIN = timedelta(minutes=5)


def far_clock() -> datetime:
    return datetime.now(UTC) + timedelta(days=365)


async def add_segment(
    sessionmaker: async_sessionmaker[AsyncSession],
    tenant: Tenant,
    integration_id: uuid.UUID,
    *,
    next_sync_at: datetime | None,
    auto_sync: bool = True,
    mapping_confirmed: bool = True,
) -> uuid.UUID:
    async with transaction(sessionmaker) as session:
        segment = Segment(
            account_id=tenant.account_id,
            integration_id=integration_id,
            kind=SegmentKind.INTERCOM,
            source_key=f"intercom:{uuid.uuid4().hex}",
            intercom_segment_id=uuid.uuid4().hex,
            name="VIPs",
            person_type="user",
            auto_sync=auto_sync,
            next_sync_at=next_sync_at,
            mapping=[{"attribute": "email", "property": "email"}] if mapping_confirmed else None,
            mapping_confirmed_at=datetime.now(UTC) if mapping_confirmed else None,
        )
        session.add(segment)
    return segment.id


async def new_integration(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> tuple[Tenant, uuid.UUID]:
    tenant = await create_tenant(sessionmaker)
    cipher = SecretBox(settings.encryption_keys)
    return tenant, await create_integration(sessionmaker, tenant, cipher.encrypt("token"))


async def runs_of(
    sessionmaker: async_sessionmaker[AsyncSession], segment_id: uuid.UUID
) -> list[SyncRun]:
    async with sessionmaker() as session:
        result = await session.scalars(select(SyncRun).where(SyncRun.segment_id == segment_id))
        return list(result.all())


async def next_sync_of(
    sessionmaker: async_sessionmaker[AsyncSession], segment_id: uuid.UUID
) -> datetime | None:
    async with sessionmaker() as session:
        segment = await session.get(Segment, segment_id)
        assert segment is not None
        return segment.next_sync_at


async def tick(
    sessionmaker: async_sessionmaker[AsyncSession], queue: RecordingQueue, now: datetime
) -> scheduler.TickResult:
    return await scheduler.tick(sessionmaker, queue, now=now, start_within=START_WITHIN)


@pytest.fixture
def queue() -> RecordingQueue:
    return RecordingQueue()


async def test_a_due_segment_starts_one_auto_run_and_moves_to_its_next_slot(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, queue: RecordingQueue
) -> None:
    tenant, integration_id = await new_integration(sessionmaker, settings)
    now = far_clock()
    segment_id = await add_segment(
        sessionmaker, tenant, integration_id, next_sync_at=now - timedelta(minutes=1)
    )

    result = await tick(sessionmaker, queue, now)

    assert segment_id in result.started
    [run] = await runs_of(sessionmaker, segment_id)
    assert run.trigger == SyncTrigger.AUTO
    assert run.status == SyncStatus.PENDING
    assert run.account_id == tenant.account_id  # the run belongs to its segment's account
    assert any(job.kwargs["sync_id"] == str(run.id) for job in queue.jobs)
    assert await next_sync_of(sessionmaker, segment_id) == next_slot(segment_id, DAY, after=now)


async def test_a_segment_not_yet_due_is_left_alone(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, queue: RecordingQueue
) -> None:
    tenant, integration_id = await new_integration(sessionmaker, settings)
    now = far_clock()
    due_at = now + timedelta(minutes=1)
    segment_id = await add_segment(sessionmaker, tenant, integration_id, next_sync_at=due_at)
    off_id = await add_segment(
        sessionmaker, tenant, integration_id, next_sync_at=now - DAY, auto_sync=False
    )

    result = await tick(sessionmaker, queue, now)

    assert segment_id not in result.started
    assert off_id not in result.started
    assert await runs_of(sessionmaker, segment_id) == []
    assert await runs_of(sessionmaker, off_id) == []
    assert await next_sync_of(sessionmaker, segment_id) == due_at


async def test_slots_missed_for_five_days_run_once(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, queue: RecordingQueue
) -> None:
    tenant, integration_id = await new_integration(sessionmaker, settings)
    now = far_clock()
    segment_id = await add_segment(sessionmaker, tenant, integration_id, next_sync_at=None)
    first = next_slot(segment_id, DAY, after=now - 6 * DAY)
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Segment).where(Segment.id == segment_id).values(next_sync_at=first)
        )

    await tick(sessionmaker, queue, now)
    await tick(sessionmaker, queue, now + timedelta(seconds=1))

    assert len(await runs_of(sessionmaker, segment_id)) == 1
    assert await next_sync_of(sessionmaker, segment_id) == next_slot(segment_id, DAY, after=now)
    assert now < next_slot(segment_id, DAY, after=now) <= now + DAY


async def test_a_slot_that_finds_a_run_still_active_is_skipped(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, queue: RecordingQueue
) -> None:
    tenant, integration_id = await new_integration(sessionmaker, settings)
    now = far_clock()
    segment_id = await add_segment(sessionmaker, tenant, integration_id, next_sync_at=now)
    await tick(sessionmaker, queue, now)
    [active] = await runs_of(sessionmaker, segment_id)

    # A day later the first run is still pending (say a long import): no second run.
    later = now + 2 * DAY
    result = await tick(sessionmaker, queue, later)

    assert result.skipped[segment_id] == "active_run"
    assert [run.id for run in await runs_of(sessionmaker, segment_id)] == [active.id]
    assert await next_sync_of(sessionmaker, segment_id) == next_slot(segment_id, DAY, after=later)


async def test_segments_of_an_integration_that_needs_a_reconnect_are_skipped(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, queue: RecordingQueue
) -> None:
    tenant, integration_id = await new_integration(sessionmaker, settings)
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Integration)
            .where(Integration.id == integration_id)
            .values(status=REAUTH_REQUIRED)
        )
    now = far_clock()
    segment_id = await add_segment(sessionmaker, tenant, integration_id, next_sync_at=now)

    result = await tick(sessionmaker, queue, now)

    assert result.skipped[segment_id] == "reauth_required"
    assert await runs_of(sessionmaker, segment_id) == []
    assert await next_sync_of(sessionmaker, segment_id) == next_slot(segment_id, DAY, after=now)


async def test_one_segment_that_cannot_start_does_not_block_the_others(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, queue: RecordingQueue
) -> None:
    tenant, integration_id = await new_integration(sessionmaker, settings)
    now = far_clock()
    missing = await add_segment(sessionmaker, tenant, integration_id, next_sync_at=now)
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Segment).where(Segment.id == missing).values(missing_since=now)
        )
    healthy = await add_segment(sessionmaker, tenant, integration_id, next_sync_at=now)

    result = await scheduler.tick(
        sessionmaker, queue, now=now, start_within=START_WITHIN, batch_size=1
    )

    assert result.skipped[missing] == "segment_missing"
    assert healthy in result.started
    assert len(await runs_of(sessionmaker, healthy)) == 1


def test_switching_auto_sync_on_schedules_the_next_slot_and_off_clears_it() -> None:
    now = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    segment = Segment(id=uuid.uuid4(), auto_sync=False)

    segment_service.set_auto_sync(segment, True, now=now)
    assert segment.auto_sync is True
    assert segment.next_sync_at == next_slot(segment.id, DAY, after=now)
    assert now < segment.next_sync_at <= now + DAY

    segment_service.set_auto_sync(segment, False, now=now)
    assert segment.next_sync_at is None


async def test_a_due_segment_whose_mapping_was_never_confirmed_is_skipped_and_moves_on(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, queue: RecordingQueue
) -> None:
    tenant, integration_id = await new_integration(sessionmaker, settings)
    now = far_clock()
    segment_id = await add_segment(
        sessionmaker,
        tenant,
        integration_id,
        next_sync_at=now - timedelta(minutes=1),
        mapping_confirmed=False,
    )

    result = await tick(sessionmaker, queue, now)

    assert result.skipped[segment_id] == "mapping_not_confirmed"
    assert await runs_of(sessionmaker, segment_id) == []
    assert await next_sync_of(sessionmaker, segment_id) == next_slot(segment_id, DAY, after=now)
