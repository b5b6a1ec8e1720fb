from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.customers.repository import CustomerRepository
from app.domain.customers.schemas import CustomerPage, CustomerRead
from app.domain.pagination import decode_cursor, encode_cursor
from app.domain.scope import AccountScope
from app.errors import InvalidInput


async def list_page(
    session: AsyncSession, account: AccountScope, *, cursor: str | None, limit: int
) -> CustomerPage:
    after: tuple[datetime, uuid.UUID] | None = None
    if cursor:
        created_at, customer_id = decode_cursor(cursor, arity=2)
        try:
            after = (datetime.fromisoformat(created_at), uuid.UUID(customer_id))
        except (TypeError, ValueError):
            raise InvalidInput("cursor", "is not a cursor returned by this API") from None
    rows = await CustomerRepository(session).page_for_account(
        account.id, after=after, limit=limit + 1
    )
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = encode_cursor([last.created_at.isoformat(), str(last.id)])
    return CustomerPage(
        data=[CustomerRead.model_validate(row) for row in page], next_cursor=next_cursor
    )
