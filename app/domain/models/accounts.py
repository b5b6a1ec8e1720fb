from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.domain.models.base import IdMixin, TimestampMixin


class Account(IdMixin, TimestampMixin, Base):
    """An account of the NPS product; the tenant every other row belongs to."""

    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint("nps_campaigns >= 0", name="nps_campaigns_non_negative"),)

    name: Mapped[str] = mapped_column(String(200))
    # Drives the auto-sync quota (ROADMAP 4).
    nps_campaigns: Mapped[int] = mapped_column(default=0)


class ApiKey(IdMixin, Base):
    """An API key is shown once; only its SHA-256 is kept (the key is 256 random bits)."""

    __tablename__ = "api_keys"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so that a key can be recognised in a list without revealing it.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
