"""Text analysis, date math and minimum-should-match: pure functions."""
from datetime import datetime, timezone

import pytest

from ckanext.crowdsource.search import text as ta
from ckanext.crowdsource.search.query import QueryError, mm_required, parse_date
from ckanext.crowdsource.search.schema import DATE, STRING, TEXT, load_schema


def lexemes(s, query=False):
    return [t for t, _ in ta.tokens(s, query=query)]


def test_latin_words_are_folded_and_stemmed():
    assert lexemes("Libraries LIBRARY") == ["librari", "librari"]
    assert lexemes("café") == ["cafe"]
    assert lexemes("PowerShot") == ["power", "shot"]


def test_full_width_forms_are_normalised():
    assert lexemes("ＣＫＡＮ２０２４") == lexemes("CKAN2024")


def test_cjk_indexed_as_unigrams_and_bigrams_at_character_positions():
    assert ta.tokens("图书馆") == [
        ("图", 1), ("图书", 1), ("书", 2), ("书馆", 2), ("馆", 3)
    ]


def test_cjk_query_uses_bigrams_only_and_single_characters_alone():
    assert lexemes("图书馆", query=True) == ["图书", "书馆"]
    assert lexemes("书", query=True) == ["书"]


def test_mixed_script_positions_continue():
    assert ta.tokens("CKAN数据") == [("ckan", 1), ("数", 2), ("数据", 2), ("据", 3)]


def test_tsquery_is_a_phrase_with_real_gaps():
    assert ta.tsquery_literal("图书馆") == "'图书' <-> '书馆'"
    assert ta.tsquery_literal("CKAN数据") == "'ckan' <-> '数据'"
    assert ta.tsquery_literal("open data", weights="A") == "'open':A <-> 'data':A"
    assert ta.tsquery_literal("econom", prefix=True) == "'econom':*"
    assert ta.tsquery_literal("!!!") is None


def test_tsvector_literal_quotes_and_weights():
    vec = ta.tsvector_literal([("A", "Data"), ("D", "it's data")])
    assert "'data':1A,103D" in vec
    assert "'it'" in vec and "'s'" in vec


def test_date_math():
    now = datetime(2024, 5, 10, 13, 30, tzinfo=timezone.utc)
    assert parse_date("NOW", now) == now
    assert parse_date("NOW-7DAYS", now) == datetime(2024, 5, 3, 13, 30, tzinfo=timezone.utc)
    assert parse_date("NOW/DAY", now) == datetime(2024, 5, 10, tzinfo=timezone.utc)
    assert parse_date("NOW/DAY+1DAY", now) == datetime(2024, 5, 11, tzinfo=timezone.utc)
    assert parse_date("NOW-1YEAR", now).year == 2023
    assert parse_date("2020-01-02T03:04:05Z") == datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert parse_date("2020-01-02T00:00:00Z+1MONTH").month == 2
    with pytest.raises(QueryError):
        parse_date("NOW-7FORTNIGHTS", now)
    with pytest.raises(QueryError):
        parse_date("yesterday")


@pytest.mark.parametrize(
    "n,required", [(1, 1), (2, 2), (3, 2), (4, 3), (5, 4), (6, 4), (10, 8)]
)
def test_ckan_default_mm(n, required):
    assert mm_required("2<-1 5<80%", n) == required


def test_mm_simple_forms():
    assert mm_required("100%", 3) == 3
    assert mm_required("1", 3) == 1
    assert mm_required("-1", 3) == 2
    with pytest.raises(QueryError):
        mm_required("lots", 3)


def test_schema_comes_from_ckans_schema_xml():
    schema = load_schema()
    assert schema.field("title").kind == TEXT
    assert schema.field("tags").kind == STRING and schema.field("tags").multi
    assert schema.field("metadata_modified").kind == DATE
    assert schema.field("vocab_crowd_tags").multi
    assert schema.field("extras_anything").kind == TEXT
    assert not schema.field("permission_labels").stored
    for copied in ("title", "notes", "tags", "groups", "res_name", "extras_x", "vocab_x", "url"):
        assert schema.copied_to_text(copied), copied
    assert not schema.copied_to_text("capacity")
