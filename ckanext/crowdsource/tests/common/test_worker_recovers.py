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
