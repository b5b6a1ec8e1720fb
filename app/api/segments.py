from __future__ import annotations

import uuid

import structlog
from fastapi import APIRouter, Response, status

from app.api.deps import AccountDep, ResourcesDep, SessionDep
from app.api.problems import problem_responses
from app.domain.segments import service as segment_service
from app.domain.segments.schemas import SegmentRead
from app.domain.syncs import service as sync_service
from app.domain.syncs.schemas import SyncRead

router = APIRouter(tags=["segments"])
log = structlog.get_logger(__name__)


@router.get(
    "/segments/{segment_id}",
    response_model=SegmentRead,
    responses=problem_responses(401, 404, 422),
    summary="Read one list or segment",
)
async def get_segment(
    segment_id: uuid.UUID, account: AccountDep, session: SessionDep
) -> SegmentRead:
    segment = await segment_service.get(session, account, segment_id)
    return SegmentRead.model_validate(segment)


@router.post(
    "/segments/{segment_id}/syncs",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SyncRead,
    responses=problem_responses(401, 404, 409, 422),
    summary="Sync now: start a sync of the segment's contacts",
)
async def start_sync(
    segment_id: uuid.UUID,
    account: AccountDep,
    session: SessionDep,
    resources: ResourcesDep,
    response: Response,
) -> SyncRead:
    run = await sync_service.start(session, account, segment_id)
    await session.commit()
    try:
        await sync_service.enqueue(resources.queue, run.id)
    except Exception:
        # The run is committed: the sweeper enqueues pending runs whose job never arrived.
        log.exception("syncs.enqueue_failed", sync_id=str(run.id))
    response.headers["Location"] = f"/v1/syncs/{run.id}"
    return sync_service.to_read(run)
