"""Reader tags: one row per (dataset, user, tag)."""
from __future__ import annotations

import sqlalchemy as sa
from ckan.plugins import toolkit

crowd_tag = sa.Table(
    "crowdsource_tag",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("user_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("tag", sa.UnicodeText, nullable=False, index=True),
    sa.Column("state", sa.UnicodeText, nullable=False, server_default="active"),
    sa.Column("moderation_reason", sa.UnicodeText),
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.UniqueConstraint("package_id", "user_id", "tag", name="crowdsource_tag_unique"),
    extend_existing=True,
)

blocked_tag = sa.Table(
    "crowdsource_tag_block",
    toolkit.BaseModel.metadata,
    sa.Column("tag", sa.UnicodeText, primary_key=True),
    sa.Column("actor_id", sa.UnicodeText, nullable=False),
    sa.Column("reason", sa.UnicodeText, nullable=False, server_default=""),
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    extend_existing=True,
)
