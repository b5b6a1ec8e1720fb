"""integration lifecycle (disconnect, OAuth states), the refresh cache, the auto-sync schedule

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 20:02:01.703814
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oauth_states",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("redirect_uri", sa.String(length=2000), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consumed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_oauth_states_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_states")),
    )
    op.create_index(
        op.f("ix_oauth_states_account_id"), "oauth_states", ["account_id"], unique=False
    )
    op.create_index(
        op.f("ix_oauth_states_expires_at"), "oauth_states", ["expires_at"], unique=False
    )
    op.create_table(
        "intercom_attributes",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("integration_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("data_type", sa.String(length=32), nullable=False),
        sa.Column("custom", sa.Boolean(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_intercom_attributes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integrations.id"],
            name=op.f("fk_intercom_attributes_integration_id_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intercom_attributes")),
        sa.UniqueConstraint(
            "integration_id", "name", name=op.f("uq_intercom_attributes_integration_id_name")
        ),
    )
    op.add_column(
        "integrations", sa.Column("disconnected_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.alter_column("integrations", "segments_refreshed_at", new_column_name="refreshed_at")
    op.add_column(
        "integrations", sa.Column("refresh_due_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "integrations", sa.Column("refresh_requested_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "integrations", sa.Column("refresh_lease_owner", sa.String(length=64), nullable=True)
    )
    op.add_column(
        "integrations",
        sa.Column("refresh_lease_expires_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "integrations", sa.Column("refresh_error_code", sa.String(length=64), nullable=True)
    )
    op.add_column("integrations", sa.Column("refresh_error", sa.Text(), nullable=True))
    op.alter_column("integrations", "slot", existing_type=sa.INTEGER(), nullable=True)
    op.alter_column(
        "integrations", "access_token_encrypted", existing_type=postgresql.BYTEA(), nullable=True
    )
    # Existing integrations are refreshed by the first periodic pass.
    op.execute("UPDATE integrations SET refresh_due_at = now()")
    op.create_index(
        "ix_integrations_refresh_due",
        "integrations",
        ["refresh_due_at"],
        unique=False,
        postgresql_where=sa.text("disconnected_at IS NULL"),
    )
    op.add_column("segments", sa.Column("next_sync_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "segments", sa.Column("mapping_confirmed_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("segments", sa.Column("missing_since", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_sync_runs_segment_id_created_at", "sync_runs", ["segment_id", "created_at"])
    op.create_index(
        "ix_segments_due",
        "segments",
        ["next_sync_at"],
        unique=False,
        postgresql_where=sa.text("auto_sync"),
    )


def downgrade() -> None:
    op.drop_index("ix_sync_runs_segment_id_created_at", table_name="sync_runs")
    op.drop_index("ix_segments_due", table_name="segments", postgresql_where=sa.text("auto_sync"))
    op.drop_column("segments", "missing_since")
    op.drop_column("segments", "mapping_confirmed_at")
    op.drop_column("segments", "next_sync_at")
    op.drop_index("ix_integrations_refresh_due", table_name="integrations")
    op.execute("DELETE FROM integrations WHERE slot IS NULL OR access_token_encrypted IS NULL")
    op.alter_column("integrations", "refreshed_at", new_column_name="segments_refreshed_at")
    op.alter_column(
        "integrations", "access_token_encrypted", existing_type=postgresql.BYTEA(), nullable=False
    )
    op.alter_column("integrations", "slot", existing_type=sa.INTEGER(), nullable=False)
    op.drop_column("integrations", "refresh_error")
    op.drop_column("integrations", "refresh_error_code")
    op.drop_column("integrations", "refresh_lease_expires_at")
    op.drop_column("integrations", "refresh_lease_owner")
    op.drop_column("integrations", "refresh_requested_at")
    op.drop_column("integrations", "refresh_due_at")
    op.drop_column("integrations", "disconnected_at")
    op.drop_table("intercom_attributes")
    op.drop_index(op.f("ix_oauth_states_expires_at"), table_name="oauth_states")
    op.drop_index(op.f("ix_oauth_states_account_id"), table_name="oauth_states")
    op.drop_table("oauth_states")
