"""segment mappings and settings, integration settings, custom properties, customer tags,
unsubscribed customers, run config

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 20:48:33.920289
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "custom_properties",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_custom_properties_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_properties")),
    )
    op.create_index(
        "uq_custom_properties_account_id_key",
        "custom_properties",
        ["account_id", sa.literal_column("lower(key)")],
        unique=True,
    )
    op.create_table(
        "customer_tags",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("segment_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("tag", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_customer_tags_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_tags_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segments.id"],
            name=op.f("fk_customer_tags_segment_id_segments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "segment_id", name=op.f("pk_customer_tags")),
    )
    op.create_index(
        "ix_customer_tags_account_id_tag", "customer_tags", ["account_id", "tag"], unique=False
    )
    op.add_column(
        "customers", sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "integrations",
        sa.Column(
            "settings",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )
    op.add_column(
        "integrations",
        sa.Column("settings_version", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "segments", sa.Column("mapping", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.add_column(
        "segments", sa.Column("mapping_version", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "segments",
        sa.Column("duplicates", sa.String(length=8), server_default="update", nullable=False),
    )
    op.add_column("segments", sa.Column("tag", sa.String(length=100), nullable=True))
    op.add_column(
        "segments", sa.Column("settings_version", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "sync_runs", sa.Column("config", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.add_column(
        "sync_runs",
        sa.Column(
            "warnings",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("sync_runs", "warnings")
    op.drop_column("sync_runs", "config")
    op.drop_column("segments", "settings_version")
    op.drop_column("segments", "tag")
    op.drop_column("segments", "duplicates")
    op.drop_column("segments", "mapping_version")
    op.drop_column("segments", "mapping")
    op.drop_column("integrations", "settings_version")
    op.drop_column("integrations", "settings")
    op.drop_column("customers", "unsubscribed_at")
    op.drop_index("ix_customer_tags_account_id_tag", table_name="customer_tags")
    op.drop_table("customer_tags")
    op.drop_index("uq_custom_properties_account_id_key", table_name="custom_properties")
    op.drop_table("custom_properties")
