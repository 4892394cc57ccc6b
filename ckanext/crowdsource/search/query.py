"""Translate the Solr queries CKAN builds into SQL over the index table.

Lucene syntax (``q`` with fields, every ``fq``) is parsed with luqum; the
dismax form CKAN sends for plain free text (no colon in ``q``) is split into
clauses here, with Solr's ``mm`` (minimum should match) rule applied.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from dateutil.parser import isoparse
from dateutil.relativedelta import relativedelta
from luqum import tree
from luqum.exceptions import ParseError
from luqum.parser import parser as lucene_parser

from ckanext.crowdsource.common import hooks

from . import text as ta
from .model import ARRAY_COLUMNS, DATE_COLUMNS, SCALAR_COLUMNS
from .schema import DATE, NUMBER, STRING, TEXT, SolrSchema, load_schema

# ts_rank weights {D, C, B, A} mirroring CKAN's qf: title^4 tags^2 groups^2 text.
# Ranking reads only the A and B lexemes (``head``); C and D label the other
# text, for fielded queries such as notes:x.
RANK_WEIGHTS = "{0.25, 0.3, 0.5, 1.0}"
FIELD_WEIGHTS = {"title": "A", "name": "A", "tags": "B", "groups": "B", "notes": "C"}
HEAD_WEIGHTS = "AB"  # the weights of the lexemes in ``head`` (see the index table)
# in a tsquery literal: a phrase operator; the weight labels after a lexeme
_PHRASE_RE = re.compile(r"<\d*-?>")
_WEIGHT_RE = re.compile(r"':(\*?)([A-D]+)")


class QueryError(ValueError):
    """A query CKAN passed on that this backend cannot answer."""


def field_weight(name: str) -> str:
    if name.startswith("vocab_"):
        return "B"
    return FIELD_WEIGHTS.get(name, "D")


def exact_words(tsq: str) -> str | None:
    """``tsq`` as a GIN index answers it without a second look at each row:
    its words, phrases as plain ANDs, no weight labels. None when ``tsq`` is
    that already.

    (A second look re-evaluates every condition of the scan on the row, the
    keys in the out-of-line vector too: what the callers avoid.)
    """
    if not _WEIGHT_RE.search(tsq) and not _PHRASE_RE.search(tsq):
        return None
    return _PHRASE_RE.sub("&", _WEIGHT_RE.sub(lambda m: "':" + m[1] if m[1] else "'", tsq))


def head_matches(sql: Sql, tsq: str) -> str:
    """The document's ``head`` (title, name, tags, groups) matches ``tsq``:
    found through its index by the words, then checked in the row."""
    query = f"CAST({sql.bind(tsq)} AS tsquery)"
    words = exact_words(tsq)
    if words is None:
        return f"d.head @@ {query}"
    return f"(d.head @@ CAST({sql.bind(words)} AS tsquery) AND (d.head @@ {query}) IS TRUE)"


@dataclass
class Sql:
    """A growing WHERE clause with its bound parameters."""

    params: dict[str, Any] = field(default_factory=dict)
    rank_queries: list[str] = field(default_factory=list)

    def bind(self, value: Any) -> str:
        key = f"p{len(self.params)}"
        self.params[key] = value
        return f":{key}"


_UNESCAPE_RE = re.compile(r"\\(.)")


def _unescape(value: str) -> str:
    return _UNESCAPE_RE.sub(r"\1", value)


def _has_wildcard(value: str) -> bool:
    return bool(re.search(r"(?<!\\)[*?]", value))


# -- date math ---------------------------------------------------------------

_UNITS = {
    "YEAR": "years", "MONTH": "months", "DAY": "days", "DATE": "days",
    "HOUR": "hours", "MINUTE": "minutes", "SECOND": "seconds",
}
_DATE_OP_RE = re.compile(r"([+-]\d+|/)([A-Z]+?)S?(?=[+/-]|$)")


def parse_date(value: str, now: datetime | None = None) -> datetime:
    """Solr date math: ``NOW``, ISO dates, ``NOW-7DAYS``, ``NOW/DAY+1DAY``..."""
    now = now or datetime.now(timezone.utc)
    value = value.strip().upper()
    if value.startswith("NOW"):
        base, rest = now, value[3:]
    else:
        split = re.search(r"Z(?=[+/-])", value)
        stamp, rest = (value[: split.end()], value[split.end() :]) if split else (value, "")
        try:
            base = isoparse(stamp)
        except ValueError as e:
            raise QueryError(f"Invalid date: {value!r}") from e
        if base.tzinfo is None:
            base = base.replace(tzinfo=timezone.utc)
    pos = 0
    for m in _DATE_OP_RE.finditer(rest):
        if m.start() != pos or m.group(2) not in _UNITS:
            raise QueryError(f"Invalid date math: {value!r}")
        unit = _UNITS[m.group(2)]
        if m.group(1) == "/":
            keep = ["years", "months", "days", "hours", "minutes", "seconds"]
            names = ["month", "day", "hour", "minute", "second", "microsecond"]
            idx = keep.index(unit)
            base = base.replace(
                **{n: (1 if n in ("month", "day") else 0) for n in names[idx:]}
            )
        else:
            try:
                base = base + relativedelta(**{unit: int(m.group(1))})
            except (OverflowError, ValueError) as e:  # past the year 9999
                raise QueryError(f"Date out of range: {value!r}") from e
        pos = m.end()
    if pos != len(rest):
        raise QueryError(f"Invalid date math: {value!r}")
    return base


# -- minimum should match ------------------------------------------------------


def _mm_value(expr: str, n: int) -> int:
    if expr.endswith("%"):
        pct = int(expr[:-1])
        return n * pct // 100 if pct >= 0 else n - (n * -pct // 100)
    k = int(expr)
    return k if k >= 0 else n + k


def mm_required(spec: str | None, n: int) -> int:
    """How many of ``n`` optional clauses must match under Solr's ``mm``."""
    if n == 0:
        return 0
    spec = (spec or "100%").strip()
    try:
        if "<" in spec:
            required = n
            for part in sorted(spec.split(), key=lambda p: int(p.split("<")[0])):
                limit, expr = part.split("<", 1)
                if n > int(limit):
                    required = _mm_value(expr, n)
        else:
            required = _mm_value(spec, n)
    except ValueError as e:
        raise QueryError(f"Invalid mm parameter: {spec!r}") from e
    return max(1, min(n, required))


