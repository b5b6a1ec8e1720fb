from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.domain.models.base import IdMixin, TimestampMixin


class SegmentKind(enum.StrEnum):
    USERS = "users"
    LEADS = "leads"
    INTERCOM = "intercom"
    CUSTOM = "custom"


class Segment(IdMixin, TimestampMixin, Base):
    """A list that can be synced: a main list, an Intercom segment or (later) a custom segment."""

    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("integration_id", "source_key"),)

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[SegmentKind] = mapped_column(String(16))
    # Stable identity within the integration: "users", "leads", "intercom:<id>", "custom:<uuid>".
    source_key: Mapped[str] = mapped_column(String(120))
    intercom_segment_id: Mapped[str | None] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    person_type: Mapped[str | None] = mapped_column(String(8))  # user | lead | None (both)
    contact_count: Mapped[int | None]
    count_refreshed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    auto_sync: Mapped[bool] = mapped_column(default=False)
    # Set when the segment disappeared from Intercom; kept so its sync history survives.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
