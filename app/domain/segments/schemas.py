from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from app.domain.models import SegmentKind
from app.domain.pagination import Page
from app.domain.syncs.schemas import SYNC_SUMMARY_EXAMPLE, SyncSummary
from app.domain.types import SafeText

SEGMENT_NAME_MAX_LENGTH = 200
SegmentName = Annotated[str, SafeText(max_length=SEGMENT_NAME_MAX_LENGTH)]


class SegmentSource(enum.StrEnum):
    """The main list a list or segment takes its contacts from."""

    USERS = "users"
    LEADS = "leads"


class LastSyncStatus(enum.StrEnum):
    """A list's last sync status as a filter: a run status, or `never` synced."""

    NEVER = "never"
    PENDING = "pending"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"


class SegmentSort(enum.StrEnum):
    """Sort keys of the segment list; `-` in front sorts descending. Ties are broken by name,
    then id, always ascending, so that pages never skip or repeat a row."""

    TYPE = "type"
    TYPE_DESC = "-type"
    COUNT = "count"
    COUNT_DESC = "-count"
    AUTO_SYNC = "auto_sync"
    AUTO_SYNC_DESC = "-auto_sync"
    LAST_SYNC = "last_sync"
    LAST_SYNC_DESC = "-last_sync"

    @property
    def key(self) -> str:
        return self.value.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.value.startswith("-")


SEGMENT_EXAMPLE: JsonDict = {
    "id": SYNC_SUMMARY_EXAMPLE["segment_id"],
    "integration_id": "2b1e9c4d-7a0f-4f57-8b56-0c9d6e1f2a3b",
    "kind": "users",
    "name": "Users",
    "source": "users",
    "intercom_segment_id": None,
    "person_type": "user",
    "contact_count": 1480,
    "count_refreshed_at": "2026-11-30T08:00:00Z",
    "count_method": "intercom",
    "auto_sync": True,
    "next_sync_at": "2026-12-01T03:17:42Z",
    "missing": False,
    "missing_since": None,
    "mapping_confirmed": True,
    "last_sync": SYNC_SUMMARY_EXAMPLE,
    "created_at": "2026-11-01T10:00:00Z",
}


class SegmentRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [SEGMENT_EXAMPLE]}
    )

    id: uuid.UUID
    integration_id: uuid.UUID
    kind: SegmentKind = Field(
        description="`users` and `leads` (the main lists), `intercom` (a segment saved in "
        "Intercom) or `custom` (built here on a main list)."
    )
    name: str
    source: SegmentSource = Field(description="The main list its contacts come from.")
    intercom_segment_id: str | None
    person_type: str | None = Field(description="user or lead.")
    contact_count: int | None = Field(
        description="Contacts, as of `count_refreshed_at`; for a custom segment, those its "
        "filters select. None: not counted yet (a custom segment whose filters just changed "
        "is counted by the refresh that the change asks for)."
    )
    count_refreshed_at: datetime | None
    count_method: Literal["intercom", "local", "estimated"] | None = Field(
        default=None,
        description="`intercom`: Intercom's count (a list, a segment, or a custom segment whose "
        "filters Intercom's search evaluates whole); `local`: a custom segment's contacts read "
        "and its filters evaluated here by a refresh (up to 10,000 contacts); `estimated`: "
        "beyond that, the share of the first 10,000 applied to Intercom's count of what its "
        "search can narrow. Contacts without a usable email that the filters select are "
        "counted (a sync skips them as `no_email`).",
    )
    auto_sync: bool = Field(description="Synced every 24 hours when on.")
    next_sync_at: datetime | None = Field(description="The next scheduled sync (auto-sync on).")
    missing: bool = Field(
        description="The segment was deleted in Intercom: it cannot be synced and its "
        "auto-sync is off."
    )
    missing_since: datetime | None
    mapping_confirmed: bool = Field(
        description="Whether a user confirmed what its syncs import (or chose the default)."
    )
    last_sync: SyncSummary | None = Field(default=None, description="Its most recent sync.")
    created_at: datetime


class SegmentPage(Page[SegmentRead]):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"data": [SEGMENT_EXAMPLE], "next_cursor": None}]}
    )


class SegmentCreate(BaseModel):
    """A custom segment: a main list (its filters come with the filter feature; until then it
    matches its whole source)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Trial users in the USA", "source": "users"}]},
    )

    name: SegmentName
    source: SegmentSource


class SegmentUpdate(BaseModel):
    """Rename a custom segment, or switch auto-sync on or off for any list or segment."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"auto_sync": True},
                {"name": "Trial users (US)"},
                {"auto_sync": True, "use_default_mapping": True},
            ],
            # `_something_to_change`, said in the schema.
            "anyOf": [
                {"required": ["name"], "properties": {"name": {"type": "string"}}},
                {"required": ["auto_sync"], "properties": {"auto_sync": {"type": "boolean"}}},
            ],
        },
    )

    name: SegmentName | None = Field(default=None, description="Custom segments only.")
    auto_sync: bool | None = Field(
        default=None,
        # Strict: "yes", "off" or 1 are not a switch position a client should rely on.
        strict=True,
        description="On: synced every 24 hours, within the account's auto-sync quota. A list "
        "whose mapping was never confirmed is refused (409 `mapping_not_confirmed`) unless "
        "`use_default_mapping` is true.",
    )
    use_default_mapping: bool | None = Field(
        default=None,
        strict=True,
        description="With `auto_sync` true on a list whose mapping was never confirmed: accept "
        "the default mapping (saved as the list's, confirmed). Ignored otherwise.",
    )

    @model_validator(mode="after")
    def _something_to_change(self) -> SegmentUpdate:
        if self.name is None and self.auto_sync is None:
            raise ValueError("give `name`, `auto_sync` or both")
        return self


class AutoSyncQuota(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"used": 2, "allowed": 3}]})

    used: int = Field(description="Lists and segments of the account with auto-sync on.")
    allowed: int = Field(description="The account's NPS campaigns times the configured ratio.")