# -- local parameters ------------------------------------------------------------

LOCAL_PARSERS = ("lucene", "bool", "dismax", "edismax")  # what this backend answers
BOOL_CLAUSES = ("must", "should", "must_not", "filter")


def local_params(text: str, params: dict[str, Any] | None = None
                 ) -> tuple[dict[str, list[str]], str] | None:
    """Solr's local parameters at the start of ``text`` (``{!bool must=x}``,
    ``{!type=lucene q.op=OR df=title}rest``, quoted values, ``$name`` taken
    from the request's ``params``): ``({key: [values]}, rest)``, the parser
    under ``type``; None when ``text`` does not start with them."""
    text = text.lstrip()
    if not text.startswith("{!"):
        return None
    out: dict[str, list[str]] = {}
    i, n = 2, len(text)
    first = True
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise QueryError(f"Local parameters are not closed: {text!r}")
        if text[i] == "}":
            i += 1
            break
        start = i
        while i < n and not text[i].isspace() and text[i] not in "=}":
            i += 1
        key = text[start:i]
        if not key:
            raise QueryError(f"Invalid local parameters: {text!r}")
        if i < n and text[i] == "=":
            i += 1
            value, i = _local_value(text, i)
            if value.startswith("$"):  # a parameter of the request
                ref = (params or {}).get(value[1:])
                if ref is None:
                    raise QueryError(f"Missing parameter {value[1:]!r} in local parameters")
                value = str(ref)
            out.setdefault(key, []).append(value)
        elif first:  # {!lucene ...}: the parser's name
            out.setdefault("type", []).append(key)
        else:
            raise QueryError(f"Invalid local parameters: {text!r}")
        first = False
    return out, text[i:]


