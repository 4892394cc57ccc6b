"""The points ledger and recognition settings.

Revision ID: d4e8b2f61a07
Revises: 4e9a2c7b1d35
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "d4e8b2f61a07"
down_revision = "4e9a2c7b1d35"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "crowdsource_points",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("points", sa.Integer, nullable=False),
        sa.Column("reason", sa.UnicodeText, nullable=False),
        sa.Column("item_type", sa.UnicodeText),
        sa.Column("item_id", sa.UnicodeText),
        sa.Column("actor_id", sa.UnicodeText),
        sa.Column("package_id", sa.UnicodeText),
        sa.Column("community_id", sa.UnicodeText),
        sa.Column("note", sa.UnicodeText),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.create_index("crowdsource_points_user_idx", "crowdsource_points",
                    ["user_id", "created"])
    op.create_index("crowdsource_points_item_idx", "crowdsource_points",
                    ["item_id", "reason", "user_id"])
    op.create_index("crowdsource_points_created_idx", "crowdsource_points", ["created"])
    op.create_index("crowdsource_points_package_idx", "crowdsource_points", ["package_id"])
    op.create_index("crowdsource_points_community_idx", "crowdsource_points",
                    ["community_id", "created"])
    op.create_table(
        "crowdsource_recognition_settings",
        sa.Column("user_id", sa.UnicodeText, primary_key=True),
        sa.Column("leaderboards", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("public_profile", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("crowdsource_recognition_settings")
    op.drop_table("crowdsource_points")
