"""Shares: each use of an item's Share control, for its share counts.

Revision ID: b8e1f4a2c603
Revises: e2b9c4d7a5f1
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "b8e1f4a2c603"
down_revision = "e2b9c4d7a5f1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crowdsource_share",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("item_type", sa.UnicodeText, nullable=False),
        sa.Column("item_id", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText),
        sa.Column("channel", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.create_index("crowdsource_share_item_idx", "crowdsource_share",
                    ["item_type", "item_id", "channel"])
    op.create_index("crowdsource_share_package_idx", "crowdsource_share", ["package_id"])
    op.create_index("crowdsource_share_created_idx", "crowdsource_share", ["created"])


def downgrade() -> None:
    op.drop_table("crowdsource_share")
