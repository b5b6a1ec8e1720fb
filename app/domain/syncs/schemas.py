from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from app.domain.models import SyncRun, SyncStatus, SyncTrigger
from app.domain.pagination import Page


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
    removed: int = Field(
        description="Customers linked to the list that a complete run did not see, handled "
        "as the integration's settings say; not part of `fetched`. See removed_reasons."
    )
    removed_reasons: dict[str, int]
    samples: dict[str, dict[str, list[str]]] = Field(
        description="Up to 5 Intercom contact ids per reason, under `skipped` and `failed`."
    )


class SyncProgress(BaseModel):
    processed: int = Field(description="Contacts read and handled so far (`fetched`).")
    expected: int | None = Field(
        description="Contacts the run expects to read: Intercom's count of its query when it "
        "started (the workspace may change meanwhile)."
    )
    percent: float | None = Field(
        description="0 to 100, only ever moving forward; 100 once finished. Null until the "
        "run knows what to expect."
    )
    eta_s: float | None = Field(
        description="Seconds left at the run's average pace so far (it settles as the run "
        "goes); null unless running."
    )


class IntercomUsage(BaseModel):
    requests: int = Field(description="Requests the run sent to Intercom, retries included.")
    rate_limit_wait_s: float = Field(
        description="Time it waited for the workspace's shared rate budget."
    )


SYNC_EXAMPLE: JsonDict = {
    "id": "5d41402a-bc4b-4a76-9719-d911017c592a",
    "segment_id": "8f14e45f-ceea-4e7a-9b1a-1f0b6a1c2d3e",
    "status": "finished",
    "trigger": "manual",
    "counters": {
        "fetched": 1480,
        "created": 12,
        "updated": 30,
        "unchanged": 1430,
        "skipped": 6,
        "failed": 2,
        "skipped_reasons": {"no_email": 5, "duplicate_email": 1},
        "failed_reasons": {"value_too_long:name": 2},
        "removed": 3,
        "removed_reasons": {"left_segment": 3},
        "samples": {
            "skipped": {
                "no_email": ["6762f0d21bb69f9f2193bb7a", "6762f0d21bb69f9f2193bb7b"],
                "duplicate_email": ["6762f0d21bb69f9f2193bb80"],
            },
            "failed": {"value_too_long:name": ["6762f0d21bb69f9f2193bb91"]},
        },
    },
    "progress": {"processed": 1480, "expected": 1480, "percent": 100.0, "eta_s": None},
    "intercom": {"requests": 14, "rate_limit_wait_s": 0.02},
    "duration_s": 47.0,
    "partitions": 0,
    "error_code": None,
    "error": None,
    "warnings": [{"code": "attribute_archived", "attribute": "custom_attributes.legacy_score"}],
    "created_at": "2026-11-30T09:00:00Z",
    "started_at": "2026-11-30T09:00:01Z",
    "finished_at": "2026-11-30T09:00:48Z",
}
SYNC_SUMMARY_EXAMPLE: JsonDict = {
    "id": SYNC_EXAMPLE["id"],
    "segment_id": SYNC_EXAMPLE["segment_id"],
    "status": "finished",
    "trigger": "auto",
    "created_at": "2026-11-30T03:17:42Z",
    "finished_at": "2026-11-30T03:18:30Z",
    "error_code": None,
    "report": {
        "fetched": 1480,
        "created": 12,
        "updated": 30,
        "unchanged": 1430,
        "skipped": 6,
        "failed": 2,
        "removed": 3,
    },
}


class SyncWarning(BaseModel):
    code: str = Field(
        description="attribute_archived, attribute_removed, property_removed, "
        "conversion_unavailable, or filters_run_locally (no condition of the list's filters "
        "could go into Intercom's search: every contact of the list is read and filtered here)."
    )
    attribute: str | None = None
    property: str | None = None


class SyncRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [SYNC_EXAMPLE]})

    id: uuid.UUID
    segment_id: uuid.UUID
    status: SyncStatus
    trigger: SyncTrigger
    counters: SyncCounters
    progress: SyncProgress
    intercom: IntercomUsage
    duration_s: float | None = Field(
        description="From its start to its end (so far, while it runs)."
    )
    partitions: int = Field(
        description="How many partitions a large sync was split into, read in parallel by "
        "any number of workers; 0 when one worker at a time read it whole.",
        ge=0,
    )
    error_code: str | None
    error: str | None
    warnings: list[SyncWarning] = Field(
        default_factory=list,
        description="What the run noticed without failing: a mapped attribute archived in "
        "Intercom (still imported) or removed (left out), a mapped property since deleted, "
        "filters that Intercom's search cannot narrow.",
    )
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
    removed: int


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


class SyncStart(BaseModel):
    """Options of "sync now"; the body may be left out."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"use_default_mapping": True}]}
    )

    use_default_mapping: bool = Field(
        default=False,
        strict=True,
        description="For a list whose mapping was never confirmed: accept the default mapping "
        "(saved as the list's, confirmed) and sync. Without it such a list answers 409 "
        "`mapping_not_confirmed`. Ignored once a mapping is confirmed.",
    )


class SyncPage(Page[SyncRead]):
    """A list's runs, newest first."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"data": [SYNC_EXAMPLE], "next_cursor": None}]}
    )


class SyncFailureRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "intercom_contact_id": "6762f0d21bb69f9f2193bb91",
                    "reason": "value_too_long:name",
                }
            ]
        },
    )

    intercom_contact_id: str
    reason: str = Field(description="As in the run's failed_reasons.")


class SyncFailurePage(Page[SyncFailureRead]):
    """A run's failed contacts, in the order they failed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "data": [
                        {
                            "intercom_contact_id": "6762f0d21bb69f9f2193bb91",
                            "reason": "value_too_long:name",
                        },
                        {
                            "intercom_contact_id": "6762f0d21bb69f9f2193bb92",
                            "reason": "conversion_failed:signed_up_at",
                        },
                    ],
                    "next_cursor": None,
                }
            ]
        }
    )
