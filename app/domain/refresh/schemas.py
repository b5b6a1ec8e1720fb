from __future__ import annotations

import enum
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

REFRESH_EXAMPLE: JsonDict = {
    "status": "idle",
    "requested_at": None,
    "refreshed_at": "2026-11-30T08:00:00Z",
    "due_at": "2026-11-30T14:00:00Z",
    "error_code": None,
    "error": None,
}


class RefreshStatus(enum.StrEnum):
    IDLE = "idle"
    PENDING = "pending"  # asked for (or due): a job is on its way
    RUNNING = "running"
    FAILED = "failed"  # the last attempt failed; `error_code` says why


class RefreshRead(BaseModel):
    """Where the integration's refresh stands. Lists, segments, counts and data attributes are
    always read from the cache; this says how fresh it is."""

    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [REFRESH_EXAMPLE]}
    )

    status: RefreshStatus
    requested_at: datetime | None = Field(description="When a refresh was last asked for.")
    refreshed_at: datetime | None = Field(description="When the cache was last reloaded.")
    due_at: datetime | None = Field(description="When the next refresh is due.")
    error_code: str | None = Field(
        description="Why the last attempt failed: intercom_token_rejected, "
        "intercom_rate_limited, intercom_unavailable, intercom_error or internal_error."
    )
    error: str | None
