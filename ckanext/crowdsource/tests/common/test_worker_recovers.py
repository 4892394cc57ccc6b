"""A request that fails inside the database leaves the worker usable."""
import pytest
import sqlalchemy as sa
from ckan import model


@pytest.mark.usefixtures("clean_db")
def test_the_next_request_after_a_database_error_succeeds(app):
    def broken_view():
        model.Session.execute(sa.text("SELECT 1 / 0"))  # the transaction fails
        return "unreachable"

    app.flask_app.add_url_rule("/crowdsource-test/broken", view_func=broken_view)
    with pytest.raises(sa.exc.DataError):  # testing: Flask propagates the error
        app.get("/crowdsource-test/broken")
    res = app.get("/api/3/action/package_search")
    assert res.status_code == 200 and res.json["success"]


@pytest.mark.usefixtures("clean_db")
def test_json_nested_too_deeply_is_a_bad_request_not_a_crash(app):
    body = "[" * 100_000 + "]" * 100_000
    res = app.post("/api/3/action/crowdsource_tag_cloud", data=body,
                   headers={"Content-Type": "application/json"})
    assert res.status_code == 400 and res.json["success"] is False
    assert app.get("/api/3/action/crowdsource_tag_cloud").status_code == 200
