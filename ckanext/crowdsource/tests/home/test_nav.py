"""The reader's way in: the header's "Take part" and "Library staff" menus,
the /crowdsource page and the home page's blocks."""
from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup

from ckanext.crowdsource.tests.helpers import as_user, log_in

READER_PAGES = {"/crowdsource/tasks", "/crowdsource/questions", "/crowdsource/requests",
                "/crowdsource/tags", "/crowdsource/communities"}
# the proposals waiting are on the list of communities, for the staff of any organization
PROPOSALS = "/crowdsource/communities#cs-proposals"
# the dashboard counts nothing that waits
STATS = "/crowdsource/stats"
LOANS = "/crowdsource/loans/manage"
STAFF_PAGES = {"/crowdsource/review", "/crowdsource/moderation", "/crowdsource/feedback",
               PROPOSALS, STATS, LOANS}


def soup(body: str) -> BeautifulSoup:
    return BeautifulSoup(body, "html.parser")


def menu(page: BeautifulSoup, name: str) -> dict[str, str]:
    """A header menu's links: path (without query) to the link's text."""
    found = page.select_one(f"header .cs-nav-{name}")
    if found is None:
        return {}
    return {a["href"].split("?")[0]: " ".join(a.text.split())
            for a in found.select(".dropdown-menu a")}


def waiting(page: BeautifulSoup) -> dict[str, int]:
    """The counts beside the staff menu's links."""
    out = {}
    for a in page.select("header .cs-nav-staff .dropdown-menu a"):
        badge = a.select_one(".cs-waiting")
        out[a["href"].split("?")[0]] = int(badge.contents[0]) if badge else 0
    return out


def _work(lib: dict[str, Any]) -> dict[str, Any]:
    """One of each thing the blocks and counts show, on the public dataset,
    and the same on the private one (by a member of its organization, who
    can see it)."""
    out: dict[str, Any] = {}
    for key, reader in (("ds", lib["reader"]), ("private", lib["member"])):
        ds = lib[key]["id"]
        task = as_user(lib["editor"], "crowdsource_task_create", package_id=ds, kind="describe",
                       title=f"Describe {key}", capacity=2)
        claim = as_user(reader, "crowdsource_task_claim", id=task["id"])
        as_user(reader, "crowdsource_claim_submit", id=claim["id"],
                result={"text": "Old maps."})
        question = as_user(lib["editor"], "crowdsource_question_create", package_id=ds,
                           title=f"Who drew {key}?", body="The maps.")
        post = as_user(lib["editor"], "crowdsource_post_create", package_id=ds, body="Look")
        as_user(reader, "crowdsource_flag_create", item_type="post",
                item_id=post["id"], reason="spam")
        out[key] = {"task": task, "question": question}
    out["request"] = as_user(lib["reader"], "crowdsource_feedback_create", kind="request",
                             title="Maps of 1900", body="Please scan them",
                             package_id=lib["ds"]["id"])
    out["proposal"] = as_user(lib["reader2"], "crowdsource_community_propose",
                              name="rare-books", title="古籍 Rare books")
    # a loan waiting for approval, of the private dataset made lendable
    as_user(lib["editor"], "crowdsource_lendable_set", package_id=lib["private"]["id"],
            needs_approval=True)
    out["loan"] = as_user(lib["reader3"], "crowdsource_loan_request",
                          package_id=lib["private"]["id"])
    return out


def test_anonymous_readers_find_every_reader_page_from_the_header(app, lib):
    page = soup(app.get("/").body)
    links = menu(page, "take-part")
    assert READER_PAGES <= set(links) and "/crowdsource" in links
    assert "/crowdsource/feedback" not in links  # "My feedback" needs a log-in
    assert "/crowdsource/loans" not in links  # "My loans" too
    assert menu(page, "staff") == {}
    for url in READER_PAGES | {"/crowdsource"}:
        res = app.get(url)
        assert res.status_code == 200, url
        assert menu(soup(res.body), "take-part") == links, url  # on every page


def test_readers_see_their_feedback_link_and_no_staff_menu(app, lib):
    log_in(app, lib["reader"])
    page = soup(app.get("/dataset").body)
    links = menu(page, "take-part")
    assert links["/crowdsource/feedback"] == "My feedback"
    assert links["/crowdsource/loans"] == "My loans"
    assert page.select_one("header .cs-nav-take-part a[href$='mine=1']") is not None
    assert menu(page, "staff") == {}
    hub = soup(app.get("/crowdsource").body)
    assert hub.select_one("#cs-staff") is None and hub.select_one(".cs-hub-login") is None


def test_staff_menu_counts_what_waits_in_their_organization(app, lib):
    _work(lib)
    log_in(app, lib["editor"])
    page = soup(app.get("/dataset").body)
    assert set(menu(page, "staff")) == STAFF_PAGES
    # public and private datasets are both the editor's: a claim, a flag and
    # a request each (the request only on the public one)
    assert waiting(page) == {"/crowdsource/review": 2, "/crowdsource/moderation": 2,
                             "/crowdsource/feedback": 1, PROPOSALS: 1, STATS: 0, LOANS: 1}
    total = page.select_one("header #cs-nav-staff .cs-waiting")
    assert total.contents[0].strip() == "7"
    for url in STAFF_PAGES:
        assert app.get(url).status_code == 200, url
    hub = soup(app.get("/crowdsource").body)
    assert [" ".join(b.text.split()) for b in hub.select(".cs-hub-staff .cs-waiting")] == [
        "2 waiting", "2 waiting", "1 waiting", "1 waiting", "1 waiting"]


