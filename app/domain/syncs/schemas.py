from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.domain.models import SyncStatus, SyncTrigger


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
