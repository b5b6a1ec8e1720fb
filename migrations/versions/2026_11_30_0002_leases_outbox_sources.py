"""leased sync runs, the outbox, customer sources with values, commit-ordered customers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = "status IN ('pending', 'running')"
CURRENT_XID = sa.text("(pg_current_xact_id()::text)::bigint")
# jsonb's text form is canonical: the same hash the sync computes (customers/repository.py).
HASH = "decode(md5(jsonb_build_array({t}.name, {t}.phone, {t}.properties)::text), 'hex')"


def upgrade() -> None:
    # Sync runs: a lease, a job generation, attempts and deferrals (domain/syncs/runner.py).
    op.add_column(
        "sync_runs", sa.Column("generation", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("sync_runs", sa.Column("lease_owner", sa.String(length=64), nullable=True))
    op.add_column(
        "sync_runs", sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "sync_runs", sa.Column("attempts", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "sync_runs", sa.Column("deferrals", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("sync_runs", sa.Column("last_error", sa.Text(), nullable=True))
    # Runs active when this migration runs have no lease: due now, so the sweeper resumes them.
    op.execute(f"UPDATE sync_runs SET lease_expires_at = now() WHERE {ACTIVE}")
    op.create_index(
        "ix_sync_runs_active_lease_expires_at",
        "sync_runs",
        ["lease_expires_at"],
        postgresql_where=sa.text(ACTIVE),
    )

    op.create_table(
        "outbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_outbox_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index(
        "ix_outbox_undispatched",
        "outbox",
        ["available_at"],
        postgresql_where=sa.text("dispatched_at IS NULL"),
    )

    # Customers: a hash of their values, and the creating transaction for commit-ordered paging.
    op.add_column("customers", sa.Column("content_hash", sa.LargeBinary(length=16), nullable=True))
    op.add_column(
        "customers",
        sa.Column("created_xid", sa.BigInteger(), server_default=CURRENT_XID, nullable=False),
    )
    op.execute(f"UPDATE customers SET content_hash = {HASH.format(t='customers')}")
    op.drop_index("ix_customers_account_id_created_at_id", table_name="customers")
    op.create_index(
        "ix_customers_account_id_created_xid_id", "customers", ["account_id", "created_xid", "id"]
    )

    # Sources carry the values their contact gives the customer, so the winner is decided in SQL.
    op.add_column("customer_sources", sa.Column("email", sa.String(length=320), nullable=True))
    op.add_column("customer_sources", sa.Column("name", sa.String(length=300), nullable=True))
    op.add_column("customer_sources", sa.Column("phone", sa.String(length=64), nullable=True))
    op.add_column(
        "customer_sources",
        sa.Column("properties", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.add_column(
        "customer_sources", sa.Column("content_hash", sa.LargeBinary(length=16), nullable=True)
    )
    op.add_column(
        "customer_sources",
        sa.Column("intercom_updated_at", sa.BigInteger(), server_default="0", nullable=False),
    )
    op.alter_column("customer_sources", "synced_at", new_column_name="changed_at")
    # Until the next sync refreshes them, a source holds its customer's current values.
    op.execute(
        f"""
        UPDATE customer_sources AS s
        SET email = c.email, name = c.name, phone = c.phone, properties = c.properties,
            content_hash = {HASH.format(t="c")}
        FROM customers AS c WHERE c.id = s.customer_id
        """
    )
    op.alter_column("customer_sources", "email", nullable=False)
    op.alter_column("customer_sources", "properties", nullable=False)
    op.alter_column("customer_sources", "content_hash", nullable=False)
    op.drop_column("customer_sources", "last_sync_run_id")
    # Sources are found by customer or by contact; an index on the account only misled the
    # planner into reading every source of the account per lookup.
    op.drop_index("ix_customer_sources_account_id", table_name="customer_sources")


def downgrade() -> None:
    op.create_index("ix_customer_sources_account_id", "customer_sources", ["account_id"])
    op.add_column("customer_sources", sa.Column("last_sync_run_id", sa.Uuid(), nullable=True))
    op.alter_column("customer_sources", "changed_at", new_column_name="synced_at")
    for column in ("intercom_updated_at", "content_hash", "properties", "phone", "name", "email"):
        op.drop_column("customer_sources", column)
    op.drop_index("ix_customers_account_id_created_xid_id", table_name="customers")
    op.create_index(
        "ix_customers_account_id_created_at_id", "customers", ["account_id", "created_at", "id"]
    )
    op.drop_column("customers", "created_xid")
    op.drop_column("customers", "content_hash")
    op.drop_index("ix_outbox_undispatched", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_sync_runs_active_lease_expires_at", table_name="sync_runs")
    for column in (
        "last_error",
        "deferrals",
        "attempts",
        "lease_expires_at",
        "lease_owner",
        "generation",
    ):
        op.drop_column("sync_runs", column)