def _local_value(text: str, i: int) -> tuple[str, int]:
    n = len(text)
    if i < n and text[i] in "'\"":
        quote, i, value = text[i], i + 1, []
        while i < n and text[i] != quote:
            if text[i] == "\\" and i + 1 < n:
                i += 1
            value.append(text[i])
            i += 1
        if i >= n:
            raise QueryError(f"Unbalanced quotation marks in local parameters: {text!r}")
        return "".join(value), i + 1
    start = i
    while i < n and not text[i].isspace() and text[i] != "}":
        i += 1
    return text[start:i], i


# -- translation ---------------------------------------------------------------


class Translator:
    def __init__(self, sql: Sql, schema: SolrSchema | None = None, default_and: bool = True,
                 allowed_parsers: tuple[str, ...] = ()):
        self.sql = sql
        self.schema = schema or load_schema()
        self.default_and = default_and
        self.allowed_parsers = allowed_parsers

    # a query in any parser ---------------------------------------------------

    def query(self, text: str, parser: str, params: dict[str, Any]) -> str:
        """``text`` as Solr's ``parser`` reads it, or as its local parameters
        say (when the site allows that parser: ``ckan.search.solr_allowed_query_parsers``)."""
        local = local_params(text, params)
        if local is None:
            return self._parse(text, parser, params)
        found, rest = local
        name = found.get("type", [parser])[-1]
        if name not in self.allowed_parsers:
            raise QueryError(f"Local parameters are not supported: {{!{name}}}")
        if name not in LOCAL_PARSERS:
            raise QueryError(f"Query parser {name!r} is not supported by this search backend")
        inner = {**params, **{k: v[-1] for k, v in found.items() if k != "type"}}
        if name == "bool":
            return self._bool(found, inner)
        body = found["v"][-1] if "v" in found else rest
        fields = _query_fields(found["qf"][-1]) if "qf" in found else None
        return self._parse(body, name, inner, fields)

    def _parse(self, text: str, parser: str, params: dict[str, Any],
               fields: list[str] | None = None) -> str:
        default_and = str(params.get("q.op", "AND")).upper() != "OR"
        saved, self.default_and = self.default_and, default_and
        try:
            text = text.strip()
            if not text or text == "*:*":
                return "TRUE"
            if parser == "dismax" or (parser == "edismax" and ":" not in text):
                mm = params.get("mm") or (None if default_and else "0%")
                return self.dismax(text, mm, fields)
            return self.lucene(text, params.get("df") or "text")
        finally:
            self.default_and = saved

    def _bool(self, found: dict[str, list[str]], params: dict[str, Any]) -> str:
        """Solr's ``bool`` parser: every ``must`` and ``filter``, no ``must_not``,
        and one ``should`` at least when nothing else is required. Each clause
        is a query of the default (lucene) parser or has local parameters."""
        clauses = {c: [self.query(v, "lucene", params) for v in found.get(c, [])]
                   for c in BOOL_CLAUSES}
        required = clauses["must"] + clauses["filter"]
        parts = required + [f"NOT ({c})" for c in clauses["must_not"]]
        if clauses["should"] and not required:
            parts.append(self._join(clauses["should"], "OR"))
        if not required and not clauses["should"]:
            return "FALSE"  # only prohibitions: nothing to match, as in Solr
        return self._join(parts, "AND")

    # Lucene -----------------------------------------------------------------

    def lucene(self, query: str, df: str = "text") -> str:
        if _unbalanced_quotes(query):
            raise QueryError("Unbalanced quotation marks in query")
        try:
            node = lucene_parser.parse(query)
        except (ParseError, RecursionError) as e:
            raise QueryError(f"Cannot parse query {query!r}: {e}") from e
        return self.node(node, df, positive=True)

    def node(self, node: tree.Item, fld: str, positive: bool) -> str:
        if isinstance(node, tree.SearchField):
            return self.node(node.expr, node.name, positive)
        if isinstance(node, (tree.Group, tree.FieldGroup)):
            return self.node(node.expr, fld, positive)
        if isinstance(node, tree.Boost):
            return self.node(node.expr, fld, positive)
        if isinstance(node, (tree.Not, tree.Prohibit)):
            return f"NOT ({self.node(node.a, fld, not positive)})"
        if isinstance(node, tree.Plus):
            return self.node(node.a, fld, positive)
        if isinstance(node, tree.AndOperation):
            return self._join([self.node(c, fld, positive) for c in node.children], "AND")
        if isinstance(node, tree.OrOperation):
            merged = self._merge_or(node, fld, positive)
            if merged:
                return merged
            return self._join([self.node(c, fld, positive) for c in node.children], "OR")
        if isinstance(node, tree.UnknownOperation):
            return self._implicit(node, fld, positive)
        if isinstance(node, tree.Range):
            return self.range(fld, node)
        if isinstance(node, tree.Phrase):
            return self.term(fld, _unescape(node.value[1:-1]), phrase=True, positive=positive)
        if isinstance(node, tree.Proximity):
            # words within some distance of each other: all of them, anywhere
            words = _unescape(node.term.value[1:-1]).split()
            return self._join([self.term(fld, w, phrase=True, positive=positive)
                               for w in words] or ["FALSE"], "AND")
        if isinstance(node, tree.Fuzzy):
            return self.term(fld, _unescape(node.term.value), positive=positive)
        if isinstance(node, tree.Word):
            return self.term(fld, node.value, positive=positive)
        if isinstance(node, tree.Regex):
            raise QueryError("Regular expression queries are not supported")
        raise QueryError(f"Unsupported query syntax: {node}")

    @staticmethod
    def _join(parts: list[str], op: str) -> str:
        return "(" + f" {op} ".join(parts) + ")"

    def _implicit(self, node: tree.UnknownOperation, fld: str, positive: bool) -> str:
        children = list(node.children)
        if self.default_and:
            return self._join([self.node(c, fld, positive) for c in children], "AND")
        required = [c for c in children if isinstance(c, tree.Plus)]
        banned = [c for c in children if isinstance(c, (tree.Prohibit, tree.Not))]
        optional = [c for c in children if c not in required and c not in banned]
        parts = [self.node(c, fld, positive) for c in required + banned]
        if not required and optional:
            parts.append(self._join([self.node(c, fld, positive) for c in optional], "OR"))
        return self._join(parts, "AND")

    def _merge_or(self, node: tree.OrOperation, fld: str, positive: bool) -> str | None:
        """``permission_labels:("a" OR "b")`` on a string field: one lookup of
        its keys (or one ``&&`` on an array column, under a negation)."""
        spec = self.schema.field(fld)
        if spec is None or spec.kind != STRING:
            return None
        values = []
        for child in node.children:
            if isinstance(child, tree.Phrase):
                values.append(_unescape(child.value[1:-1]))
            elif isinstance(child, tree.Word) and not _has_wildcard(child.value):
                values.append(_unescape(child.value))
            else:
                return None
        keys = ta.key_query(fld, values) if positive else None
        if keys is not None:
            return self._keys(keys)
        if fld in ARRAY_COLUMNS:
            return f"d.{fld} && CAST({self.sql.bind(values)} AS text[])"
        return None

    def _keys(self, keys: str) -> str:
        """A lookup of key lexemes: answered by the text vector's GIN index
        alone, without reading the vector (it is out of line)."""
        return f"d.tsv @@ CAST({self.sql.bind(keys)} AS tsquery)"

    # Terms ------------------------------------------------------------------

    def term(self, fld: str, value: str, phrase: bool = False, positive: bool = True) -> str:
        if fld == "*" and value == "*":
            return "TRUE"
        if fld == "_query_" or fld.startswith("{!"):
            raise QueryError("Nested query parsers are not supported")
        spec = self.schema.field(fld)
        if spec is None:
            raise QueryError(f"Unknown field {fld!r}")
        if not phrase and value == "*":
            return self.exists(fld)
        if fld in ta.NGRAM_FIELDS:
            return self.ngram(fld, value if phrase else _unescape(value.rstrip("*")))
        if spec.kind == TEXT:
            return self.text(fld, value, phrase, positive)
        if spec.kind == DATE and not phrase:
            when = parse_date(_unescape(value))
            return self._compare(fld, DATE, [("=", when)])
        if not phrase and _has_wildcard(value):
            return self.wildcard(fld, value)
        value = value if phrase else _unescape(value)
        keys = ta.key_query(fld, [value]) if positive and spec.kind == STRING else None
        if keys is not None:
            return self._keys(keys)
        # under a negation the row's own columns answer, not the index
        if fld in SCALAR_COLUMNS:
            return f"d.{fld} = {self.sql.bind(value)}"
        if fld in ARRAY_COLUMNS:
            return f"d.{fld} @> CAST({self.sql.bind([value])} AS text[])"
        if spec.kind == NUMBER:
            return self._compare(fld, NUMBER, [("=", _number(value))])
        return f"d.fields @> CAST({self.sql.bind(json.dumps({fld: [value]}))} AS jsonb)"

    def _words(self, tsq: str) -> str:
        """The document's text matches ``tsq`` (as ``text.tsquery_literal``
        writes it: words, phrases, prefixes, weights, never a negation).

        The text index answers plain words exactly. For a phrase or a
        weighted word it finds the documents with all the words, and each is
        then checked in the row: in ``head`` alone when the weights are those
        ``head`` holds (A and B: the title, name and tags, with all their
        positions), else in ``head`` first and only then in the vector, which
        is read from out of line.
        """
        query = f"CAST({self.sql.bind(tsq)} AS tsquery)"
        words = exact_words(tsq)
        if words is None:
            return f"d.tsv @@ {query}"
        weights = {w for _, labels in _WEIGHT_RE.findall(tsq) for w in labels}
        if weights and weights <= set(HEAD_WEIGHTS):
            check = f"(d.head @@ {query}) IS TRUE"
        else:
            check = f"CASE WHEN d.head @@ {query} THEN true ELSE d.tsv @@ {query} END"
        return f"(d.tsv @@ CAST({self.sql.bind(words)} AS tsquery) AND {check})"

    def text(self, fld: str, value: str, phrase: bool, positive: bool) -> str:
        prefix = False
        if not phrase:
            if re.search(r"(?<!\\)[*?].", value) or re.match(r"[*?]", value):
                raise QueryError("Only trailing wildcards are supported on text fields")
            prefix = value.endswith("*") and not value.endswith("\\*")
            value = _unescape(value.rstrip("*") if prefix else value)
        in_tsv = fld == "text" or self.schema.copied_to_text(fld)
        weight = field_weight(fld) if fld != "text" else ""
        weight = "" if weight == "D" else weight
        tsq = ta.tsquery_literal(value, weight if in_tsv else "", prefix)
        if tsq is None:
            return "FALSE"
        conds = []
        if in_tsv:
            conds.append(self._words(tsq))
            if positive:
                self.sql.rank_queries.append(tsq)
        if fld != "text" and not (in_tsv and weight):
            # A text field without a weight label of its own: confirm that the
            # words stand in that field's values (case-insensitively).
            like = value.lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
            conds.append(
                f"EXISTS (SELECT 1 FROM jsonb_array_elements_text(d.fields -> "
                f"{self.sql.bind(fld)}) v WHERE lower(v) LIKE {self.sql.bind('%' + like + '%')})"
            )
        return self._join(conds, "AND")

    def ngram(self, fld: str, value: str) -> str:
        """``title_ngram`` / ``name_ngram``: the words of ``value`` inside the
        title or name (see text.ngram_lexemes), through the index on ``grams``."""
        tsq = ta.ngram_query(fld, value)
        if tsq is None:
            return "FALSE"
        return f"d.grams @@ CAST({self.sql.bind(tsq)} AS tsquery)"

    def exists(self, fld: str) -> str:
        if fld in ta.NGRAM_FIELDS:
            return "d.grams <> ''::tsvector"
        if fld in SCALAR_COLUMNS or fld in DATE_COLUMNS:
            return f"d.{fld} IS NOT NULL"
        if fld in ARRAY_COLUMNS:
            return f"cardinality(d.{fld}) > 0"
        if fld == "text":
            return "d.tsv IS NOT NULL"
        return f"d.fields ? {self.sql.bind(fld)}"

    def wildcard(self, fld: str, value: str) -> str:
        like = ""
        i = 0
        while i < len(value):
            c = value[i]
            if c == "\\" and i + 1 < len(value):
                like += re.sub(r"([%_\\])", r"\\\1", value[i + 1])
                i += 2
                continue
            like += {"*": "%", "?": "_", "%": r"\%", "_": r"\_"}.get(c, c)
            i += 1
        p = self.sql.bind(like)
        if fld in SCALAR_COLUMNS:
            return f"d.{fld} LIKE {p}"
        if fld in ARRAY_COLUMNS:
            return f"EXISTS (SELECT 1 FROM unnest(d.{fld}) v WHERE v LIKE {p})"
        return (
            f"EXISTS (SELECT 1 FROM jsonb_array_elements_text(d.fields -> "
            f"{self.sql.bind(fld)}) v WHERE v LIKE {p})"
        )

    def range(self, fld: str, node: tree.Range) -> str:
        spec = self.schema.field(fld)
        if spec is None:
            raise QueryError(f"Unknown field {fld!r}")
        kind = spec.kind if spec.kind in (DATE, NUMBER) else STRING
        bounds = []
        for bound, op in ((node.low, ">=" if node.include_low else ">"),
                          (node.high, "<=" if node.include_high else "<")):
            raw = bound.value
            if raw == "*":
                continue
            raw = raw[1:-1] if isinstance(bound, tree.Phrase) else _unescape(raw)
            value: Any = raw
            if kind == DATE:
                value = parse_date(raw)
            elif kind == NUMBER:
                value = _number(raw)
            bounds.append((op, value))
        return self._compare(fld, kind, bounds) if bounds else self.exists(fld)

    def _compare(self, fld: str, kind: str, bounds: list[tuple[str, Any]]) -> str:
        """Comparisons that one value of the field must all satisfy."""
        if fld in DATE_COLUMNS or fld in SCALAR_COLUMNS:
            return self._join([f"d.{fld} {op} {self.sql.bind(v)}" for op, v in bounds], "AND")
        if fld in ARRAY_COLUMNS:
            source, value = f"unnest(d.{fld}) v", "v"
        else:
            source = f"jsonb_array_elements_text(d.fields -> {self.sql.bind(fld)}) v"
            cast = {DATE: "crowdsource_try_timestamptz", NUMBER: "crowdsource_try_numeric"}
            value = f"{cast[kind]}(v)" if kind in cast else "v"
        conds = " AND ".join(f"{value} {op} {self.sql.bind(v)}" for op, v in bounds)
        return f"EXISTS (SELECT 1 FROM {source} WHERE {conds})"

    # Dismax -----------------------------------------------------------------

    def dismax(self, query: str, mm: str | None, fields: list[str] | None = None) -> str:
        """Solr's dismax over the ``text`` field (CKAN's ``qf`` boosts only
        rank), or over the ``fields`` of a ``qf`` given in local parameters."""
        if _unbalanced_quotes(query):
            raise QueryError("Unbalanced quotation marks in query")
        query = _legal_operators(query)
        required, banned, optional, optional_tsq = [], [], [], []
        for sign, clause in re.findall(r'([+-]?)("[^"]*"|[^\s"]+)', query):
            if clause.startswith('"'):
                clause = clause[1:-1]
            if clause.upper() in ("AND", "OR", "NOT", "&&", "||"):
                continue
            tsq = ta.tsquery_literal(clause)
            if tsq is None:
                continue
            if fields:
                cond = self._join([self.term(f, clause, phrase=True, positive=sign != "-")
                                   for f in fields], "OR")
                tsq = ""  # no shortcut through the text index
            else:
                cond = self._words(tsq)
            if sign == "-":
                banned.append(f"NOT {cond}")
                continue
            if tsq:
                self.sql.rank_queries.append(tsq)
            if sign == "+":
                required.append(cond)
            else:
                optional.append(cond)
                optional_tsq.append(tsq)
        if not (required or banned or optional):
            return "FALSE"
        parts = required + banned
        if optional:
            need = mm_required(mm, len(optional)) if not required else 0
            if need >= len(optional):
                parts += optional
            elif need > 0 and all(optional_tsq):
                # any of them (the GIN index finds these), then how many
                any_tsq = " | ".join(f"({q})" for q in optional_tsq)
                parts.append(f"d.tsv @@ CAST({self.sql.bind(any_tsq)} AS tsquery)")
                total = " + ".join(f"({c})::int" for c in optional)
                parts.append(f"({total}) >= {need}")
            elif need > 0:
                total = " + ".join(f"coalesce(({c}), false)::int" for c in optional)
                parts.append(f"({total}) >= {need}")
        return self._join(parts, "AND")


