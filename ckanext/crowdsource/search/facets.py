"""Facet counts for the PostgreSQL search backend.

Solr counts facets from per-field structures it keeps in memory for each
index searcher (un-inverted fields, docValues), renewed when the index
changes. Counting them in SQL means unnesting every match's values and
aggregating them, which at 100,000 documents costs hundreds of milliseconds
for a common word. So this backend does what Solr does:

* Every index row has a small stable number, ``docnum``.
* Each process keeps, for each facet field asked for that is a column of the
  index table (organization, groups, tags, res_format, license_id ...), the
  set of documents of each value: a bitset (a Python ``int``) for a value of
  many documents, an array of numbers for a rare one.
* A search fetches only the numbers of its matches (one aggregate over the
  same plan that counts them) and counts each value's documents among them:
  an AND and a popcount per common value.
* Every write to the index bumps the generation in ``crowdsource_search_state``
  under that row's lock and stamps the rows it writes with it; a search reads
  the generation in its own snapshot and first applies the rows written since
  the generation the process has. The counts are therefore exactly those of
  the search's snapshot, in every process. A deleted document's number is
  never matched again, so a deletion needs no change here.

Fields that are not columns (``vocab_*``, ``extras_*`` ...) are counted in SQL.
Memory: a bit per document number for each common value (at most
``DENSE_SHARE`` times the values per document of the field), four bytes per
document for each rare value.
"""
from __future__ import annotations

import sys
import threading
from array import array
from collections.abc import Iterable
from operator import itemgetter
from typing import Any

import sqlalchemy as sa

from .model import ARRAY_COLUMNS, DATE_COLUMNS, SCALAR_COLUMNS, STATE, TABLE, as_list

# a value of more than 1 in DENSE_SHARE documents is kept as a bitset: at
# most 32 bytes per document of the value (4 in an array), and counted with
# one AND and popcount instead of a lookup per document
DENSE_SHARE = 256
# a field kept in memory: a column of one value, or of many, per document
MEMORY_FIELDS = frozenset(SCALAR_COLUMNS + ARRAY_COLUMNS)

Counts = dict[str, list[Any]]  # field: [value, count, value, count ...], as Solr lists them


def _listed(found: Iterable[tuple[str, int]], limit: int, mincount: int) -> list[Any]:
    """Values and their counts as Solr lists them: at least ``mincount``,
    highest count first, then in index order, at most ``limit`` (-1: all)."""
    ranked = sorted(((v, c) for v, c in found if c >= mincount), key=lambda p: (-p[1], p[0]))
    if limit >= 0:
        ranked = ranked[:limit]
    return [x for pair in ranked for x in pair]


def _numbers(conn, where: str, params: dict[str, Any]) -> array:
    """The numbers of the documents that match ``where``."""
    # as 4-byte big-endian integers: the most compact answer
    found = conn.execute(sa.text(
        f"SELECT string_agg(int4send(d.docnum), ''::bytea) FROM {TABLE} d WHERE {where}"
    ), params).scalar()
    numbers = array("i", bytes(found or b""))
    if sys.byteorder == "little":
        numbers.byteswap()
    return numbers


def _bitset(numbers: Iterable[int], top: int) -> tuple[int, bytearray]:
    """The bitset of ``numbers`` (none above ``top``), and the same set as one
    byte per document number, 1 for a member."""
    flags = bytearray(top + 1)
    for d in numbers:
        flags[d] = 1
    return int(flags[::-1].translate(_AS_DIGITS), 2), flags


_AS_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


def _members(flags: bytearray, numbers: array) -> int:
    """How many of ``numbers`` are members of the set ``flags``."""
    if len(numbers) == 1:
        return flags[numbers[0]]
    return sum(itemgetter(*numbers)(flags)) if numbers else 0


