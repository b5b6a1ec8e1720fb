from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class EventStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    # Intercom refused it for good (the contact is gone, the token revoked): recorded, not
    # retried for ever.
    FAILED = "failed"


class IntercomEvent(Base):
    """An event to send to one Intercom contact (POST /events), written in the transaction of
    what caused it (an unsubscribe, a delete): an outbox row of its own, worked by leased jobs
    (app/domain/events/sending.py). Its `created_at` is fixed here, so that a send repeated
    after a crash carries Intercom's de-duplication key again (INTERCOM.md §5)."""

    __tablename__ = "intercom_events"
    __table_args__ = (
        # An integration's events, newest first (GET /v1/integrations/{id}/events).
        Index("ix_intercom_events_integration_id_id", "integration_id", "id"),
        # A customer's events (its detail).
        Index("ix_intercom_events_account_id_customer_id", "account_id", "customer_id"),
        Index(
            "ix_intercom_events_pending_due_at",
            "due_at",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE")
    )
    # Not a foreign key: the event of a deleted customer outlives it.
    customer_id: Mapped[uuid.UUID]
    intercom_contact_id: Mapped[str] = mapped_column(String(64))
    event_name: Mapped[str] = mapped_column(String(255))
    # Epoch seconds, fixed when written: Intercom's de-duplication key.
    occurred_at: Mapped[int] = mapped_column(BigInteger)
    event_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB, default=dict)
    status: Mapped[EventStatus] = mapped_column(String(16), default=EventStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
