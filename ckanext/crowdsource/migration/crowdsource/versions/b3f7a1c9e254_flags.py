"""Flags on contributions; a partial index for the hidden reader tags.

Revision ID: b3f7a1c9e254
Revises: 9e4b6d2c8a17
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "b3f7a1c9e254"
down_revision = "9e4b6d2c8a17"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "crowdsource_flag",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("item_type", sa.UnicodeText, nullable=False),
        sa.Column("item_id", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("owner_org", sa.UnicodeText),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("reason", sa.UnicodeText, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="open"),
        sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.UniqueConstraint("item_type", "item_id", "user_id", name="crowdsource_flag_once"),
    )
    op.create_index("crowdsource_flag_open_idx", "crowdsource_flag",
                    ["state", "item_type", "item_id"])
    for col in ("package_id", "owner_org", "user_id"):
        op.create_index(f"crowdsource_flag_{col}_idx", "crowdsource_flag", [col])
    op.create_index("crowdsource_tag_hidden_idx", "crowdsource_tag", ["package_id", "tag"],
                    postgresql_where=sa.text("state = 'hidden'"))


def downgrade():
    op.drop_index("crowdsource_tag_hidden_idx", "crowdsource_tag")
    op.drop_table("crowdsource_flag")
