"""Tasks the library posts and the claims readers make on them.

A task's ``slots_used`` counts its claims that are claimed, submitted or
accepted; it changes only while the task's row is locked (``SELECT ... FOR
UPDATE``), so it never exceeds ``capacity`` however many web workers take
claims at once. A claim past its lease still counts until it is settled:
every call that reads or changes a task's claims settles them first.
"""
from __future__ import annotations

import sqlalchemy as sa
from ckan.plugins import toolkit
from sqlalchemy.dialects.postgresql import JSONB

KINDS = ("tag", "describe", "transcribe", "translate", "review", "verify", "other")
TASK_STATES = ("open", "completed", "cancelled")
# claimed -> submitted -> accepted | rejected; claimed -> released | expired;
# submitted -> claimed (changes requested)
CLAIM_STATES = ("claimed", "submitted", "accepted", "rejected", "released", "expired")
HOLDING = ("claimed", "submitted", "accepted")  # states that hold a slot

task = sa.Table(
    "crowdsource_task",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("resource_id", sa.UnicodeText),
    # a community (its CKAN group's id): only its members claim the task, or
    # its members for ``members_first_hours`` after the task was posted and
    # then everyone (null or 0: members only while the community lasts)
    sa.Column("community_id", sa.UnicodeText, index=True),
    sa.Column("members_first_hours", sa.Integer),
    # the community's moderators and owners may review and apply its claims
    sa.Column("community_review", sa.Boolean, nullable=False, server_default=sa.false()),
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
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.CheckConstraint("capacity >= 1", name="crowdsource_task_capacity"),
    sa.CheckConstraint("slots_used >= 0 AND slots_used <= capacity",
                       name="crowdsource_task_slots"),
    sa.Index("crowdsource_task_board_idx", "state", "created"),
    sa.Index("crowdsource_task_due_idx", "state", "due"),
    sa.Index("crowdsource_task_kind_idx", "kind", "state"),
    extend_existing=True,
)

claim = sa.Table(
    "crowdsource_claim",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("task_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("user_id", sa.UnicodeText, nullable=False, index=True),
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
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
    # a reviewer never reviews their own claim
    sa.CheckConstraint("reviewer_id IS NULL OR reviewer_id <> user_id",
                       name="crowdsource_claim_not_own_review"),
    # one live claim per reader and task
    sa.Index("crowdsource_claim_live_once", "task_id", "user_id", unique=True,
             postgresql_where=sa.text("state IN ('claimed', 'submitted', 'accepted')")),
    sa.Index("crowdsource_claim_lease_idx", "expires_at",
             postgresql_where=sa.text("state = 'claimed'")),
    sa.Index("crowdsource_claim_review_idx", "state", "submitted_at"),
    extend_existing=True,
)
