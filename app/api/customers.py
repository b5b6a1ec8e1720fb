from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import AccountDep, SessionDep
from app.api.problems import problem_responses
from app.domain.customers import service as customer_service
from app.domain.customers.schemas import CustomerPage
from app.domain.pagination import MAX_CURSOR_LENGTH

router = APIRouter(tags=["customers"])


@router.get(
    "/customers",
    response_model=CustomerPage,
    responses=problem_responses(401, 422),
    summary="The account's customers, oldest first, with cursor pagination",
)
async def list_customers(
    account: AccountDep,
    session: SessionDep,
    cursor: Annotated[
        str | None,
        Query(max_length=MAX_CURSOR_LENGTH, description="`next_cursor` of the previous page."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    tag: Annotated[
        str | None,
        Query(min_length=1, max_length=100, description="Only customers with this tag."),
    ] = None,
) -> CustomerPage:
    return await customer_service.list_page(session, account, cursor=cursor, limit=limit, tag=tag)
