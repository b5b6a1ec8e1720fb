from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from app.adapters import sync_settings
from app.api.deps import AccountDep, AdaptersDep, ReadSessionDep, SessionDep
from app.api.problems import problem_responses
from app.domain.integrations import service as integration_service
from app.domain.models import SegmentKind
from app.domain.segments import service as segment_service
from app.domain.segments.repository import SegmentQuery
from app.domain.segments.schemas import (
    LastSyncStatus,
    SegmentCreate,
    SegmentPage,
    SegmentRead,
    SegmentSort,
    SegmentUpdate,
)
from app.domain.syncs import commands, queries
from app.domain.syncs.schemas import SyncRead, SyncStart

router = APIRouter(tags=["segments"])


@router.get(
    "/integrations/{integration_id}/segments",
    response_model=SegmentPage,
    responses=problem_responses(401, 404, 422),
    summary="The integration's lists and segments, filtered and sorted, with their last sync",
    description="Main lists (Users, Leads), the segments saved in Intercom and custom "
    "segments, each with its cached contact count, auto-sync switch and last sync. Filter by "
    "`kind` and `last_sync_status` (each repeatable: any of the values), sort with `sort` "
    "(`type`, `count`, `auto_sync`, `last_sync`; `-` for descending; ties by name then id). "
    "A cursor is only valid with the sort it was made for.",
)
async def list_segments(
    integration_id: uuid.UUID,
    account: AccountDep,
    session: ReadSessionDep,
    kind: Annotated[
        list[SegmentKind] | None, Query(description="users, leads, intercom or custom.")
    ] = None,
    last_sync_status: Annotated[
        list[LastSyncStatus] | None,
        Query(description="The status of each one's last sync; `never` for never synced."),
    ] = None,
    sort: SegmentSort = SegmentSort.TYPE,
    cursor: Annotated[
        str | None,
        Query(
            max_length=segment_service.SEGMENT_CURSOR_MAX_LENGTH,
            description="`next_cursor` of the previous page.",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SegmentPage:
    integration = await integration_service.get(session, account, integration_id)
    query = SegmentQuery(
        kinds=[item.value for item in kind or ()],
        last_sync_statuses=[item.value for item in last_sync_status or ()],
        sort=sort.key,
        descending=sort.descending,
    )
    return await segment_service.list_page(
        session, account, integration.id, query, cursor=cursor, limit=limit
    )


@router.post(
    "/integrations/{integration_id}/segments",
    status_code=status.HTTP_201_CREATED,
    response_model=SegmentRead,
    responses=problem_responses(400, 401, 404, 409, 413, 415, 422),
    summary="Create a custom segment on the Users or Leads list",
    description="409 `segment_name_taken` when a custom segment of the integration already "
    "has the name (without regard to case).",
)
async def create_segment(
    integration_id: uuid.UUID,
    data: SegmentCreate,
    account: AccountDep,
    session: SessionDep,
    response: Response,
) -> SegmentRead:
    integration = await integration_service.get(session, account, integration_id)
    created = await segment_service.create_custom(session, account, integration.id, data)
    response.headers["Location"] = f"/v1/segments/{created.id}"
    return created


@router.get(
    "/segments/{segment_id}",
    response_model=SegmentRead,
    responses=problem_responses(401, 404, 422),
    summary="Read one list or segment",
)
async def get_segment(
    segment_id: uuid.UUID, account: AccountDep, session: ReadSessionDep
) -> SegmentRead:
    return await segment_service.read(session, account, segment_id)


@router.patch(
    "/segments/{segment_id}",
    response_model=SegmentRead,
    responses=problem_responses(400, 401, 404, 409, 413, 415, 422),
    summary="Rename a custom segment, or switch auto-sync on or off",
    description="409 `segment_not_editable` when renaming a main list or an Intercom segment; "
    "409 `auto_sync_quota_exceeded` (with `used` and `allowed`) when switching auto-sync on "
    "would exceed the account's quota (its NPS campaigns times a ratio); 409 "
    "`segment_missing` for a segment deleted in Intercom; 409 `mapping_not_confirmed` when "
    "switching auto-sync on for a list whose mapping nobody confirmed, unless "
    "`use_default_mapping` is true. A switched-on list is first synced "
    "at its next daily slot (`next_sync_at`).",
)
async def update_segment(
    segment_id: uuid.UUID,
    data: SegmentUpdate,
    account: AccountDep,
    session: SessionDep,
    adapters: AdaptersDep,
) -> SegmentRead:
    return await segment_service.update(
        session,
        account,
        segment_id,
        data,
        auto_sync_ratio=adapters.settings.auto_sync_per_campaign,
        now=datetime.now(UTC),
    )


@router.delete(
    "/segments/{segment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,  # no body, and no JSON content type claiming one
    responses=problem_responses(401, 404, 409, 422),
    summary="Delete a custom segment (its sync history stays)",
    description="409 `segment_not_editable` for a main list or an Intercom segment. A sync of "
    "the segment that is pending or running is cancelled.",
)
async def delete_segment(segment_id: uuid.UUID, account: AccountDep, session: SessionDep) -> None:
    await segment_service.delete_custom(session, account, segment_id)


@router.post(
    "/segments/{segment_id}/syncs",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SyncRead,
    responses=problem_responses(400, 401, 404, 409, 413, 415, 422),
    summary="Sync now: start a sync of the segment's contacts",
    description="409 `sync_already_active` while a sync of the segment is pending or running; "
    "409 `integration_reauth_required` while Intercom refuses the integration's token; 409 "
    "`mapping_not_confirmed` for a list whose mapping nobody confirmed: its `choices` are "
    '`use_default_mapping` (send `{"use_default_mapping": true}`) or `map_first` (PUT the '
    "mapping at `mapping_url`); 409 `mapping_without_email` when the mapping names no email "
    "attribute Intercom still has (customers are identified by it). The run applies the "
    "mapping and settings saved when it starts; "
    "its `warnings` name mapped attributes archived or removed in Intercom.",
)
async def start_sync(
    segment_id: uuid.UUID,
    account: AccountDep,
    session: SessionDep,
    adapters: AdaptersDep,
    response: Response,
    data: Annotated[SyncStart, Body(default_factory=SyncStart)],
) -> SyncRead:
    # The run and its job's outbox message commit together when the request ends; the job is
    # enqueued right after (or by the relay, if Redis is down at that moment).
    run = await commands.start(
        session,
        account,
        segment_id,
        start_within=sync_settings(adapters.settings).start_within,
        use_default_mapping=data.use_default_mapping,
    )
    response.headers["Location"] = f"/v1/syncs/{run.id}"
    return queries.to_read(run)
