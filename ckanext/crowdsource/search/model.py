"""The table that holds CKAN's search index documents."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan.plugins import toolkit
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR

TABLE = "crowdsource_search_doc"
STATE = "crowdsource_search_state"
DOCNUM_SEQUENCE = "crowdsource_search_docnum"

# Fields of CKAN's index document kept in their own columns, because nearly
# every query filters, sorts or facets on them. All other indexed fields are
# in ``fields`` (each value a list of strings), the stored ones in ``doc``.
SCALAR_COLUMNS = (
    "id", "name", "site_id", "entity_type", "dataset_type", "state", "capacity",
    "organization", "license_id", "title_string",
)
ARRAY_COLUMNS = ("tags", "groups", "res_format", "permission_labels")
DATE_COLUMNS = ("metadata_created", "metadata_modified")

search_doc = sa.Table(
    TABLE,
    toolkit.BaseModel.metadata,
    # the document's bit in the sets facets count from (see facets.py); first,
    # as the one column every search reads from every match
    sa.Column("docnum", sa.Integer, nullable=False),
    # the generation of the write that last changed the row
    sa.Column("gen", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("index_id", sa.UnicodeText, primary_key=True),
    *(sa.Column(c, sa.UnicodeText) for c in SCALAR_COLUMNS),
    *(sa.Column(c, ARRAY(sa.UnicodeText)) for c in ARRAY_COLUMNS),
    *(sa.Column(c, sa.DateTime(timezone=True)) for c in DATE_COLUMNS),
    sa.Column("tsv", TSVECTOR, nullable=False),
    # the lexemes of tsv with weight A or B (title, name, tags, groups): ranked on
    sa.Column("head", TSVECTOR, nullable=False),
    # autocomplete: the pieces of title and name that ``title_ngram`` and
    # ``name_ngram`` match (see text.ngram_lexemes), out of line
    sa.Column("grams", TSVECTOR, nullable=False, server_default=""),
    sa.Column("fields", JSONB, nullable=False),
    sa.Column("doc", JSONB, nullable=False),
    sa.Column("indexed", sa.DateTime(timezone=True), server_default=sa.func.now()),
    extend_existing=True,
)

# One row: the generation of the index, bumped by every write under this
# row's lock, and an epoch that changes when document numbers start again.
search_state = sa.Table(
    STATE,
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("epoch", sa.UnicodeText, nullable=False),
    sa.Column("generation", sa.BigInteger, nullable=False),
    extend_existing=True,
)


def as_list(value: Any) -> list[Any]:
    """A field's values as a list: none, one, or the non-null ones of many."""
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [v for v in value if v is not None]
    return [value]
