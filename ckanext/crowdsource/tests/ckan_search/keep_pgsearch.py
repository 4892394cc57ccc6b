"""pytest plugin for ``make test-ckan-search``: CKAN's own search tests
against ``crowdsource_pgsearch``.

* The PostgreSQL connection stays in place for every test, also for those
  that set ``ckan.plugins`` to something else (CKAN's tests do, for a plugin
  of their own), as a site without Solr would have it.
* The tests listed in ``expected_failures.txt`` (each with the reason: they
  need a Solr server) are expected to fail, strictly: one of them passing
  fails the run too, so the list stays true. Any other failure fails it.
* The random data CKAN's factories make (a dataset's notes, the names it
  is not given) comes from Faker seeded with the test's id before the test
  and its fixtures run, so a test gets the same data in every run, alone or
  in the whole set. Unseeded, ``controllers/test_package.py::TestSearch::
  test_search_page_results`` failed in about one run in seventy: it searches
  for "One" among datasets titled "Dataset One", "Dataset Two" and "Dataset
  Three" and expects one match, but their random notes are drawn from
  Faker's English word list, which has "one" in it (seed 7 gives "Piece on
  artist one anyone."), and a dataset's notes are searched as Solr searches
  them (copied into ``text``), so a second dataset matched.

The plugin's tables come back by themselves after CKAN's ``reset_db`` drops
them (``search/upkeep.py``).
"""
from __future__ import annotations

import zlib
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


def seed_for(test: str) -> int:
    """The seed of a test's random data: from its id alone, not from the
    tests that ran before it."""
    return zlib.crc32(test.encode("utf-8"))


def seed_test_data(test: str) -> None:
    """Seed the Faker instance CKAN's factories draw from for ``test``."""
    from ckan.tests import factories

    factories.fake.seed_instance(seed_for(test))


@pytest.hookimpl(tryfirst=True)  # before the test's fixtures make any data
def pytest_runtest_setup(item: pytest.Item) -> None:
    seed_test_data(test_id(item))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    expected = expected_failures()
    for item in items:
        reason = expected.get(test_id(item))
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
