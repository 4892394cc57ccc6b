"""CKAN's ``with_plugins``, without loading the same plugins twice in a row.

CKAN's fixture loads every plugin of ``ckan.plugins`` before a test and
unloads them after it; each load and each unload runs CKAN's whole
``update_config`` (the config declarations parsed from YAML again, the web
assets, a new database engine...): about half a second a test, the largest
cost of most tests here once the database reset is fast.

Here the plugins a test loaded stay loaded after it. The next test that asks
for them with the same configuration (the same ``ckan_config`` marks, the
same ``ckan.plugins``: the whole configuration is compared) gets the
configuration loading made of it back, and the caches CKAN empties when
plugins load (actions, validators, auth functions, file storages, the app
globals) emptied, instead of an unload and a load that would give the same.
Any other configuration, or plugins loaded or unloaded meanwhile, is a real
reload; a test that does not ask for ``with_plugins`` gets every plugin
unloaded before it starts, as with CKAN's fixture. Plugins given by
``provide_plugin`` or ``with_plugins({...})`` marks are unloaded after the
test, as CKAN does.
"""
from __future__ import annotations

import copy
import hashlib
import itertools
from collections.abc import Iterator
from typing import Any

import ckan.plugins
import pytest
from ckan.common import config


def _config_key() -> str:
    text = repr(sorted(((k, repr(v)) for k, v in config.items()), key=lambda kv: kv[0]))
    return hashlib.md5(text.encode("utf-8", "surrogatepass")).hexdigest()


def _loaded() -> list[str]:
    return list(ckan.plugins.core._PLUGINS)


def _unload() -> None:
    getattr(ckan.plugins, "unload_non_system_plugins", ckan.plugins.unload_all)()


class KeptPlugins:
    """The plugins left loaded by the last test, and for which configuration."""

    def __init__(self) -> None:
        self.key: str | None = None  # the configuration they were loaded for
        self.names: list[str] = []
        self.loaded_config: dict[str, Any] = {}  # what loading made of it
        self.loads = 0
        self.kept = 0

    def load(self) -> None:
        """The plugins of ``ckan.plugins`` loaded for this configuration:
        loaded again only when needed."""
        key = _config_key()
        if self.key == key and _loaded() == self.names:
            self._reuse()
            self.kept += 1
            return
        self.forget()
        ckan.plugins.load_all()
        self.loads += 1
        self.key, self.names = key, _loaded()
        self.loaded_config = copy.deepcopy(dict(config))

    def _reuse(self) -> None:
        config.clear()
        config.update(copy.deepcopy(self.loaded_config))
        self.clear_caches()

    @staticmethod
    def clear_caches() -> None:
        """What CKAN's update_config does that a test may have changed, cheaply."""
        from ckan import authz, logic, model
        from ckan.lib import app_globals

        logic.clear_actions_cache()
        logic.clear_validators_cache()
        authz.clear_auth_functions_cache()
        app_globals.app_globals._init()
        try:
            from ckan.lib import files
        except ImportError:  # CKAN 2.11 has no file storages
            files = None
        if files is not None and hasattr(files, "storages"):
            files.storages.reset()
            files.storages.collect()
        model.Session.remove()

    def forget(self) -> None:
        self.key, self.names, self.loaded_config = None, [], {}

    def unload(self) -> None:
        """The plugins unloaded (before a test that does not load them), as
        CKAN's fixture does after a test (CKAN 2.11 keeps its system plugins)."""
        self.forget()
        if _loaded():
            _unload()


KEPT = KeptPlugins()


def with_plugins(
    ckan_config: Any,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> Iterator[None]:
    """CKAN's ``with_plugins`` fixture (``conftest.py`` makes it one): the
    plugins of ``ckan.plugins``, and those its marks name, loaded for the
    test, and kept loaded for the next test of the same configuration."""
    markers = list(request.node.iter_markers("with_plugins"))
    provided = list(request.node.iter_markers("provide_plugin"))
    names = []
    for plugin in itertools.chain.from_iterable(mark.args for mark in markers):
        if isinstance(plugin, str):
            names.append(plugin)
        elif isinstance(plugin, dict):  # CKAN 2.12's provide_plugin makes them
            provide = request.getfixturevalue("provide_plugin")
            for name, impl in plugin.items():
                provide(name, impl)
                names.append(name)
                provided.append(name)
        else:
            raise AssertionError(f"Unexpected argument {plugin} for with_plugins mark")
    if names:
        current = ckan_config["ckan.plugins"]
        if isinstance(current, str):
            current = current.split()
        monkeypatch.setitem(ckan_config, "ckan.plugins", current + names)
    if provided:  # plugins only this test's provide_plugin can make: CKAN's way
        request.getfixturevalue("provide_plugin")
        KEPT.unload()
        ckan.plugins.load_all()
        yield
        _unload()
        return
    KEPT.load()
    yield


def unload_unless_wanted(item: pytest.Item) -> None:
    """Before a test: the plugins a test before it kept loaded are unloaded
    unless it asks for them too (``with_plugins``)."""
    wanted = "with_plugins" in getattr(item, "fixturenames", ()) or any(
        item.iter_markers(name="with_plugins"))
    if not wanted:
        KEPT.unload()


class KeptApp:
    """CKAN's test app (``make_app``), made again only when the configuration
    or the loaded plugins changed since the last one was made.

    Making one runs CKAN's whole environment set-up and the plugins' load
    (about a second); what a test can change of a made app is in the
    configuration (put back as making the app left it) and in CKAN's caches
    (emptied, as for kept plugins); each test gets a test client of its own
    (``CKANTestApp``: its own cookies)."""

    def __init__(self) -> None:
        self.key: str | None = None
        self.wsgi: Any = None
        self.names: list[str] = []
        self.made_config: dict[str, Any] = {}
        self.made = 0
        self.kept = 0

    def get(self) -> Any:
        from ckan.config.middleware import make_app
        from ckan.tests.helpers import CKANTestApp

        config["testing"] = True
        key = _config_key()
        if self.key == key and self.wsgi is not None:
            if _loaded() != self.names:  # make_app would load them
                KEPT.load()
            if _loaded() == self.names:
                config.clear()
                config.update(copy.deepcopy(self.made_config))
                KEPT.clear_caches()
                self.kept += 1
                return CKANTestApp(self.wsgi)
        self.wsgi = make_app(config)
        self.made += 1
        self.key, self.names = key, _loaded()
        self.made_config = copy.deepcopy(dict(config))
        KEPT.forget()  # make_app loaded them again itself
        return CKANTestApp(self.wsgi)


KEPT_APP = KeptApp()
