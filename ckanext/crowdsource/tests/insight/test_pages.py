"""``/crowdsource/stats`` and its CSV downloads: who gets them, figures
that are accessible (chart, caption, table behind a toggle, CSV), CSV rows
equal to the API's, cells that cannot run as formulas, and a constant
number of queries whatever the period."""
from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from ckan import model

from ckanext.crowdsource.tests.helpers import as_user, log_in, log_out

pytestmark = pytest.mark.ckan_config("ckanext.crowdsource.common.writes_per_minute", "0")


def soup(body: str) -> BeautifulSoup:
    return BeautifulSoup(body, "html.parser")


@pytest.fixture
def busy(lib):
    as_user(lib["reader"], "crowdsource_tag_add", package_id=lib["ds"]["id"], tag="maps")
    as_user(lib["reader2"], "crowdsource_tag_add", package_id=lib["ds"]["id"], tag="maps")
    as_user(lib["reader"], "crowdsource_feedback_create", kind="request",
            title="=HYPERLINK(\"http://evil.example\")", body="Please",
            package_id=lib["ds"]["id"])
    as_user(lib["reader"], "crowdsource_question_create", package_id=lib["ds"]["id"],
            title="Where is the 1850 map?", body="?")
    return lib


def test_staff_get_every_figure_with_its_table_and_csv(app, busy):
    log_in(app, busy["editor"])
    page = soup(app.get("/crowdsource/stats?period=7d").body)
    figures = page.select("figure.cs-figure")
    assert [f["id"] for f in figures] == [
        "insight-contributions", "insight-contributors", "insight-outcomes", "insight-service",
        "insight-backlog", "insight-requests", "insight-unanswered", "insight-tasks",
        "insight-claims", "insight-throughput"]
    for figure in figures:
        assert figure.select_one("figcaption h2").text.strip()
        assert figure.select_one("details summary") and figure.select_one("details table")
        assert ".csv" in figure.select_one("a[download]")["href"]
    chart = page.select_one("#insight-contributions svg")
    assert chart["role"] == "img" and chart["aria-labelledby"] == "insight-contributions-caption"
    assert "Where is the 1850 map?" in page.select_one("#insight-unanswered table").text
    # the form: a GET form that works without JavaScript
    form = page.select_one("form.cs-insight-form")
    assert form["method"] == "get"
    assert form.select_one("select[name=period] option[selected]")["value"] == "7d"
    orgs = [o["value"] for o in form.select("select[name=organization] option")]
    assert orgs == ["", busy["org"]["name"]]  # the editor's own organization only


@pytest.mark.parametrize("who,status", [("reader", 403), ("member", 403), (None, 403)])
def test_readers_are_refused(app, busy, who, status):
    if who:
        log_in(app, busy[who])
    else:
        log_out(app)
    assert app.get("/crowdsource/stats", status=status)
    assert app.get("/crowdsource/stats/contributions.csv", status=status)


def test_bad_input_on_the_page_is_a_400_not_a_500(app, busy):
    log_in(app, busy["editor"])
    assert app.get("/crowdsource/stats?period=2y", status=400)
    assert app.get("/crowdsource/stats/happiness.csv", status=404)
    assert app.get(f"/crowdsource/stats?organization={busy['other_org']['name']}", status=403)


@pytest.mark.parametrize("metric", ["contributions", "outcomes", "requests", "backlog"])
def test_the_csv_holds_the_numbers_the_api_gives(app, busy, metric):
    log_in(app, busy["editor"])
    res = app.get(f"/crowdsource/stats/{metric}.csv?period=7d&granularity=day")
    assert res.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in res.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(res.get_data(as_text=True))))
    api = as_user(busy["editor"], "crowdsource_stats_show", metric=metric, period="7d",
                  granularity="day")
    assert list(rows[0]) == api["columns"] if rows else True
    expected = [{k: "" if v is None else str(v) for k, v in r.items()}
                for r in api["results"]]
    if metric == "requests":
        # text that a spreadsheet would run as a formula starts with a quote
        assert rows[0]["title"] == "'" + api["results"][0]["title"]
        expected[0]["title"] = rows[0]["title"]
    assert rows == expected


def test_the_page_costs_the_same_queries_whatever_the_period(app, busy):
    log_in(app, busy["sysadmin"])
    app.get("/crowdsource/stats?period=7d")  # warm: what a first request loads once
    engine = model.ensure_engine()

    def queries(url):
        seen = []

        def count(_conn, _cursor, statement, *_args):
            seen.append(statement)

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            assert app.get(url).status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    short, long_ = queries("/crowdsource/stats?period=7d"), queries(
        "/crowdsource/stats?period=365d&granularity=day")
    assert short == long_ and short < 50  # about 4 a figure, whatever the period


def test_the_dashboard_in_chinese_on_a_phone_sized_chart(app, busy):
    log_in(app, busy["editor"])
    res = app.get("/zh_Hans_CN/crowdsource/stats?period=365d&granularity=day")
    page = soup(res.body)
    svg = page.select_one("#insight-contributions svg")
    # drawn in a box 400 wide that the page scales down to a phone's width
    assert svg["viewbox"].startswith("0 0 400 ")
    assert len(page.select("#insight-contributions tbody tr")) == 365


def test_the_staff_menu_links_to_the_dashboard(app, busy):
    log_in(app, busy["editor"])
    body = app.get("/dataset").body
    assert "/crowdsource/stats" in body
    log_in(app, busy["reader"])
    assert "/crowdsource/stats" not in app.get("/dataset").body
