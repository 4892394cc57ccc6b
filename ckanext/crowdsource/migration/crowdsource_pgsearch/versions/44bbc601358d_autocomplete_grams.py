"""Autocomplete: the pieces of title and name that ``title_ngram`` and
``name_ngram`` match.

CKAN's ``package_autocomplete`` asks for ``name_ngram:"won" OR
title_ngram:"won" ...``; Solr fills those fields by copyField from ``title``
and ``name`` and cuts them into every piece of 2 to 10 characters. ``grams``
holds, for every start in each whitespace-separated chunk of the lower-cased
value, the (at most) 10 characters from there, as ``t:...`` (title) and
``n:...`` (name), looked up by prefix; its GIN index answers alone. Out of
line, as ``tsv``: only the index reads it. Existing rows are filled here from
their stored title and name (as search/text.ngram_lexemes cuts them); ``ckan
search-index rebuild`` gives the same.

Revision ID: 44bbc601358d
Revises: f5a8c2e6d1b7
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision = "44bbc601358d"
down_revision = "f5a8c2e6d1b7"
branch_labels = None
depends_on = None

T = "crowdsource_search_doc"
# frozen from search/text.py of this revision
NGRAM_MIN, NGRAM_MAX = 2, 10
SOURCES = (("t", "title"), ("n", "name"))


def upgrade():
    op.add_column(T, sa.Column("grams", TSVECTOR, nullable=False, server_default=""))
    op.execute(f"ALTER TABLE {T} ALTER COLUMN grams SET STORAGE EXTERNAL")
    values = " UNION ALL ".join(
        f"SELECT '{code}' AS code, d.doc ->> '{name}' AS v" for code, name in SOURCES)
    op.execute(
        f"UPDATE {T} d SET grams = coalesce((SELECT array_to_tsvector(array_agg(DISTINCT "
        f"f.code || ':' || substr(c, i, {NGRAM_MAX}))) "
        f"FROM ({values}) f, "
        "regexp_split_to_table(lower(normalize(coalesce(f.v, ''), NFKC)), '\\s+') c, "
        f"generate_series(1, length(c) - {NGRAM_MIN - 1}) i), ''::tsvector)"
    )
    op.create_index(f"{T}_grams_idx", T, ["grams"], postgresql_using="gin")


def downgrade():
    op.drop_index(f"{T}_grams_idx", table_name=T)
    op.drop_column(T, "grams")
