"""Dates as Solr keeps and returns them: to the millisecond, decoded on request."""
import datetime

import pytest
from ckan.lib import search
from ckan.lib.search.common import make_connection
from ckan.plugins import toolkit

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def indexed():
    pkg = {
        "name": "river-quality", "id": "d9567b82-d3f0-4c17-b222-d9a7499f7940",
        "state": "active", "private": "", "type": "dataset",
        "metadata_created": "2014-06-10T08:24:12.782257",
        "metadata_modified": "2014-06-10T08:24:12.000257",
        "extras": [{"key": "test_date", "value": "2014-03-22"},
                   {"key": "test_tz_date", "value": "2019-10-10T09:15:00+08:00"}],
    }
    pkg["with_custom_schema"] = dict(pkg)
    search.index.PackageSearchIndex().index_package(pkg)
    return pkg


def _search(decode_dates):
    fq = f"+site_id:{toolkit.config['ckan.site_id']}"
    return make_connection(decode_dates=decode_dates).search(q="name:river-quality", fq=fq)


def test_stored_dates_keep_milliseconds_in_utc(indexed):
    doc = search.show(indexed["name"])
    assert doc["metadata_created"] == "2014-06-10T08:24:12.782Z"
    assert doc["metadata_modified"] == "2014-06-10T08:24:12Z"  # no zero milliseconds
    assert doc["test_date"] == "2014-03-22T00:00:00Z"
    assert doc["test_tz_date"] == "2019-10-10T01:15:00Z"


def test_decode_dates_gives_datetimes_like_pysolr(indexed):
    doc = _search(decode_dates=True).docs[0]
    assert doc["test_date"] == datetime.datetime(2014, 3, 22)
    assert doc["metadata_created"] == datetime.datetime(2014, 6, 10, 8, 24, 12)
    assert doc["name"] == "river-quality"


def test_without_decode_dates_dates_stay_strings(indexed):
    doc = _search(decode_dates=False).docs[0]
    assert doc["test_date"] == "2014-03-22T00:00:00Z"
