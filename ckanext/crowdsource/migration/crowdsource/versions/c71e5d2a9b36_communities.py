"""Subject communities and their members.

Revision ID: c71e5d2a9b36
Revises: a6d3f9b1c472
Create Date: 2026-12-09
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "c71e5d2a9b36"
down_revision = "a6d3f9b1c472"
branch_labels = None
depends_on = None


def _stamps():
    return (sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
            sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()))


def upgrade():
    op.create_table(
        "crowdsource_community",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("status", sa.UnicodeText, nullable=False, server_default="active"),
        sa.Column("join_policy", sa.UnicodeText, nullable=False, server_default="open"),
        sa.Column("scope", JSONB),
        sa.Column("proposed_by", sa.UnicodeText),
        sa.Column("reviewed_by", sa.UnicodeText),
        sa.Column("review_note", sa.UnicodeText),
        sa.Column("reviewed_at", sa.DateTime(timezone=True)),
        *_stamps(),
    )
    op.create_index("crowdsource_community_status_idx", "crowdsource_community",
                    ["status", "created"])
    op.create_index("crowdsource_community_proposed_by_idx", "crowdsource_community",
                    ["proposed_by"])

    op.create_table(
        "crowdsource_community_member",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("community_id", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("role", sa.UnicodeText, nullable=False, server_default="member"),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="active"),
        *_stamps(),
        sa.UniqueConstraint("community_id", "user_id",
                            name="crowdsource_community_member_once"),
    )
    op.create_index("crowdsource_community_member_user_idx", "crowdsource_community_member",
                    ["user_id", "state"])
    op.create_index("crowdsource_community_member_role_idx", "crowdsource_community_member",
                    ["community_id", "state", "role"])


def downgrade():
    op.drop_table("crowdsource_community_member")
    op.drop_table("crowdsource_community")
