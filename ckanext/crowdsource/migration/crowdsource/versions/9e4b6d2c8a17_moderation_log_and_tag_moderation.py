"""Moderation audit log; hidden reader tags keep their reason; blocked tags.

Revision ID: 9e4b6d2c8a17
Revises: 7c3e2a9d1f08
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "9e4b6d2c8a17"
down_revision = "7c3e2a9d1f08"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "crowdsource_moderation_log",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("item_type", sa.UnicodeText, nullable=False),
        sa.Column("item_id", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText),
        sa.Column("owner_org", sa.UnicodeText),
        sa.Column("actor_id", sa.UnicodeText, nullable=False),
        sa.Column("action", sa.UnicodeText, nullable=False),
        sa.Column("reason", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    for col in ("package_id", "owner_org", "created"):
        op.create_index(f"crowdsource_moderation_log_{col}_idx",
                        "crowdsource_moderation_log", [col])
    op.create_index("crowdsource_moderation_log_item_idx", "crowdsource_moderation_log",
                    ["item_type", "item_id"])
    op.add_column("crowdsource_tag", sa.Column("moderation_reason", sa.UnicodeText))
    op.create_table(
        "crowdsource_tag_block",
        sa.Column("tag", sa.UnicodeText, primary_key=True),
        sa.Column("actor_id", sa.UnicodeText, nullable=False),
        sa.Column("reason", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("crowdsource_tag_block")
    op.drop_column("crowdsource_tag", "moderation_reason")
    op.drop_table("crowdsource_moderation_log")
