"""sync reports that reconcile: samples, failures, progress, Intercom usage

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    jsonb = postgresql.JSONB(astext_type=sa.Text())
    op.add_column(
        "sync_runs",
        sa.Column("samples", jsonb, server_default=sa.text("'{}'::jsonb"), nullable=False),
    )
    op.add_column(
        "sync_runs", sa.Column("progress_seq", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("sync_runs", sa.Column("expected", sa.Integer(), nullable=True))
    op.add_column(
        "sync_runs", sa.Column("removed", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "sync_runs",
        sa.Column("removed_reasons", jsonb, server_default=sa.text("'{}'::jsonb"), nullable=False),
    )
    op.add_column(
        "sync_runs",
        sa.Column("intercom_requests", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "sync_runs",
        sa.Column("rate_limit_wait_ms", sa.BigInteger(), server_default="0", nullable=False),
    )
    # The sum of a {reason: count} object, for the checks below (immutable: usable in a CHECK).
    op.execute(
        """
        CREATE FUNCTION reason_total(counts jsonb) RETURNS bigint
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
        $$ SELECT coalesce(sum(value::bigint), 0) FROM jsonb_each_text(coalesce(counts, '{}')) $$
        """
    )
    # Every run's report reconciles, whoever writes it: a batch that would break it fails.
    op.create_check_constraint(
        "ck_sync_runs_reconciles",
        "sync_runs",
        "fetched = created + updated + unchanged + skipped + failed",
    )
    op.create_check_constraint(
        "ck_sync_runs_reasons_add_up",
        "sync_runs",
        "skipped = reason_total(skipped_reasons) AND failed = reason_total(failed_reasons) "
        "AND removed = reason_total(removed_reasons)",
    )
    op.create_table(
        "sync_failures",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column(
            "run_id", sa.Uuid(), sa.ForeignKey("sync_runs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "account_id",
            sa.Uuid(),
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("intercom_contact_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
    )
    op.create_index("ix_sync_failures_run_id_id", "sync_failures", ["run_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_sync_failures_run_id_id", table_name="sync_failures")
    op.drop_table("sync_failures")
    op.drop_constraint("ck_sync_runs_reasons_add_up", "sync_runs", type_="check")
    op.drop_constraint("ck_sync_runs_reconciles", "sync_runs", type_="check")
    op.execute("DROP FUNCTION reason_total(jsonb)")
    for column in (
        "rate_limit_wait_ms",
        "intercom_requests",
        "removed_reasons",
        "removed",
        "expected",
        "progress_seq",
        "samples",
    ):
        op.drop_column("sync_runs", column)
