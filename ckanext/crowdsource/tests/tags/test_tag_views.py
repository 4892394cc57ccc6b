"""The reader-tag partial on the dataset page, its htmx forms, and the site page."""
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from ckanext.crowdsource.tests.helpers import as_user, log_in, log_out

pytestmark = pytest.mark.usefixtures("clean_db")

HTMX = {"HX-Request": "true"}


def cloud(html):
    section = BeautifulSoup(html, "html.parser").find(id="reader-tags")
    assert section is not None
    return section


def tags_in(section):
    return {li["data-tag"]: li for li in section.select("li.reader-tag")}


def test_anonymous_sees_the_cloud_and_a_login_link(app, world):
    section = cloud(app.get(f"/dataset/{world['ds']['name']}").body)
    tags = tags_in(section)
    assert set(tags) == {"spam", "maps"}
    assert tags["spam"].select_one(".reader-tag-count").text == "2"
    link = tags["maps"].select_one("a.reader-tag-name")["href"]
    assert link == "/dataset/?vocab_crowd_tags=maps"
    assert section.select_one(".reader-tags-login a") is not None
    assert section.select_one("form.reader-tag-add") is None
    assert not section.select("form")


def test_reader_adds_removes_and_flags_through_htmx(app, world):
    ds, reader = world["ds"], world["reader2"]
    log_in(app, reader)
    page = cloud(app.get(f"/dataset/{ds['name']}").body)
    assert page.select_one("form.reader-tag-add input[name=_csrf_token]") is not None
    assert page.select_one("li[data-tag=spam] .reader-tag-remove") is not None  # own tag
    assert page.select_one("li[data-tag=maps] .reader-tag-flag") is not None  # someone else's
    assert page.select_one(".reader-tag-hide") is None  # not staff

    res = app.post(f"/dataset/{ds['id']}/reader-tags/add", data={"tag": "古籍, Old Maps"},
                   headers=HTMX)
    section = cloud(res.body)
    assert {"古籍", "old maps"} <= set(tags_in(section))
    assert "mine" in tags_in(section)["古籍"]["class"]

    res = app.post(f"/dataset/{ds['id']}/reader-tags/add", data={"tag": "<script>"},
                   headers=HTMX)
    assert "not allowed" in cloud(res.body).select_one(".reader-tags-error").text

    res = app.post(f"/dataset/{ds['id']}/reader-tags/remove", data={"tag": "古籍"},
                   headers=HTMX)
    assert "古籍" not in tags_in(cloud(res.body))

    res = app.post(f"/dataset/{ds['id']}/reader-tags/flag", data={"tag": "maps"},
                   headers={**HTMX, "HX-Prompt": "wrong word"})
    flagged = cloud(res.body)
    assert not flagged.select(".reader-tags-error")
    # flagged once: said in words, and no button to flag it again
    assert "Flagged" in tags_in(flagged)["maps"].select_one(".reader-tag-flagged").text
    assert tags_in(flagged)["maps"].select_one(".reader-tag-flag") is None
    assert tags_in(cloud(app.get(f"/dataset/{ds['name']}").body))["maps"].select_one(
        ".reader-tag-flagged") is not None
    queue = as_user(world["editor"], "crowdsource_moderation_list")["results"]
    assert [(r["label"], r["flag_reasons"][0]["reason"]) for r in queue] == [
        ("maps", "wrong word")]


def test_plain_form_post_redirects_back(app, world):
    ds = world["ds"]
    log_in(app, world["reader"])
    res = app.post(f"/dataset/{ds['id']}/reader-tags/add", data={"tag": "atlas"},
                   follow_redirects=False)
    assert res.status_code == 302 and res.headers["Location"].endswith(f"/dataset/{ds['name']}")
    listed = as_user(None, "crowdsource_tag_list", package_id=ds["id"])["results"]
    assert "atlas" in {t["tag"] for t in listed}


def test_staff_controls(app, world):
    ds = world["ds"]
    log_in(app, world["editor"])
    section = cloud(app.get(f"/dataset/{ds['name']}").body)
    assert section.select_one("li[data-tag=spam] .reader-tag-hide") is not None
    assert section.select_one("li[data-tag=spam] .reader-tag-promote") is not None
    res = app.post(f"/dataset/{ds['id']}/reader-tags/hide", data={"tag": "spam"},
                   headers={**HTMX, "HX-Prompt": "advertising"})
    hidden = tags_in(cloud(res.body))["spam"]
    assert "is-hidden" in hidden["class"] and "advertising" in hidden.text
    assert hidden.select_one(".reader-tag-restore") is not None
    log_out(app)
    assert "spam" not in tags_in(cloud(app.get(f"/dataset/{ds['name']}").body))


