"""The points ledger and each reader's recognition settings.

The ledger is append-only: a row is never changed or deleted. Points taken
back (an answer no longer accepted, a vote withdrawn, a hidden post, a
purged dataset) are a new row with the opposite points, naming the same
reason and item, so a reader's total is the sum of rows that each say why.
Rows name the dataset and community they are about (no foreign keys to
CKAN's tables, as DESIGN section 4 asks), so what a viewer may not see is
left out when the rows are read.
"""
from __future__ import annotations

import sqlalchemy as sa
from ckan.plugins import toolkit

points = sa.Table(
    "crowdsource_points",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("user_id", sa.UnicodeText, nullable=False),  # who earns (or loses) them
    sa.Column("points", sa.Integer, nullable=False),
    sa.Column("reason", sa.UnicodeText, nullable=False),  # a code: core.REASONS, or "grant"
    sa.Column("item_type", sa.UnicodeText),  # post, claim, tag, feedback
    sa.Column("item_id", sa.UnicodeText),
    # who caused it: the voter, the reviewer, the staff member who granted
    sa.Column("actor_id", sa.UnicodeText),
    sa.Column("package_id", sa.UnicodeText),
    sa.Column("community_id", sa.UnicodeText),
    sa.Column("note", sa.UnicodeText),  # a grant's reason, in the staff's words
    sa.Column("created", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    # a reader's rows, newest first, and their sums from the index alone
    sa.Index("crowdsource_points_user_idx", "user_id", "created",
             postgresql_include=["package_id", "points", "reason", "community_id"]),
    sa.Index("crowdsource_points_item_idx", "item_id", "reason", "user_id"),
    sa.Index("crowdsource_points_created_idx", "created"),
    sa.Index("crowdsource_points_package_idx", "package_id"),
    sa.Index("crowdsource_points_community_idx", "community_id", "created"),
    extend_existing=True,
)

settings = sa.Table(
    "crowdsource_recognition_settings",
    toolkit.BaseModel.metadata,
    sa.Column("user_id", sa.UnicodeText, primary_key=True),
    sa.Column("leaderboards", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("public_profile", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
    extend_existing=True,
)

# The kept sums the leaderboards read (core.fold): per period ("all",
# "30d", "year") and reader, for each of (community, reason), (community,
# every reason), (every community, reason) and (every community, every
# reason), "*" standing for "every". Only ledger rows a leaderboard counts
# are in them: rows of no dataset and of datasets that are active and
# public (core.sync_dataset moves a dataset's rows out and back in as it
# turns private, is deleted or comes back), and for a period, rows since
# its window's start (core.advance_windows moves the start on).
EVERY = "*"
PERIODS = ("all", "30d", "year")

totals = sa.Table(
    "crowdsource_points_total",
    toolkit.BaseModel.metadata,
    sa.Column("period", sa.UnicodeText, nullable=False),
    sa.Column("community_key", sa.UnicodeText, nullable=False),
    sa.Column("reason_key", sa.UnicodeText, nullable=False),
    sa.Column("user_id", sa.UnicodeText, nullable=False),
    sa.Column("points", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("period", "community_key", "reason_key", "user_id"),
    sa.Index("crowdsource_points_total_rank_idx", "period", "community_key", "reason_key",
             sa.text("points DESC"), "user_id"),
    extend_existing=True,
)

# where each period's sums start now: midnight (UTC) 29 days ago, 1 January
windows = sa.Table(
    "crowdsource_points_window",
    toolkit.BaseModel.metadata,
    sa.Column("period", sa.UnicodeText, primary_key=True),
    sa.Column("start", sa.DateTime(timezone=True), nullable=False),
    extend_existing=True,
)

# datasets whose ledger rows are not in the kept sums (not active and public)
excluded = sa.Table(
    "crowdsource_points_excluded",
    toolkit.BaseModel.metadata,
    sa.Column("package_id", sa.UnicodeText, primary_key=True),
    extend_existing=True,
)
