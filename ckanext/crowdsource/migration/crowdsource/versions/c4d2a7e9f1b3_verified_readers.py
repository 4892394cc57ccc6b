"""Readers the library has verified, for loans lent to them alone (issue 18).

Revision ID: c4d2a7e9f1b3
Revises: b8e1f4c2d6a9
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "c4d2a7e9f1b3"
down_revision = "b8e1f4c2d6a9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "crowdsource_reader_verified",
        sa.Column("user_id", sa.UnicodeText, primary_key=True),
        sa.Column("verified_by", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("crowdsource_reader_verified")
