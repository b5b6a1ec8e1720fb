"""webhook work per integration: the integrations a notification was applied to, the new
notifications a drain job claims, and what the retention purge reads

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "webhook_notifications",
        sa.Column(
            "done_integrations",
            postgresql.ARRAY(sa.Uuid()),
            nullable=False,
            server_default=sa.text("'{}'::uuid[]"),
        ),
    )
    op.create_index(
        "ix_webhook_notifications_new_id",
        "webhook_notifications",
        ["id"],
        postgresql_where=sa.text("status = 'pending' AND attempts = 0 AND lease_owner IS NULL"),
    )
    op.create_index(
        "ix_webhook_notifications_received_at", "webhook_notifications", ["received_at"]
    )
    op.create_index("ix_contact_tombstones_gone_at", "contact_tombstones", ["gone_at"])


def downgrade() -> None:
    op.drop_index("ix_contact_tombstones_gone_at", table_name="contact_tombstones")
    op.drop_index("ix_webhook_notifications_received_at", table_name="webhook_notifications")
    op.drop_index("ix_webhook_notifications_new_id", table_name="webhook_notifications")
    op.drop_column("webhook_notifications", "done_integrations")
