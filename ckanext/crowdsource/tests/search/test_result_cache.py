"""Search results kept in Redis: the same answers, never stale, per visibility."""
import pytest
from ckan.lib.redis import connect_to_redis
from ckan.plugins import toolkit
from ckan.tests import helpers

from ckanext.crowdsource.tests.helpers import as_user

pytestmark = pytest.mark.usefixtures("catalogue")


def kept_results() -> int:
    """How many results are kept for the current state of the index."""
    redis = connect_to_redis()
    prefix = f"{toolkit.config.get('ckan.site_id')}:crowdsource:search"
    generation = int(redis.get(f"{prefix}:generation") or 0)
    return sum(1 for _ in redis.scan_iter(f"{prefix}:{generation}:*"))


def search(**kw):
    return helpers.call_action("package_search", q="economy", rows=10,
                               **{"facet.field": ["organization"]}, **kw)


def test_a_repeated_search_is_answered_from_redis_with_the_same_result():
    kept = kept_results()
    first = search()
    assert kept_results() == kept + 1
    assert search() == first
    assert kept_results() == kept + 1


def test_any_write_to_the_index_drops_kept_results(catalogue):
    before = search()
    site_user = {"user": helpers.call_action("get_site_user")["name"]}
    photos = catalogue["ds"]["photos"]["id"]
    helpers.call_action("package_patch", context=dict(site_user), id=photos,
                        notes="Photographs of the economy")
    after = search()
    assert after["count"] == before["count"] + 1
    assert "old-photos" in {r["name"] for r in after["results"]}
    helpers.call_action("package_delete", context=dict(site_user), id=photos)
    assert search()["count"] == before["count"]


def test_results_are_kept_per_visibility(catalogue):
    q = {"q": "staff", "include_private": True}
    assert as_user(None, "package_search", **q)["count"] == 0
    sysadmin = {"name": helpers.call_action("get_site_user")["name"]}
    assert as_user(sysadmin, "package_search", **q)["count"] == 1
    assert as_user(None, "package_search", **q)["count"] == 0


@pytest.mark.ckan_config("ckanext.crowdsource.search.cache_seconds", 0)
def test_keeping_can_be_turned_off():
    kept = kept_results()
    search()
    assert kept_results() == kept