# Solr's dismax drops operators that stand alone: a run of them after a
# space ("a -- b", "a + -b") and any at the end; what is left goes to its
# Lucene parser, for which two operators in a row are a syntax error.
_CONSECUTIVE_OPS_RE = re.compile(r"\s+[-+](?:\s*[-+]+)+")
_DANGLING_OPS_RE = re.compile(r"\s+[-+\s]+$")
_DOUBLE_OP_RE = re.compile(r"^\s*[-+]{2,}")


def _legal_operators(query: str) -> str:
    """``query`` with the operators Solr's dismax drops dropped; a
    ``QueryError`` for those its parser rejects (``--word``)."""
    cleaned = _DANGLING_OPS_RE.sub("", _CONSECUTIVE_OPS_RE.sub(" ", query))
    if _DOUBLE_OP_RE.match(cleaned):
        raise QueryError(f"Cannot parse query {query!r}: two operators in a row")
    return cleaned


def _query_fields(qf: str) -> list[str] | None:
    """The field names of a ``qf`` given in local parameters, boosts dropped."""
    return [f.split("^")[0] for f in qf.split()] or None


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError as e:
        raise QueryError(f"Not a number: {value!r}") from e


def _unbalanced_quotes(query: str) -> bool:
    return len(re.findall(r'(?<!\\)"', query)) % 2 == 1


