"""CKAN's own pages work with no Solr: every listing comes from PostgreSQL."""
import pytest
from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("catalogue")


def test_home_page(app):
    res = app.get("/")
    assert res.status_code == 200


def test_dataset_search_page_with_facets_and_chinese(app):
    res = app.get("/dataset/", query_string={"q": "古籍"})
    assert "市图书馆古籍目录" in res.body
    assert "Historic City Maps" not in res.body
    res = app.get("/dataset/")
    for facet_value in ("city-library", "economy", "CSV"):
        assert facet_value in res.body
    res = app.get("/dataset/", query_string={"tags": "history"})
    assert "Historic City Maps" in res.body and "Library Loan Statistics" not in res.body
    res = app.get("/dataset/", query_string={"res_format": "CSV", "sort": "title_string asc"})
    assert "Library Loan Statistics" in res.body and "Old Photographs" not in res.body


def test_dataset_page(app):
    res = app.get("/dataset/city-maps")
    assert "Historic City Maps" in res.body


def test_organization_and_group_pages_list_their_datasets(app):
    res = app.get("/organization/")
    assert "Local History Archive" in res.body
    res = app.get("/organization/local-archive")
    assert "Historic City Maps" in res.body and "老照片" in res.body
    assert "Economic Reports" not in res.body
    res = app.get("/group/history")
    assert "市图书馆古籍目录" in res.body and "Historic City Maps" in res.body
    res = app.get("/group/")
    assert "Maps" in res.body


def test_user_page_and_dashboard(app, catalogue):
    user = factories.UserWithToken()
    org = catalogue["orgs"]["city"]
    factories.Dataset(title="Reader's own list", user=user, owner_org=org["id"])
    res = app.get(f"/user/{user['name']}")
    assert "Reader&#39;s own list" in res.body or "Reader's own list" in res.body
    res = app.get("/dashboard/datasets", headers={"Authorization": user["token"]})
    assert res.status_code == 200
    assert "own list" in res.body
