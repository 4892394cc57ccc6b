"""Text analysis for the PostgreSQL search backend.

One tokenizer serves both indexing and querying, so that what is indexed is
what a query looks for:

* Unicode NFKC (full-width to half-width), then lower case.
* Words are runs of letters and digits; other characters separate them.
  Latin words are also split where the case changes ("PowerShot"), like the
  WordDelimiter filter of CKAN's Solr schema, folded to ASCII and stemmed
  with the English Snowball stemmer, as that schema's ``text`` type does.
* CJK text (Han, Kana, Hangul) has no spaces between words, so it is indexed
  as overlapping character bigrams plus single characters, at one position
  per character. A query for a run of two or more CJK characters becomes the
  phrase of its bigrams, which finds that run anywhere inside a longer text:
  "图书" finds "市图书馆". A one-character query matches that character.

The result is written as PostgreSQL ``tsvector`` / ``tsquery`` literals, so
the database's own text parser (and its locale) never re-tokenizes it.

Exact values of string fields (``state``, ``tags``, ``permission_labels``,
``vocab_*`` ...) are lexemes of the same vector, ``=field=value`` (see
``key_lexeme``), so that one GIN index answers a query's words and its
filters together, as one inverted index answers them in Solr.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
VALUE_GAP = 100  # positions between values of a multi-valued field, as in Solr

_WORD_RE = re.compile(r"[^\W_]+")
_CASE_SPLIT_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")
_CJK_RE = re.compile(
    r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    r"\U00020000-\U0002fa1f]+)"
)
_LATIN_RE = re.compile(r"[a-z]+")
_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    """Lower-case, ASCII-fold and stem one non-CJK word."""
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)
    ).lower()
    if _LATIN_RE.fullmatch(folded):
        return _stemmer.stemWord(folded)
    return folded


def tokens(text: str, start: int = 1, query: bool = False) -> list[tuple[str, int]]:
    """Return ``(lexeme, position)`` pairs for ``text``.

    With ``query`` true, CJK runs of two or more characters give only their
    bigrams (the phrase to look for), not their single characters.
    """
    out: list[tuple[str, int]] = []
    pos = start
    text = unicodedata.normalize("NFKC", text)
    for word in _WORD_RE.findall(text):
        for piece in _CJK_RE.split(word):
            if not piece:
                continue
            if _CJK_RE.fullmatch(piece):
                for i, char in enumerate(piece):
                    if not query or len(piece) == 1:
                        out.append((char, pos + i))
                    if i + 1 < len(piece):
                        out.append((piece[i : i + 2], pos + i))
                pos += len(piece)
            else:
                for part in _CASE_SPLIT_RE.split(piece):
                    out.append((_fold(part), pos))
                    pos += 1
    return out


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(weighted_values: Iterable[tuple[str, str]]) -> str:
    """Build a ``tsvector`` literal from ``(weight, text)`` pairs."""
    entries: dict[str, list[str]] = {}
    pos = 1
    for weight, value in weighted_values:
        toks = tokens(value, pos)
        for lexeme, p in toks:
            entries.setdefault(lexeme, []).append(f"{min(p, MAX_POSITION)}{weight}")
        if toks:
            pos = toks[-1][1] + VALUE_GAP
    return " ".join(
        f"{_quote(lex)}:{','.join(positions[:256])}" for lex, positions in entries.items()
    )


def tsquery_literal(text: str, weights: str = "", prefix: bool = False) -> str | None:
    """The ``tsquery`` for one query clause: the phrase of its tokens.

    ``weights`` restricts the match to those weight labels (a fielded query);
    ``prefix`` makes the last token a prefix match (a trailing wildcard).
    Returns None when the clause has no searchable token.
    """
    toks = tokens(text, query=True)
    if not toks:
        return None
    parts = []
    for i, (lexeme, p) in enumerate(toks):
        suffix = weights
        if prefix and i == len(toks) - 1:
            suffix = "*" + weights
        term = _quote(lexeme) + (":" + suffix if suffix else "")
        if i:
            gap = p - toks[i - 1][1]
            parts.append(f"<{gap}>" if gap != 1 else "<->")
        parts.append(term)
    return " ".join(parts)


KEY_MAX_BYTES = 2000  # PostgreSQL's longest lexeme is 2,047 bytes


def key_lexeme(field: str, value: str) -> str | None:
    """The lexeme that stands for the exact value of a string field, or None
    for a value too long to be one. Words the tokenizer makes are letters and
    digits, so no word or word prefix is ever a key."""
    key = f"={field}={value}"
    return key if len(key.encode()) <= KEY_MAX_BYTES else None


def keys_literal(keys: Iterable[str]) -> str:
    """A ``tsvector`` literal of key lexemes (no positions)."""
    return " ".join(_quote(k) for k in sorted(set(keys)))


def key_query(field: str, values: list[str]) -> str | None:
    """The ``tsquery`` for "the field has one of these values", or None when
    a value is too long to be a key."""
    keys = [key_lexeme(field, v) for v in values]
    if not keys or any(k is None for k in keys):
        return None
    return " | ".join(_quote(str(k)) for k in keys)


# -- n-grams for autocomplete --------------------------------------------------
#
# CKAN's Solr schema copies ``title`` and ``name`` into ``title_ngram`` and
# ``name_ngram``, whose index analyser cuts the whole lower-cased value into
# every piece of 2 to 10 characters (spaces included), while a query is split
# at whitespace. So a query word of 2 to 10 characters matches when it stands
# anywhere inside a whitespace-separated chunk of the value. The same is had
# with far fewer lexemes: for every start in each chunk, the (at most)
# 10 characters from there, looked up by prefix ("won" is a prefix of
# "wonderful " cut at 10). A value of L characters gives at most L lexemes
# instead of about 9L n-grams.

NGRAM_MIN, NGRAM_MAX = 2, 10
NGRAM_FIELDS = {"title_ngram": "t", "name_ngram": "n"}  # field: lexeme prefix
NGRAM_SOURCES = {"title": "title_ngram", "name": "name_ngram"}  # copyField rules


def _ngram_form(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def ngram_lexemes(field: str, value: str) -> set[str]:
    """The lexemes of one value of an n-gram field (see above)."""
    code = NGRAM_FIELDS[field]
    out = set()
    for chunk in _ngram_form(value).split():
        for i in range(len(chunk) - NGRAM_MIN + 1):
            out.add(f"{code}:{chunk[i:i + NGRAM_MAX]}")
    return out


def ngram_query(field: str, value: str) -> str | None:
    """The ``tsquery`` for ``field:value`` on an n-gram field: every
    whitespace-separated word of ``value`` inside the field's value. None
    when a word is shorter or longer than any n-gram (no match, as in Solr)."""
    words = _ngram_form(value).split()
    if not words or any(not NGRAM_MIN <= len(w) <= NGRAM_MAX for w in words):
        return None
    code = NGRAM_FIELDS[field]
    return " & ".join(f"{_quote(f'{code}:{w}')}:*" for w in dict.fromkeys(words))
