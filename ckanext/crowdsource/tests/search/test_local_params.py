"""Solr local parameters (``{!bool must=...}``), when the site allows the parser."""
import pysolr
import pytest
from ckan import model
from ckan.lib import search
from ckan.lib.search.common import make_connection
from ckan.tests import factories

from ckanext.crowdsource.search.query import QueryError, local_params

ALLOWED = "bool lucene dismax edismax knn"


@pytest.fixture
def insects(clean_db):
    org = factories.Organization()
    for title in ("A dataset about bees", "A dataset about butterflies", "Bees and butterflies"):
        factories.Dataset(owner_org=org["id"], title=title, notes="Insects of the meadow.")


def run(**query):
    return search.query_for(model.Package).run(query)["count"]


def test_local_params_are_parsed_as_solr_writes_them():
    assert local_params(" {!bool must=bees}") == ({"type": ["bool"], "must": ["bees"]}, "")
    assert local_params("{!type=bool must='a b' must=c}rest") == (
        {"type": ["bool"], "must": ["a b", "c"]}, "rest")
    assert local_params("{!lucene q.op=OR df=title}bees wasps") == (
        {"type": ["lucene"], "q.op": ["OR"], "df": ["title"]}, "bees wasps")
    assert local_params("{!v='lies type= here' type=dismax}") == (
        {"v": ["lies type= here"], "type": ["dismax"]}, "")
    assert local_params("{!bool must=$x}", {"x": "bees"})[0]["must"] == ["bees"]
    assert local_params("bees {!bool must=x}") is None
    for bad in ("{!bool must=x", "{!bool must='x}", "{!bool must=$missing}"):
        with pytest.raises(QueryError):
            local_params(bad)


@pytest.mark.usefixtures("insects")
def test_refused_unless_the_site_allows_the_parser():
    # CKAN refuses them before asking the backend; the backend refuses too
    with pytest.raises(search.common.SearchError):
        run(q="{!bool must=bees}", defType="lucene")
    with pytest.raises(pysolr.SolrError, match="Local parameters are not supported"):
        make_connection().search(q="{!bool must=bees}", defType="lucene")
    with pytest.raises(pysolr.SolrError, match="Local parameters are not supported"):
        make_connection().search(q="*:*", fq=["{!lucene q.op=OR}bees butterflies"])


@pytest.mark.ckan_config("ckan.search.solr_allowed_query_parsers", ALLOWED)
@pytest.mark.usefixtures("insects")
def test_bool_parser():
    assert run(q="{!bool must=bees}", defType="lucene") == 2
    assert run(q=" {!must=bees type=bool}", defType="lucene") == 2
    assert run(q="{!type=bool must=beetles}", defType="lucene") == 0
    assert run(q="{!bool must=bees must_not=butterflies}", defType="lucene") == 1
    assert run(q="{!bool should=bees should=butterflies}", defType="lucene") == 3
    assert run(q="{!bool filter='title:bees' must=butterflies}", defType="lucene") == 1
    assert run(q="{!bool must_not=bees}", defType="lucene") == 0


@pytest.mark.ckan_config("ckan.search.solr_allowed_query_parsers", ALLOWED)
@pytest.mark.usefixtures("insects")
def test_lucene_parser_with_q_op_and_df_in_q_and_fq():
    assert run(fq="{!lucene q.op=AND}bees butterflies") == 1
    assert run(fq="{!lucene q.op=OR}bees butterflies") == 3
    assert run(q="{!lucene q.op=OR}bees butterflies", defType="lucene") == 3
    assert run(q="{!lucene df=title}meadow", defType="lucene") == 0
    assert run(q="{!lucene df=notes}meadow", defType="lucene") == 3


@pytest.mark.ckan_config("ckan.search.solr_allowed_query_parsers", ALLOWED)
@pytest.mark.usefixtures("insects")
def test_dismax_and_edismax_parsers():
    assert run(q="{!dismax}bees butterflies", defType="lucene") == 1
    # mm in the request (CKAN sends one) comes before q.op, as in Solr
    assert run(q="{!dismax q.op=OR}bees butterflies", defType="lucene") == 1
    assert run(q="{!dismax mm=1}bees butterflies", defType="lucene") == 3
    conn = make_connection()
    assert conn.search(q="{!dismax q.op=OR}bees butterflies", fq="+state:active").hits == 3
    assert run(q="{!dismax qf=notes}bees", defType="lucene") == 0
    assert run(q="{!dismax qf='title^2 notes'}bees", defType="lucene") == 2
    assert run(q="{!type=dismax v='bees -butterflies'}", defType="lucene") == 1
    assert run(q="{!edismax q.op=OR}title:bees OR title:wasps", defType="lucene") == 2
    assert run(q="{!edismax mm=1}bees wasps", defType="lucene") == 2


@pytest.mark.ckan_config("ckan.search.solr_allowed_query_parsers", ALLOWED)
@pytest.mark.usefixtures("insects")
def test_a_parser_this_backend_lacks_is_a_search_error():
    with pytest.raises(search.common.SearchError, match="not supported by this search"):
        run(q="{!knn f=vector topK=10}[1.0, 2.0]", defType="lucene")
