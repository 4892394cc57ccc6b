"""The header's bell on every page, the notifications page with its
filters and mark-read forms, the bell's polling endpoint and the settings
page, in English and Chinese."""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from ckan import model

from ckanext.crowdsource.tests.helpers import as_user, log_in, log_out


def soup(body: str) -> BeautifulSoup:
    return BeautifulSoup(body, "html.parser")


@pytest.fixture
def told(lib: dict[str, Any]) -> dict[str, Any]:
    """reader has three notifications: two replies and an answer."""
    post = as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                   body="Is there an 1850 edition?")
    as_user(lib["reader2"], "crowdsource_post_create", parent_id=post["id"], body="Yes")
    as_user(lib["reader3"], "crowdsource_post_create", parent_id=post["id"], body="No")
    q = as_user(lib["reader"], "crowdsource_question_create", package_id=lib["ds2"]["id"],
                title="Who lent it <b>last</b>?", body="The 1901 ledger")
    as_user(lib["reader2"], "crowdsource_post_create", thread_id=q["id"], body="The mayor")
    return lib


def test_the_bell_shows_the_unread_count_on_every_page(app, told):
    lib = told
    log_in(app, lib["reader"])
    for url in ("/dataset", f"/dataset/{lib['ds']['name']}", "/crowdsource/tasks", "/"):
        bell = soup(app.get(url).body).select_one(".account-masthead #cs-bell")
        assert bell is not None, url
        link = bell.select_one("a")
        assert link["href"] == "/crowdsource/notifications"
        assert link["aria-label"] == "Notifications, 3 unread"
        assert bell.select_one(".cs-bell-count").text == "3"
        assert bell["hx-get"] == "/crowdsource/notifications/bell"
        assert bell["hx-trigger"] == "every 60s"
    zh = soup(app.get("/zh_Hans_CN/dataset").body).select_one("#cs-bell a")
    assert zh["aria-label"] == "通知，3 条未读"
    log_in(app, lib["reader3"])
    bell = soup(app.get("/dataset").body).select_one("#cs-bell")
    assert bell.select_one("a")["aria-label"] == "Notifications, none unread"
    assert bell.select_one(".cs-bell-count") is None


def test_anonymous_visitors_get_no_bell_and_cost_no_query(app, told):
    log_out(app)
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "crowdsource_notification" in statement:
            statements.append(statement)

    bind = model.Session.get_bind()
    sa.event.listen(bind, "after_cursor_execute", seen)
    try:
        page = soup(app.get("/dataset").body)
        assert app.get("/crowdsource/notifications/bell").body.strip() == ""
    finally:
        sa.event.remove(bind, "after_cursor_execute", seen)
    assert page.select_one("#cs-bell") is None
    assert statements == []
    # the page itself sends anonymous visitors to log in
    found = app.get("/crowdsource/notifications", follow_redirects=False)
    assert found.status_code == 302 and "/user/login" in found.headers["Location"]


def test_the_polling_endpoint_and_the_poll_interval(app, told, ckan_config, monkeypatch):
    lib = told
    log_in(app, lib["reader"])
    bell = soup(app.get("/crowdsource/notifications/bell").body).select_one("#cs-bell")
    assert bell.select_one(".cs-bell-count").text == "3"
    monkeypatch.setitem(ckan_config, "ckanext.crowdsource.notify.poll_seconds", 0)
    bell = soup(app.get("/crowdsource/notifications/bell").body).select_one("#cs-bell")
    assert not bell.has_attr("hx-trigger")


def test_the_notifications_page_says_who_did_what_on_which_item(app, told):
    lib = told
    log_in(app, lib["reader"])
    page = soup(app.get("/crowdsource/notifications").body)
    items = page.select(".cs-notification")
    assert len(items) == 3
    newest = items[0]
    text = newest.select_one(".cs-notification-link").text
    assert lib["reader2"]["fullname"] in text and "answered your question" in text
    assert "Who lent it <b>last</b>?" in text  # the title escaped, not markup
    assert newest.select_one(".cs-notification-link b") is None
    assert newest.select_one("a")["href"].startswith("/crowdsource/questions/")
    assert newest.select_one("time").text.strip()
    assert newest.select_one("form input[name=_csrf_token]") is not None
    assert page.select_one("a[href='/crowdsource/notifications/settings']") is not None
    # filters
    only = soup(app.get("/crowdsource/notifications?kind=answer").body)
    assert len(only.select(".cs-notification")) == 1
    assert app.get("/crowdsource/notifications?kind=nonsense", status=400)
    assert app.get("/crowdsource/notifications?page=x", status=400)


def test_marking_read_with_htmx_and_all_with_a_form(app, told):
    lib = told
    log_in(app, lib["reader"])
    first = as_user(lib["reader"], "crowdsource_notification_list", limit=1)["results"][0]
    answer = app.post("/crowdsource/notifications/read", data={"id": first["id"]},
                      headers={"HX-Request": "true"})
    part = soup(answer.body)
    assert "Read" in part.text
    oob = part.select_one("#cs-bell")
    assert oob["hx-swap-oob"] == "true"
    assert oob.select_one(".cs-bell-count").text == "2"
    unread = soup(app.get("/crowdsource/notifications?unread=1").body)
    assert len(unread.select(".cs-notification")) == 2
    done = app.post("/crowdsource/notifications/read",
                    data={"all": "1", "came_from": "/crowdsource/notifications?unread=1"},
                    follow_redirects=False)
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/crowdsource/notifications?unread=1")
    assert as_user(lib["reader"], "crowdsource_notification_count")["count"] == 0
    # somewhere else: back to the page
    off = app.post("/crowdsource/notifications/read",
                   data={"all": "1", "came_from": "https://evil.example/"},
                   follow_redirects=False)
    assert off.headers["Location"].endswith("/crowdsource/notifications")


def test_the_settings_page_switches_rules_and_email(app, told):
    lib = told
    log_in(app, lib["reader"])
    page = soup(app.get("/crowdsource/notifications/settings").body)
    boxes = page.select(".cs-notify-settings input[type=checkbox]")
    assert boxes and all(b.has_attr("checked") for b in boxes)
    assert page.select_one("#cs-email-daily").has_attr("checked")
    assert page.select_one(".cs-notify-settings input[name=_csrf_token]") is not None
    # readers are not shown the staff's rules, which stay as they were
    assert page.select_one("#cs-rule-claim_submitted") is None
    form = {f"rule-{b['name'][5:]}": "1" for b in boxes if b["name"] != "rule-reply"}
    form.update(email="weekly", **{"rule-claim_submitted": "1", "rule-feedback_new": "1",
                                   "rule-item_flagged": "1"})
    app.post("/crowdsource/notifications/settings", data=form)
    now = as_user(lib["reader"], "crowdsource_notify_settings_show")
    assert now["rules"]["reply"] is False and now["rules"]["answer"] is True
    assert now["rules"]["claim_submitted"] is True
    assert now["email"] == "weekly"
    log_in(app, lib["editor"])
    staff = soup(app.get("/crowdsource/notifications/settings").body)
    assert staff.select_one("#cs-rule-claim_submitted") is not None


def test_the_pages_in_chinese(app, told):
    lib = told
    log_in(app, lib["reader"])
    page = soup(app.get("/zh_Hans_CN/crowdsource/notifications").body)
    assert page.select_one("h1").text == "通知"
    assert "回答了你的问题" in page.select_one(".cs-notification-link").text
    settings = soup(app.get("/zh_Hans_CN/crowdsource/notifications/settings").body)
    assert settings.select_one("h1").text == "通知设置"
