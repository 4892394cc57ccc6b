"""The searches on /dataset that found nothing, per day and normalised
query (the staff dashboard's demand).

Revision ID: b8e1f4a2c6d3
Revises: a1f0c3e5d7b9
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "b8e1f4a2c6d3"
down_revision = "a1f0c3e5d7b9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "crowdsource_search_miss",
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("query", sa.UnicodeText, nullable=False),
        sa.Column("searches", sa.Integer, nullable=False, server_default="1"),
        sa.PrimaryKeyConstraint("day", "query"),
    )


def downgrade():
    op.drop_table("crowdsource_search_miss")
