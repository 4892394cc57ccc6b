"""Create the search index table of crowdsource_pgsearch.

Revision ID: a1c0e5d2b7f1
Revises:
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR

revision = "a1c0e5d2b7f1"
down_revision = None
branch_labels = None
depends_on = None

SCALARS = (
    "id", "name", "site_id", "entity_type", "dataset_type", "state", "capacity",
    "organization", "license_id", "title_string",
)
ARRAYS = ("tags", "groups", "res_format", "permission_labels")
T = "crowdsource_search_doc"


FUNCTIONS = {
    "crowdsource_try_numeric": ("numeric", "IMMUTABLE"),
    "crowdsource_try_timestamptz": ("timestamptz", "STABLE"),
}


def upgrade():
    # Casts for range queries and sorts on index fields kept as text: a value
    # that is not a number or a date compares as missing instead of failing.
    for name, (typ, volatility) in FUNCTIONS.items():
        op.execute(
            f"CREATE OR REPLACE FUNCTION {name}(v text) RETURNS {typ} LANGUAGE plpgsql "
            f"{volatility} AS $$ BEGIN RETURN v::{typ}; "
            f"EXCEPTION WHEN others THEN RETURN NULL; END $$"
        )
    op.create_table(
        T,
        sa.Column("index_id", sa.UnicodeText, primary_key=True),
        *(sa.Column(c, sa.UnicodeText) for c in SCALARS),
        *(sa.Column(c, ARRAY(sa.UnicodeText)) for c in ARRAYS),
        sa.Column("metadata_created", sa.DateTime(timezone=True)),
        sa.Column("metadata_modified", sa.DateTime(timezone=True)),
        sa.Column("tsv", TSVECTOR),
        sa.Column("fields", JSONB, nullable=False),
        sa.Column("doc", JSONB, nullable=False),
        sa.Column("indexed", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    # lz4 decompresses several times faster than PostgreSQL's default, and
    # free-text queries read every matching tsvector. (PostgreSQL 14+ built
    # with lz4; elsewhere the default compression stays.)
    op.execute(
        f"DO $$ BEGIN ALTER TABLE {T} ALTER COLUMN tsv SET COMPRESSION lz4, "
        "ALTER COLUMN fields SET COMPRESSION lz4, ALTER COLUMN doc SET COMPRESSION lz4; "
        "EXCEPTION WHEN others THEN NULL; END $$"
    )
    for col in ("id", "name", "organization", "license_id", "title_string",
                "metadata_created", "metadata_modified"):
        op.create_index(f"{T}_{col}_idx", T, [col])
    # Every query CKAN sends filters on these four: with the labels included,
    # counting the visible datasets needs no visit to the table itself.
    op.create_index(
        f"{T}_visible_idx", T, ["site_id", "state", "capacity"],
        postgresql_include=["permission_labels"],
    )
    for col in ARRAYS + ("tsv",):
        op.create_index(f"{T}_{col}_idx", T, [col], postgresql_using="gin")
    op.create_index(
        f"{T}_fields_idx", T, ["fields"], postgresql_using="gin",
        postgresql_ops={"fields": "jsonb_path_ops"},
    )


def downgrade():
    op.drop_table(T)
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {name}(text)")
