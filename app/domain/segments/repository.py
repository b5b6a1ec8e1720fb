from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import case, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.models import Integration, Segment, SegmentKind, SyncRun
from app.domain.scope import AccountScope


class SegmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_for_account(self, account: AccountScope, segment_id: uuid.UUID) -> Segment | None:
        """A visible segment: not deleted, of a connected integration."""
        return await self.session.scalar(
            select(Segment)
            .join(Integration, Integration.id == Segment.integration_id)
            .where(
                Segment.id == segment_id,
                Segment.account_id == account.id,
                Segment.removed_at.is_(None),
                Integration.disconnected_at.is_(None),
            )
        )

    async def list_for_integration(
        self, account: AccountScope, integration_id: uuid.UUID
    ) -> Sequence[Segment]:
        kind_order = case(
            {SegmentKind.USERS: 0, SegmentKind.LEADS: 1, SegmentKind.INTERCOM: 2},
            value=Segment.kind,
            else_=3,
        )
        result = await self.session.scalars(
            select(Segment)
            .where(
                Segment.account_id == account.id,
                Segment.integration_id == integration_id,
                Segment.removed_at.is_(None),
            )
            .order_by(kind_order, Segment.name, Segment.id)
        )
        return result.all()

    async def all_for_integration(
        self, account: AccountScope, integration_id: uuid.UUID
    ) -> Sequence[Segment]:
        """Including removed ones."""
        result = await self.session.scalars(
            select(Segment).where(
                Segment.account_id == account.id, Segment.integration_id == integration_id
            )
        )
        return result.all()

    async def last_syncs(
        self, account: AccountScope, segment_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, SyncRun]:
        if not segment_ids:
            return {}
        result = await self.session.scalars(
            select(SyncRun)
            .where(SyncRun.account_id == account.id, SyncRun.segment_id.in_(segment_ids))
            .order_by(SyncRun.segment_id, SyncRun.created_at.desc())
            .ext(distinct_on(SyncRun.segment_id))
        )
        return {run.segment_id: run for run in result.all()}
