"""contact tombstones purged by when they were recorded, not by when the contact went (an old
time for a contact whose notification dates from its last change)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 06:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "contact_tombstones",
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
    )
    op.drop_index("ix_contact_tombstones_gone_at", table_name="contact_tombstones")
    op.create_index("ix_contact_tombstones_recorded_at", "contact_tombstones", ["recorded_at"])


def downgrade() -> None:
    op.drop_index("ix_contact_tombstones_recorded_at", table_name="contact_tombstones")
    op.create_index("ix_contact_tombstones_gone_at", "contact_tombstones", ["gone_at"])
    op.drop_column("contact_tombstones", "recorded_at")
