"""Lendable datasets, their loans and their reservations (issue 18).

A dataset staff made lendable stays private; its permission label
``loan-<package_id>`` (``labels.py``) is what a reader's active loan adds to
what they may see. The copies in use (active and requested loans, and
offers held for the next reader) change only while the lendable row is
locked (``SELECT ... FOR UPDATE``), so they never exceed ``copies`` however
many web workers lend at once. The queue is first come, first served:
``seq`` is given in the order the reservations were made under that lock.
"""
from __future__ import annotations

import sqlalchemy as sa
from ckan.plugins import toolkit
from sqlalchemy.dialects.postgresql import ARRAY

ELIGIBILITY = ("registered", "communities", "verified")
# requested -> active | declined; active -> returned | expired | revoked;
# requested -> returned (withdrawn) | revoked
LOAN_STATES = ("requested", "active", "returned", "expired", "revoked", "declined")
HOLDING = ("requested", "active")  # loan states that hold a copy
# waiting -> offered -> taken | expired; waiting, offered -> cancelled
RESERVATION_STATES = ("waiting", "offered", "taken", "cancelled", "expired")
QUEUED = ("waiting", "offered")

lendable = sa.Table(
    "crowdsource_lendable",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False, unique=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    # simultaneous loans; 0: as many as readers ask for
    sa.Column("copies", sa.Integer, nullable=False, server_default="1"),
    sa.Column("loan_days", sa.Integer, nullable=False, server_default="14"),
    sa.Column("renewals", sa.Integer, nullable=False, server_default="1"),
    sa.Column("needs_approval", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("eligibility", sa.UnicodeText, nullable=False, server_default="registered"),
    sa.Column("community_ids", ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
    sa.Column("created_by", sa.UnicodeText, nullable=False),
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.CheckConstraint("copies >= 0", name="crowdsource_lendable_copies"),
    extend_existing=True,
)

loan = sa.Table(
    "crowdsource_loan",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("user_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("state", sa.UnicodeText, nullable=False),
    sa.Column("started", sa.DateTime(timezone=True)),
    sa.Column("due", sa.DateTime(timezone=True)),
    sa.Column("ended", sa.DateTime(timezone=True)),
    sa.Column("renewals_used", sa.Integer, nullable=False, server_default="0"),
    sa.Column("due_soon_sent", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("decided_by", sa.UnicodeText),
    sa.Column("reason", sa.UnicodeText),
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
    # one live loan per reader and dataset
    sa.Index("crowdsource_loan_live_once", "package_id", "user_id", unique=True,
             postgresql_where=sa.text("state IN ('requested', 'active')")),
    sa.Index("crowdsource_loan_package_idx", "package_id", "state", "created"),
    sa.Index("crowdsource_loan_due_idx", "due", postgresql_where=sa.text("state = 'active'")),
    extend_existing=True,
)

reservation = sa.Table(
    "crowdsource_reservation",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("user_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("state", sa.UnicodeText, nullable=False, server_default="waiting"),
    sa.Column("offer_expires", sa.DateTime(timezone=True)),
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
    # one place in the queue per reader and dataset
    sa.Index("crowdsource_reservation_live_once", "package_id", "user_id", unique=True,
             postgresql_where=sa.text("state IN ('waiting', 'offered')")),
    sa.Index("crowdsource_reservation_queue_idx", "package_id", "state", "seq"),
    sa.Index("crowdsource_reservation_offer_idx", "offer_expires",
             postgresql_where=sa.text("state = 'offered'")),
    extend_existing=True,
)

# readers the library has verified (their identity, a library card): the
# "verified" rule lends to them; library-wide, given and taken back by staff
verified = sa.Table(
    "crowdsource_reader_verified",
    toolkit.BaseModel.metadata,
    sa.Column("user_id", sa.UnicodeText, primary_key=True),
    sa.Column("verified_by", sa.UnicodeText, nullable=False),
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    extend_existing=True,
)
