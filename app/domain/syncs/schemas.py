from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.domain.models import SyncRun, SyncStatus, SyncTrigger


class SyncCounters(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    fetched: int = Field(description="Contacts read from Intercom.")
    created: int = Field(description="New customers.")
    updated: int = Field(description="Existing customers whose data changed.")
    unchanged: int
    skipped: int = Field(description="Contacts not imported; see skipped_reasons.")
    failed: int = Field(description="Contacts that could not be imported; see failed_reasons.")
    skipped_reasons: dict[str, int]
    failed_reasons: dict[str, int]


class SyncRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    segment_id: uuid.UUID
    status: SyncStatus
    trigger: SyncTrigger
    counters: SyncCounters
    error_code: str | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class SyncReportSummary(BaseModel):
    """A run's counters without their reasons: what a list row or a top bar shows."""

    model_config = ConfigDict(from_attributes=True)

    fetched: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    failed: int


class SyncSummary(BaseModel):
    """The last sync of a list, or of any list of an integration."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    segment_id: uuid.UUID
    status: SyncStatus
    trigger: SyncTrigger
    created_at: datetime = Field(
        description="When the sync was started (by a user or the schedule)."
    )
    finished_at: datetime | None
    error_code: str | None
    report: SyncReportSummary


def summarise(run: SyncRun) -> SyncSummary:
    return SyncSummary(
        id=run.id,
        segment_id=run.segment_id,
        status=run.status,
        trigger=run.trigger,
        created_at=run.created_at,
        finished_at=run.finished_at,
        error_code=run.error_code,
        report=SyncReportSummary.model_validate(run),
    )
