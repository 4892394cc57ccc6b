"""A pysolr-compatible connection that keeps CKAN's index in PostgreSQL.

CKAN builds its index documents and its Solr queries itself; this object
takes them at ``make_connection()``, the one place CKAN talks to Solr.
Writes go through their own short transaction, as writes to Solr are outside
CKAN's database transaction; a failed write raises ``pysolr.SolrError`` so
that CKAN reports it the way it reports Solr's errors.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import date, datetime, timezone
from typing import Any

import pysolr
import sqlalchemy as sa
from ckan import model
from ckan.lib.search.common import solr_datetime_decoder
from ckan.plugins import toolkit
from dateutil.parser import isoparse

from ckanext.crowdsource.common import cache, config

from . import text as ta
from . import upkeep
from .facets import facet_counts
from .model import (
    ARRAY_COLUMNS,
    DATE_COLUMNS,
    DOCNUM_SEQUENCE,
    SCALAR_COLUMNS,
    STATE,
    TABLE,
    as_list,
)
from .query import (
    RANK_WEIGHTS,
    QueryError,
    Sql,
    Translator,
    field_weight,
    head_matches,
    sort_keys,
)
from .schema import DATE, STRING, load_schema

log = logging.getLogger(__name__)

BLOB_FIELDS = ("data_dict", "validated_data_dict")
CACHE = "search"  # bumped by every write to the index
COLUMNS = ("index_id",) + SCALAR_COLUMNS + ARRAY_COLUMNS + DATE_COLUMNS + (
    "tsv", "grams", "fields", "doc")


def _as_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _parse_stamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return isoparse(value)
    except ValueError:
        return None


def solr_date(value: Any) -> Any:
    """A date as Solr stores and returns it: in UTC, to the millisecond,
    the milliseconds only when there are some ("2014-06-10T08:24:12.782Z").
    A value that is not a date is kept as it is."""
    if isinstance(value, list):
        return [solr_date(v) for v in value]
    when = value if isinstance(value, datetime) else _parse_stamp(str(value or ""))
    if when is None:
        return value
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    ms = when.microsecond // 1000
    return when.strftime("%Y-%m-%dT%H:%M:%S") + (f".{ms:03d}" if ms else "") + "Z"


def document_row(doc: dict[str, Any]) -> dict[str, Any]:
    """Turn one index document CKAN built into a row of the index table."""
    schema = load_schema()
    row: dict[str, Any] = {c: None for c in COLUMNS}
    fields: dict[str, list[str]] = {}
    stored: dict[str, Any] = {}
    weighted: list[tuple[str, str]] = []
    keys: list[str] = []
    grams: set[str] = set()
    for key, value in doc.items():
        spec = schema.field(key)
        if spec is None:
            continue
        if spec.stored:
            stored[key] = solr_date(value) if spec.kind == DATE else value
        if key in BLOB_FIELDS or key == "index_id":
            continue
        values = [_as_str(v) for v in as_list(value)]
        if spec.kind == STRING:
            keys.extend(k for k in (ta.key_lexeme(key, v) for v in values) if k)
        if key in SCALAR_COLUMNS:
            row[key] = values[0] if values else None
        elif key in ARRAY_COLUMNS:
            row[key] = values
        elif key in DATE_COLUMNS:
            row[key] = _parse_stamp(values[0] if values else None)
        elif values:
            fields[key] = values
        if key == "text" or schema.copied_to_text(key):
            weighted.extend((field_weight(key), v) for v in values)
        if key in ta.NGRAM_SOURCES:  # copied into title_ngram / name_ngram
            for v in values:
                grams |= ta.ngram_lexemes(ta.NGRAM_SOURCES[key], v)
    row["index_id"] = doc.get("index_id") or doc.get("id")
    row["fields"] = json.dumps(fields, ensure_ascii=False)
    row["doc"] = json.dumps(stored, ensure_ascii=False, default=_as_str)
    row["tsv"] = ta.tsvector_literal(weighted)
    row["keys"] = ta.keys_literal(keys)
    row["grams"] = ta.keys_literal(grams)
    return row


# ``tsv``: the words, and the exact values of string fields as keys;
# ``head``: the title, name, tags and groups words (weights A and B);
# ``docnum``: the row's number, kept when the row is written again
_UPSERT = sa.text(
    f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}, head, docnum, gen, indexed) VALUES ("
    + ", ".join(
        "CAST(:tsv AS tsvector) || CAST(:keys AS tsvector)" if c == "tsv"
        else "CAST(:grams AS tsvector)" if c == "grams"
        else f"CAST(:{c} AS jsonb)" if c in ("fields", "doc")
        else f":{c}"
        for c in COLUMNS
    )
    + ", ts_filter(CAST(:tsv AS tsvector), '{a,b}'), "
    f"coalesce((SELECT o.docnum FROM {TABLE} o WHERE o.index_id = :index_id), "
    f"nextval('{DOCNUM_SEQUENCE}')), :gen, now()) ON CONFLICT (index_id) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[1:])
    + ", head = EXCLUDED.head, gen = EXCLUDED.gen, indexed = now()"
)

# Every write takes the next generation of the index, under the lock of the
# state row, so writes to the index follow one another (see facets.py).
_NEW_EPOCH = "md5(random()::text || clock_timestamp()::text)"
_NEXT_GENERATION = sa.text(
    f"INSERT INTO {STATE} (id, epoch, generation) VALUES (1, {_NEW_EPOCH}, 1) "
    f"ON CONFLICT (id) DO UPDATE SET generation = {STATE}.generation + 1 RETURNING generation"
)
# Once the index is empty, document numbers start again, in a new epoch.
_START_AGAIN = sa.text(
    f"UPDATE {STATE} SET epoch = {_NEW_EPOCH} "
    f"WHERE NOT EXISTS (SELECT 1 FROM {TABLE}) RETURNING id"
)


def _fl_list(fl: str | None) -> list[str]:
    return [f for f in (fl or "*").replace(",", " ").split() if f]


class PgSolr:
    """Stands in for ``pysolr.Solr``: ``add``, ``delete``, ``search``, ``commit``."""

    url = "postgresql:crowdsource_pgsearch"

    def __init__(self, decode_dates: bool = True) -> None:
        self.decode_dates = decode_dates

    @staticmethod
    def _engine() -> sa.engine.Engine:
        return model.ensure_engine()

    def _run(self, fn, isolation: str | None = None, again: bool = True):
        try:
            with self._engine().connect() as conn:
                if isolation:
                    conn.execution_options(isolation_level=isolation)
                with conn.begin():
                    return fn(conn)
        except QueryError as e:
            raise pysolr.SolrError(str(e)) from e
        except sa.exc.DBAPIError as e:
            if again and upkeep.is_missing_table(e):
                # a database reset dropped the index tables: made again, once
                try:
                    upkeep.ensure_tables()
                except upkeep.TablesMissing as missing:
                    raise pysolr.SolrError(str(missing)) from e
                return self._run(fn, isolation, again=False)
            log.warning("crowdsource_pgsearch: %s", e)
            raise pysolr.SolrError(f"Search index error: {e.orig}") from e

    # writes -----------------------------------------------------------------

    def add(self, docs: Iterable[dict[str, Any]], commit: bool | None = None, **_: Any) -> str:
        rows = [document_row(d) for d in docs]
        if rows:
            def run(conn):
                generation = conn.execute(_NEXT_GENERATION).scalar()
                conn.execute(_UPSERT, [{**row, "gen": generation} for row in rows])

            self._run(run)
            cache.bump(CACHE)
        return ""

    def delete(self, id: Any = None, q: str | None = None, commit: bool | None = None,
               **_: Any) -> str:
        if id is None and q is None:
            raise ValueError('You must specify "id" or "q".')
        sql = Sql()
        if id is not None:
            where = f"d.index_id = ANY(CAST({sql.bind(as_list(id))} AS text[]))"
        else:
            try:
                where = Translator(sql).lucene(q or "")
            except QueryError as e:
                raise pysolr.SolrError(str(e)) from e

        def run(conn):
            conn.execute(_NEXT_GENERATION)
            _plan_for_the_index(conn)
            conn.execute(sa.text(f"DELETE FROM {TABLE} AS d WHERE {where}"), sql.params)
            if conn.execute(_START_AGAIN).first():
                conn.execute(sa.text(f"ALTER SEQUENCE {DOCNUM_SEQUENCE} RESTART"))

        self._run(run)
        cache.bump(CACHE)
        return ""

    def commit(self, **_: Any) -> str:
        return ""

    def optimize(self, **_: Any) -> str:
        return ""

    def ping(self, **_: Any) -> str:
        return "{}"

    # search -----------------------------------------------------------------

    def search(self, q: str | None = None, search_handler: str | None = None,
               **params: Any) -> pysolr.Results:
        sql = Sql()
        try:
            where = self._where(q, params, sql)
            rank = _Rank(sql) if sql.rank_queries else None
            keys = sort_keys(params.get("sort"), load_schema(), rank and rank.score)
            rows = int(params.get("rows", 10))
            start = int(params.get("start", 0))
            facet_fields = as_list(params.get("facet.field"))
            if str(params.get("facet", "false")).lower() != "true":
                facet_fields = []
            limit = int(params.get("facet.limit", 50))
            mincount = max(1, int(params.get("facet.mincount", 1)))
        except (QueryError, ValueError) as e:
            raise pysolr.SolrError(str(e)) from e
        if rows < 0 or start < 0:
            raise pysolr.SolrError("rows and start must not be negative")
        fl = _fl_list(params.get("fl"))

        def run(conn) -> dict[str, Any]:
            _plan_for_the_index(conn)
            if facet_fields:
                total, counts = facet_counts(conn, where, sql, facet_fields, limit, mincount)
            else:
                total = conn.execute(
                    sa.text(f"SELECT count(*) FROM {TABLE} d WHERE {where}"), sql.params
                ).scalar() or 0
                counts = {}
            page = _page(conn, where, sql, keys, rows, start, rank)
            return {"total": int(total), "counts": counts, "page": page}

        # Like Solr's result caches: the same query (visibility filters
        # included) answers from Redis until the next write to the index.
        seconds = config.search_cache_seconds()
        found = cache.cached(
            CACHE, [where, sql.params, keys, rows, start, facet_fields, limit, mincount],
            seconds, lambda: self._run(run, "REPEATABLE READ"))
        docs = self._run(lambda conn: self._docs(conn, found["page"], fl))
        if self.decode_dates:  # as the decoder CKAN gives pysolr
            docs = [solr_datetime_decoder(d) for d in docs]
        return pysolr.Results(
            {
                "response": {"numFound": found["total"], "start": start, "docs": docs},
                "facet_counts": {"facet_fields": found["counts"]},
            }
        )

    def _docs(self, conn, page: list[list[Any]], fl: list[str]) -> list[dict[str, Any]]:
        """The stored fields of the page's documents, in page order."""
        if not page:
            return []
        stored = dict(
            conn.execute(
                sa.text(f"SELECT index_id, doc FROM {TABLE} WHERE index_id = ANY(:ids)"),
                {"ids": [index_id for index_id, _ in page]},
            ).all()
        )
        return [self._project(stored[i], score, fl) for i, score in page if i in stored]

    @staticmethod
    def _where(q: str | None, params: dict[str, Any], sql: Sql) -> str:
        allowed = tuple(toolkit.aslist(toolkit.config.get(
            "ckan.search.solr_allowed_query_parsers")))
        tr = Translator(sql, allowed_parsers=allowed)
        conds = []
        q = (q or "").strip()
        if q and q != "*:*":
            conds.append(tr.query(q, params.get("defType", "lucene"), params))
        fq_params = {k: v for k, v in params.items() if k not in ("mm", "qf")}
        for fq in as_list(params.get("fq")):
            if str(fq).strip():
                conds.append(tr.query(str(fq), "lucene", fq_params))
        return " AND ".join(conds) or "TRUE"

    @staticmethod
    def _project(doc: dict[str, Any], score: float, fl: list[str]) -> dict[str, Any]:
        if "*" in fl:
            out = dict(doc)
        else:
            out = {k: doc[k] for k in fl if k in doc}
        if "score" in fl:
            out["score"] = score
        return out


