"""Sharing: the Share control on the four kinds of page, its links and QR
code, the share counts, link previews, and the action's refusals."""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import segno
from bs4 import BeautifulSoup
from ckan import logic, model
from ckan.tests import helpers

from ckanext.crowdsource.tests.community.calls import community
from ckanext.crowdsource.tests.helpers import as_user, log_in

Lib = dict[str, Any]


def soup(res: Any) -> BeautifulSoup:
    return BeautifulSoup(res.get_data(as_text=True), "html.parser")


def items(lib: Lib) -> dict[str, tuple[str, str, str]]:
    """One item of each kind: (its id, its page, its title)."""
    q = as_user(lib["reader"], "crowdsource_question_create", package_id=lib["ds"]["id"],
                title="老城门在哪里？ <b>gate</b>", body="Which **sheet**?")
    t = as_user(lib["editor"], "crowdsource_task_create", package_id=lib["ds"]["id"],
                kind="describe", title="Describe the maps", instructions="Say what they show")
    c = community(lib)
    return {"dataset": (lib["ds"]["id"], f"/dataset/{lib['ds']['name']}", lib["ds"]["title"]),
            "question": (q["id"], f"/crowdsource/questions/{q['id']}", q["title"]),
            "task": (t["id"], f"/crowdsource/tasks/{t['id']}", t["title"]),
            "community": (c["id"], f"/crowdsource/community/{c['name']}", c["display_name"])}


def test_every_kind_of_page_has_a_share_control_with_counted_links(app, lib):
    for item_type, (item_id, path, title) in items(lib).items():
        page = soup(app.get("/zh_Hans_CN" + path))
        box = page.select_one(".cs-share")
        assert box is not None, item_type
        assert box["data-module-item-type"] == item_type and box["data-module-item-id"] == item_id
        assert box.summary.get_text(" ", strip=True) == "分享"
        link = box.select_one(".cs-share-link")["value"]
        assert urlparse(link).path.endswith(path) and link.endswith("?src=ln")
        assert box.select_one(f"label[for='{box.select_one('.cs-share-link')['id']}']")
        assert box.select_one(".cs-share-copy").get_text(strip=True) == "复制链接"
        targets = {a["data-cs-channel"]: a for a in box.select("[data-cs-channel]")}
        assert set(targets) == {"weibo", "qq", "email"}
        weibo = parse_qs(urlparse(targets["weibo"]["href"]).query)
        assert weibo["url"][0].endswith(path + "?src=wb") and weibo["title"] == [title]
        assert parse_qs(urlparse(targets["qq"]["href"]).query)["url"][0].endswith("?src=qq")
        assert targets["email"]["href"].startswith("mailto:?subject=")
        assert all(a["rel"] == ["noopener", "noreferrer"] for a in targets.values())
        assert targets["weibo"].get_text(" ", strip=True).startswith("微博")
        # the QR code: an SVG of the address with the source code "qr"
        qr = app.get(box.select_one(".cs-share-qr-image")["src"])
        assert qr.status_code == 200 and qr.headers["Content-Type"].startswith("image/svg+xml")
        expected = segno.make(link.replace("?src=ln", "?src=qr"), error="m", micro=False)
        assert qr.get_data(as_text=True).count("<path") == 1
        assert f'width="{expected.symbol_size(scale=4, border=2)[0]}"' in qr.get_data(as_text=True)
        assert "default-src 'none'" in qr.headers["Content-Security-Policy"]
        # no script from another site on the page
        assert not [s["src"] for s in page.select("script[src]")
                    if urlparse(s["src"]).netloc not in ("", "127.0.0.1", "localhost")]
        # shared twice: the count shows on the item, for everyone
        as_user(None, "crowdsource_share_record", item_type=item_type, id=item_id,
                channel="qr")
        done = as_user(lib["reader2"], "crowdsource_share_record", item_type=item_type,
                       id=item_id, channel="weibo")
        assert done["count"] == 2 and done["url"].endswith("?src=wb")
        counted = soup(app.get("/zh_Hans_CN" + path)).select_one(".cs-share-count")
        assert counted.get_text(strip=True) == "· 已分享 2 次", item_type


