"""A run's progress as a stream of events, for Server-Sent Events (GET /v1/syncs/{id}/events).

Progress lives in the run's row (written with every batch), so any API process can serve any
client: each stream reads the row a few times a second, on a short session of its own, and
sends a new event when the run's `progress_seq` moved on. That number is also the event's id,
so a client that reconnects with `Last-Event-ID` gets only what it has not seen. The last
event is the final report; then the stream ends. A client that goes away stops its stream.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.models.syncs import ACTIVE_STATUSES
from app.domain.scope import AccountScope
from app.domain.syncs import queries
from app.domain.syncs.repository import SyncRunRepository
from app.domain.syncs.schemas import SyncRead

PROGRESS = "progress"
REPORT = "report"
# A few reads a second per stream: smooth enough for a progress bar, cheap for the database
# (one primary-key read each).
POLL_INTERVAL_S = 0.3
# A stream ends after this long even while its run goes on (a deferred run may wait for
# hours): the client reconnects with Last-Event-ID, and no connection is held forever.
MAX_STREAM_S = 15 * 60


@dataclass(frozen=True)
class RunEvent:
    id: int
    kind: str  # PROGRESS | REPORT
    run: SyncRead


async def watch(
    sessionmaker: async_sessionmaker[AsyncSession],
    account: AccountScope,
    sync_id: uuid.UUID,
    *,
    last_seen: int | None,
    poll_interval_s: float = POLL_INTERVAL_S,
    max_stream_s: float = MAX_STREAM_S,
) -> AsyncIterator[RunEvent]:
    """The run's events after `last_seen` (all from its current state when None), ending
    with its final report; nothing more for a client that already has that report. An id
    this run never gave (ahead of it) is treated as none."""
    deadline = asyncio.get_running_loop().time() + max_stream_s
    while True:
        async with sessionmaker() as session:
            run = await SyncRunRepository(session).get_for_account(account, sync_id)
        if run is None:  # its segment's integration was deleted meanwhile
            return
        ended = run.status not in ACTIVE_STATUSES
        if last_seen is not None and last_seen > run.progress_seq:
            last_seen = None
        if last_seen is None or run.progress_seq > last_seen:
            last_seen = run.progress_seq
            yield RunEvent(run.progress_seq, REPORT if ended else PROGRESS, queries.to_read(run))
        if ended or asyncio.get_running_loop().time() >= deadline:
            return
        await asyncio.sleep(poll_interval_s)
