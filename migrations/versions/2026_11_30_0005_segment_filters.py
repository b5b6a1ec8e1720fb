"""segment filters

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "segments",
        sa.Column("filters", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.add_column(
        "segments",
        sa.Column("filters_version", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("segments", "filters_version")
    op.drop_column("segments", "filters")
