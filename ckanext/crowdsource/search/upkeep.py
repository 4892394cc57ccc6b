"""The index tables, made again when a database reset dropped them.

CKAN's test reset (``reset_db``, ``model.repo.clean_db``) drops every table
it finds, the plugin's index and its alembic version table too, and then
runs CKAN's own migrations only. A site that runs CKAN's tests with this
plugin enabled (or a database emptied the same way) would then fail every
search and every indexing until ``ckan db upgrade -p crowdsource_pgsearch``
ran again. So the first use that finds the index table missing runs the
plugin's migrations, under an advisory lock so that concurrent workers wait
for one another, and carries on. Only when the version table is gone too:
a half-migrated database (the table dropped by hand) is left to the
administrator, with the command in the error.
"""
from __future__ import annotations

import logging
import os

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from ckan import model

from .model import TABLE

log = logging.getLogger(__name__)

PLUGIN = "crowdsource_pgsearch"
VERSIONS = f"{PLUGIN}_alembic_version"
MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migration", PLUGIN)
_LOCK = sa.text("SELECT pg_advisory_lock(hashtext(:name))")
_UNLOCK = sa.text("SELECT pg_advisory_unlock(hashtext(:name))")
_EXISTS = sa.text("SELECT to_regclass(:t) IS NOT NULL")


class TablesMissing(RuntimeError):
    """The index table is gone but the plugin's migrations say otherwise."""


def is_missing_table(error: sa.exc.DBAPIError) -> bool:
    """The error is PostgreSQL's "relation does not exist" (42P01)."""
    return getattr(error.orig, "pgcode", None) == "42P01"


def upgrade(engine: sa.engine.Engine) -> None:
    """What ``ckan db upgrade -p crowdsource_pgsearch`` runs, also while the
    plugin is not loaded (CKAN's tests unload every plugin between tests);
    without the logging set-up of its ``alembic.ini``, which would replace
    the process's own."""
    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    url = engine.url.render_as_string(hide_password=False)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(cfg, "head")


def ensure_tables() -> bool:
    """Run the plugin's migrations if its index table and version table are
    both gone. True when it made them, False when they were there."""
    engine = model.ensure_engine()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(_LOCK, {"name": PLUGIN})
        try:
            if conn.execute(_EXISTS, {"t": TABLE}).scalar():
                return False  # another worker made them meanwhile
            if conn.execute(_EXISTS, {"t": VERSIONS}).scalar():
                raise TablesMissing(
                    f"The search index table {TABLE} is missing although the "
                    f"migrations of {PLUGIN} were applied: run `ckan db downgrade -p "
                    f"{PLUGIN} --version base` and `ckan db upgrade -p {PLUGIN}`, then "
                    "`ckan search-index rebuild`")
            log.warning("%s: the search index tables are missing (a database reset?); "
                        "making them with the plugin's migrations", PLUGIN)
            upgrade(engine)
            return True
        finally:
            conn.execute(_UNLOCK, {"name": PLUGIN})
