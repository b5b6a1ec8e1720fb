from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.domain.models.base import IdMixin, TimestampMixin

# Integration.status: Intercom refused the stored token (a sync's 401/403); work that calls
# Intercom with it is refused until the workspace is connected again.
CONNECTED = "connected"
REAUTH_REQUIRED = "reauth_required"


class Integration(IdMixin, TimestampMixin, Base):
    """One connected Intercom workspace of an account (at most two: slots 1 and 2)."""

    __tablename__ = "integrations"
    __table_args__ = (
        UniqueConstraint("account_id", "slot"),
        UniqueConstraint("account_id", "intercom_app_id"),
        CheckConstraint("slot IN (1, 2)", name="slot_range"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    slot: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    auth_method: Mapped[str] = mapped_column(String(20))  # access_token | oauth
    status: Mapped[str] = mapped_column(String(20), default=CONNECTED)
    intercom_app_id: Mapped[str] = mapped_column(String(100))
    workspace_name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Fernet token of the Intercom access token (see app/crypto.py); never the plaintext.
    access_token_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    segments_refreshed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
