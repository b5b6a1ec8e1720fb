from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.customers.repository import CustomerRepository
from app.domain.customers.schemas import CustomerPage, CustomerRead
from app.domain.pagination import decode_cursor, encode_cursor
from app.domain.scope import AccountScope
from app.errors import InvalidInput


async def list_page(
    session: AsyncSession, account: AccountScope, *, cursor: str | None, limit: int
) -> CustomerPage:
    after: tuple[int, uuid.UUID] | None = None
    if cursor:
        created_xid, customer_id = decode_cursor(cursor, arity=2)
        try:
            # A transaction id: a non-negative bigint (a forged larger one would reach the
            # database and fail there).
            if not isinstance(created_xid, int) or isinstance(created_xid, bool):
                raise TypeError
            if not 0 <= created_xid < 2**63:
                raise ValueError
            after = (created_xid, uuid.UUID(customer_id))
        except (TypeError, ValueError, AttributeError):
            raise InvalidInput("query.cursor", "is not a cursor returned by this API") from None
    rows = await CustomerRepository(session).page_for_account(account, after=after, limit=limit + 1)
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = encode_cursor([last.created_xid, str(last.id)])
    return CustomerPage(
        data=[CustomerRead.model_validate(row) for row in page], next_cursor=next_cursor
    )
