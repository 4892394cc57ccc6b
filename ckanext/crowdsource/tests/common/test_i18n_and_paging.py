"""The shipped Chinese catalogue, and the one way list actions page."""
import pytest
from ckan.lib.navl.dictization_functions import validate
from ckan.plugins import toolkit

from ckanext.crowdsource.common.pagination import page_bounds, page_schema


@pytest.mark.usefixtures("with_plugins")
def test_simplified_chinese_catalogue_is_used(app):
    with app.flask_app.test_request_context(environ_overrides={"CKAN_LANG": "zh_Hans_CN"}):
        assert toolkit._("Must be at most {maximum}") == "不能超过 {maximum}"
    with app.flask_app.test_request_context(environ_overrides={"CKAN_LANG": "en"}):
        assert toolkit._("Must be at most {maximum}") == "Must be at most {maximum}"


@pytest.mark.usefixtures("with_plugins", "with_request_context")
@pytest.mark.ckan_config("ckanext.crowdsource.common.list_limit_max", 50)
@pytest.mark.ckan_config("ckanext.crowdsource.common.list_limit_default", 7)
def test_paging_limits():
    data, errors = validate({"limit": "50", "offset": "3"}, page_schema())
    assert not errors and page_bounds(data) == (50, 3)
    data, errors = validate({}, page_schema())
    assert not errors and page_bounds(data) == (7, 0)
    _, errors = validate({"limit": "51"}, page_schema())
    assert errors == {"limit": ["Must be at most 50"]}
    _, errors = validate({"offset": "-1"}, page_schema())
    assert list(errors) == ["offset"]
