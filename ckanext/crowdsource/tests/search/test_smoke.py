import pytest
from ckan.tests import factories, helpers


@pytest.mark.usefixtures("clean_db")
def test_create_and_find():
    org = factories.Organization()
    factories.Dataset(title="市图书馆古籍目录", owner_org=org["id"], tags=[{"name": "history"}])
    result = helpers.call_action("package_search", q="图书", **{"facet.field": ["tags"]})
    assert result["count"] == 1
    assert result["search_facets"]["tags"]["items"][0]["name"] == "history"
