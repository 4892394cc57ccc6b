"""``ckan db upgrade/downgrade -p`` for both plugins, on the real database."""
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan


def _tables():
    return set(sa.inspect(model.ensure_engine()).get_table_names())


def _version(plugin):
    with model.ensure_engine().connect() as conn:
        return conn.execute(
            sa.text(f"SELECT version_num FROM {plugin}_alembic_version")
        ).scalar()


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("plugin", ["crowdsource_pgsearch", "crowdsource"])
def test_downgrade_and_upgrade(cli, plugin):
    assert _version(plugin)
    result = cli.invoke(ckan, ["db", "downgrade", "-p", plugin, "--version", "base"])
    assert result.exit_code == 0, result.output
    assert _version(plugin) is None
    tables = {"crowdsource_pgsearch": {"crowdsource_search_doc"},
              "crowdsource": {"crowdsource_tag", "crowdsource_tag_block",
                                "crowdsource_moderation_log", "crowdsource_flag"}}[plugin]
    assert not tables & _tables()
    result = cli.invoke(ckan, ["db", "upgrade", "-p", plugin])
    assert result.exit_code == 0, result.output
    assert _version(plugin)
    assert tables <= _tables()
    result = cli.invoke(ckan, ["db", "version", "-p", plugin])
    assert _version(plugin) in result.output