def test_a_chinese_hide_reason_is_stored_as_typed(app, world):
    """The reason typed into htmx's prompt comes percent-encoded when it is not
    Latin-1; the author and the queue read it back as typed."""
    ds = world["ds"]
    log_in(app, world["editor"])
    res = app.post(f"/dataset/{ds['id']}/reader-tags/hide", data={"tag": "spam"},
                   headers={**HTMX, "HX-Prompt": quote("广告 / 无关", safe=""),
                            "HX-Prompt-URI-AutoEncoded": "true"})
    assert "广告 / 无关" in tags_in(cloud(res.body))["spam"].text
    log_ = as_user(world["editor"], "crowdsource_moderation_log_list",
                   item_type="tag")["results"]
    assert [e["reason"] for e in log_ if e["action"] == "hide"] == ["广告 / 无关"]


def test_staff_promote_through_htmx(app, world):
    ds = world["ds"]
    log_in(app, world["editor"])
    res = app.post(f"/dataset/{ds['id']}/reader-tags/promote", data={"tag": "maps"},
                   headers=HTMX)
    assert not cloud(res.body).select(".reader-tags-error")
    shown = as_user(None, "package_show", id=ds["id"])
    assert [t["name"] for t in shown["tags"]] == ["maps"]


def test_readers_cannot_use_staff_forms(app, world):
    log_in(app, world["reader"])
    res = app.post(f"/dataset/{world['ds']['id']}/reader-tags/hide", data={"tag": "spam"},
                   headers=HTMX)
    assert res.status_code == 403
    log_out(app)
    res = app.post(f"/dataset/{world['ds']['id']}/reader-tags/add", data={"tag": "x"})
    assert res.status_code == 403
    assert app.post("/dataset/no-such/reader-tags/add", data={"tag": "x"}).status_code == 404
    assert app.post(f"/dataset/{world['ds']['id']}/reader-tags/explode").status_code == 404


def test_site_page_links_to_the_facet(app, world):
    res = app.get("/crowdsource/tags")
    page = BeautifulSoup(res.body, "html.parser")
    assert page.title.text.startswith("Reader tags")
    assert page.select_one(".breadcrumb .active").text.strip() == "Reader tags"
    links = {a.text: a["href"] for a in page.select(".reader-tag-cloud a")}
    assert links == {"spam": "/dataset/?vocab_crowd_tags=spam",
                     "maps": "/dataset/?vocab_crowd_tags=maps"}
    found = app.get(links["maps"]).body
    assert world["ds"]["title"] in found
    org = world["org"]["name"]
    assert app.get("/crowdsource/tags", query_string={"organization": org}).status_code == 200
    res = app.get("/crowdsource/tags", query_string={"organization": "no-such-org"})
    assert res.status_code == 404
    res = app.get("/crowdsource/tags", query_string={"organization": "bad\x00org"})
    assert res.status_code == 400


@pytest.mark.ckan_config("ckanext.crowdsource.moderation.flag_threshold", 1)
def test_moderation_page(app, world):
    as_user(world["reader2"], "crowdsource_flag_create", item_type="tag",
            item_id=f"{world['ds']['id']}:maps", reason="off topic")
    log_in(app, world["editor"])
    page = BeautifulSoup(app.get("/crowdsource/moderation").body, "html.parser")
    rows = page.select("table.moderation-queue tbody tr")
    assert len(rows) == 1 and "off topic" in rows[0].text and "maps" in rows[0].text
    res = app.post("/crowdsource/moderation/review", data={
        "item_type": "tag", "item_id": f"{world['ds']['id']}:maps", "decision": "clear"},
        follow_redirects=False)
    assert res.status_code == 302
    assert as_user(world["editor"], "crowdsource_moderation_list")["count"] == 0
    log_in(app, world["reader"])
    assert app.get("/crowdsource/moderation").status_code == 403
    log_out(app)
    assert app.get("/crowdsource/moderation").status_code == 403


def test_chinese_interface(app, world):
    log_in(app, world["reader"])
    section = cloud(app.get(f"/zh_Hans_CN/dataset/{world['ds']['name']}").body)
    assert "读者标签" in section.h3.text
    assert section.select_one("#reader-tag-input")["placeholder"] == "添加标签，用逗号分隔"
    assert "2 位读者添加了这个标签" in str(section)
