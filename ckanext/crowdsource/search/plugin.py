"""The ``crowdsource_pgsearch`` plugin: CKAN's dataset search from PostgreSQL.

CKAN talks to Solr only through ``ckan.lib.search.common.make_connection``
(imported by name into ``ckan.lib.search.index`` and ``.query``) and checks
the Solr schema version once at start-up. This plugin puts a function at
those names that hands out the PostgreSQL connection while the plugin is
loaded and CKAN's own otherwise, so unloading the plugin restores Solr.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
from ckan.lib import search
from ckan.lib.search import common, index, query
from ckan.plugins import toolkit

from .connection import make_connection as pg_make_connection

PLUGIN = "crowdsource_pgsearch"
_MODULES = (common, index, query, search)
_original: dict[str, Any] = {}
_kept = False


def keep_in_place() -> None:
    """Serve CKAN's search from PostgreSQL whatever ``ckan.plugins`` says
    from now on in this process: for running CKAN's own tests, which load
    and unload plugins and change ``ckan.plugins`` as they go, against this
    backend (``make test-ckan-search``)."""
    global _kept
    install()
    _kept = True


def _active() -> bool:
    # Listed in the configuration counts too: CKAN checks the search backend
    # while it starts, before plugins are loaded.
    return _kept or p.plugin_loaded(PLUGIN) or PLUGIN in toolkit.aslist(
        toolkit.config.get("ckan.plugins")
    )


def _make_connection(decode_dates: bool = True) -> Any:
    if _active():
        return pg_make_connection(decode_dates)
    return _original["make_connection"](decode_dates)


def _check_solr_schema_version(schema_file: str | None = None) -> bool:
    if _active() and not schema_file:
        # The index is this plugin's own table, read with the schema CKAN
        # ships: there is no Solr schema to fetch and check. A missing table
        # is made again, or reported, when the first query runs. A schema
        # file given to check is checked as CKAN checks it.
        return True
    return _original["check_solr_schema_version"](schema_file)


def install() -> None:
    """Put the dispatching functions in place (idempotent)."""
    if _original:
        return
    _original["make_connection"] = common.make_connection
    _original["check_solr_schema_version"] = search.check_solr_schema_version
    for module in _MODULES:
        if hasattr(module, "make_connection"):
            module.make_connection = _make_connection
    search.check_solr_schema_version = _check_solr_schema_version


install()


@toolkit.blanket.config_declarations  # config_declaration.yaml beside this file
class PgSearchPlugin(p.SingletonPlugin):
    """Serves CKAN's dataset index and ``package_search`` from PostgreSQL."""
