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
