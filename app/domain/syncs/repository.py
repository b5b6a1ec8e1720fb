from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from app import metrics
from app.db import count_on_commit
from app.domain.models import PartitionStatus, SyncFailure, SyncPartition, SyncRun, SyncStatus
from app.domain.models.syncs import ACTIVE_PREDICATE, ACTIVE_STATUSES
from app.domain.scope import AccountScope


class SyncRunRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_for_account(
        self, account: AccountScope, sync_id: uuid.UUID, *, lock: bool = False
    ) -> SyncRun | None:
        query = select(SyncRun).where(SyncRun.id == sync_id, SyncRun.account_id == account.id)
        if lock:
            # As a batch's write locks it: a cancel and a batch take turns.
            query = query.with_for_update(key_share=True).execution_options(populate_existing=True)
        return await self.session.scalar(query)

    async def active_for_segment(
        self, account: AccountScope, segment_id: uuid.UUID
    ) -> SyncRun | None:
        return await self.session.scalar(
            select(SyncRun).where(
                SyncRun.account_id == account.id,
                SyncRun.segment_id == segment_id,
                SyncRun.status.in_(ACTIVE_STATUSES),
            )
        )

    async def insert_pending(self, values: dict[str, Any]) -> uuid.UUID | None:
        """Inserts a pending run unless one is active for the segment (the partial unique index
        decides, so concurrent requests cannot both win and no failed flush poisons the
        session). Returns the new run's id, or None."""
        statement = (
            insert(SyncRun)
            .values(**values)
            .on_conflict_do_nothing(
                index_elements=[SyncRun.segment_id],
                # Literal, not bound: PostgreSQL matches the partial index by its predicate,
                # and a prepared statement's generic plan cannot see parameter values.
                index_where=text(ACTIVE_PREDICATE),
            )
            .returning(SyncRun.id)
        )
        inserted: uuid.UUID | None = await self.session.scalar(statement)
        if inserted is not None:
            count_on_commit(self.session, metrics.SYNCS_STARTED.labels(str(values["trigger"])))
        return inserted

    async def cancel_active(
        self,
        account: AccountScope,
        segment_ids: Sequence[uuid.UUID],
        *,
        code: str,
        message: str,
    ) -> int:
        if not segment_ids:
            return 0
        # The partitions of fanned-out runs first, in one order: a partition's batch holds its
        # partition, then customers, and takes the run last; waiting for the partition (not
        # the run) lets such a batch finish before this transaction goes on to customers.
        active = (
            select(SyncRun.id)
            .where(
                SyncRun.account_id == account.id,
                SyncRun.segment_id.in_(segment_ids),
                SyncRun.status.in_(ACTIVE_STATUSES),
            )
            .scalar_subquery()
        )
        await self.session.execute(
            select(SyncPartition.run_id)
            .where(SyncPartition.account_id == account.id, SyncPartition.run_id.in_(active))
            .order_by(SyncPartition.run_id, SyncPartition.number)
            .with_for_update()
        )
        result = await self.session.execute(
            update(SyncRun)
            .where(
                SyncRun.account_id == account.id,
                SyncRun.segment_id.in_(segment_ids),
                SyncRun.status.in_(ACTIVE_STATUSES),
            )
            .values(
                status=SyncStatus.CANCELLED,
                error_code=code,
                error=message,
                finished_at=func.now(),
                lease_owner=None,
                lease_expires_at=None,
                progress_seq=SyncRun.progress_seq + 1,
            )
            .returning(SyncRun.id)
        )
        cancelled = len(result.all())
        count_on_commit(self.session, metrics.SYNCS_FINISHED.labels("cancelled"), cancelled)
        return cancelled

    async def page_for_segment(
        self,
        account: AccountScope,
        segment_id: uuid.UUID,
        *,
        before: tuple[datetime, uuid.UUID] | None,
        limit: int,
    ) -> Sequence[SyncRun]:
        query = select(SyncRun).where(
            SyncRun.account_id == account.id, SyncRun.segment_id == segment_id
        )
        if before is not None:
            query = query.where(tuple_(SyncRun.created_at, SyncRun.id) < tuple_(*before))
        result = await self.session.scalars(
            query.order_by(SyncRun.created_at.desc(), SyncRun.id.desc()).limit(limit)
        )
        return result.all()

    async def failures(
        self, account: AccountScope, run_id: uuid.UUID, *, after: int | None, limit: int
    ) -> Sequence[SyncFailure]:
        query = select(SyncFailure).where(
            SyncFailure.account_id == account.id, SyncFailure.run_id == run_id
        )
        if after is not None:
            query = query.where(SyncFailure.id > after)
        result = await self.session.scalars(query.order_by(SyncFailure.id).limit(limit))
        return result.all()

    async def add_failures(
        self, account: AccountScope, run_id: uuid.UUID, failures: Sequence[tuple[str, str]]
    ) -> None:
        if failures:
            await self.session.execute(
                insert(SyncFailure),
                [
                    {
                        "run_id": run_id,
                        "account_id": account.id,
                        "intercom_contact_id": contact_id,
                        "reason": reason[:200],
                    }
                    for contact_id, reason in failures
                ],
            )

    # -- the worker's side: a run id handed to a job, fenced by generation and lease owner ----

    async def claim(
        self, sync_id: uuid.UUID, generation: int, owner: str, lease: timedelta
    ) -> SyncRun | None:
        """Takes the run's lease for the job of `generation`, if that job is still current and
        no live worker holds the lease. The job acts for the account that owns the run."""
        now = func.now()
        return await self.session.scalar(
            update(SyncRun)
            .where(
                SyncRun.id == sync_id,
                SyncRun.generation == generation,
                SyncRun.status.in_(ACTIVE_STATUSES),
                (SyncRun.lease_owner.is_(None)) | (SyncRun.lease_expires_at < now),
                # A fanned-out run is its partitions' until the last one hands it back.
                func.coalesce(SyncRun.checkpoint.has_key("fanned_out"), False).is_(False),
            )
            .values(
                status=SyncStatus.RUNNING,
                started_at=func.coalesce(SyncRun.started_at, now),
                lease_owner=owner,
                lease_expires_at=now + lease,
            )
            .returning(SyncRun)
        )

    async def lock_leased(
        self, sync_id: uuid.UUID, generation: int, owner: str, lease: timedelta
    ) -> SyncRun | None:
        """The run, locked and its lease renewed, if `owner` still holds it; else None (the
        sweeper gave the run to another job: the caller must write nothing)."""
        return await self.session.scalar(
            update(SyncRun)
            .where(
                SyncRun.id == sync_id,
                SyncRun.generation == generation,
                SyncRun.lease_owner == owner,
                SyncRun.status.in_(ACTIVE_STATUSES),
            )
            .values(lease_expires_at=func.now() + lease)
            .returning(SyncRun)
        )

    async def lapsed(self, limit: int = 100) -> Sequence[SyncRun]:
        """Active runs whose lease lapsed: their worker died, or their job never started (lost
        in a Redis flush). Across accounts, for the sweeper; locked, skipping runs another
        sweeper or a live worker holds."""
        result = await self.session.scalars(
            select(SyncRun)
            .where(SyncRun.status.in_(ACTIVE_STATUSES), SyncRun.lease_expires_at < func.now())
            .order_by(SyncRun.lease_expires_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return result.all()

    async def get_for_job(self, sync_id: uuid.UUID) -> SyncRun | None:
        """Reads a run by the id a job was handed, checkpoint included."""
        return await self.session.scalar(
            select(SyncRun).where(SyncRun.id == sync_id).options(undefer(SyncRun.checkpoint))
        )

    async def lock_running(self, sync_id: uuid.UUID) -> SyncRun | None:
        """The run, locked, if it is running: what a partition's batch adds its counters to."""
        return await self.session.scalar(
            select(SyncRun)
            .where(SyncRun.id == sync_id, SyncRun.status == SyncStatus.RUNNING)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )


class SyncPartitionRepository:
    """The worker's side of fanned-out runs' partitions, fenced like runs (by generation and
    lease owner); across accounts, each partition acting for the account of its row."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, sync_id: uuid.UUID, number: int) -> SyncPartition | None:
        return await self.session.get(SyncPartition, (sync_id, number))

    async def claim(
        self, sync_id: uuid.UUID, number: int, generation: int, owner: str, lease: timedelta
    ) -> SyncPartition | None:
        now = func.now()
        return await self.session.scalar(
            update(SyncPartition)
            .where(
                SyncPartition.run_id == sync_id,
                SyncPartition.number == number,
                SyncPartition.generation == generation,
                SyncPartition.status != PartitionStatus.DONE,
                (SyncPartition.lease_owner.is_(None)) | (SyncPartition.lease_expires_at < now),
                _run_is_running(),
            )
            .values(status=PartitionStatus.RUNNING, lease_owner=owner, lease_expires_at=now + lease)
            .returning(SyncPartition)
        )

    async def lock_leased(
        self, sync_id: uuid.UUID, number: int, generation: int, owner: str, lease: timedelta
    ) -> SyncPartition | None:
        return await self.session.scalar(
            update(SyncPartition)
            .where(
                SyncPartition.run_id == sync_id,
                SyncPartition.number == number,
                SyncPartition.generation == generation,
                SyncPartition.lease_owner == owner,
                SyncPartition.status == PartitionStatus.RUNNING,
                _run_is_running(),
            )
            .values(lease_expires_at=func.now() + lease)
            .returning(SyncPartition)
            .execution_options(populate_existing=True)
        )

    async def open_count(self, sync_id: uuid.UUID) -> int:
        count = await self.session.scalar(
            select(func.count())
            .select_from(SyncPartition)
            .where(SyncPartition.run_id == sync_id, SyncPartition.status != PartitionStatus.DONE)
        )
        return int(count or 0)

    async def lapsed(self, limit: int = 100) -> Sequence[SyncPartition]:
        result = await self.session.scalars(
            select(SyncPartition)
            .where(
                SyncPartition.status != PartitionStatus.DONE,
                SyncPartition.lease_expires_at < func.now(),
            )
            .order_by(SyncPartition.lease_expires_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return result.all()


def _run_is_running() -> Any:
    return (
        select(SyncRun.id)
        .where(SyncRun.id == SyncPartition.run_id, SyncRun.status == SyncStatus.RUNNING)
        .exists()
    )
