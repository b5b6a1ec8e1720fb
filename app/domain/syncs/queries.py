"""Reading runs for the API."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.models import SyncRun
from app.domain.scope import AccountScope
from app.domain.syncs.errors import SyncNotFound
from app.domain.syncs.repository import SyncRunRepository
from app.domain.syncs.schemas import SyncCounters, SyncRead, SyncWarning


def to_read(run: SyncRun) -> SyncRead:
    return SyncRead(
        id=run.id,
        segment_id=run.segment_id,
        status=run.status,
        trigger=run.trigger,
        counters=SyncCounters.model_validate(run),
        error_code=run.error_code,
        error=run.error,
        warnings=[SyncWarning.model_validate(item) for item in run.warnings or []],
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


async def get(session: AsyncSession, account: AccountScope, sync_id: uuid.UUID) -> SyncRun:
    run = await SyncRunRepository(session).get_for_account(account, sync_id)
    if run is None:
        raise SyncNotFound(sync_id)
    return run
