from __future__ import annotations

import uuid

from fastapi import APIRouter

from app.api.deps import AccountDep, SessionDep
from app.api.problems import problem_responses
from app.domain.syncs import queries
from app.domain.syncs.schemas import SyncRead

router = APIRouter(tags=["syncs"])


@router.get(
    "/syncs/{sync_id}",
    response_model=SyncRead,
    responses=problem_responses(401, 404, 422),
    summary="Status and counters of a sync",
)
async def get_sync(sync_id: uuid.UUID, account: AccountDep, session: SessionDep) -> SyncRead:
    return queries.to_read(await queries.get(session, account, sync_id))
