"""The index tables come back after CKAN's own test reset drops them."""
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib.search.common import SearchError
from ckan.tests import factories, helpers

from ckanext.crowdsource.search import upkeep

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "crowdsource_pgsearch"),
    pytest.mark.usefixtures("with_plugins", "dropped"),
]


@pytest.fixture
def dropped():
    """What CKAN's reset_db does first in a session: every table dropped,
    CKAN's own migrations run, not the plugins'. (The next test's clean_db
    sees the tables changed and resets in full.)"""
    model.repo.clean_db()
    model.repo.init_db()


def _exists(table):
    with model.ensure_engine().connect() as conn:
        return conn.execute(sa.text("SELECT to_regclass(:t) IS NOT NULL"), {"t": table}).scalar()


def test_index_tables_are_made_again_after_ckans_reset_dropped_them():
    assert not _exists("crowdsource_search_doc")
    pkg = factories.Dataset(owner_org=factories.Organization()["id"], title="Bees")
    assert _exists("crowdsource_search_doc") and _exists(upkeep.VERSIONS)
    found = helpers.call_action("package_search", q="bees")
    assert [r["id"] for r in found["results"]] == [pkg["id"]]


def test_a_search_on_a_fresh_reset_makes_them_too():
    assert helpers.call_action("package_search", q="*:*")["count"] == 0
    assert _exists("crowdsource_search_doc")


def test_a_table_dropped_by_hand_is_left_to_the_administrator():
    assert upkeep.ensure_tables()
    assert not upkeep.ensure_tables()  # there already
    with model.ensure_engine().begin() as conn:
        conn.execute(sa.text("DROP TABLE crowdsource_search_doc"))
    try:
        with pytest.raises(SearchError, match="ckan db upgrade -p crowdsource_pgsearch"):
            helpers.call_action("package_search", q="bees")
    finally:  # as the error says (the downgrade in SQL: the table is gone already)
        with model.ensure_engine().begin() as conn:
            conn.execute(sa.text("DROP TABLE crowdsource_search_state"))
            conn.execute(sa.text(f"DROP TABLE {upkeep.VERSIONS}"))
        assert upkeep.ensure_tables()
    assert _exists("crowdsource_search_doc")