class _Field:
    """The documents of each value of one field."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.dense: dict[str, int] = {}
        self.sparse: dict[str, array] = {}

    def load(self, found: Iterable[tuple[str, list[int]]], top: int) -> None:
        """Keep each value with its documents' numbers (none above ``top``)."""
        for v, numbers in found:
            if len(numbers) > self.threshold:
                self.dense[v] = _bitset(numbers, top)[0]
            else:
                self.sparse[v] = array("i", numbers)

    def add(self, docnum: int, raw: Any) -> None:
        for v in as_list(raw):
            if v in self.dense:
                self.dense[v] |= 1 << docnum
                continue
            numbers = self.sparse.setdefault(v, array("i"))
            numbers.append(docnum)
            if len(numbers) > self.threshold:
                self.dense[v] = _bitset(numbers, max(numbers))[0]
                del self.sparse[v]

    def drop(self, gone: int, gone_numbers: set[int]) -> None:
        """Forget the values of the documents ``gone`` (as a bitset and a set)."""
        keep = ~gone
        for v in self.dense:
            self.dense[v] &= keep
        for v, numbers in self.sparse.items():
            if not gone_numbers.isdisjoint(numbers):
                self.sparse[v] = array("i", (d for d in numbers if d not in gone_numbers))

    def counts(self, match: int, flags: bytearray, limit: int, mincount: int) -> list[Any]:
        found = [(v, (match & bits).bit_count()) for v, bits in self.dense.items()]
        found += [(v, _members(flags, numbers)) for v, numbers in self.sparse.items()]
        return _listed(found, limit, mincount)


class FacetValues:
    """One process's facet values, brought up to date by each search."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reset(None)

    def _reset(self, epoch: str | None) -> None:
        self.epoch = epoch
        self.generation = 0
        self.top = 0  # the highest document number known
        self.known = 0  # bitset of the document numbers known
        self.fields: dict[str, _Field] = {}

    def count(self, conn, where: str, params: dict[str, Any], fields: list[str], limit: int,
              mincount: int) -> tuple[int, Counts]:
        """The number of matches of ``where`` and the counts of ``fields`` (all
        of ``MEMORY_FIELDS``) among them, in the snapshot of ``conn``'s
        transaction, which must be REPEATABLE READ."""
        numbers = _numbers(conn, where, params)
        with self._lock:
            self._bring_up_to_date(conn, fields)
            match, flags = _bitset(numbers, max(self.top, max(numbers, default=0)))
            if match & ~self.known:  # rows written without a generation: read all again
                self._reset(self.epoch)
                self._bring_up_to_date(conn, fields)
                match, flags = _bitset(numbers, self.top)
            counts = {name: self.fields[name].counts(match, flags, limit, mincount)
                      for name in fields}
        return len(numbers), counts

    def _bring_up_to_date(self, conn, fields: list[str]) -> None:
        state = conn.execute(sa.text(f"SELECT epoch, generation FROM {STATE}")).first()
        epoch, generation = (state.epoch, state.generation) if state else ("", 0)
        if epoch != self.epoch:
            self._reset(epoch)
        if generation != self.generation:
            self._apply_changes(conn)
            self.generation = generation
        missing = [f for f in fields if f not in self.fields]
        if missing:
            self._load(conn, missing)

    def _threshold(self) -> int:
        return max(64, self.top // DENSE_SHARE)

    def _load(self, conn, names: list[str]) -> None:
        """Read the documents of every value of fields not kept yet."""
        if not self.fields:
            numbers = _numbers(conn, "TRUE", {})
            self.top = max(numbers, default=0)
            self.known = _bitset(numbers, self.top)[0]
        for name in names:
            source = (f"unnest(d.{name}) AS x(v)" if name in ARRAY_COLUMNS
                      else f"(SELECT d.{name} AS v WHERE d.{name} IS NOT NULL) AS x")
            found = conn.execute(sa.text(
                f"SELECT x.v, array_agg(d.docnum) FROM {TABLE} d, LATERAL {source} "
                "GROUP BY x.v"))
            field = self.fields[name] = _Field(self._threshold())
            field.load(found, self.top)

    def _apply_changes(self, conn) -> None:
        """Apply the rows written since this process's generation."""
        if not self.fields:
            return
        names = list(self.fields)
        rows = conn.execute(sa.text(
            f"SELECT docnum, {', '.join(names)} FROM {TABLE} WHERE gen > :seen"),
            {"seen": self.generation}).all()
        if len(rows) * 4 > max(self.top, 1000):  # many changes: reading all is quicker
            self._reset(self.epoch)
            self._load(conn, names)
            return
        changed = {r[0] for r in rows}
        gone_numbers = {d for d in changed if self.known >> d & 1}
        if gone_numbers:
            gone = _bitset(gone_numbers, max(gone_numbers))[0]
            for field in self.fields.values():
                field.drop(gone, gone_numbers)
        for r in rows:
            self.known |= 1 << r[0]
            for i, name in enumerate(names, start=1):
                self.fields[name].add(r[0], r[i])
        self.top = max(self.top, max(changed, default=0))


