"""A list's settings: what its syncs do with an email that already is a customer, and the tag
they put on every customer they sync. Versioned like the mapping (ETag / If-Match)."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.mapping.config import Duplicates
from app.domain.models import Segment
from app.domain.scope import AccountScope
from app.domain.segments.errors import SegmentNotFound
from app.domain.segments.repository import SegmentRepository
from app.domain.types import SafeText
from app.errors import ensure_version

TAG_MAX_LENGTH = 100
Tag = Annotated[str, SafeText(max_length=TAG_MAX_LENGTH)]


class SegmentSettingsUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"duplicates": "skip", "tag": "From Intercom"}, {"duplicates": "update"}]
        },
    )

    duplicates: Duplicates = Field(
        default=Duplicates.UPDATE,
        description="`update`: a contact whose email already is a customer updates it; "
        "`skip`: the customer is left untouched and the contact skipped (`duplicate_skipped`).",
    )
    tag: Tag | None = Field(
        default=None, description="Put on every customer a sync of the list imports; none if null."
    )


class SegmentSettingsRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"version": 3, "duplicates": "skip", "tag": "From Intercom"}]
        }
    )

    version: int = Field(description="Also the ETag; name it in If-Match when saving.")
    duplicates: Duplicates
    tag: str | None


def to_read(segment: Segment) -> SegmentSettingsRead:
    return SegmentSettingsRead(
        version=segment.settings_version,
        duplicates=Duplicates(segment.duplicates),
        tag=segment.tag,
    )


async def read(
    session: AsyncSession, account: AccountScope, segment_id: uuid.UUID
) -> SegmentSettingsRead:
    segment = await SegmentRepository(session).get_for_account(account, segment_id)
    if segment is None:
        raise SegmentNotFound(segment_id)
    return to_read(segment)


async def save(
    session: AsyncSession,
    account: AccountScope,
    segment_id: uuid.UUID,
    data: SegmentSettingsUpdate,
    *,
    expected_version: int | None,
) -> SegmentSettingsRead:
    # The row lock makes the version check and the bump one step.
    segment = await SegmentRepository(session).get_for_account(
        account, segment_id, update_lock=True
    )
    if segment is None:
        raise SegmentNotFound(segment_id)
    ensure_version("settings", segment.settings_version, expected_version)
    segment.duplicates = data.duplicates.value
    segment.tag = data.tag
    segment.settings_version += 1
    await session.flush()
    return to_read(segment)
