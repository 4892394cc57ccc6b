"""Fixtures shared by the whole test suite."""
import pytest
from ckan.lib.redis import connect_to_redis

PLUGIN_MIGRATIONS = ("activity", "crowdsource_pgsearch", "crowdsource")


@pytest.fixture
def clean_db(with_plugins, reset_db, migrate_db_for):
    """CKAN's ``clean_db``, plus the migrations of the plugins we enable, and
    an empty Redis database.

    It depends on ``with_plugins`` so the plugins are loaded first, whatever
    order a test lists its fixtures in.
    """
    reset_db()
    for plugin in PLUGIN_MIGRATIONS:
        migrate_db_for(plugin)
    # results kept in Redis belong to the database that is gone
    connect_to_redis().flushdb()


@pytest.fixture
def clean_index(clean_db):
    """The index is a table: ``clean_db`` empties it already."""


@pytest.fixture
def app(app):
    """CKAN's test app, whose responses are closed once read, as every WSGI
    server closes them once sent: work a view defers until then (the
    reindex after a contribution) runs before the test looks."""
    make_client = app.test_client

    def test_client(*args, **kwargs):
        client = make_client(*args, **kwargs)
        send = client.open

        def open_and_close(*args, **kwargs):
            response = send(*args, **kwargs)
            response.make_sequence()
            response.close()
            return response

        client.open = open_and_close
        return client

    app.test_client = test_client
    if hasattr(app, "client"):  # CKAN 2.12 keeps one client
        app.client = test_client()
    return app
