from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.domain.models.base import IdMixin, TimestampMixin
from app.domain.refresh.schemas import RefreshStatus

# Integration.status. reauth_required: Intercom refused the stored token (a 401/403); work that
# calls Intercom with it is refused until the workspace is connected again. disconnected: the
# account disconnected the workspace; the token is destroyed and the slot free, but the row stays
# so that its lists' sync history and its customers' sources keep their integration (connecting
# the same workspace again revives it).
CONNECTED = "connected"
REAUTH_REQUIRED = "reauth_required"
DISCONNECTED = "disconnected"


class Integration(IdMixin, TimestampMixin, Base):
    """One connected Intercom workspace of an account (at most two: slots 1 and 2)."""

    __tablename__ = "integrations"
    __table_args__ = (
        UniqueConstraint("account_id", "slot"),
        UniqueConstraint("account_id", "intercom_app_id"),
        CheckConstraint("slot IN (1, 2)", name="slot_range"),
        # The periodic refresh's question: which connected integrations are due?
        Index(
            "ix_integrations_refresh_due",
            "refresh_due_at",
            postgresql_where=text("disconnected_at IS NULL"),
        ),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    # None once disconnected: the slot is free for another workspace.
    slot: Mapped[int | None]
    name: Mapped[str] = mapped_column(String(100))
    auth_method: Mapped[str] = mapped_column(String(20))  # access_token | oauth
    status: Mapped[str] = mapped_column(String(20), default=CONNECTED)
    intercom_app_id: Mapped[str] = mapped_column(String(100))
    workspace_name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Fernet token of the Intercom access token (see app/crypto.py); never the plaintext.
    # What happens on lifecycle events (domain/integrations/settings.py: IntegrationSettings);
    # versioned: a write names the version it read (If-Match).
    settings: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    settings_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Destroyed (None) on disconnect.
    access_token_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    disconnected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # The cache of lists, segments, counts and data attributes ("Refresh data"). A refresh is
    # due at `refresh_due_at` (periodic, spread per integration; or now, when asked for); the
    # job that does it holds a short lease, so that a crashed refresh is picked up again.
    refreshed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refresh_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refresh_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refresh_lease_owner: Mapped[str | None] = mapped_column(String(64))
    refresh_lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refresh_error_code: Mapped[str | None] = mapped_column(String(64))
    refresh_error: Mapped[str | None] = mapped_column(Text)

    @property
    def refresh_state(self) -> dict[str, object]:
        """Where its refresh stands (app/domain/refresh): running while a job holds the lease,
        pending while one is on its way, failed when the last attempt failed."""
        if self.refresh_lease_owner is not None:
            status = RefreshStatus.RUNNING
        elif self.refresh_lease_expires_at is not None:
            status = RefreshStatus.PENDING
        elif self.refresh_error_code is not None:
            status = RefreshStatus.FAILED
        else:
            status = RefreshStatus.IDLE
        return {
            "status": status,
            "requested_at": self.refresh_requested_at,
            "refreshed_at": self.refreshed_at,
            "due_at": self.refresh_due_at,
            "error_code": self.refresh_error_code,
            "error": self.refresh_error,
        }


class OAuthState(IdMixin, Base):
    """An OAuth connect in progress. The `state` sent to Intercom is signed and carries this
    row's id; the row makes it single use (consumed on the callback) and binds it to the
    account and the redirect it was issued for."""

    __tablename__ = "oauth_states"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    consumed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IntercomAttribute(IdMixin, Base):
    """A contact data attribute of a workspace (`GET /data_attributes?model=contact`), cached
    by the integration's refresh. One that Intercom stops returning keeps its row, marked
    removed, so that a mapping naming it can say why it no longer imports anything."""

    __tablename__ = "intercom_attributes"
    __table_args__ = (UniqueConstraint("integration_id", "name"),)

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE")
    )
    # Its `full_name`: the key a search or a contact uses (`custom_attributes.<name>` for custom
    # attributes).
    name: Mapped[str] = mapped_column(String(255))
    label: Mapped[str] = mapped_column(String(255))
    data_type: Mapped[str] = mapped_column(String(32))
    custom: Mapped[bool]
    archived: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str | None] = mapped_column(Text)
    refreshed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