def test_staff_of_another_organization_count_nothing_of_this_one(app, lib):
    _work(lib)
    log_in(app, lib["other_editor"])
    page = soup(app.get("/dataset").body)
    # only the proposal: communities are the whole library's
    assert waiting(page) == {**{url: 0 for url in STAFF_PAGES}, PROPOSALS: 1}
    assert page.select_one("header #cs-nav-staff .cs-waiting").contents[0].strip() == "1"


def test_sysadmins_count_everything(app, lib):
    _work(lib)
    log_in(app, lib["sysadmin"])
    assert waiting(soup(app.get("/dataset").body)) == {
        "/crowdsource/review": 2, "/crowdsource/moderation": 2, "/crowdsource/feedback": 1,
        PROPOSALS: 1, STATS: 0, LOANS: 1}


def test_home_blocks_show_public_work_only(app, lib):
    work = _work(lib)
    page = soup(app.get("/").body)
    blocks = {s["class"][-1]: s for s in page.select(".cs-home .cs-home-block")}
    assert list(blocks) == ["cs-home-tasks", "cs-home-questions", "cs-home-requests",
                           "cs-home-communities", "cs-home-contributions"]
    text = page.select_one(".cs-home").text
    assert "Describe ds" in text and "Who drew ds?" in text and "Maps of 1900" in text
    assert "Describe private" not in text and "Who drew private?" not in text
    task_link = blocks["cs-home-tasks"].select_one(".cs-home-item a")["href"]
    assert task_link.endswith(work["ds"]["task"]["id"])
    log_in(app, lib["editor"])  # staff see their private dataset's work
    assert "Describe private" in soup(app.get("/").body).select_one(".cs-home").text


@pytest.mark.ckan_config("ckanext.crowdsource.home.blocks", "requests tasks nonsense")
def test_the_home_blocks_are_chosen_and_ordered_in_config(app, lib):
    page = soup(app.get("/").body)
    assert [s["class"][-1] for s in page.select(".cs-home .cs-home-block")] == [
        "cs-home-requests", "cs-home-tasks"]
    assert page.select_one(".cs-home-requests .empty") is not None  # nothing yet


@pytest.mark.ckan_config("ckanext.crowdsource.home.blocks", "")
def test_no_home_blocks_leaves_ckans_home_page_as_it_was(app, lib):
    page = soup(app.get("/").body)
    assert page.select_one(".cs-home") is None
    assert page.select_one(".homepage") is not None


def test_the_current_page_is_marked_in_the_menu(app, lib):
    page = soup(app.get("/crowdsource/questions").body)
    current = page.select("header .cs-nav-take-part a[aria-current=page]")
    assert [a["href"] for a in current] == ["/crowdsource/questions"]


def test_the_menus_and_blocks_speak_chinese(app, lib):
    _work(lib)
    log_in(app, lib["editor"])
    page = soup(app.get("/zh_Hans_CN/").body)
    assert page.select_one("#cs-nav-take-part").text.strip() == "参与"
    assert "馆员工作" in page.select_one("#cs-nav-staff").text
    assert menu(page, "staff")["/zh_Hans_CN/crowdsource/review"] == "审核提交 2 待处理"
    assert "需要你帮助的任务" in page.select_one(".cs-home").text


def test_ckans_javascript_translations_load_for_chinese(app):
    """CKAN's client asks /api/i18n/zh_Hans-CN for a page in zh_Hans_CN (it
    turns only the first dash of ``lang="zh-Hans-CN"`` back): answered with
    the zh_Hans_CN translations instead of CKAN's 400, so the page's
    JavaScript modules start. Unknown locales are still refused."""
    page = soup(app.get("/zh_Hans_CN/dataset").body)
    lang = page.html["lang"]
    asked = lang.replace("-", "_", 1)  # what CKAN's client.js does
    assert asked == "zh_Hans-CN"
    res = app.get(f"/api/i18n/{asked}")
    assert res.status_code == 200
    assert res.json == app.get("/api/i18n/zh_Hans_CN").json
    assert app.get("/api/i18n/xx-YY").status_code == 400
    assert app.get("/api/i18n/en").status_code == 200


def test_the_staff_counts_are_kept_until_the_next_write(app, lib):
    """The counts are kept in Redis (the header shows them on every page),
    and every crowdsource write retires them."""
    log_in(app, lib["editor"])
    assert waiting(soup(app.get("/dataset").body))["/crowdsource/moderation"] == 0
    post = as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                   body="cheap maps")
    as_user(lib["reader2"], "crowdsource_flag_create", item_type="post", item_id=post["id"],
            reason="spam")
    assert waiting(soup(app.get("/dataset").body))["/crowdsource/moderation"] == 1
