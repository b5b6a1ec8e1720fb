from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    Identity,
    Index,
    LargeBinary,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"
    PROCESSED = "processed"
    # Stored and left alone: a topic this service does not act on.
    IGNORED = "ignored"
    # Processing kept failing: retried `max_attempts` times, then given up (visible, not lost).
    FAILED = "failed"


class WebhookNotification(Base):
    """One Intercom notification, stored once by its id before it is acknowledged; worked by
    leased jobs (app/domain/webhooks/processing.py). Not an account's: a workspace's, routed to
    every integration connected to it when processed."""

    __tablename__ = "webhook_notifications"
    __table_args__ = (
        Index("uq_webhook_notifications_notification_id", "notification_id", unique=True),
        # A workspace's notifications, newest first.
        Index("ix_webhook_notifications_app_id_id", "app_id", "id"),
        # The sweeper's question: which pending notifications are due (a lapsed lease, a retry)?
        Index(
            "ix_webhook_notifications_pending_due_at",
            "due_at",
            postgresql_where=text("status = 'pending'"),
        ),
        # The drain job's question: which new notifications has no job taken yet?
        Index(
            "ix_webhook_notifications_new_id",
            "id",
            postgresql_where=text("status = 'pending' AND attempts = 0 AND lease_owner IS NULL"),
        ),
        # The retention purge's.
        Index("ix_webhook_notifications_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    notification_id: Mapped[str] = mapped_column(String(128))
    app_id: Mapped[str] = mapped_column(String(100))
    topic: Mapped[str] = mapped_column(String(100))
    # The notification's own `created_at` (epoch seconds), when it carried a usable one.
    intercom_created_at: Mapped[int | None] = mapped_column(BigInteger)
    # The body exactly as signed: bytes, so that nothing in it (a NUL, odd unicode) can stop it
    # from being stored.
    body: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[NotificationStatus] = mapped_column(
        String(16), default=NotificationStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    # When the sweeper sends the notification's job again: its lease's end while a job works
    # it, the next retry after a failure, a short while after it arrived otherwise.
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    # What processing did, per integration: {"<integration id>": "unsubscribed 1 customer"}.
    outcome: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The integrations it was applied to, each in the transaction that applied it: a retry
    # applies it to the others only (one account's failure never repeats another's work).
    done_integrations: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid()), server_default=text("'{}'::uuid[]")
    )
