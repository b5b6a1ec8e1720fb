"""contact tombstones: contacts known gone, so that a late webhook cannot bring them back

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 03:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact_tombstones",
        sa.Column(
            "integration_id",
            sa.Uuid(),
            sa.ForeignKey("integrations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("intercom_contact_id", sa.String(length=64), primary_key=True),
        sa.Column(
            "account_id",
            sa.Uuid(),
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("gone_at", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("contact_tombstones")
