"""The leaderboard and a reader's contributions page, in Chinese too."""
from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup

from ckanext.crowdsource.tests.helpers import as_user, log_in, log_out


def soup(body: str) -> BeautifulSoup:
    return BeautifulSoup(body, "html.parser")


@pytest.fixture
def earned(lib: dict[str, Any]) -> dict[str, Any]:
    """reader2's answers accepted on the public and the private dataset
    (the private one asked and answered inside the organization)."""
    for package, asker, answerer in (("ds", "reader", "reader2"), ("private", "editor", "member")):
        q = as_user(lib[asker], "crowdsource_question_create", package_id=lib[package]["id"],
                    title="Where is the gate?", body="Which sheet?")
        answer = as_user(lib[answerer], "crowdsource_post_create", thread_id=q["id"],
                         body="Sheet 4")
        as_user(lib[asker], "crowdsource_answer_accept", id=answer["id"])
    as_user(lib["editor"], "crowdsource_points_grant", user_id=lib["member"]["id"], points=4,
            note="Catalogued the maps")
    return lib


def test_the_leaderboard_in_chinese(app, earned):
    lib = earned
    log_out(app)
    page = soup(app.get("/zh_Hans_CN/crowdsource/leaderboard").body)
    rows = [[td.text.strip() for td in tr.select("td")]
            for tr in page.select(".cs-leaderboard tbody tr")]
    assert rows == [["1", lib["reader2"]["display_name"], "15"],
                    ["2", lib["member"]["display_name"], "4"]]
    assert page.select_one("h1").text == "排行榜"
    link = page.select_one(".cs-leaderboard a")["href"]
    assert link.endswith(f"/user/{lib['reader2']['name']}/contributions")
    month = soup(app.get("/crowdsource/leaderboard?period=30d&page=1").body)
    assert len(month.select(".cs-leaderboard tbody tr")) == 2
    assert app.get("/crowdsource/leaderboard?community_id=nowhere", status=404)
    assert app.get("/crowdsource/leaderboard?page=x", status=400)


def test_the_leaderboard_is_in_the_take_part_menu(app, lib):
    page = soup(app.get("/dataset").body)
    assert page.select_one("header a[href='/crowdsource/leaderboard']") is not None


def test_a_readers_contributions_as_others_see_them(app, earned):
    lib = earned
    log_out(app)
    url = f"/user/{lib['member']['name']}/contributions"
    page = soup(app.get(url).body)
    assert page.select_one(".cs-points-total").text.strip() == "4 points"
    assert "Catalogued the maps" in page.text
    assert lib["private"]["name"] not in str(page)
    assert page.select_one("form.cs-recognition-settings") is None
    profile = soup(app.get(f"/user/{lib['member']['name']}").body)
    assert profile.select_one(f".nav a[href='{url}']") is not None  # the tab
    log_in(app, lib["editor"])  # staff of the organization see the private answer too
    page = soup(app.get(url).body)
    assert page.select_one(".cs-points-total").text.strip() == "19 points"


def test_own_settings_and_a_private_profile(app, earned):
    lib = earned
    log_in(app, lib["reader2"])
    url = f"/zh_Hans_CN/user/{lib['reader2']['name']}/contributions"
    page = soup(app.get(url).body)
    form = page.select_one("form.cs-recognition-settings")
    assert form.select_one("#cs-rs-leaderboards").has_attr("checked")
    assert "回答被采纳" in page.text
    app.post("/crowdsource/recognition/settings", data={"leaderboards": "1"})
    assert as_user(lib["reader2"], "crowdsource_recognition_settings_show") == {
        "user": lib["reader2"]["name"], "leaderboards": True, "public_profile": False}
    log_in(app, lib["reader3"])
    app.get(url, status=403)
    app.get("/user/nobody-at-all/contributions", status=404)


def test_visitors_are_sent_to_log_in_to_save_settings(app, lib):
    log_out(app)
    res = app.post("/crowdsource/recognition/settings", data={"leaderboards": "1"},
                   follow_redirects=False)
    assert res.status_code == 302 and "/user/login" in res.headers["Location"]


def test_a_profile_lists_contributions_badges_and_totals(app, earned):
    lib = earned
    as_user(lib["reader2"], "crowdsource_tag_add", package_id=lib["ds"]["id"], tag="城门")
    log_out(app)
    url = f"/user/{lib['reader2']['name']}/contributions"
    page = soup(app.get(url).body)
    totals = {li["class"][0]: li.select_one(".cs-total-number").text
              for li in page.select(".cs-contribution-totals li")}
    assert totals == {"cs-total-tag": "1", "cs-total-comment": "0", "cs-total-question": "0",
                      "cs-total-answer": "1", "cs-total-accepted_answer": "1",
                      "cs-total-task": "0", "cs-total-request": "0"}
    assert [li["class"][0] for li in page.select(".cs-badges li")] == [
        "cs-badge-first_accepted_answer", "cs-badge-first_tag"]
    rows = page.select(".cs-contributions li")
    assert [r.select_one("a").text for r in rows] == ["城门", "Sheet 4", "Sheet 4"]
    assert rows[1].select_one("a")["href"].startswith("/crowdsource/questions/")
    assert rows[0].select_one("a")["href"] == f"/dataset/{lib['ds']['name']}/reader-tags"
    assert lib["private"]["title"] not in str(page)  # the member's answer there: not theirs
    # a page further on, and a cursor that is none
    older = soup(app.get(url + "?after=" + as_user(None, "crowdsource_contribution_list",
                                                   user_id=lib["reader2"]["id"],
                                                   limit=1)["next_cursor"]).body)
    assert len(older.select(".cs-contributions li")) == 2
    app.get(url + "?after=nonsense", status=400)


def test_badges_next_to_names_cost_one_query_a_page(app, earned):
    from ckan.model import meta
    from sqlalchemy import event

    lib = earned
    q = as_user(lib["reader"], "crowdsource_question_create", package_id=lib["ds"]["id"],
                title="Which year?", body="When was it drawn?")
    for name in ("reader2", "reader3", "member", "reader2"):
        as_user(lib[name], "crowdsource_post_create", thread_id=q["id"], body=f"By {name}")
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "crowdsource_badge" in statement:
            statements.append(statement)

    event.listen(meta.engine, "before_cursor_execute", count)
    try:
        page = soup(app.get(f"/crowdsource/questions/{q['id']}").body)
    finally:
        event.remove(meta.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    badges = {a.text: [b.text.strip() for b in a.find_next_siblings("span", "cs-reader-badge")]
              for a in page.select(".cs-post .cs-author")}
    assert badges[lib["reader2"]["display_name"]] == ["First accepted answer"]
    assert badges[lib["reader3"]["display_name"]] == []
