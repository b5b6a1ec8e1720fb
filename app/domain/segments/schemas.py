from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.domain.models import SegmentKind


class LastSync(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    status: str
    created_at: datetime
    finished_at: datetime | None


class SegmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    integration_id: uuid.UUID
    kind: SegmentKind = Field(description="users, leads (main lists), intercom or custom.")
    name: str
    intercom_segment_id: str | None
    person_type: str | None = Field(description="user, lead, or null when both.")
    contact_count: int | None
    count_refreshed_at: datetime | None
    auto_sync: bool
    last_sync: LastSync | None = None
