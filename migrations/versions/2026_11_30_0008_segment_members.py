"""segment members: which Intercom contacts each list last synced, for removals

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 23:59:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "segment_members",
        sa.Column(
            "segment_id",
            sa.Uuid(),
            sa.ForeignKey("segments.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("intercom_contact_id", sa.String(length=64), primary_key=True),
        sa.Column(
            "account_id",
            sa.Uuid(),
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("last_seen_run_id", sa.Uuid(), nullable=True),
        # Every sync rewrites its members' last_seen_run_id: room on each page keeps those
        # updates HOT (no index touched, no page split).
        postgresql_with={"fillfactor": 80},
    )


def downgrade() -> None:
    op.drop_table("segment_members")
