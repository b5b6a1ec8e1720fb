from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.domain.models.base import IdMixin, TimestampMixin


class SegmentKind(enum.StrEnum):
    USERS = "users"
    LEADS = "leads"
    INTERCOM = "intercom"
    CUSTOM = "custom"


class Segment(IdMixin, TimestampMixin, Base):
    """A list that can be synced: a main list (Users, Leads), an Intercom segment, or a custom
    segment built on a main list."""

    __tablename__ = "segments"
    __table_args__ = (
        UniqueConstraint("integration_id", "source_key"),
        # The scheduler's question: which auto-synced segments are due?
        Index("ix_segments_due", "next_sync_at", postgresql_where=text("auto_sync")),
    )

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
    # "intercom" (Intercom's count) or "local" (a custom segment whose filters Intercom cannot
    # evaluate whole: its contacts counted by a refresh; app/domain/filters/counting.py).
    count_method: Mapped[str | None] = mapped_column(String(16))
    auto_sync: Mapped[bool] = mapped_column(default=False)
    # When the scheduler next syncs it (auto-sync on): a stable offset per segment within the
    # day, so that many segments never fire in the same minute (domain/schedule).
    next_sync_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when the user confirmed the segment's mapping (or chose the default one).
    mapping_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # [{"attribute": <Intercom full_name>, "property": <property key>}, ...]; None until saved
    # (the default mapping applies). Versioned: a write names the version it read (If-Match).
    mapping: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    mapping_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Segment settings: what a sync does with an email that already is a customer ("update"
    # or "skip"), and the tag it puts on every customer it syncs. Versioned like the mapping.
    duplicates: Mapped[str] = mapped_column(String(8), default="update", server_default="update")
    tag: Mapped[str | None] = mapped_column(String(100))
    settings_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Which of its contacts a sync imports (domain/filters: a FilterSet as JSON); None: all.
    # Versioned like the mapping.
    filters: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    filters_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set when the segment disappeared from Intercom: still listed (marked missing, auto-sync
    # off) so that the user sees why it stopped; cleared if it comes back.
    missing_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when a custom segment is deleted (or its integration disconnected): no longer
    # visible, kept so its sync history survives.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SegmentMember(Base):
    """An Intercom contact a list's sync imported (or linked), and the last run that saw it: a
    complete run handles the members it did not see (app/domain/syncs/removals.py)."""

    __tablename__ = "segment_members"
    # Every sync rewrites its members' last_seen_run_id: room on each page keeps those updates
    # HOT (migration 0008).
    __table_args__ = {"postgresql_with": {"fillfactor": 80}}  # noqa: RUF012  (SQLAlchemy's)

    segment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True
    )
    intercom_contact_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    # No foreign key: runs are history, members are state.
    last_seen_run_id: Mapped[uuid.UUID | None]
