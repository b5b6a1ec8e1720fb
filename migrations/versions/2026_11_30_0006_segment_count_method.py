"""where a segment's count comes from

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("segments", sa.Column("count_method", sa.String(length=16), nullable=True))
    # Every count so far was Intercom's.
    op.execute("UPDATE segments SET count_method = 'intercom' WHERE contact_count IS NOT NULL")


def downgrade() -> None:
    op.drop_column("segments", "count_method")