# -- sort --------------------------------------------------------------------


def sort_keys(sort: str | None, schema: SolrSchema, rank_sql: str | None) -> list[tuple[str, str]]:
    """``(expression, direction)`` pairs for Solr's ``sort`` parameter."""
    keys = []
    for item in (sort or "").split(","):
        item = item.strip()
        if not item:
            continue
        bits = item.split()
        if len(bits) != 2 or bits[1].lower() not in ("asc", "desc"):
            raise QueryError(f"Invalid sort {item!r}: give a field and asc or desc")
        name, direction = bits[0], bits[1].upper()
        if name == "score":
            if rank_sql:
                keys.append((rank_sql, direction))
            continue
        expr = _sort_expr(name, schema)
        # Columns CKAN always fills keep PostgreSQL's null order, so that their
        # b-tree indexes serve both directions; other fields sort missing last.
        keys.append((expr, direction if expr.startswith("d.") else f"{direction} NULLS LAST"))
    keys.append(("d.index_id", "ASC"))
    return keys


def _sort_expr(name: str, schema: SolrSchema) -> str:
    """Sort on a field as Solr does with CKAN's schema.

    Single-valued fields sort; so does any other plain name, because the
    schema's catch-all ``*`` dynamic field makes every name a string field
    (CKAN's own home page sorts on ``view_recent``, which nothing sets).
    Multi-valued and tokenized fields cannot be sorted on.
    """
    if name in SCALAR_COLUMNS or name in DATE_COLUMNS:
        return f"d.{name}"
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", name):
        raise QueryError(f"Unknown sort field: {name}")
    spec = schema.field(name)
    numeric = name in hooks.numeric_index_fields()  # ICrowdsource.get_numeric_index_fields
    kind = NUMBER if numeric else (spec.kind if spec else STRING)
    if not numeric and spec is not None and (spec.multi or spec.kind == TEXT):
        raise QueryError(f"Cannot sort on multi-valued or text field: {name}")
    cast = {DATE: "crowdsource_try_timestamptz", NUMBER: "crowdsource_try_numeric"}.get(kind, "")
    return f"{cast}(d.fields -> '{name}' ->> 0)"
