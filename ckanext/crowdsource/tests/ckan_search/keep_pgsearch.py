"""pytest plugin for ``make test-ckan-search``: CKAN's own search tests
against ``crowdsource_pgsearch``.

* The PostgreSQL connection stays in place for every test, also for those
  that set ``ckan.plugins`` to something else (CKAN's tests do, for a plugin
  of their own), as a site without Solr would have it.
* The tests listed in ``expected_failures.txt`` (each with the reason: they
  need a Solr server) are expected to fail, strictly: one of them passing
  fails the run too, so the list stays true. Any other failure fails it.

The plugin's tables come back by themselves after CKAN's ``reset_db`` drops
them (``search/upkeep.py``).
"""
from __future__ import annotations

from pathlib import Path

import pytest

EXPECTED = Path(__file__).with_name("expected_failures.txt")


def expected_failures(path: Path = EXPECTED) -> dict[str, str]:
    """``{test id: reason}``, a test id being ``module::Class::test[param]``."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        test, _, reason = line.partition(" ")
        out[test] = reason.strip(" #") or "needs Solr"
    return out


def test_id(item: pytest.Item) -> str:
    module = getattr(getattr(item, "module", None), "__name__", "")
    return f"{module}::{item.nodeid.split('::', 1)[1]}" if "::" in item.nodeid else item.nodeid


@pytest.hookimpl(trylast=True)  # after CKAN's own plugin has loaded the config
def pytest_sessionstart(session: pytest.Session) -> None:
    from ckanext.crowdsource.search import plugin

    plugin.keep_in_place()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    expected = expected_failures()
    for item in items:
        reason = expected.get(test_id(item))
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
