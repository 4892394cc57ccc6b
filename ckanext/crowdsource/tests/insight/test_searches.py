"""The searches on /dataset that found nothing: what is counted (a plain
web search that found nothing, normalised, no user), what is not (the API,
searches that found something or were narrowed by facets, with the switch
off), the rolling window and the daily bound; the metric, for sysadmins."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from ckan import logic, model
from ckan.tests import helpers

from ckanext.crowdsource.insight import searches
from ckanext.crowdsource.insight.model import search_miss
from ckanext.crowdsource.tests.helpers import as_user, log_in


def kept() -> dict[str, int]:
    model.Session.remove()
    return dict(model.Session.execute(sa.select(search_miss.c.query,
                                                search_miss.c.searches)).all())


def search(app, q, **more):
    args = "&".join([f"q={quote(q)}", *(f"{k}={quote(v)}" for k, v in more.items())])
    return app.get(f"/dataset/?{args}")


def test_plain_searches_that_find_nothing_are_counted_normalised(app, lib):
    log_in(app, lib["reader"])
    search(app, "  Moon   MAPS ")
    search(app, "moon maps", sort="score desc")
    search(app, "ＭＯＯＮ maps")  # full-width letters fold to the same query
    search(app, "City Maps")  # finds the dataset: not counted
    search(app, "comet", tags="maps")  # narrowed by a facet: not counted
    search(app, "")
    helpers.call_action("package_search", q="asteroid")  # the API: not counted
    assert kept() == {"moon maps": 3}
    # nothing about who searched
    assert {c.name for c in search_miss.columns} == {"day", "query", "searches"}


@pytest.mark.ckan_config("ckanext.crowdsource.insight.search_log", "false")
def test_the_switch_turns_counting_off(app, lib):
    search(app, "moon maps")
    assert kept() == {}


@pytest.mark.ckan_config("ckanext.crowdsource.insight.search_log_days", "30")
@pytest.mark.ckan_config("ckanext.crowdsource.insight.search_log_queries_per_day", "2")
def test_a_rolling_window_and_a_bound_per_day(app, lib):
    searches._swept.clear()  # this process deletes old days once a day: today, again
    today = searches.today()
    model.Session.execute(sa.insert(search_miss), [
        {"day": today - timedelta(days=30), "query": "too old", "searches": 4},
        {"day": today - timedelta(days=29), "query": "just in", "searches": 1}])
    model.Session.commit()
    # words no generated dataset text holds (the factories write English)
    search(app, "zqfirst")
    search(app, "zqsecond")
    search(app, "zqthird")  # the day has its two queries: not kept
    search(app, "zqfirst")  # kept ones still count
    assert kept() == {"just in": 1, "zqfirst": 2, "zqsecond": 1}


def test_the_metric_is_for_sysadmins(app, lib):
    for q in ("moon maps", "moon maps", "star charts"):
        search(app, q)
    found = as_user(lib["sysadmin"], "crowdsource_stats_show", metric="searches",
                    period="7d", limit=1)
    assert found["count"] == 2
    assert [(r["query"], r["searches"]) for r in found["results"]] == [("moon maps", 2)]
    assert found["results"][0]["last_day"] == searches.today().isoformat()
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["editor"], "crowdsource_stats_show", metric="searches")
    log_in(app, lib["sysadmin"])
    assert "insight-searches" in app.get("/crowdsource/stats").body
    log_in(app, lib["editor"])
    assert "insight-searches" not in app.get("/crowdsource/stats").body


def test_a_failure_to_count_never_breaks_the_search_page(app, lib):
    # the table gone for real: PostgreSQL refuses the count
    rename = "ALTER TABLE {} RENAME TO {}"
    model.Session.remove()
    with model.ensure_engine().begin() as conn:
        conn.execute(sa.text(rename.format(search_miss.name, "cs_search_miss_away")))
    try:
        page = search(app, "moon maps")
        assert page.status_code == 200 and "moon maps" in page.body
    finally:
        model.Session.remove()
        with model.ensure_engine().begin() as conn:
            conn.execute(sa.text(rename.format("cs_search_miss_away", search_miss.name)))
    assert kept() == {}
    search(app, "moon maps")  # and counting goes on once it is back
    assert kept() == {"moon maps": 1}