def test_link_previews_name_the_item_and_are_escaped(app, lib):
    shown = items(lib)
    for item_type in ("dataset", "question", "task", "community"):
        page = soup(app.get(shown[item_type][1]))
        meta = {m.get("property") or m.get("name"): m["content"]
                for m in page.select("meta[property^='og:'], meta[name^='twitter:']")}
        assert meta["twitter:card"] == "summary", item_type
        assert meta["og:url"].endswith(shown[item_type][1]), item_type
        assert shown[item_type][2] in (meta.get("og:title") or ""), item_type
    question = soup(app.get(shown["question"][1]))
    raw = str(question.select_one("meta[property='og:title']"))
    assert "&lt;b&gt;gate&lt;/b&gt;" in raw and "<b>" not in raw
    assert question.select_one("meta[property='og:description']")["content"] == "Which sheet?"


def test_refusals_name_the_problem(app, lib):
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader"], "crowdsource_share_record", item_type="podcast",
                id=lib["ds"]["id"], channel="wechat", colour="red")
    assert set(e.value.error_dict) == {"item_type", "channel", "colour"}
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader"], "crowdsource_share_record", item_type="dataset")
    assert set(e.value.error_dict) == {"id", "channel"}
    with pytest.raises(logic.NotFound):
        as_user(lib["reader"], "crowdsource_share_record", item_type="dataset",
                id="no-such-dataset", channel="link")
    with pytest.raises(logic.NotAuthorized):  # as package_show answers them
        as_user(lib["reader"], "crowdsource_share_record", item_type="dataset",
                id=lib["private"]["id"], channel="link")
    # a dataset's discussion is not a question
    comment = as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                      body="Nice maps")
    with pytest.raises(logic.NotFound):
        as_user(lib["reader"], "crowdsource_share_record", item_type="question",
                id=comment["thread_id"], channel="link")
    # the private dataset's page and QR code: not for outsiders, for its staff
    assert app.get(f"/crowdsource/share/dataset/{lib['private']['name']}/qr.svg").status_code \
        == 404
    assert app.get("/crowdsource/share/podcast/x/qr.svg").status_code == 404
    log_in(app, lib["editor"])
    assert app.get(f"/crowdsource/share/dataset/{lib['private']['name']}/qr.svg").status_code \
        == 200
    assert as_user(lib["editor"], "crowdsource_share_record", item_type="dataset",
                   id=lib["private"]["name"], channel="email")["count"] == 1


@pytest.mark.ckan_config("ckanext.crowdsource.share.visitor_per_hour", "2")
def test_visitors_are_limited_per_address(lib):
    for _ in range(2):
        as_user(None, "crowdsource_share_record", item_type="dataset", id=lib["ds"]["id"],
                channel="link")
    with pytest.raises(logic.ValidationError) as e:
        as_user(None, "crowdsource_share_record", item_type="dataset", id=lib["ds"]["id"],
                channel="link")
    assert "rate_limit" in e.value.error_dict
    # readers are counted by the write limit instead
    assert as_user(lib["reader"], "crowdsource_share_record", item_type="dataset",
                   id=lib["ds"]["id"], channel="link")["count"] == 3


def test_a_purged_dataset_takes_its_shares_along(lib):
    as_user(lib["reader"], "crowdsource_share_record", item_type="dataset",
            id=lib["ds2"]["id"], channel="link")
    helpers.call_action("dataset_purge", context={"user": lib["sysadmin"]["name"]},
                        id=lib["ds2"]["id"])
    from ckanext.crowdsource.share.model import share
    left = model.Session.execute(share.select().where(share.c.item_id == lib["ds2"]["id"]))
    assert left.first() is None
