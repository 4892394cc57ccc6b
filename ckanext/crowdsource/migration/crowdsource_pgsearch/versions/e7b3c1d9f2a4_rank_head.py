"""Rank on a small in-row vector, filters as keys, the text vector out of the row.

``head`` holds the lexemes of ``tsv`` that carry weight A (title, name) or B
(tags, groups, vocabularies), with their positions and weights. Relevance is
computed on it, and its GIN index finds the documents whose title or tags
match, so a page of results no longer reads every match's whole text.

``tsv`` also gets the exact values of string fields as key lexemes
(``=state=active``, ``=tags=maps``), so that one GIN index answers a query's
words and filters together. It is then only read through that index, which
answers plain words and keys exactly: it is stored out of line (uncompressed,
so a phrase check reads it quickly), and the heap that every search scans
holds only the columns searches filter, sort and facet on. The rewrite of each row that
fills ``head`` moves ``tsv`` out at once; ``VACUUM FULL crowdsource_search_doc``
(or ``ckan search-index rebuild``) then returns the old rows' space.

Revision ID: e7b3c1d9f2a4
Revises: c4d2e8f1a9b3
Create Date: 2026-12-01
"""
import fnmatch

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision = "e7b3c1d9f2a4"
down_revision = "c4d2e8f1a9b3"
branch_labels = None
depends_on = None

T = "crowdsource_search_doc"
SCALARS = ("id", "name", "site_id", "entity_type", "dataset_type", "state", "capacity",
           "organization", "license_id", "title_string")
ARRAYS = ("tags", "groups", "res_format", "permission_labels")
# Frozen from the code of this revision (a migration never imports live
# code): the longest key (search/text.KEY_MAX_BYTES), and which index fields
# CKAN's schema.xml makes strings: every name but these declared fields and
# the names of its non-string dynamic fields.
KEY_MAX_BYTES = 2000
NOT_STRINGS = frozenset((
    "author", "author_email", "child_of", "dependency_of", "depends_on", "derives_from",
    "has_derivation", "indexed_ts", "linked_from", "links_to", "maintainer",
    "maintainer_email", "metadata_created", "metadata_modified", "name_ngram", "notes",
    "parent_of", "res_description", "res_name", "resources_accessed_recent",
    "resources_accessed_total", "text", "title", "title_ngram", "urls", "views_recent",
    "views_total"))
NOT_STRING_PATTERNS = ("*_date", "extras_*", "res_extras_*")


def is_string(name: str) -> bool:
    return name not in NOT_STRINGS and not any(
        fnmatch.fnmatchcase(name, p) for p in NOT_STRING_PATTERNS)


def upgrade():
    # A row whose in-row columns stay under 1 kB is not compressed column by
    # column (as the former 128-byte target did to tags and labels).
    op.execute(f"ALTER TABLE {T} SET (toast_tuple_target = 1024)")
    op.execute(f"ALTER TABLE {T} ALTER COLUMN tsv SET STORAGE EXTERNAL")
    op.add_column(T, sa.Column("head", TSVECTOR))
    op.execute(f"ALTER TABLE {T} ALTER COLUMN head SET STORAGE MAIN")
    # keys (as text.key_lexeme writes them) of the string columns, and of
    # the string fields among the others
    names = [r[0] for r in op.get_bind().execute(sa.text(
        f"SELECT DISTINCT jsonb_object_keys(fields) FROM {T}"))]
    strings = [n for n in names if is_string(n)]
    parts = [f"SELECT '={c}=' || d.{c} WHERE d.{c} IS NOT NULL" for c in SCALARS]
    parts += [f"SELECT '={c}=' || v FROM unnest(d.{c}) v" for c in ARRAYS]
    parts.append("SELECT '=' || f.key || '=' || v FROM jsonb_each(d.fields) f, "
                 "jsonb_array_elements_text(f.value) v WHERE f.key = ANY(:strings)")
    keys = (f"ARRAY(SELECT k FROM ({' UNION ALL '.join(parts)}) s(k) "
            f"WHERE k IS NOT NULL AND octet_length(k) <= {KEY_MAX_BYTES})")
    op.get_bind().execute(sa.text(
        f"UPDATE {T} d SET head = ts_filter(d.tsv, '{{a,b}}'), "
        f"tsv = coalesce(d.tsv, ''::tsvector) || array_to_tsvector({keys})"),
        {"strings": strings})
    op.create_index(f"{T}_head_idx", T, ["head"], postgresql_using="gin")


def downgrade():
    op.drop_index(f"{T}_head_idx", table_name=T)
    op.drop_column(T, "head")
    op.execute(f"UPDATE {T} SET tsv = ts_delete(tsv, ARRAY(SELECT lexeme FROM unnest(tsv) "
               "WHERE lexeme LIKE '=%'))")
    op.execute(f"ALTER TABLE {T} ALTER COLUMN tsv SET STORAGE MAIN")
    op.execute(f"ALTER TABLE {T} SET (toast_tuple_target = 128)")
