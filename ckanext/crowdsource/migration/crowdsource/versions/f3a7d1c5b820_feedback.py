"""Feedback, its conversation, seconds of requests, and ratings.

Revision ID: f3a7d1c5b820
Revises: e8c4b2a6d913
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "f3a7d1c5b820"
down_revision = "e8c4b2a6d913"
branch_labels = None
depends_on = None


def _at(name):
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now())


def upgrade():
    op.create_table(
        "crowdsource_feedback",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("subject_type", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText),
        sa.Column("resource_id", sa.UnicodeText),
        sa.Column("owner_org", sa.UnicodeText),
        sa.Column("user_id", sa.UnicodeText),
        sa.Column("contact_email", sa.UnicodeText),
        sa.Column("title", sa.UnicodeText),
        sa.Column("body", sa.UnicodeText, nullable=False),
        sa.Column("rating", sa.SmallInteger),
        sa.Column("status", sa.UnicodeText, nullable=False, server_default="new"),
        sa.Column("public_answer", sa.UnicodeText),
        sa.Column("fulfilled_by", sa.UnicodeText),
        sa.Column("seconds", sa.Integer, nullable=False, server_default="0"),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="published"),
        sa.Column("moderation_reason", sa.UnicodeText),
        sa.Column("answered", sa.DateTime(timezone=True)),
        _at("created"), _at("modified"),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5",
                           name="crowdsource_feedback_rating"),
    )
    for col in ("package_id", "user_id"):
        op.create_index(f"crowdsource_feedback_{col}_idx", "crowdsource_feedback", [col])
    # the inbox: unanswered first, oldest first, per organization (and status)
    op.create_index("crowdsource_feedback_inbox_idx", "crowdsource_feedback",
                    ["owner_org", sa.text("(answered IS NOT NULL)"), "created"])
    op.create_index("crowdsource_feedback_inbox_status_idx", "crowdsource_feedback",
                    ["owner_org", "status", sa.text("(answered IS NOT NULL)"), "created"])
    op.create_index("crowdsource_feedback_requests_idx", "crowdsource_feedback",
                    ["kind", "status", "seconds"])
    op.create_index("crowdsource_feedback_created_idx", "crowdsource_feedback", ["created"])

    op.create_table(
        "crowdsource_feedback_message",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("feedback_id", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText),
        sa.Column("role", sa.UnicodeText, nullable=False),
        sa.Column("body", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="published"),
        sa.Column("moderation_reason", sa.UnicodeText),
        _at("created"), _at("modified"),
    )
    op.create_index("crowdsource_feedback_message_feedback_id_idx",
                    "crowdsource_feedback_message", ["feedback_id"])

    op.create_table(
        "crowdsource_request_second",
        sa.Column("feedback_id", sa.UnicodeText, primary_key=True),
        sa.Column("user_id", sa.UnicodeText, primary_key=True),
        _at("created"),
    )
    op.create_index("crowdsource_request_second_user_id_idx", "crowdsource_request_second",
                    ["user_id"])

    op.create_table(
        "crowdsource_rating",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("user_id", sa.UnicodeText, primary_key=True),
        sa.Column("rating", sa.SmallInteger, nullable=False),
        sa.Column("feedback_id", sa.UnicodeText, nullable=False),
        _at("created"), _at("modified"),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="crowdsource_rating_range"),
    )
    op.create_index("crowdsource_rating_user_id_idx", "crowdsource_rating", ["user_id"])


def downgrade():
    for table in ("crowdsource_rating", "crowdsource_request_second",
                  "crowdsource_feedback_message", "crowdsource_feedback"):
        op.drop_table(table)
