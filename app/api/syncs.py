from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.background import BackgroundTask

from app.api.deps import AccountDep, AdaptersDep, ReadSessionDep, SessionDep
from app.api.problems import problem_responses
from app.domain.pagination import MAX_CURSOR_LENGTH
from app.domain.syncs import commands, events, queries
from app.domain.syncs.schemas import SyncFailurePage, SyncPage, SyncRead

router = APIRouter(tags=["syncs"])

# One event of the stream: Open API before 3.2 has a text/event-stream schema describe each event
# (its `event`, `id` and `data` fields), not the stream as one string.
SYNC_EVENT_SCHEMA = {
    "type": "object",
    "required": ["event", "id", "data"],
    "properties": {
        "event": {"type": "string", "enum": [events.PROGRESS, events.REPORT]},
        "id": {"type": "string", "pattern": "^[0-9]+$"},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": {"$ref": "#/components/schemas/SyncRead"},
        },
    },
}

Cursor = Annotated[
    str | None,
    Query(max_length=MAX_CURSOR_LENGTH, description="`next_cursor` of the previous page."),
]


@router.get(
    "/syncs/{sync_id}",
    response_model=SyncRead,
    responses=problem_responses(401, 404, 422),
    summary="Status, report and progress of a sync",
)
async def get_sync(sync_id: uuid.UUID, account: AccountDep, session: ReadSessionDep) -> SyncRead:
    return queries.to_read(await queries.get(session, account, sync_id))


@router.get(
    "/segments/{segment_id}/syncs",
    response_model=SyncPage,
    responses=problem_responses(401, 404, 422),
    summary="A list's sync history, newest first",
)
async def list_syncs(
    segment_id: uuid.UUID,
    account: AccountDep,
    session: ReadSessionDep,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SyncPage:
    return await queries.history(session, account, segment_id, cursor=cursor, limit=limit)


@router.get(
    "/syncs/{sync_id}/failures",
    response_model=SyncFailurePage,
    responses=problem_responses(401, 404, 422),
    summary="The contacts a sync failed to import, with their reasons",
)
async def list_failures(
    sync_id: uuid.UUID,
    account: AccountDep,
    session: ReadSessionDep,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> SyncFailurePage:
    return await queries.failures(session, account, sync_id, cursor=cursor, limit=limit)


@router.post(
    "/syncs/{sync_id}/cancel",
    response_model=SyncRead,
    responses=problem_responses(401, 404, 409, 422),
    summary="Cancel a sync",
    description="A pending sync never starts; a running one stops at its next batch, keeps "
    "what it committed and ends `cancelled` with its partial report. Cancelling a cancelled "
    "sync answers it again; 409 `sync_not_active` for a finished or failed one.",
)
async def cancel_sync(sync_id: uuid.UUID, account: AccountDep, session: SessionDep) -> SyncRead:
    return queries.to_read(await commands.cancel(session, account, sync_id))


@router.get(
    "/syncs/{sync_id}/events",
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "A Server-Sent Events stream: `progress` events (the sync as "
            "`GET /v1/syncs/{id}` answers it) at most a few times a second while it changes, "
            "then one `report` event with its final state, then the stream ends (also after "
            "15 minutes of a run still going: reconnect). Each event's `id` grows with the "
            "run's progress: reconnecting with `Last-Event-ID` sends only newer ones "
            "(nothing, once the report was received).",
            "content": {"text/event-stream": {"schema": SYNC_EVENT_SCHEMA}},
        },
        **problem_responses(401, 404, 422, 429),
    },
    summary="Follow a sync live (Server-Sent Events)",
)
async def sync_events(
    sync_id: uuid.UUID,
    account: AccountDep,
    session: ReadSessionDep,
    adapters: AdaptersDep,
    last_event_id: Annotated[str | None, Header(max_length=20)] = None,
) -> EventSourceResponse:
    await queries.get(session, account, sync_id)  # 404 before the stream starts
    # Only an id this API sent means something: anything else starts from the current state.
    valid = last_event_id is not None and last_event_id.isascii() and last_event_id.isdecimal()
    last_seen = int(last_event_id) if valid and last_event_id else None
    watchers = adapters.run_watchers
    reservation = watchers.reserve(account)  # 429 too_many_streams

    async def stream() -> AsyncIterator[ServerSentEvent]:
        try:
            async for event in events.watch(watchers, account, sync_id, last_seen=last_seen):
                yield ServerSentEvent(
                    data=event.run.model_dump_json(), event=event.kind, id=str(event.id)
                )
        finally:
            reservation.release()

    # The request's session ends when this returns: the stream reads on sessions of its own.
    # The reservation is released when the stream ends, or after the response if it never
    # started (a client gone at once).
    return EventSourceResponse(stream(), ping=15, background=BackgroundTask(reservation.release))
