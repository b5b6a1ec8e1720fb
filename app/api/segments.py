from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from app.adapters import sync_settings
from app.api.deps import AccountDep, AdaptersDep, SessionDep
from app.api.problems import problem_responses
from app.domain.integrations import service as integration_service
from app.domain.segments import service as segment_service
from app.domain.segments.schemas import SegmentRead
from app.domain.syncs import commands, queries
from app.domain.syncs.schemas import SyncRead

router = APIRouter(tags=["segments"])


@router.get(
    "/integrations/{integration_id}/segments",
    response_model=list[SegmentRead],
    responses=problem_responses(401, 404, 422),
    summary="The main lists (Users, Leads) and Intercom segments, with contact counts",
)
async def list_segments(
    integration_id: uuid.UUID, account: AccountDep, session: SessionDep
) -> list[SegmentRead]:
    integration = await integration_service.get(session, account, integration_id)
    return await segment_service.list_for_integration(session, account, integration.id)


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
    description="409 `sync_already_active` while a sync of the segment is pending or running; "
    "409 `integration_reauth_required` while Intercom refuses the integration's token.",
)
async def start_sync(
    segment_id: uuid.UUID,
    account: AccountDep,
    session: SessionDep,
    adapters: AdaptersDep,
    response: Response,
) -> SyncRead:
    # The run and its job's outbox message commit together when the request ends; the job is
    # enqueued right after (or by the relay, if Redis is down at that moment).
    run = await commands.start(
        session,
        account,
        segment_id,
        start_within=sync_settings(adapters.settings).start_within,
    )
    response.headers["Location"] = f"/v1/syncs/{run.id}"
    return queries.to_read(run)
