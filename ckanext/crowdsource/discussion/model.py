"""Threads, posts, their earlier versions and votes.

A thread has a subject (a dataset, a resource, a community, or the site as a
whole) and a kind: ``discussion`` (one per subject, comments and replies) or
``question`` (a title, the question itself as its first post, answers, and
comments on either); a question may be asked within a community.
``root_id`` is the top-level post a reply hangs under, so a page of top-level
posts and all their replies are two indexed queries.
"""
from __future__ import annotations

import sqlalchemy as sa
from ckan.plugins import toolkit

thread = sa.Table(
    "crowdsource_thread",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("kind", sa.UnicodeText, nullable=False),  # discussion | question
    # dataset | resource | community | site
    sa.Column("subject_type", sa.UnicodeText, nullable=False),
    sa.Column("subject_id", sa.UnicodeText, nullable=False),
    sa.Column("package_id", sa.UnicodeText, index=True),
    # the community a question was asked within (its subject is the community
    # itself, or a dataset); unlinked (null) when the community's group is purged
    sa.Column("community_id", sa.UnicodeText),
    sa.Column("user_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("title", sa.UnicodeText),
    # discussion: open; question: open | answered | closed
    sa.Column("status", sa.UnicodeText, nullable=False, server_default="open"),
    sa.Column("close_reason", sa.UnicodeText),
    sa.Column("accepted_post_id", sa.UnicodeText),
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Index("crowdsource_thread_discussion_once", "subject_type", "subject_id", unique=True,
             postgresql_where=sa.text("kind = 'discussion'")),
    sa.Index("crowdsource_thread_list_idx", "kind", "status", "created"),
    sa.Index("crowdsource_thread_community_idx", "community_id", "kind", "status"),
    extend_existing=True,
)

post = sa.Table(
    "crowdsource_post",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("thread_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("parent_id", sa.UnicodeText, index=True),
    sa.Column("root_id", sa.UnicodeText, nullable=False),
    sa.Column("kind", sa.UnicodeText, nullable=False),  # question | answer | comment
    sa.Column("package_id", sa.UnicodeText, index=True),
    sa.Column("user_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("body", sa.UnicodeText, nullable=False),
    # published | pending | hidden | deleted
    sa.Column("state", sa.UnicodeText, nullable=False, server_default="published"),
    sa.Column("moderation_reason", sa.UnicodeText),
    sa.Column("deleted_by", sa.UnicodeText),  # author | staff
    sa.Column("score", sa.Integer, nullable=False, server_default="0"),
    sa.Column("verified", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("edited", sa.DateTime(timezone=True)),
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Index("crowdsource_post_top_idx", "thread_id", "created",
             postgresql_where=sa.text("parent_id IS NULL")),
    sa.Index("crowdsource_post_top_score_idx", "thread_id", "score", "created",
             postgresql_where=sa.text("parent_id IS NULL")),
    sa.Index("crowdsource_post_root_idx", "root_id", "created"),
    sa.Index("crowdsource_post_moderation_idx", "state",
             postgresql_where=sa.text("state IN ('hidden', 'pending')")),
    extend_existing=True,
)

post_revision = sa.Table(
    "crowdsource_post_revision",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("post_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("user_id", sa.UnicodeText, nullable=False),
    sa.Column("title", sa.UnicodeText),
    sa.Column("body", sa.UnicodeText, nullable=False),
    # when this version was replaced
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    extend_existing=True,
)

vote = sa.Table(
    "crowdsource_vote",
    toolkit.BaseModel.metadata,
    sa.Column("post_id", sa.UnicodeText, primary_key=True),
    sa.Column("user_id", sa.UnicodeText, primary_key=True, index=True),
    sa.Column("value", sa.SmallInteger, nullable=False),
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.CheckConstraint("value IN (-1, 1)", name="crowdsource_vote_value"),
    extend_existing=True,
)
