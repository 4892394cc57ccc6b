"""The leaderboards' kept sums of the points ledger, filled from it; a
reader's rows summed from their index alone.

Revision ID: e2b9c4d7a5f1
Revises: 1f6c8e3a5b94
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "e2b9c4d7a5f1"
down_revision = "1f6c8e3a5b94"
branch_labels = None
depends_on = None

# what recognition.core.rebuild does, in the SQL of this revision
FILL = """
INSERT INTO crowdsource_points_excluded (package_id)
SELECT DISTINCT p.package_id FROM crowdsource_points p
WHERE p.package_id IS NOT NULL AND p.package_id NOT IN (
    SELECT id FROM package WHERE state = 'active' AND NOT private);
INSERT INTO crowdsource_points_window (period, start) VALUES
    ('30d', date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
            - interval '29 days'),
    ('year', date_trunc('year', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC');
INSERT INTO crowdsource_points_total (period, community_key, reason_key, user_id, points)
SELECT w.period, coalesce(k.c, p.community_id), coalesce(k.r, p.reason), p.user_id,
       sum(p.points)
FROM crowdsource_points p
CROSS JOIN (VALUES (NULL, NULL), (NULL, '*'), ('*', NULL), ('*', '*')) AS k (c, r)
JOIN (SELECT period, start FROM crowdsource_points_window
      UNION ALL SELECT 'all', '-infinity'::timestamptz) AS w ON p.created >= w.start
WHERE coalesce(k.c, p.community_id) IS NOT NULL AND (p.package_id IS NULL
      OR p.package_id NOT IN (SELECT package_id FROM crowdsource_points_excluded))
GROUP BY 1, 2, 3, 4;
"""


def upgrade():
    op.create_table(
        "crowdsource_points_total",
        sa.Column("period", sa.UnicodeText, nullable=False),
        sa.Column("community_key", sa.UnicodeText, nullable=False),
        sa.Column("reason_key", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("points", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("period", "community_key", "reason_key", "user_id"),
    )
    op.create_index("crowdsource_points_total_rank_idx", "crowdsource_points_total",
                    ["period", "community_key", "reason_key", sa.text("points DESC"),
                     "user_id"])
    op.create_table(
        "crowdsource_points_window",
        sa.Column("period", sa.UnicodeText, primary_key=True),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "crowdsource_points_excluded",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
    )
    op.execute(FILL)
    op.drop_index("crowdsource_points_user_idx", "crowdsource_points")
    op.create_index("crowdsource_points_user_idx", "crowdsource_points", ["user_id", "created"],
                    postgresql_include=["package_id", "points", "reason", "community_id"])


def downgrade():
    op.drop_index("crowdsource_points_user_idx", "crowdsource_points")
    op.create_index("crowdsource_points_user_idx", "crowdsource_points", ["user_id", "created"])
    op.drop_table("crowdsource_points_excluded")
    op.drop_table("crowdsource_points_window")
    op.drop_table("crowdsource_points_total")
