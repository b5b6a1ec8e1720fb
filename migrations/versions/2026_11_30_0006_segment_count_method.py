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
    # Every count so far was Intercom's; a custom segment with filters counted its whole
    # source, which is not its count: it waits for the refresh that counts it.
    op.execute(
        "UPDATE segments SET contact_count = NULL, count_refreshed_at = NULL "
        "WHERE kind = 'custom' AND filters IS NOT NULL"
    )
    op.execute(
        "UPDATE integrations SET refresh_due_at = now() WHERE id IN "
        "(SELECT integration_id FROM segments WHERE kind = 'custom' AND filters IS NOT NULL)"
    )
    op.execute("UPDATE segments SET count_method = 'intercom' WHERE contact_count IS NOT NULL")


def downgrade() -> None:
    op.drop_column("segments", "count_method")
