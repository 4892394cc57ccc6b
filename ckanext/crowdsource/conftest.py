"""Fixtures shared by the whole test suite."""
import pytest

from ckanext.crowdsource.tests import plugins, workers
from ckanext.crowdsource.tests.database import DATABASE

PLUGIN_MIGRATIONS = ("activity", "crowdsource_pgsearch", "crowdsource")


def pytest_configure(config):
    """A pytest-xdist worker: a database and Redis of its own; every run: a
    storage folder of its database (``tests/workers.py``), before CKAN's
    plugin reads the configuration."""
    workers.configure(config)


@pytest.hookimpl(hookwrapper=True)
def pytest_collection(session):
    with workers.same_randomness(session.config):  # every worker collects the same
        yield


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    if workers.worker_number() is not None:  # the slowest files first, grouped
        workers.schedule(items)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """A test that does not ask for plugins runs without them, as with
    CKAN's ``with_plugins`` (``tests/plugins.py`` keeps them loaded after a
    test for the next one that asks)."""
    plugins.unload_unless_wanted(item)


@pytest.fixture
def with_plugins(ckan_config, monkeypatch, request):
    """CKAN's ``with_plugins``: the plugins of ``ckan.plugins`` (and of the
    test's ``with_plugins`` marks) loaded for the test; left loaded after it
    for the next test that asks for the same (``tests/plugins.py``)."""
    yield from plugins.with_plugins(ckan_config, monkeypatch, request)


@pytest.fixture
def clean_db(with_plugins, reset_db, migrate_db_for):
    """CKAN's ``clean_db``, plus the migrations of the plugins we enable, and
    an empty Redis database.

    It depends on ``with_plugins`` so the plugins are loaded first, whatever
    order a test lists its fixtures in. The first reset of a session is
    CKAN's own; the next ones delete every row in one round trip while the
    tables are still what it left (``tests/database.py``).
    """
    def full_reset() -> None:
        reset_db()
        for plugin in PLUGIN_MIGRATIONS:
            migrate_db_for(plugin)

    # results kept in Redis belong to the database that is gone: emptied too
    DATABASE.reset(full_reset)


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


@pytest.fixture
def make_app(ckan_config):
    """CKAN's ``make_app``, whose app is made again only when the
    configuration or the plugins changed (``tests/plugins.py``)."""
    from ckan.lib.app_globals import _CONFIG_CACHE

    _CONFIG_CACHE.clear()  # as CKAN's: values the last test's app kept
    return plugins.KEPT_APP.get
