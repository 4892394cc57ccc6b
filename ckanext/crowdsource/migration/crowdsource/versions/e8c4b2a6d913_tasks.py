"""Tasks and claims.

Revision ID: e8c4b2a6d913
Revises: d5a8c3e7f210
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "e8c4b2a6d913"
down_revision = "d5a8c3e7f210"
branch_labels = None
depends_on = None


def _stamps():
    return (sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
            sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()))


def upgrade():
    op.create_table(
        "crowdsource_task",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("resource_id", sa.UnicodeText),
        sa.Column("community_id", sa.UnicodeText),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("instructions", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("target_field", sa.UnicodeText),
        sa.Column("capacity", sa.Integer, nullable=False, server_default="1"),
        sa.Column("reward_points", sa.Integer, nullable=False, server_default="0"),
        sa.Column("claim_ttl_hours", sa.Integer, nullable=False),
        sa.Column("due", sa.DateTime(timezone=True)),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="open"),
        sa.Column("state_reason", sa.UnicodeText),
        sa.Column("slots_used", sa.Integer, nullable=False, server_default="0"),
        sa.Column("accepted", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_by", sa.UnicodeText, nullable=False),
        *_stamps(),
        sa.CheckConstraint("capacity >= 1", name="crowdsource_task_capacity"),
        sa.CheckConstraint("slots_used >= 0 AND slots_used <= capacity",
                           name="crowdsource_task_slots"),
    )
    for col in ("package_id", "community_id"):
        op.create_index(f"crowdsource_task_{col}_idx", "crowdsource_task", [col])
    op.create_index("crowdsource_task_board_idx", "crowdsource_task", ["state", "created"])
    op.create_index("crowdsource_task_due_idx", "crowdsource_task", ["state", "due"])
    op.create_index("crowdsource_task_kind_idx", "crowdsource_task", ["kind", "state"])

    op.create_table(
        "crowdsource_claim",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("task_id", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="claimed"),
        sa.Column("state_reason", sa.UnicodeText),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extensions", sa.Integer, nullable=False, server_default="0"),
        sa.Column("draft", JSONB),
        sa.Column("result", JSONB),
        sa.Column("submitted_at", sa.DateTime(timezone=True)),
        sa.Column("reviewer_id", sa.UnicodeText),
        sa.Column("review_note", sa.UnicodeText),
        sa.Column("reviewed_at", sa.DateTime(timezone=True)),
        sa.Column("applied_at", sa.DateTime(timezone=True)),
        sa.Column("applied_by", sa.UnicodeText),
        sa.Column("applied_as", sa.UnicodeText),
        *_stamps(),
        sa.CheckConstraint("reviewer_id IS NULL OR reviewer_id <> user_id",
                           name="crowdsource_claim_not_own_review"),
    )
    for col in ("task_id", "user_id"):
        op.create_index(f"crowdsource_claim_{col}_idx", "crowdsource_claim", [col])
    op.create_index("crowdsource_claim_live_once", "crowdsource_claim", ["task_id", "user_id"],
                    unique=True,
                    postgresql_where=sa.text("state IN ('claimed', 'submitted', 'accepted')"))
    op.create_index("crowdsource_claim_lease_idx", "crowdsource_claim", ["expires_at"],
                    postgresql_where=sa.text("state = 'claimed'"))
    op.create_index("crowdsource_claim_review_idx", "crowdsource_claim",
                    ["state", "submitted_at"])


def downgrade():
    op.drop_table("crowdsource_claim")
    op.drop_table("crowdsource_task")