def _plan_for_the_index(conn) -> None:
    """Settings for this transaction's searches. They are short: compiling
    them (JIT) costs more than it saves. The text vector is out of line and
    its GIN index answers words and keys exactly, while a sequential scan
    would read every document's vector: PostgreSQL does not know that."""
    conn.execute(sa.text("SET LOCAL jit = off"))
    conn.execute(sa.text("SET LOCAL enable_seqscan = off"))


class _Rank:
    """Relevance: ``ts_rank`` over the document's title, name, tags and groups
    words (``head``, weights A and B); a document that matches only in its
    other text scores 0, and CKAN's second sort key (newest first) orders
    those. Computed on the small in-row ``head``, and only where it matches."""

    def __init__(self, sql: Sql) -> None:
        combined = " | ".join(f"({x})" for x in sql.rank_queries)
        query = f"CAST({sql.bind(combined)} AS tsquery)"
        self.in_head = head_matches(sql, combined)  # as it stands, so that its index serves
        self.score = (f"(CASE WHEN {self.in_head} THEN ts_rank('{RANK_WEIGHTS}', d.head, "
                      f"{query}) ELSE 0 END)")


# CKAN's sort for free text: relevance, then newest first
_RANKED = [("d.metadata_modified", "DESC"), ("d.index_id", "ASC")]


