"""Reader tags: crowdsource_tag.

Revision ID: 7c3e2a9d1f08
Revises: 5b1d9e0c4a21
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "7c3e2a9d1f08"
down_revision = "5b1d9e0c4a21"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "crowdsource_tag",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("tag", sa.UnicodeText, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="active"),
        sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.UniqueConstraint("package_id", "user_id", "tag", name="crowdsource_tag_unique"),
    )
    # (package_id, ...) is served by the unique constraint's index
    op.create_index("crowdsource_tag_user_id_idx", "crowdsource_tag", ["user_id"])
    op.create_index("crowdsource_tag_tag_idx", "crowdsource_tag", ["tag", "state"])


def downgrade():
    op.drop_table("crowdsource_tag")
