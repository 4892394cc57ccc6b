"""What a librarian reads on Chinese pages: states and kinds in words, people
by their display names, readers' Markdown as plain text in the queue, and
times in the portal's display timezone."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories

from ckanext.crowdsource.tests.helpers import as_user, log_in


def soup(body: str) -> BeautifulSoup:
    return BeautifulSoup(body, "html.parser")


@pytest.fixture
def named(lib):
    """Readers with display names that differ from their user names."""
    lib["reader_named"] = factories.User(fullname="王小明")
    lib["flagger_named"] = factories.User(fullname="李华")
    return lib


def test_the_moderation_queue_in_chinese(app, named):
    lib = named
    post = as_user(lib["reader_named"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                   body="Meet at the **east gate**, see [the map](http://example.org/m)")
    as_user(lib["flagger_named"], "crowdsource_flag_create", item_type="post",
            item_id=post["id"], reason="广告")
    as_user(lib["reader"], "crowdsource_tag_add", package_id=lib["ds"]["id"], tag="spam")
    as_user(lib["editor"], "crowdsource_tag_hide", package_id=lib["ds"]["id"], tag="spam",
            reason="无关")
    log_in(app, lib["editor"])
    page = soup(app.get("/zh_Hans_CN/crowdsource/moderation").body)
    row = page.select_one(f"tr[data-item='post:{post['id']}']")
    assert row.select_one(".badge").text.strip() == "帖子"
    assert "Meet at the east gate, see the map" in row.text and "**" not in row.text
    assert "李华: 广告" in row.text and lib["flagger_named"]["name"] not in row.text
    tag_row = page.select_one(f"tr[data-item='tag:{lib['ds']['id']}:spam']")
    assert tag_row.select_one(".badge").text.strip() == "读者标签"


def test_claims_in_chinese_name_their_reader_and_state(app, named):
    lib = named
    task = as_user(lib["editor"], "crowdsource_task_create", package_id=lib["ds"]["id"],
                   kind="describe", title="Describe", capacity=2)
    claim = as_user(lib["reader_named"], "crowdsource_task_claim", id=task["id"])
    as_user(lib["reader_named"], "crowdsource_claim_submit", id=claim["id"],
            result={"text": "Old maps."})
    as_user(lib["editor"], "crowdsource_claim_review", id=claim["id"], decision="accept")
    log_in(app, lib["editor"])
    page = soup(app.get(f"/zh_Hans_CN/crowdsource/tasks/{task['id']}").body)
    row = page.select_one(f".cs-claim-row[data-claim='{claim['id']}']")
    assert row.select_one("strong").text == "王小明"
    assert row.select_one(".cs-claim-state-name").text == "已采纳"
    assert "accepted" not in row.text


@pytest.mark.ckan_config("ckan.display_timezone", "Asia/Shanghai")
def test_times_are_shown_in_the_display_timezone(app, lib):
    item = as_user(lib["reader"], "crowdsource_feedback_create", kind="error", body="Broken",
                   package_id=lib["ds"]["id"])
    created = datetime.fromisoformat(item["created"]).astimezone(timezone.utc)
    log_in(app, lib["reader"])
    text = soup(app.get(f"/crowdsource/feedback/{item['id']}").body).select_one(
        ".cs-feedback-item").text
    shanghai = created + timedelta(hours=8)
    assert shanghai.strftime("%H:%M") in text
    assert "(UTC)" not in text
