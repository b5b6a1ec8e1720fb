from __future__ import annotations

import unicodedata
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.customers.repository import CustomerRepository
from app.domain.customers.schemas import CustomerPage, CustomerRead
from app.domain.models import Customer
from app.domain.pagination import decode_cursor, encode_cursor
from app.domain.scope import AccountScope
from app.domain.types import has_control_characters
from app.errors import InvalidInput


async def list_page(
    session: AsyncSession,
    account: AccountScope,
    *,
    cursor: str | None,
    limit: int,
    tag: str | None = None,
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
    if tag is not None:
        if has_control_characters(tag):
            raise InvalidInput("query.tag", "must not contain control characters")
        # Tags are stored composed (SafeText): "Café" typed either way finds them.
        tag = unicodedata.normalize("NFC", tag.strip())
    repository = CustomerRepository(session)
    rows = await repository.page_for_account(account, after=after, limit=limit + 1, tag=tag)
    page = rows[:limit]
    tags = await repository.tags_of(account, [row.id for row in page])
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = encode_cursor([last.created_xid, str(last.id)])
    return CustomerPage(
        data=[to_read(row, tags.get(row.id, [])) for row in page], next_cursor=next_cursor
    )


def to_read(customer: Customer, tags: list[str]) -> CustomerRead:
    return CustomerRead(
        id=customer.id,
        email=customer.email,
        name=customer.name,
        phone=customer.phone,
        properties=customer.properties,
        tags=tags,
        subscribed=customer.unsubscribed_at is None,
        unsubscribed_at=customer.unsubscribed_at,
        created_at=customer.created_at,
        updated_at=customer.updated_at,
    )
