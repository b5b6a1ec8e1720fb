from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.domain.models.base import IdMixin, TimestampMixin


class SyncStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"


class SyncTrigger(enum.StrEnum):
    MANUAL = "manual"
    AUTO = "auto"


ACTIVE_STATUSES = (SyncStatus.PENDING, SyncStatus.RUNNING)
# The partial indexes' predicate, as SQL text (ON CONFLICT must repeat it literally).
ACTIVE_PREDICATE = "status IN ('pending', 'running')"


class SyncRun(IdMixin, TimestampMixin, Base):
    """One sync of one segment. The row is the source of truth; the queue only delivers it."""

    __tablename__ = "sync_runs"
    __table_args__ = (
        # One active run per segment: a second "sync now" cannot start a parallel run.
        Index(
            "uq_sync_runs_active_segment",
            "segment_id",
            unique=True,
            postgresql_where=text(ACTIVE_PREDICATE),
        ),
        # A list's history and last sync, an integration's last sync.
        Index("ix_sync_runs_segment_id_created_at", "segment_id", "created_at"),
        # The sweeper's question: which active runs have a lapsed lease?
        Index(
            "ix_sync_runs_active_lease_expires_at",
            "lease_expires_at",
            postgresql_where=text(ACTIVE_PREDICATE),
        ),
        # Every report reconciles, whoever writes it: a write that would break it fails.
        CheckConstraint(
            "fetched = created + updated + unchanged + skipped + failed",
            name="ck_sync_runs_reconciles",
        ),
        # reason_total(): the sum of a {reason: count} object (migration 0007).
        CheckConstraint(
            "skipped = reason_total(skipped_reasons) AND failed = reason_total(failed_reasons) "
            "AND removed = reason_total(removed_reasons)",
            name="ck_sync_runs_reasons_add_up",
        ),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    segment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[SyncStatus] = mapped_column(String(16), default=SyncStatus.PENDING)
    trigger: Mapped[SyncTrigger] = mapped_column(String(16), default=SyncTrigger.MANUAL)
    fetched: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    # Counts per reason, e.g. {"no_email": 3, "duplicate_email": 1}.
    skipped_reasons: Mapped[dict[str, int]] = mapped_column(JSONB, default=dict)
    failed_reasons: Mapped[dict[str, int]] = mapped_column(JSONB, default=dict)
    # A few Intercom contact ids per reason: {"skipped": {reason: [ids]}, "failed": {...}}.
    samples: Mapped[dict[str, dict[str, list[str]]]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    # Customers linked to the list that a complete run did not see, handled by reason
    # ("left_segment", "deleted_in_intercom", ...); not part of `fetched`.
    removed: Mapped[int] = mapped_column(default=0, server_default="0")
    removed_reasons: Mapped[dict[str, int]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    # Contacts the run expects to read (Intercom's count of its query when it started).
    expected: Mapped[int | None]
    # The partitions a large run was split into (fanout.py), read by any worker; 0: one job
    # at a time read it whole.
    partitions: Mapped[int] = mapped_column(default=0, server_default="0")
    # Bumped with every change of its counters or status: the id of its progress events.
    progress_seq: Mapped[int] = mapped_column(default=0, server_default="0")
    # Intercom requests the run made, and the time it waited on the shared rate budget.
    intercom_requests: Mapped[int] = mapped_column(default=0, server_default="0")
    rate_limit_wait_ms: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # What the run applies, fixed when it starts (mapping with conversions, duplicates policy,
    # tag, unsubscribe policy): a mapping saved meanwhile takes effect on the next run.
    config: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # What the run noticed without failing, e.g. [{"code": "attribute_archived",
    # "attribute": "custom_attributes.score"}].
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    # Where a resumed run picks up; written in the same transaction as the rows it covers.
    # Deferred: it can weigh tens of kilobytes (the reader's ranges and exclusions) and only a
    # job starting or resuming the run reads it; batches write it without loading it.
    checkpoint: Mapped[dict[str, Any] | None] = mapped_column(JSONB, deferred=True)
    # The lease (see domain/syncs/runner.py). `generation` numbers the jobs of the run: only the
    # job of the current generation may work, so a job the sweeper replaced exits at once and
    # a worker that lost its lease cannot write (every batch is fenced by generation and owner).
    generation: Mapped[int] = mapped_column(default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    # Until when the current owner may work, or the current generation's job must start by.
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Jobs of this run that started and stopped without writing a batch (crash, killed worker).
    attempts: Mapped[int] = mapped_column(default=0)
    # Times the run waited out an Intercom outage or rate limit since its last progress.
    deferrals: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SyncFailure(Base):
    """A contact a run failed to import, and why (GET /v1/syncs/{id}/failures)."""

    __tablename__ = "sync_failures"
    __table_args__ = (Index("ix_sync_failures_run_id_id", "run_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sync_runs.id", ondelete="CASCADE"))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    intercom_contact_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(200))


class PartitionStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"


class SyncPartition(TimestampMixin, Base):
    """A share of a fanned-out run's read (a few of its reader's `created_at` ranges), worked
    by its own leased jobs on any worker; the run's counters add up what every share wrote."""

    __tablename__ = "sync_partitions"
    __table_args__ = (
        # The sweeper's question, as for runs: which open partitions have a lapsed lease?
        Index(
            "ix_sync_partitions_open_lease_expires_at",
            "lease_expires_at",
            postgresql_where=text("status <> 'done'"),
        ),
    )

    run_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sync_runs.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    status: Mapped[PartitionStatus] = mapped_column(String(16), default=PartitionStatus.PENDING)
    # The reader's checkpoint of this share's ranges; written with each batch it covers.
    checkpoint: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # The lease, exactly as a run's (see SyncRun): fenced by generation and owner.
    generation: Mapped[int] = mapped_column(default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(default=0)
    deferrals: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
