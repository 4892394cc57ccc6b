"""Document numbers and index generations, for facet counts kept in memory.

Each index row gets a small, stable number (``docnum``), the bit that stands
for it in the sets of documents that facets count from, and the generation of
the write that last changed it (``gen``). ``crowdsource_search_state`` holds
the current generation, bumped by every write under its row lock, and an
epoch that changes when numbers start again, so that a process's facet values
are brought up to date exactly: the rows written since the generation it has.
Its row is made by the first write; until then, searches read generation 0.
``tsv`` and ``head`` become NOT NULL: a query may then look in ``head`` first.

Revision ID: f5a8c2e6d1b7
Revises: e7b3c1d9f2a4
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "f5a8c2e6d1b7"
down_revision = "e7b3c1d9f2a4"
branch_labels = None
depends_on = None

T = "crowdsource_search_doc"
STATE = "crowdsource_search_state"
SEQ = "crowdsource_search_docnum"
STORAGE = {"p": "PLAIN", "e": "EXTERNAL", "m": "MAIN", "x": "EXTENDED"}


def upgrade():
    conn = op.get_bind()
    # (a sequence is not among the tables a test database's reset drops)
    op.execute(f"DROP SEQUENCE IF EXISTS {SEQ}")
    op.execute(f"CREATE SEQUENCE {SEQ} AS integer")
    # The table is written again with the two new columns first: a search
    # reads the number of each match, and a fixed-width first column is read
    # without walking the row's other columns. Its storage settings, options
    # and indexes are those of the table it replaces.
    columns = conn.execute(sa.text(
        "SELECT attname, attstorage, to_jsonb(a) ->> 'attcompression' AS attcompression "
        "FROM pg_attribute a "
        "WHERE attrelid = CAST(:t AS regclass) AND attnum > 0 AND NOT attisdropped "
        "ORDER BY attnum"), {"t": T}).all()
    indexes = [r[0] for r in conn.execute(sa.text(
        "SELECT indexdef FROM pg_indexes WHERE tablename = :t AND indexname <> :pk"),
        {"t": T, "pk": f"{T}_pkey"})]
    options = conn.execute(sa.text(
        "SELECT reloptions FROM pg_class WHERE oid = CAST(:t AS regclass)"), {"t": T}).scalar()
    names = ", ".join(c.attname for c in columns)
    op.execute(f"CREATE TABLE {T}_new AS SELECT CAST(0 AS integer) AS docnum, "
               f"CAST(0 AS bigint) AS gen, {names} FROM {T} WITH NO DATA")
    op.execute(f"ALTER TABLE {T}_new " + ", ".join(
        f"ALTER COLUMN {c.attname} SET STORAGE {STORAGE[c.attstorage]}" for c in columns))
    for c in columns:
        if c.attcompression == "l":
            op.execute(f"ALTER TABLE {T}_new ALTER COLUMN {c.attname} SET COMPRESSION lz4")
    if options:
        op.execute(f"ALTER TABLE {T}_new SET ({', '.join(options)})")
    op.execute(f"INSERT INTO {T}_new SELECT nextval('{SEQ}'), 0, {names} FROM {T}")
    # never NULL, so that a match in ``head`` stands for a match in ``tsv``
    op.execute(f"UPDATE {T}_new SET head = coalesce(head, ts_filter(coalesce(tsv, ''), "
               "'{a,b}')), tsv = coalesce(tsv, '') WHERE head IS NULL OR tsv IS NULL")
    op.drop_table(T)
    op.rename_table(f"{T}_new", T)
    for c in ("docnum", "gen", "index_id", "fields", "doc", "tsv", "head"):
        op.alter_column(T, c, nullable=False)
    op.alter_column(T, "gen", server_default="0")
    op.alter_column(T, "indexed", server_default=sa.func.now())
    op.create_primary_key(f"{T}_pkey", T, ["index_id"])
    for definition in indexes:
        op.execute(definition)
    op.create_index(f"{T}_docnum_idx", T, ["docnum"], unique=True)
    op.create_index(f"{T}_gen_idx", T, ["gen"])
    op.create_table(
        STATE,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("epoch", sa.UnicodeText, nullable=False),
        sa.Column("generation", sa.BigInteger, nullable=False),
        sa.CheckConstraint("id = 1", name=f"{STATE}_one_row"),
    )


def downgrade():
    op.drop_table(STATE)
    op.alter_column(T, "tsv", nullable=True)
    op.alter_column(T, "head", nullable=True)
    op.drop_index(f"{T}_gen_idx", table_name=T)
    op.drop_index(f"{T}_docnum_idx", table_name=T)
    op.drop_column(T, "gen")
    op.drop_column(T, "docnum")
    op.execute(f"DROP SEQUENCE IF EXISTS {SEQ}")
