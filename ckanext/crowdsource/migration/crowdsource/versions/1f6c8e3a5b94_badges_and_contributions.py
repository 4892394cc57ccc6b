"""Badges and each reader's contribution stream (recognition).

Revision ID: 1f6c8e3a5b94
Revises: d4e8b2f61a07
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "1f6c8e3a5b94"
down_revision = "d4e8b2f61a07"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "crowdsource_badge",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("badge", sa.UnicodeText, nullable=False),
        sa.Column("community_id", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.UniqueConstraint("user_id", "badge", "community_id",
                            name="crowdsource_badge_once"),
    )
    op.create_index("crowdsource_badge_badge_idx", "crowdsource_badge", ["badge", "created"])
    op.create_index("crowdsource_badge_community_idx", "crowdsource_badge", ["community_id"])
    op.create_table(
        "crowdsource_contribution",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("item_id", sa.UnicodeText, nullable=False),
        sa.Column("parent_id", sa.UnicodeText),
        sa.Column("package_id", sa.UnicodeText),
        sa.Column("community_id", sa.UnicodeText),
        sa.Column("title", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="shown"),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.UniqueConstraint("kind", "item_id", "user_id", name="crowdsource_contribution_once"),
    )
    op.create_index("crowdsource_contribution_user_idx", "crowdsource_contribution",
                    ["user_id", "created", "id"])
    op.create_index("crowdsource_contribution_item_idx", "crowdsource_contribution",
                    ["item_id"])
    op.create_index("crowdsource_contribution_package_idx", "crowdsource_contribution",
                    ["package_id"])
    op.create_index("crowdsource_contribution_community_idx", "crowdsource_contribution",
                    ["community_id", "kind", "created"])


def downgrade():
    op.drop_table("crowdsource_contribution")
    op.drop_table("crowdsource_badge")
