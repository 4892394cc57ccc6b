"""What communities do with tasks and questions: a task open to its
community's members first (``members_first_hours``) and reviewed by the
community's moderators when it says so (``community_review``); a question
asked within a community (``crowdsource_thread.community_id``).

Revision ID: 4e9a2c7b1d35
Revises: c71e5d2a9b36
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "4e9a2c7b1d35"
down_revision = "c71e5d2a9b36"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("crowdsource_task", sa.Column("members_first_hours", sa.Integer))
    op.add_column("crowdsource_task", sa.Column(
        "community_review", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("crowdsource_thread", sa.Column("community_id", sa.UnicodeText))
    op.create_index("crowdsource_thread_community_idx", "crowdsource_thread",
                    ["community_id", "kind", "status"])


def downgrade():
    op.drop_index("crowdsource_thread_community_idx", table_name="crowdsource_thread")
    op.drop_column("crowdsource_thread", "community_id")
    op.drop_column("crowdsource_task", "community_review")
    op.drop_column("crowdsource_task", "members_first_hours")
