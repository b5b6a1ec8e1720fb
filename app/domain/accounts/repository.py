from __future__ import annotations

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.models import Account, ApiKey


class AccountRepository:
    """Accounts are looked up by id or by the credential that names them: before
    authentication (or for the main product's internal calls) there is no account scope."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def revoke_keys(
        self, *, key_hash: str | None = None, prefix: str | None = None, at_most: int = 1
    ) -> int:
        """Revokes the live key of `key_hash`, or the live key listed by `prefix`; none when
        more than `at_most` match (then the count, negated)."""
        matches = ApiKey.key_hash == key_hash if key_hash is not None else ApiKey.prefix == prefix
        live = (
            await self.session.scalars(
                select(ApiKey.id).where(matches, ApiKey.revoked_at.is_(None)).with_for_update()
            )
        ).all()
        if len(live) > at_most:
            return -len(live)
        await self.session.execute(
            update(ApiKey).where(ApiKey.id.in_(live)).values(revoked_at=func.now())
        )
        return len(live)

    async def get(self, account_id: uuid.UUID, *, lock: bool = False) -> Account | None:
        """`lock`: serialises changes that count across the account (auto-sync quota,
        integration slots)."""
        if lock:
            # NO KEY UPDATE: inserts referencing the account (KEY SHARE) go on meanwhile.
            return await self.session.get(
                Account, account_id, with_for_update={"key_share": True}, populate_existing=True
            )
        # Read once per session: the account's page reads it, then its quota does.
        return await self.session.get(Account, account_id)
