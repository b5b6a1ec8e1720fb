from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.models import CustomProperty, Segment
from app.domain.scope import AccountScope

# "key_share": a mapping save naming the property holds it until it commits, so a delete
# (which takes "update") waits and then sees the saved mapping; renames are not held up.
Lock = Literal["key_share", "update"] | None


class PropertyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_for_account(self, account: AccountScope) -> Sequence[CustomProperty]:
        result = await self.session.scalars(
            select(CustomProperty)
            .where(CustomProperty.account_id == account.id)
            .order_by(CustomProperty.key, CustomProperty.id)
        )
        return result.all()

    async def get_for_account(
        self, account: AccountScope, key: str, *, lock: Lock = None
    ) -> CustomProperty | None:
        statement = select(CustomProperty).where(
            CustomProperty.account_id == account.id,
            # The unique index's expression: keys are unique without regard to case.
            func.lower(CustomProperty.key) == key.lower(),
        )
        if lock == "key_share":
            statement = statement.with_for_update(read=True, key_share=True)
        elif lock == "update":
            statement = statement.with_for_update()
        return await self.session.scalar(statement)

    async def insert(
        self, account: AccountScope, *, key: str, label: str, type: str
    ) -> CustomProperty | None:
        """Inserts the property unless the account has its key already (the unique index
        decides, so concurrent creates cannot both win and no failed flush poisons the
        session). None when the key was taken."""
        statement = (
            insert(CustomProperty)
            .values(id=uuid.uuid4(), account_id=account.id, key=key, label=label, type=type)
            .on_conflict_do_nothing(
                index_elements=[CustomProperty.account_id, func.lower(CustomProperty.key)]
            )
            .returning(CustomProperty)
        )
        created: CustomProperty | None = await self.session.scalar(statement)
        return created

    async def delete(self, account: AccountScope, property_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(CustomProperty).where(
                CustomProperty.account_id == account.id, CustomProperty.id == property_id
            )
        )

    async def segments_mapping(self, account: AccountScope, key: str) -> Sequence[Segment]:
        """The account's lists and segments (not deleted) whose saved mapping names `key`."""
        result = await self.session.scalars(
            select(Segment)
            .where(
                Segment.account_id == account.id,
                Segment.removed_at.is_(None),
                Segment.mapping.contains([{"property": key}]),
            )
            .order_by(Segment.name, Segment.id)
        )
        return result.all()
