from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.models import Account, Integration, Segment, SyncRun
from app.domain.models.integrations import REAUTH_REQUIRED
from app.domain.scope import AccountScope


class IntegrationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_for_account(
        self, account: AccountScope, integration_id: uuid.UUID
    ) -> Integration | None:
        return await self.session.scalar(
            select(Integration).where(
                Integration.id == integration_id,
                Integration.account_id == account.id,
                Integration.disconnected_at.is_(None),
            )
        )

    async def list_for_account(self, account: AccountScope) -> Sequence[Integration]:
        result = await self.session.scalars(
            select(Integration)
            .where(Integration.account_id == account.id, Integration.disconnected_at.is_(None))
            .order_by(Integration.slot)
        )
        return result.all()

    async def lock_account(self, account: AccountScope) -> None:
        """Serialises changes to an account's integrations (two connects cannot take one slot)."""
        await self.session.execute(
            select(Account.id).where(Account.id == account.id).with_for_update()
        )

    async def require_reauth(self, account: AccountScope, integration_id: uuid.UUID) -> None:
        """Intercom refused the integration's token: nothing works until it is reconnected."""
        await self.session.execute(
            update(Integration)
            .where(Integration.id == integration_id, Integration.account_id == account.id)
            .values(status=REAUTH_REQUIRED)
        )

    async def last_sync(self, account: AccountScope, integration_id: uuid.UUID) -> SyncRun | None:
        return await self.session.scalar(
            select(SyncRun)
            .join(Segment, Segment.id == SyncRun.segment_id)
            .where(SyncRun.account_id == account.id, Segment.integration_id == integration_id)
            .order_by(SyncRun.created_at.desc(), SyncRun.id.desc())
            .limit(1)
        )
