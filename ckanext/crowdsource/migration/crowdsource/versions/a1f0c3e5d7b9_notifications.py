"""Notifications, readers' notification settings, and follows.

Revision ID: a1f0c3e5d7b9
Revises: b8e1f4a2c603
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "a1f0c3e5d7b9"
down_revision = "b8e1f4a2c603"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "crowdsource_notification",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("actor_id", sa.UnicodeText),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("item_type", sa.UnicodeText),
        sa.Column("item_id", sa.UnicodeText),
        sa.Column("package_id", sa.UnicodeText),
        sa.Column("community_id", sa.UnicodeText),
        sa.Column("title", sa.UnicodeText),
        sa.Column("link", sa.UnicodeText),
        sa.Column("data", JSONB),
        sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("read_at", sa.DateTime(timezone=True)),
    )
    op.create_index("crowdsource_notification_user_idx", "crowdsource_notification",
                    ["user_id", "created"])
    op.create_index("crowdsource_notification_unread_idx", "crowdsource_notification",
                    ["user_id"], postgresql_where=sa.text("read_at IS NULL"),
                    postgresql_include=["package_id"])
    op.create_index("crowdsource_notification_item_idx", "crowdsource_notification",
                    ["item_id"])
    op.create_index("crowdsource_notification_package_idx", "crowdsource_notification",
                    ["package_id"])
    op.create_table(
        "crowdsource_notify_settings",
        sa.Column("user_id", sa.UnicodeText, primary_key=True),
        sa.Column("disabled", ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("email", sa.UnicodeText, nullable=False, server_default="daily"),
        sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    op.create_table(
        "crowdsource_follow",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("object_type", sa.UnicodeText, nullable=False),
        sa.Column("object_id", sa.UnicodeText, nullable=False),
        sa.Column("level", sa.UnicodeText, nullable=False, server_default="all"),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.UniqueConstraint("user_id", "object_type", "object_id",
                            name="crowdsource_follow_once"),
    )
    op.create_index("crowdsource_follow_object_idx", "crowdsource_follow",
                    ["object_type", "object_id", "level"])


def downgrade():
    op.drop_table("crowdsource_follow")
    op.drop_table("crowdsource_notify_settings")
    op.drop_table("crowdsource_notification")
