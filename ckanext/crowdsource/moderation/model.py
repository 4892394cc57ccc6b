"""The audit log of moderation decisions, shared by every item type."""
from __future__ import annotations

import sqlalchemy as sa
from ckan.plugins import toolkit

moderation_log = sa.Table(
    "crowdsource_moderation_log",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("item_type", sa.UnicodeText, nullable=False),
    sa.Column("item_id", sa.UnicodeText, nullable=False),
    sa.Column("package_id", sa.UnicodeText, index=True),
    sa.Column("owner_org", sa.UnicodeText, index=True),
    sa.Column("actor_id", sa.UnicodeText, nullable=False),
    sa.Column("action", sa.UnicodeText, nullable=False),
    sa.Column("reason", sa.UnicodeText, nullable=False, server_default=""),
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now(), index=True),
    extend_existing=True,
)

flag = sa.Table(
    "crowdsource_flag",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("item_type", sa.UnicodeText, nullable=False),
    sa.Column("item_id", sa.UnicodeText, nullable=False),
    sa.Column("package_id", sa.UnicodeText, index=True),  # none: about the site
    sa.Column("owner_org", sa.UnicodeText, index=True),
    sa.Column("user_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("reason", sa.UnicodeText, nullable=False),
    # open -> cleared | upheld, by staff
    sa.Column("state", sa.UnicodeText, nullable=False, server_default="open"),
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.UniqueConstraint("item_type", "item_id", "user_id", name="crowdsource_flag_once"),
    sa.Index("crowdsource_flag_open_idx", "state", "item_type", "item_id"),
    extend_existing=True,
)
