"""Discussion and Q&A: threads, posts, earlier versions of posts, votes.

Flags may now concern items without a dataset (questions to the library as a
whole), so their ``package_id`` becomes optional.

Revision ID: d5a8c3e7f210
Revises: b3f7a1c9e254
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "d5a8c3e7f210"
down_revision = "b3f7a1c9e254"
branch_labels = None
depends_on = None


def _stamps():
    return (sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
            sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()))


def upgrade():
    op.create_table(
        "crowdsource_thread",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("subject_type", sa.UnicodeText, nullable=False),
        sa.Column("subject_id", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("title", sa.UnicodeText),
        sa.Column("status", sa.UnicodeText, nullable=False, server_default="open"),
        sa.Column("close_reason", sa.UnicodeText),
        sa.Column("accepted_post_id", sa.UnicodeText),
        *_stamps(),
    )
    op.create_index("crowdsource_thread_package_id_idx", "crowdsource_thread", ["package_id"])
    op.create_index("crowdsource_thread_user_id_idx", "crowdsource_thread", ["user_id"])
    op.create_index("crowdsource_thread_discussion_once", "crowdsource_thread",
                    ["subject_type", "subject_id"], unique=True,
                    postgresql_where=sa.text("kind = 'discussion'"))
    op.create_index("crowdsource_thread_list_idx", "crowdsource_thread",
                    ["kind", "status", "created"])

    op.create_table(
        "crowdsource_post",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("thread_id", sa.UnicodeText, nullable=False),
        sa.Column("parent_id", sa.UnicodeText),
        sa.Column("root_id", sa.UnicodeText, nullable=False),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("body", sa.UnicodeText, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="published"),
        sa.Column("moderation_reason", sa.UnicodeText),
        sa.Column("deleted_by", sa.UnicodeText),
        sa.Column("score", sa.Integer, nullable=False, server_default="0"),
        sa.Column("verified", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("edited", sa.DateTime(timezone=True)),
        *_stamps(),
    )
    for col in ("thread_id", "parent_id", "package_id", "user_id"):
        op.create_index(f"crowdsource_post_{col}_idx", "crowdsource_post", [col])
    op.create_index("crowdsource_post_top_idx", "crowdsource_post", ["thread_id", "created"],
                    postgresql_where=sa.text("parent_id IS NULL"))
    op.create_index("crowdsource_post_top_score_idx", "crowdsource_post",
                    ["thread_id", "score", "created"],
                    postgresql_where=sa.text("parent_id IS NULL"))
    op.create_index("crowdsource_post_root_idx", "crowdsource_post", ["root_id", "created"])
    op.create_index("crowdsource_post_moderation_idx", "crowdsource_post", ["state"],
                    postgresql_where=sa.text("state IN ('hidden', 'pending')"))

    op.create_table(
        "crowdsource_post_revision",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("post_id", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("title", sa.UnicodeText),
        sa.Column("body", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    op.create_index("crowdsource_post_revision_post_id_idx", "crowdsource_post_revision",
                    ["post_id"])

    op.create_table(
        "crowdsource_vote",
        sa.Column("post_id", sa.UnicodeText, primary_key=True),
        sa.Column("user_id", sa.UnicodeText, primary_key=True),
        sa.Column("value", sa.SmallInteger, nullable=False),
        *_stamps(),
        sa.CheckConstraint("value IN (-1, 1)", name="crowdsource_vote_value"),
    )
    op.create_index("crowdsource_vote_user_id_idx", "crowdsource_vote", ["user_id"])

    op.alter_column("crowdsource_flag", "package_id", nullable=True)


def downgrade():
    op.execute("DELETE FROM crowdsource_flag WHERE package_id IS NULL")
    op.alter_column("crowdsource_flag", "package_id", nullable=False)
    for table in ("crowdsource_vote", "crowdsource_post_revision", "crowdsource_post",
                  "crowdsource_thread"):
        op.drop_table(table)
