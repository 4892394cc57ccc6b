"""``ckan search-index`` commands work against the PostgreSQL index."""
import pytest
from ckan import model
from ckan.cli.cli import ckan
from ckan.tests import helpers

from ckanext.crowdsource.search.model import search_doc

pytestmark = pytest.mark.usefixtures("catalogue")


def _count():
    return helpers.call_action("package_search", rows=0)["count"]


def _wipe_index():
    model.Session.execute(search_doc.delete())
    model.Session.commit()


def test_clear_then_rebuild(cli):
    result = cli.invoke(ckan, ["search-index", "clear"])
    assert result.exit_code == 0, result.output
    assert _count() == 0
    result = cli.invoke(ckan, ["search-index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert _count() == 6


def test_rebuild_only_missing(cli):
    _wipe_index()
    result = cli.invoke(ckan, ["search-index", "rebuild", "-i"])
    assert result.exit_code == 0, result.output
    assert _count() == 6


def test_rebuild_one_dataset(cli):
    _wipe_index()
    result = cli.invoke(ckan, ["search-index", "rebuild", "city-maps"])
    assert result.exit_code == 0, result.output
    assert [r["name"] for r in helpers.call_action("package_search")["results"]] == ["city-maps"]


def test_check_reports_missing_datasets(cli):
    _wipe_index()
    helpers.call_action("package_search")  # nothing indexed
    result = cli.invoke(ckan, ["search-index", "check"])
    assert result.exit_code == 0, result.output
    assert "Packages not indexed = 7 out of 7" in result.output
    cli.invoke(ckan, ["search-index", "rebuild"])
    result = cli.invoke(ckan, ["search-index", "check"])
    assert "Packages not indexed = 0 out of 7" in result.output


def test_show_prints_the_index_document(cli):
    result = cli.invoke(ckan, ["search-index", "show", "city-maps"])
    assert result.exit_code == 0, result.output
    assert "Historic City Maps" in result.output


def test_backend_reports_a_bad_delete_query_as_a_solr_error():
    import pysolr

    from ckanext.crowdsource.search.connection import PgSolr

    with pytest.raises(pysolr.SolrError, match="Cannot parse query"):
        PgSolr().delete(q="name:(unclosed")
    assert _count() == 6  # nothing was deleted
