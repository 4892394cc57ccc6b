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


@pytest.mark.parametrize("value, expected", [
    (True, True), (False, False), (1, True), (0, False), ("true", True), ("Yes", True),
    ("on", True), ("1", True), ("false", False), ("no", False), ("0", False), ("", False)])
def test_the_shared_boolean_reads_what_forms_and_json_send(value, expected):
    from ckanext.crowdsource.common.validators import boolean
    assert boolean(value) is expected


@pytest.mark.usefixtures("with_request_context")
@pytest.mark.parametrize("value", [2, -1, 1.5, [], {}, "maybe", None])
def test_the_shared_boolean_refuses_anything_else(value):
    from ckanext.crowdsource.common.validators import boolean
    with pytest.raises(toolkit.Invalid):
        boolean(value)
