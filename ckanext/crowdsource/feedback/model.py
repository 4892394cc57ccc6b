"""Readers' feedback to the library, its conversation, seconds and ratings.

``owner_org`` is the organization that answers: the dataset's at the time,
or the one a reader picked for feedback on the service (none: sysadmins).
"""
from __future__ import annotations

import sqlalchemy as sa
from ckan.plugins import toolkit

KINDS = ("error", "suggestion", "request", "praise", "other")
STATUSES = ("new", "acknowledged", "in_progress", "resolved", "declined")
OPEN_STATUSES = ("new", "acknowledged", "in_progress")
# where staff may move an item from; resolved and declined may be reopened
NEXT_STATUS = {
    "new": ("acknowledged", "in_progress", "resolved", "declined"),
    "acknowledged": ("in_progress", "resolved", "declined"),
    "in_progress": ("resolved", "declined"),
    "resolved": ("in_progress",),
    "declined": ("in_progress",),
}

feedback = sa.Table(
    "crowdsource_feedback",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("kind", sa.UnicodeText, nullable=False),
    sa.Column("subject_type", sa.UnicodeText, nullable=False),  # dataset | resource | service
    sa.Column("package_id", sa.UnicodeText, index=True),
    sa.Column("resource_id", sa.UnicodeText),
    sa.Column("owner_org", sa.UnicodeText),
    sa.Column("user_id", sa.UnicodeText, index=True),  # none: anonymous
    sa.Column("contact_email", sa.UnicodeText),  # anonymous senders only; never shown
    sa.Column("title", sa.UnicodeText),
    sa.Column("body", sa.UnicodeText, nullable=False),
    sa.Column("rating", sa.SmallInteger),
    sa.Column("status", sa.UnicodeText, nullable=False, server_default="new"),
    sa.Column("public_answer", sa.UnicodeText),
    sa.Column("fulfilled_by", sa.UnicodeText),  # the dataset that answers a request
    sa.Column("seconds", sa.Integer, nullable=False, server_default="0"),
    sa.Column("state", sa.UnicodeText, nullable=False, server_default="published"),
    sa.Column("moderation_reason", sa.UnicodeText),
    sa.Column("answered", sa.DateTime(timezone=True)),  # the staff's first reply
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5",
                       name="crowdsource_feedback_rating"),
    # the inbox: unanswered first, oldest first, per organization (and status)
    sa.Index("crowdsource_feedback_inbox_idx", "owner_org", sa.text("(answered IS NOT NULL)"),
             "created"),
    sa.Index("crowdsource_feedback_inbox_status_idx", "owner_org", "status",
             sa.text("(answered IS NOT NULL)"), "created"),
    sa.Index("crowdsource_feedback_requests_idx", "kind", "status", "seconds"),
    sa.Index("crowdsource_feedback_created_idx", "created"),
    extend_existing=True,
)

message = sa.Table(
    "crowdsource_feedback_message",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("feedback_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("user_id", sa.UnicodeText),
    sa.Column("role", sa.UnicodeText, nullable=False),  # reader | staff
    sa.Column("body", sa.UnicodeText, nullable=False),
    sa.Column("status", sa.UnicodeText),  # the status it came with, if any
    sa.Column("state", sa.UnicodeText, nullable=False, server_default="published"),
    sa.Column("moderation_reason", sa.UnicodeText),
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
    extend_existing=True,
)

second = sa.Table(
    "crowdsource_request_second",
    toolkit.BaseModel.metadata,
    sa.Column("feedback_id", sa.UnicodeText, primary_key=True),
    sa.Column("user_id", sa.UnicodeText, primary_key=True, index=True),
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    extend_existing=True,
)

rating = sa.Table(
    "crowdsource_rating",
    toolkit.BaseModel.metadata,
    sa.Column("package_id", sa.UnicodeText, primary_key=True),
    sa.Column("user_id", sa.UnicodeText, primary_key=True, index=True),
    sa.Column("rating", sa.SmallInteger, nullable=False),
    sa.Column("feedback_id", sa.UnicodeText, nullable=False),
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.CheckConstraint("rating BETWEEN 1 AND 5", name="crowdsource_rating_range"),
    extend_existing=True,
)
