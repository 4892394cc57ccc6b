"""CKAN's Solr schema version check with this backend in place."""
import pytest
from ckan.lib import search

from ckanext.crowdsource.search.schema import schema_path

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def test_no_schema_to_fetch_from_a_server():
    assert search.check_solr_schema_version() is True


def test_a_schema_file_given_is_checked_as_ckan_checks_it(tmp_path):
    assert search.check_solr_schema_version(schema_path()) is True
    no_version = tmp_path / "schema.xml"
    no_version.write_text('<?xml version="1.0"?><schema name="ckan"></schema>')
    with pytest.raises(search.SearchError, match="Could not extract version info"):
        search.check_solr_schema_version(str(no_version))
    wrong = tmp_path / "wrong.xml"
    wrong.write_text('<?xml version="1.0"?><schema name="ckan" version="1.0"></schema>')
    with pytest.raises(search.SearchError, match="SOLR schema version not supported"):
        search.check_solr_schema_version(str(wrong))