VALUES = FacetValues()


class SqlFacets:
    """The count of the matches and their facet counts, in one statement.

    For fields that are not kept in memory. Each matching document's facet
    values are unnested into ``(facet number, value)`` pairs, with one
    ``(0, NULL)`` pair that counts the document, and a single aggregation
    counts them all.
    """

    def __init__(self, fields: list[str], limit: int, mincount: int, sql) -> None:
        self.fields, self.limit, self.mincount, self.sql = fields, limit, mincount, sql

    def _pairs(self) -> tuple[str, str]:
        numbers, values = ["ARRAY[0]"], ["ARRAY[NULL]::text[]"]
        for n, name in enumerate(self.fields, start=1):
            if name in ARRAY_COLUMNS:
                numbers.append(f"array_fill({n}, ARRAY[coalesce(cardinality(d.{name}), 0)])")
                values.append(f"coalesce(d.{name}, '{{}}'::text[])")
            elif name in SCALAR_COLUMNS or name in DATE_COLUMNS:
                numbers.append(f"ARRAY[{n}]")
                values.append(f"ARRAY[CAST(d.{name} AS text)]")
            else:
                field = f"coalesce(d.fields -> {self.sql.bind(name)}, '[]'::jsonb)"
                numbers.append(f"array_fill({n}, ARRAY[jsonb_array_length({field})])")
                values.append(f"ARRAY(SELECT jsonb_array_elements_text({field}))")
        return " || ".join(numbers), " || ".join(values)

    def run(self, conn, where: str) -> tuple[int, Counts]:
        numbers, values = self._pairs()
        statement = (
            "SELECT x.n, x.v, count(*) AS c "
            f"FROM {TABLE} d, LATERAL unnest({numbers}, {values}) AS x(n, v) "
            f"WHERE (x.n = 0 OR x.v IS NOT NULL) AND {where} GROUP BY x.n, x.v"
        )
        total = 0
        pairs: dict[str, list[tuple[str, int]]] = {name: [] for name in self.fields}
        for n, value, count in conn.execute(sa.text(statement), self.sql.params).all():
            if n == 0:
                total = int(count)
            else:
                pairs[self.fields[n - 1]].append((value, int(count)))
        return total, {name: _listed(found, self.limit, self.mincount)
                       for name, found in pairs.items()}


def facet_counts(conn, where: str, sql, fields: list[str], limit: int,
                 mincount: int) -> tuple[int, Counts]:
    """The number of matches of ``where`` and the facet counts of ``fields``:
    those kept in memory counted there, the others in SQL."""
    in_memory = [f for f in fields if f in MEMORY_FIELDS]
    in_sql = [f for f in fields if f not in MEMORY_FIELDS]
    counts: Counts = {}
    if in_sql or not in_memory:
        total, counts = SqlFacets(in_sql, limit, mincount, sql).run(conn, where)
    if in_memory:
        total, kept = VALUES.count(conn, where, sql.params, in_memory, limit, mincount)
        counts.update(kept)
    return total, {name: counts[name] for name in fields}
