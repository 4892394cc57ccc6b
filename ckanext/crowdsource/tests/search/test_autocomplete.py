"""Dataset autocomplete: ``name_ngram`` / ``title_ngram`` as Solr fills them."""
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

from ckanext.crowdsource.search import text as ta

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def ds(clean_db):
    org = factories.Organization()
    return lambda **kw: factories.Dataset(owner_org=org["id"], **kw)


def complete(q, **kw):
    return [r["name"] for r in helpers.call_action("package_autocomplete", q=q, **kw)]


def test_ngram_lexemes_are_every_start_cut_at_ten_characters():
    assert ta.ngram_lexemes("title_ngram", "A Wonderful Story") == {
        "t:wonderful", "t:onderful", "t:nderful", "t:derful", "t:erful", "t:rful",
        "t:ful", "t:ul", "t:story", "t:tory", "t:ory", "t:ry"}
    assert "n:abcdefghij" in ta.ngram_lexemes("name_ngram", "abcdefghijkl")
    assert ta.ngram_query("title_ngram", "a") is None  # no 1-grams in Solr either
    assert ta.ngram_query("title_ngram", "abcdefghijk") is None  # nor 11-grams


def test_a_word_piece_of_the_title_completes(ds):
    pkg = ds(title="A Wonderful Story")
    ds(title="Lakes")
    result = helpers.call_action("package_autocomplete", q="won")
    assert [r["name"] for r in result] == [pkg["name"]]
    assert result[0]["match_field"] == "title"
    # inside a word too, and any case, as Solr's n-grams do
    assert complete("NDERF") == [pkg["name"]]
    assert complete("story") == [pkg["name"]]
    assert complete("wox") == []


def test_a_piece_of_the_name_completes(ds):
    pkg = ds(name="warandpeace", title="War and Peace")
    result = helpers.call_action("package_autocomplete", q="andpe")
    assert [r["name"] for r in result] == [pkg["name"]]
    assert result[0]["match_field"] == "name"


def test_private_datasets_do_not_complete_for_others(ds):
    ds(title="Secret Wonders", private=True)
    user = factories.User()
    ctx = {"user": user["name"], "ignore_auth": False}
    assert helpers.call_action("package_autocomplete", context=ctx, q="wonder") == []


def test_chinese_titles_complete_from_one_or_two_characters(ds):
    pkg = ds(name="ancient-books", title="市图书馆古籍目录")
    ds(name="photos", title="老照片")
    for q in ("古", "古籍", "市", "图书", "目录"):
        assert complete(q) == [pkg["name"]], q
    assert complete("照") == ["photos"]


def test_the_api_2_autocomplete_finds_a_prefix(app, ds):
    ds(name="rivers-of-europe", title="Rivers")
    ds(title="Lakes")
    res = app.get("/api/2/util/dataset/autocomplete", query_string={"incomplete": "rive"})
    assert [r["name"] for r in res.json["ResultSet"]["Result"]] == ["rivers-of-europe"]


def test_fielded_ngram_queries_in_package_search(ds):
    ds(name="city-maps", title="Historic City Maps")
    found = helpers.call_action("package_search", q='title_ngram:"stor"')
    assert [r["name"] for r in found["results"]] == ["city-maps"]
    assert helpers.call_action("package_search", q="name_ngram:ity")["count"] == 1
    assert helpers.call_action("package_search", q="title_ngram:*")["count"] == 1


def test_the_migration_fills_grams_as_indexing_does(migrate_db_for, ds):
    ds(name="a-wonderful-story", title="A Wonderful Story ２０２４")
    ds(name="ancient-books", title="市图书馆 古籍目录")

    def grams():
        with model.ensure_engine().connect() as conn:
            return dict(conn.execute(sa.text(
                "SELECT name, grams::text FROM crowdsource_search_doc")).all())

    indexed = grams()
    assert all(indexed.values())
    migrate_db_for("crowdsource_pgsearch", "f5a8c2e6d1b7", forward=False)
    migrate_db_for("crowdsource_pgsearch")
    assert grams() == indexed
