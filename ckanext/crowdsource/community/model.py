"""Subject communities and their members.

A community is a CKAN group flagged as one: its row here has the group's id
(no foreign key to CKAN's ``group`` table, as DESIGN section 4 asks; a
purged group takes its rows with it through ``core.after_action``). The
group keeps its page, name, title, description, image and datasets; the row
adds what CKAN does not know: whether the library has approved it, how
readers join, the subject filter, and who proposed and reviewed it.

Membership is ours alone (CKAN's group membership is left as it is): one row
per community and reader, unique, so that a reader who asks to join twice at
the same moment, from two web workers, still has one request.
"""
from __future__ import annotations

import sqlalchemy as sa
from ckan.plugins import toolkit
from sqlalchemy.dialects.postgresql import JSONB

# proposed -> active | declined (staff review), or active at once (staff create)
STATUSES = ("proposed", "active", "declined")
JOIN_POLICIES = ("open", "request")  # request: moderators approve each reader
ROLES = ("member", "moderator", "owner")
MODERATING = ("moderator", "owner")  # roles that review requests to join
MEMBER_STATES = ("active", "pending")  # pending: a request to join

community = sa.Table(
    "crowdsource_community",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),  # the CKAN group's id
    sa.Column("status", sa.UnicodeText, nullable=False, server_default="active"),
    sa.Column("join_policy", sa.UnicodeText, nullable=False, server_default="open"),
    # the saved dataset filter: {"tags", "reader_tags", "organization", "q"}
    sa.Column("scope", JSONB),
    sa.Column("proposed_by", sa.UnicodeText),
    sa.Column("reviewed_by", sa.UnicodeText),
    sa.Column("review_note", sa.UnicodeText),
    sa.Column("reviewed_at", sa.DateTime(timezone=True)),
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Index("crowdsource_community_status_idx", "status", "created"),
    sa.Index("crowdsource_community_proposed_by_idx", "proposed_by"),
    extend_existing=True,
)

member = sa.Table(
    "crowdsource_community_member",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("community_id", sa.UnicodeText, nullable=False),
    sa.Column("user_id", sa.UnicodeText, nullable=False),
    sa.Column("role", sa.UnicodeText, nullable=False, server_default="member"),
    sa.Column("state", sa.UnicodeText, nullable=False, server_default="active"),
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
    # one row per reader and community (it also answers "is this reader a
    # member?" in one index lookup, however many communities there are)
    sa.UniqueConstraint("community_id", "user_id", name="crowdsource_community_member_once"),
    sa.Index("crowdsource_community_member_user_idx", "user_id", "state"),
    sa.Index("crowdsource_community_member_role_idx", "community_id", "state", "role"),
    extend_existing=True,
)
