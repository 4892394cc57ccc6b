"""Notifications, each reader's notification settings, and follows.

A notification is one row per recipient and event. It names the dataset
(``package_id``) and the item it is about without foreign keys to CKAN's
tables (DESIGN section 4): what the reader may no longer see is left out
when the rows are read (``core.visible``), so a dataset turned private or a
post hidden after the event drops out of the bell at once, and comes back
when it is shown again. ``hidden`` mirrors the moderation state of the
item the row is about, kept by the hide/restore signals.
"""
from __future__ import annotations

import sqlalchemy as sa
from ckan.plugins import toolkit
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

notification = sa.Table(
    "crowdsource_notification",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("user_id", sa.UnicodeText, nullable=False),  # the recipient
    sa.Column("actor_id", sa.UnicodeText),  # who did it (none: the system, a visitor)
    sa.Column("kind", sa.UnicodeText, nullable=False),  # a rule: core.KINDS
    sa.Column("item_type", sa.UnicodeText),  # post, question, claim, task, feedback, flag
    sa.Column("item_id", sa.UnicodeText),
    sa.Column("package_id", sa.UnicodeText),
    sa.Column("community_id", sa.UnicodeText),
    sa.Column("title", sa.UnicodeText),  # the item's title when it happened
    sa.Column("link", sa.UnicodeText),  # a path below the site's root
    sa.Column("data", JSONB),  # what the wording needs more (a status)
    sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.Column("read_at", sa.DateTime(timezone=True)),
    # the outbox: null while the row waits for its e-mail (``mail.py``); set
    # when mailed, and when it never will be (read first, no address, "never")
    sa.Column("mailed_at", sa.DateTime(timezone=True)),
    # a reader's page, newest first
    sa.Index("crowdsource_notification_user_idx", "user_id", "created"),
    # the bell: a reader's unread rows only
    sa.Index("crowdsource_notification_unread_idx", "user_id",
             postgresql_where=sa.text("read_at IS NULL"), postgresql_include=["package_id"]),
    # the outbox: rows waiting for their mail, per reader
    sa.Index("crowdsource_notification_unmailed_idx", "user_id",
             postgresql_where=sa.text("mailed_at IS NULL")),
    sa.Index("crowdsource_notification_item_idx", "item_id"),
    sa.Index("crowdsource_notification_package_idx", "package_id"),
    extend_existing=True,
)

settings = sa.Table(
    "crowdsource_notify_settings",
    toolkit.BaseModel.metadata,
    sa.Column("user_id", sa.UnicodeText, primary_key=True),
    # the rules (core.KINDS) the reader turned off; every other one is on
    sa.Column("disabled", ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
    sa.Column("email", sa.UnicodeText, nullable=False, server_default="daily"),
    # when the reader's last digest went out (daily, weekly: the next one is
    # due a period later)
    sa.Column("last_digest", sa.DateTime(timezone=True)),
    # the language of the reader's mail (CKAN keeps none per user): the
    # portal's language when they last saved these settings; none: the site's
    sa.Column("locale", sa.UnicodeText),
    sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
    extend_existing=True,
)

follow = sa.Table(
    "crowdsource_follow",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("user_id", sa.UnicodeText, nullable=False),
    sa.Column("object_type", sa.UnicodeText, nullable=False),  # core.FOLLOWABLE
    sa.Column("object_id", sa.UnicodeText, nullable=False),
    sa.Column("level", sa.UnicodeText, nullable=False, server_default="all"),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.Column("modified", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.UniqueConstraint("user_id", "object_type", "object_id", name="crowdsource_follow_once"),
    # the followers of a thing, by level (fan-out)
    sa.Index("crowdsource_follow_object_idx", "object_type", "object_id", "level"),
    extend_existing=True,
)
