from __future__ import annotations

import uuid

from pydantic import ConfigDict
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.customers.schemas import CUSTOMER_EVENT_EXAMPLE, CustomerEventRead
from app.domain.integrations import service as integration_service
from app.domain.models import IntercomEvent
from app.domain.pagination import Page, decode_cursor, encode_cursor
from app.domain.scope import AccountScope
from app.errors import InvalidInput


class IntercomEventPage(Page[CustomerEventRead]):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"data": [CUSTOMER_EVENT_EXAMPLE], "next_cursor": None}]}
    )


async def for_integration(
    session: AsyncSession,
    account: AccountScope,
    integration_id: uuid.UUID,
    *,
    cursor: str | None,
    limit: int,
) -> IntercomEventPage:
    """The integration's events for Intercom, newest first."""
    await integration_service.get(session, account, integration_id)  # 404 if not the account's
    query = select(IntercomEvent).where(
        IntercomEvent.account_id == account.id, IntercomEvent.integration_id == integration_id
    )
    if cursor:
        (before,) = decode_cursor(cursor, arity=1)
        if not isinstance(before, int) or isinstance(before, bool) or not 0 < before < 2**63:
            raise InvalidInput("query.cursor", "is not a cursor returned by this API")
        query = query.where(IntercomEvent.id < before)
    rows = (await session.scalars(query.order_by(IntercomEvent.id.desc()).limit(limit + 1))).all()
    page = rows[:limit]
    return IntercomEventPage(
        data=[CustomerEventRead.model_validate(row, from_attributes=True) for row in page],
        next_cursor=encode_cursor([page[-1].id]) if len(rows) > limit else None,
    )
