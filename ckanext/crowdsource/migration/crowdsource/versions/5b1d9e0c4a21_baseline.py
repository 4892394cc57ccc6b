"""Baseline of the crowdsource plugin's schema.

Revision ID: 5b1d9e0c4a21
Revises:
Create Date: 2026-11-24

The capabilities add their tables in the revisions that follow this one.
"""

revision = "5b1d9e0c4a21"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
