from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.models import Integration


class IntegrationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_for_account(
        self, account_id: uuid.UUID, integration_id: uuid.UUID
    ) -> Integration | None:
        return await self.session.scalar(
            select(Integration).where(
                Integration.id == integration_id, Integration.account_id == account_id
            )
        )

    async def list_for_account(self, account_id: uuid.UUID) -> Sequence[Integration]:
        result = await self.session.scalars(
            select(Integration)
            .where(Integration.account_id == account_id)
            .order_by(Integration.slot)
        )
        return result.all()
