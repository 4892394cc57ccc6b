"""E-mail of notifications (issue 16): the outbox is the notification rows
themselves (``mailed_at``, null while a row waits for its mail), and each
reader's last digest.

Rows written before this revision count as mailed: upgrading does not send
every reader a mail of their whole history.

Revision ID: e7a2c9d4b1f6
Revises: c4d2a7e9f1b3
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "e7a2c9d4b1f6"
down_revision = "c4d2a7e9f1b3"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("crowdsource_notification",
                  sa.Column("mailed_at", sa.DateTime(timezone=True)))
    op.execute("UPDATE crowdsource_notification SET mailed_at = created")
    op.create_index("crowdsource_notification_unmailed_idx", "crowdsource_notification",
                    ["user_id"], postgresql_where=sa.text("mailed_at IS NULL"))
    op.add_column("crowdsource_notify_settings",
                  sa.Column("last_digest", sa.DateTime(timezone=True)))
    op.add_column("crowdsource_notify_settings", sa.Column("locale", sa.UnicodeText))


def downgrade():
    op.drop_column("crowdsource_notify_settings", "locale")
    op.drop_column("crowdsource_notify_settings", "last_digest")
    op.drop_index("crowdsource_notification_unmailed_idx", "crowdsource_notification")
    op.drop_column("crowdsource_notification", "mailed_at")
