"""The queue of datasets whose crowd fields changed and wait to be reindexed.

Revision ID: a6d3f9b1c472
Revises: f3a7d1c5b820
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "a6d3f9b1c472"
down_revision = "f3a7d1c5b820"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "crowdsource_reindex",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("queued", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.create_index("crowdsource_reindex_queued_idx", "crowdsource_reindex", ["queued"])


def downgrade():
    op.drop_table("crowdsource_reindex")