def _page(conn, where: str, sql: Sql, keys: list[tuple[str, str]], rows: int, start: int,
          rank: _Rank | None) -> list[list[Any]]:
    """Index ids and scores of one page of results.

    Sorted by relevance and then by date, as CKAN sorts free text, the page
    is taken in two steps that never rank every match: the best of the
    documents whose title, name, tags or groups match (found through the
    index on ``head``), then, if the page reaches past those, the newest of
    the others, which all score 0 (an index walk on ``metadata_modified``
    for common words). Any other sort is one top-N query.
    """
    if not rows:
        return []

    def run(condition: str, order: list[tuple[str, str]], score: str, limit: int,
            offset: int = 0) -> list[list[Any]]:
        found = conn.execute(sa.text(
            f"SELECT d.index_id, {score} AS score FROM {TABLE} d WHERE {condition} "
            f"ORDER BY {', '.join(f'{e} {o}' for e, o in order)} LIMIT {limit} OFFSET {offset}"
        ), sql.params).all()
        return [[r.index_id, float(r.score)] for r in found]

    if rank is None or keys != [(rank.score, "DESC"), *_RANKED]:
        score = rank.score if rank is not None else "1.0"
        return run(where, keys, score, rows, start)
    head = f"{where} AND {rank.in_head}"
    best = run(head, keys, rank.score, rows, start)
    if len(best) == rows:
        return best
    # how many documents rank above the rest: known, unless the page starts past them
    ranked = start + len(best) if best else conn.execute(
        sa.text(f"SELECT count(*) FROM {TABLE} d WHERE {head}"), sql.params).scalar() or 0
    rest = run(f"{where} AND NOT coalesce({rank.in_head}, false)", _RANKED, "0",
               rows - len(best), max(0, start - ranked))
    return best + rest


def make_connection(decode_dates: bool = True) -> PgSolr:
    return PgSolr(decode_dates)

