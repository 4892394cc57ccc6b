"""Bad queries: a clear error through the API (409) and the web page, never a 500."""
import pytest

pytestmark = pytest.mark.usefixtures("catalogue")

BAD = [
    ({"q": 'title:"unbalanced'}, "Unbalanced quotation marks"),
    ({"q": '"unbalanced free text'}, "Unbalanced quotation marks"),
    # two operators in a row: Solr's dismax raises a syntax error
    ({"q": "--included"}, "Cannot parse query"),
    ({"q": "title:(maps"}, "Cannot parse query"),
    ({"q": "tags:/reg.x/"}, "Regular expression"),
    ({"q": "title:*aps"}, "trailing wildcards"),
    ({"q": "metadata_modified:[NOW-7FORTNIGHTS TO NOW]"}, "Invalid date math"),
    ({"q": "metadata_modified:[NOW+99999999999YEARS TO *]"}, "Date out of range"),
    ({"sort": "geodist() asc"}, "Unknown sort field: geodist()"),
    ({"sort": "tags asc"}, "Cannot sort on multi-valued or text field: tags"),
    ({"sort": "notes desc"}, "Cannot sort on multi-valued or text field: notes"),
    ({"sort": "name upwards"}, "Invalid sort"),
    ({"fq": "metadata_modified:[NOW+99999999999YEARS TO *]"}, "Date out of range"),
]


@pytest.mark.parametrize("params,message", BAD)
def test_api_gives_409_with_a_clear_message(app, params, message):
    res = app.get("/api/3/action/package_search", query_string=params, status=409)
    body = res.json
    assert body["success"] is False
    assert body["error"]["__type"] == "Search Error"
    assert message in body["error"]["message"]


@pytest.mark.parametrize("params,message", BAD[:8])
def test_dataset_page_shows_a_search_error(app, params, message):
    res = app.get("/dataset/", query_string=params, status=200)
    assert 'id="search-error"' in res.body


def test_sort_on_an_undeclared_field_is_accepted_like_solrs_catch_all(app):
    # CKAN's home page sorts on "view_recent", which only the schema's "*"
    # dynamic field declares; datasets without a value sort last.
    res = app.get(
        "/api/3/action/package_search", query_string={"sort": "view_recent desc"}
    )
    assert res.json["result"]["count"] == 6


@pytest.mark.parametrize("q", ["economy --", "economy -- reports", "economy + -reports"])
def test_operators_standing_alone_are_dropped_as_solrs_dismax_does(app, q):
    res = app.get("/api/3/action/package_search", query_string={"q": q})
    assert res.json["success"] is True
    assert res.json["result"]["count"] >= 1
