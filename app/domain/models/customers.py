from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.domain.models.base import IdMixin, TimestampMixin


class Customer(IdMixin, TimestampMixin, Base):
    """A customer of the NPS product, identified within its account by its normalised email."""

    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("account_id", "email"),
        Index("ix_customers_account_id_created_at_id", "account_id", "created_at", "id"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(64))
    properties: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class CustomerSource(Base):
    """Which Intercom contact a customer came from, so webhooks (by contact id) can find it."""

    __tablename__ = "customer_sources"
    __table_args__ = (UniqueConstraint("integration_id", "intercom_contact_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE")
    )
    intercom_contact_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(8))
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The run that last wrote this link: two contacts of one run sharing an email are duplicates.
    last_sync_run_id: Mapped[uuid.UUID | None]
