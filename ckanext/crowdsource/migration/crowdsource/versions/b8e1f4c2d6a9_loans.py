"""Lendable datasets, loans and reservations (issue 18).

Revision ID: b8e1f4c2d6a9
Revises: b8e1f4a2c6d3
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "b8e1f4c2d6a9"
down_revision = "b8e1f4a2c6d3"
branch_labels = None
depends_on = None


def _stamps():
    return [sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
            sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now())]


def upgrade():
    op.create_table(
        "crowdsource_lendable",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False, unique=True),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("copies", sa.Integer, nullable=False, server_default="1"),
        sa.Column("loan_days", sa.Integer, nullable=False, server_default="14"),
        sa.Column("renewals", sa.Integer, nullable=False, server_default="1"),
        sa.Column("needs_approval", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("eligibility", sa.UnicodeText, nullable=False, server_default="registered"),
        sa.Column("community_ids", ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("created_by", sa.UnicodeText, nullable=False),
        *_stamps(),
        sa.CheckConstraint("copies >= 0", name="crowdsource_lendable_copies"),
    )
    op.create_table(
        "crowdsource_loan",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("started", sa.DateTime(timezone=True)),
        sa.Column("due", sa.DateTime(timezone=True)),
        sa.Column("ended", sa.DateTime(timezone=True)),
        sa.Column("renewals_used", sa.Integer, nullable=False, server_default="0"),
        sa.Column("due_soon_sent", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("decided_by", sa.UnicodeText),
        sa.Column("reason", sa.UnicodeText),
        *_stamps(),
    )
    op.create_index("ix_crowdsource_loan_user_id", "crowdsource_loan", ["user_id"])
    op.create_index("crowdsource_loan_live_once", "crowdsource_loan", ["package_id", "user_id"],
                    unique=True, postgresql_where=sa.text("state IN ('requested', 'active')"))
    op.create_index("crowdsource_loan_package_idx", "crowdsource_loan",
                    ["package_id", "state", "created"])
    op.create_index("crowdsource_loan_due_idx", "crowdsource_loan", ["due"],
                    postgresql_where=sa.text("state = 'active'"))
    op.create_table(
        "crowdsource_reservation",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="waiting"),
        sa.Column("offer_expires", sa.DateTime(timezone=True)),
        *_stamps(),
    )
    op.create_index("ix_crowdsource_reservation_user_id", "crowdsource_reservation",
                    ["user_id"])
    op.create_index("crowdsource_reservation_live_once", "crowdsource_reservation",
                    ["package_id", "user_id"], unique=True,
                    postgresql_where=sa.text("state IN ('waiting', 'offered')"))
    op.create_index("crowdsource_reservation_queue_idx", "crowdsource_reservation",
                    ["package_id", "state", "seq"])
    op.create_index("crowdsource_reservation_offer_idx", "crowdsource_reservation",
                    ["offer_expires"], postgresql_where=sa.text("state = 'offered'"))


def downgrade():
    op.drop_table("crowdsource_reservation")
    op.drop_table("crowdsource_loan")
    op.drop_table("crowdsource_lendable")
