from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.domain.models.base import IdMixin, TimestampMixin

# The id of the transaction that wrote a row, as a plain number (xid8 has no cast to bigint).
CURRENT_TRANSACTION_ID = text("(pg_current_xact_id()::text)::bigint")


class Customer(IdMixin, TimestampMixin, Base):
    """A customer of the NPS product, identified within its account by its normalised email.

    Its values are those of its winning source (see `CustomerSource`); `content_hash` is the hash
    of those values, so a batch can tell "unchanged" without comparing JSON."""

    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("account_id", "email"),
        # Keyset pagination in commit order (see CustomerRepository.page_for_account).
        Index("ix_customers_account_id_created_xid_id", "account_id", "created_xid", "id"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(64))
    properties: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    content_hash: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    # Unsubscribed from surveys: in the product, or by an Intercom contact that unsubscribed
    # from emails when the integration's settings say so. A sync never subscribes again.
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_xid: Mapped[int] = mapped_column(BigInteger, server_default=CURRENT_TRANSACTION_ID)


class CustomerSource(Base):
    """One Intercom contact behind a customer, with the values it would give the customer.

    A customer may have several sources (a user and a lead with one email, two workspaces); its
    values come from one winner, chosen the same way whatever the order of syncs: a user over a
    lead, then the most recently updated contact, then the integration connected first."""

    __tablename__ = "customer_sources"
    __table_args__ = (UniqueConstraint("integration_id", "intercom_contact_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Not indexed on purpose: sources are found by customer or by contact, and an index on the
    # account tempted the planner into reading every source of the account per lookup.
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE")
    )
    intercom_contact_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(8))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(64))
    properties: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    content_hash: Mapped[bytes] = mapped_column(LargeBinary(16))
    # Intercom's `updated_at` (Unix seconds): the more recent of two contacts wins.
    intercom_updated_at: Mapped[int] = mapped_column(BigInteger, default=0)
    # When this source's values last changed (an unchanged re-sync does not touch the row).
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CustomerTag(Base):
    """A tag a segment put on a customer it synced (segment settings). One row per customer and
    segment, so that a segment that stops holding the customer takes its own tag away only."""

    __tablename__ = "customer_tags"
    __table_args__ = (Index("ix_customer_tags_account_id_tag", "account_id", "tag"),)

    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    segment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(100))


class CustomProperty(IdMixin, TimestampMixin, Base):
    """A customer property an account defined (the default ones are a catalog in code:
    domain/properties/catalog.py). Keys are unique per account whatever their case."""

    __tablename__ = "custom_properties"
    __table_args__ = (
        Index("uq_custom_properties_account_id_key", "account_id", text("lower(key)"), unique=True),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))  # text | number | boolean | date


class ContactTombstone(Base):
    """An Intercom contact known gone (deleted, archived or merged away) and since when: a
    webhook describing the contact as it was before that (delivered late, or out of order)
    must not bring its customer back."""

    __tablename__ = "contact_tombstones"
    # The retention purge reads the oldest.
    __table_args__ = (Index("ix_contact_tombstones_recorded_at", "recorded_at"),)

    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE"), primary_key=True
    )
    intercom_contact_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    # Epoch seconds: when Intercom said it was gone (the notification), or when a run found it.
    gone_at: Mapped[int] = mapped_column(BigInteger)
    # When it was written here (last): what the retention purge goes by.
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
