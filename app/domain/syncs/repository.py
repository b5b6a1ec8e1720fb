from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.models import SyncRun, SyncStatus
from app.domain.models.syncs import ACTIVE_STATUSES


class SyncRunRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_for_account(self, account_id: uuid.UUID, sync_id: uuid.UUID) -> SyncRun | None:
        return await self.session.scalar(
            select(SyncRun).where(SyncRun.id == sync_id, SyncRun.account_id == account_id)
        )

    async def active_for_segment(
        self, account_id: uuid.UUID, segment_id: uuid.UUID
    ) -> SyncRun | None:
        return await self.session.scalar(
            select(SyncRun).where(
                SyncRun.account_id == account_id,
                SyncRun.segment_id == segment_id,
                SyncRun.status.in_(ACTIVE_STATUSES),
            )
        )

    async def lock_for_job(self, sync_id: uuid.UUID) -> SyncRun | None:
        """For the worker, which acts for whichever account owns the run it was handed."""
        return await self.session.scalar(
            select(SyncRun).where(SyncRun.id == sync_id).with_for_update()
        )

    async def stale_pending(self, created_before: datetime) -> Sequence[uuid.UUID]:
        """Pending runs whose job may have been lost; across accounts, for the sweeper."""
        result = await self.session.scalars(
            select(SyncRun.id).where(
                SyncRun.status == SyncStatus.PENDING, SyncRun.created_at < created_before
            )
        )
        return result.all()
