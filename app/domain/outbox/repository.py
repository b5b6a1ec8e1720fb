from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.models import OutboxMessage


class OutboxRepository:
    """The outbox spans accounts on purpose: the relay dispatches everyone's work, by message id;
    what a message does is scoped by the ids in its payload."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(
        self, *, ids: Sequence[uuid.UUID] | None, due_before: datetime, limit: int
    ) -> Sequence[OutboxMessage]:
        """Undispatched messages (of `ids`, or any created before `due_before`), locked so that
        concurrent relays never dispatch one message twice at once."""
        query = select(OutboxMessage).where(OutboxMessage.dispatched_at.is_(None))
        if ids is not None:
            query = query.where(OutboxMessage.id.in_(ids))
        else:
            query = query.where(OutboxMessage.created_at < due_before)
        result = await self.session.scalars(
            query.order_by(OutboxMessage.created_at).limit(limit).with_for_update(skip_locked=True)
        )
        return result.all()

    async def mark_dispatched(self, ids: Sequence[uuid.UUID], at: datetime) -> None:
        await self.session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(dispatched_at=at)
        )

    async def purge_dispatched(self, before: datetime) -> int:
        result = await self.session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.dispatched_at.is_not(None), OutboxMessage.dispatched_at < before
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)
