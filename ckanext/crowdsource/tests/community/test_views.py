"""The community pages: the list with its search, activity and proposals,
a community's page with its datasets, tasks and join button, the forms of
its moderators and owners, the group page's tab and the reader's profile."""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from ckan import model
from ckan.tests import helpers

from ckanext.crowdsource.community import activity
from ckanext.crowdsource.tests.community.calls import community, joined, proposal
from ckanext.crowdsource.tests.helpers import as_user, log_in, log_out

HTMX = {"HX-Request": "true"}
DO = "/crowdsource/communities/do/"


def soup(res: Any) -> BeautifulSoup:
    return BeautifulSoup(res.get_data(as_text=True), "html.parser")


def names(page: BeautifulSoup, selector: str = ".cs-community-link") -> list[str]:
    return [a.get_text(strip=True) for a in page.select(selector)]


def in_group(lib: dict[str, Any], c: dict[str, Any], dataset: dict[str, Any]) -> None:
    helpers.call_action("member_create", id=c["id"], object=dataset["id"],
                        object_type="package", capacity="public")


# --- the list -------------------------------------------------------------------------

def test_list_shows_members_activity_search_and_mine_first(app, lib):
    first = joined(lib, community(lib, title="Alpha maps"), "reader2", "reader3")
    mine = community(lib, title="Zeta rare books", owner="reader2")
    community(lib, title="Beta local news", owner=None)
    in_group(lib, first, lib["ds"])
    as_user(lib["reader2"], "crowdsource_post_create", package_id=lib["ds"]["id"], body="Nice")
    as_user(lib["reader3"], "crowdsource_tag_add", package_id=lib["ds"]["id"], tag="地图")
    # a contribution on a dataset outside the group does not count
    as_user(lib["reader3"], "crowdsource_tag_add", package_id=lib["ds2"]["id"], tag="地图")
    page = soup(app.get("/crowdsource/communities"))
    assert names(page) == ["Alpha maps", "Beta local news", "Zeta rare books"]
    items = {i.select_one(".cs-community-link").get_text(strip=True): i.get_text(" ", strip=True)
             for i in page.select(".cs-community-item")}
    assert "3 members" in items["Alpha maps"]
    assert "2 contributions in the last 30 days" in items["Alpha maps"]
    assert "0 contributions" in items["Beta local news"]
    log_in(app, lib["reader2"])
    page = soup(app.get("/crowdsource/communities"))
    assert names(page)[:2] == ["Alpha maps", "Zeta rare books"]  # theirs first
    assert names(soup(app.get("/crowdsource/communities?q=rare"))) == ["Zeta rare books"]
    assert mine["name"]
    empty = soup(app.get("/crowdsource/communities?q=nothing-like-it"))
    assert empty.select_one(".empty") is not None


def test_activity_counts_claims_on_community_tasks_and_not_private_datasets(lib):
    c = joined(lib, community(lib), "reader2")
    in_group(lib, c, lib["private"])
    as_user(lib["editor"], "crowdsource_tag_add", package_id=lib["private"]["id"], tag="x")
    task = as_user(lib["editor"], "crowdsource_task_create", package_id=lib["ds2"]["id"],
                   kind="tag", title="Tag the loans", community_id=c["id"])
    as_user(lib["reader2"], "crowdsource_task_claim", id=task["id"])
    assert activity.recent([c["id"]]) == {c["id"]: 1}


def test_bad_list_input_is_a_client_error(app, lib):
    assert app.get("/crowdsource/communities?page=abc").status_code == 400
    assert app.get("/crowdsource/communities?q=%00").status_code in (200, 400)


# --- proposals ------------------------------------------------------------------------

def test_reader_proposes_and_staff_approve_from_the_list(app, lib):
    log_in(app, lib["reader2"])
    assert soup(app.get("/crowdsource/communities")).select_one(
        "form.cs-propose input[name=_csrf_token]") is not None
    res = app.post(DO + "propose", data={"name": "rare-books", "title": "古籍 Rare books",
                                         "description": "**Old** books",
                                         "subject_tags": "books, history",
                                         "join_policy": "request"}, follow_redirects=False)
    assert res.status_code == 302 and res.headers["Location"].endswith(
        "/crowdsource/community/rare-books")
    shown = as_user(lib["reader2"], "crowdsource_community_show", id="rare-books")
    assert shown["status"] == "proposed" and shown["scope"] == {"tags": ["books", "history"]}
    page = soup(app.get("/crowdsource/community/rare-books"))
    assert page.select_one(".cs-proposal-state") is not None
    assert page.select_one(".cs-community-description strong").text == "Old"
    assert names(soup(app.get("/crowdsource/communities")), ".cs-proposal a") == [
        "古籍 Rare books"]
    # other readers and visitors are told it does not exist
    log_in(app, lib["reader3"])
    assert app.get("/crowdsource/community/rare-books").status_code == 404
    assert soup(app.get("/crowdsource/communities")).select(".cs-proposal") == []
    log_out(app)
    assert app.get("/crowdsource/community/rare-books").status_code == 404
    # a reader may not review: a proposal they cannot see is not found, one
    # they can see (the proposer's own) is refused with 403
    log_in(app, lib["reader3"])
    res = app.post(DO + "review", data={"id": shown["id"], "decision": "approve"},
                   follow_redirects=False)
    assert res.status_code == 302 and "/user/login" not in res.headers["Location"]
    log_in(app, lib["reader2"])
    res = app.post(DO + "review", data={"id": shown["id"], "decision": "approve"})
    assert res.status_code == 403
    assert as_user(lib["reader2"], "crowdsource_community_show", id="rare-books")[
        "status"] == "proposed"
    # staff approve it from the list
    log_in(app, lib["other_editor"])
    page = soup(app.get("/crowdsource/communities"))
    assert page.select_one("#cs-proposals") is not None
    assert page.select_one(f"[data-community='{shown['id']}'] form.cs-review") is not None
    res = app.post(DO + "review", data={"id": shown["id"], "decision": "approve",
                                        "note": "欢迎"}, follow_redirects=False)
    assert res.status_code == 302
    assert as_user(None, "crowdsource_community_show", id="rare-books")["status"] == "active"


def test_bad_proposal_is_a_message_not_an_error(app, lib):
    log_in(app, lib["reader2"])
    res = app.post(DO + "propose", data={"name": "X Y", "title": ""}, follow_redirects=True)
    assert res.status_code == 200
    assert soup(res).select_one(".alert-error, .alert-danger") is not None
    assert as_user(lib["sysadmin"], "crowdsource_community_list", status="proposed")[
        "count"] == 0


def test_visitors_are_sent_to_log_in(app, lib):
    c = community(lib)
    page = soup(app.get(f"/crowdsource/community/{c['name']}"))
    assert "/user/login" in page.select_one(".cs-join a")["href"]
    assert soup(app.get("/crowdsource/communities")).select_one("form.cs-propose") is None
    for verb in ("propose", "join", "review"):
        res = app.post(DO + verb, data={"id": c["id"]}, follow_redirects=False)
        assert res.status_code == 302 and "/user/login" in res.headers["Location"]
    assert app.post(DO + "zz-unknown").status_code == 404


# --- a community's page -----------------------------------------------------------------

def test_community_page_datasets_tasks_and_moderators(app, lib):
    c = community(lib, description="About *maps*")
    in_group(lib, c, lib["ds"])
    in_group(lib, c, lib["private"])
    as_user(lib["editor"], "crowdsource_task_create", package_id=lib["ds"]["id"],
            kind="describe", title="Describe the maps", community_id=c["id"])
    as_user(lib["editor"], "crowdsource_task_create", package_id=lib["private"]["id"],
            kind="describe", title="Check the rota", community_id=c["id"])
    as_user(lib["editor"], "crowdsource_task_create", package_id=lib["ds"]["id"],
            kind="describe", title="Meant for everyone")
    page = soup(app.get(f"/crowdsource/community/{c['name']}"))
    text = page.get_text(" ", strip=True)
    assert names(page, ".cs-community-datasets li a") == ["City Maps"]
    assert "Staff Rota" not in text and "Check the rota" not in text
    assert names(page, ".cs-community-tasks li > a") == ["Describe the maps"]
    assert page.select_one(".cs-community-description em").text == "maps"
    assert lib["reader"]["name"] in [a["href"].rsplit("/", 1)[1]
                                     for a in page.select(".cs-community-leaders a")]
    # staff of the organization see the private dataset and its task
    log_in(app, lib["editor"])
    page = soup(app.get(f"/crowdsource/community/{c['id']}"))
    assert sorted(names(page, ".cs-community-datasets li a")) == ["City Maps", "Staff Rota"]
    assert "Check the rota" in page.get_text()
    assert app.get("/crowdsource/community/no-such-thing").status_code == 404
    assert app.get(f"/crowdsource/community/{c['name']}?page=x").status_code == 400


def test_join_and_leave_through_htmx(app, lib):
    c = community(lib)
    log_in(app, lib["reader2"])
    page = soup(app.get(f"/crowdsource/community/{c['name']}"))
    assert page.select_one(".cs-join")["data-state"] == "none"
    res = app.post(DO + "join", data={"id": c["id"]}, headers=HTMX)
    part = soup(res)
    assert part.select_one(".cs-join")["data-state"] == "active"
    assert part.select_one(".cs-leave") is not None
    res = app.post(DO + "leave", data={"id": c["id"]}, headers=HTMX)
    assert soup(res).select_one(".cs-join")["data-state"] == "none"
    # without JavaScript: redirected back with a message
    res = app.post(DO + "join", data={"id": c["id"]}, follow_redirects=False)
    assert res.status_code == 302 and res.headers["Location"].endswith(
        f"/crowdsource/community/{c['id']}")


def test_on_request_moderators_decide_and_owners_set_roles(app, lib):
    c = community(lib, join_policy="request")
    log_in(app, lib["reader2"])
    part = soup(app.post(DO + "join", data={"id": c["id"]}, headers=HTMX))
    assert part.select_one(".cs-join")["data-state"] == "pending"
    assert "Request waiting" in part.get_text()
    # a plain reader sees no requests and may not decide
    log_in(app, lib["reader3"])
    page = soup(app.get(f"/crowdsource/community/{c['name']}"))
    assert page.select_one(".cs-community-requests") is None
    assert page.select("form .cs-set-role") == []
    res = app.post(DO + "admit", data={"id": c["id"], "user_id": lib["reader2"]["name"],
                                       "decision": "approve"})
    assert res.status_code == 403
    res = app.post(DO + "role", data={"id": c["id"], "user_id": lib["reader"]["name"],
                                      "role": "member"})
    assert res.status_code == 403
    # the owner approves, then makes them a moderator
    log_in(app, lib["reader"])
    page = soup(app.get(f"/crowdsource/community/{c['name']}"))
    assert page.select_one(f".cs-request[data-user='{lib['reader2']['name']}']") is not None
    res = app.post(DO + "admit", data={"id": c["id"], "user_id": lib["reader2"]["name"],
                                       "decision": "approve"})
    assert "The reader is a member now" in res.get_data(as_text=True)
    page = soup(app.get(f"/crowdsource/community/{c['name']}"))
    assert page.select_one(f".cs-member[data-user='{lib['reader2']['name']}'] select") is not None
    res = app.post(DO + "role", data={"id": c["id"], "user_id": lib["reader2"]["name"],
                                      "role": "moderator"}, follow_redirects=False)
    assert res.status_code == 302
    moderators = as_user(None, "crowdsource_community_show", id=c["id"])["moderators"]
    assert [m["role"] for m in moderators] == ["owner", "moderator"]
    # bad input: a message, not an error
    res = app.post(DO + "role", data={"id": c["id"], "user_id": "nobody-here",
                                      "role": "owner"}, follow_redirects=True)
    assert res.status_code == 200 and "No such user" in res.get_data(as_text=True)


# --- CKAN's pages ---------------------------------------------------------------------------

def test_group_page_has_a_community_tab_and_profile_lists_mine(app, lib):
    c = joined(lib, community(lib), "reader2")
    page = soup(app.get(f"/group/{c['name']}"))
    assert f"/crowdsource/community/{c['name']}" in [a["href"] for a in page.select(".nav a")]
    plain = soup(app.get(f"/group/{lib['community']['name']}"))
    assert "/crowdsource/community/" not in str(plain.select(".nav"))
    log_in(app, lib["reader2"])
    mine = soup(app.get(f"/user/{lib['reader2']['name']}"))
    assert names(mine, ".cs-my-communities p a")[0] == c["title"]
    theirs = soup(app.get(f"/user/{lib['reader3']['name']}"))
    assert theirs.select_one(".cs-my-communities") is None


@pytest.mark.ckan_config("ckanext.crowdsource.common.list_limit_default", "2")
def test_community_page_pages_its_members(app, lib):
    c = joined(lib, community(lib), "reader2", "reader3", "member")  # and its owner
    seen = []
    for number in (1, 2):
        page = soup(app.get(f"/zh_Hans_CN/crowdsource/community/{c['name']}?members={number}"))
        seen += [m["data-user"] for m in page.select(".cs-member")]
        nav = page.select_one(".cs-members-pages")
        assert f"第 {number} 页，共 2 页" in nav.get_text(" ", strip=True)
        assert len(nav.select("a")) == 1
    assert sorted(seen) == sorted(lib[w]["name"] for w in ("reader", "reader2", "reader3",
                                                            "member"))
    assert app.get(f"/crowdsource/community/{c['name']}?members=x").status_code == 400


def test_staff_make_a_group_a_community_from_its_page(app, lib):
    group = lib["community"]["name"]
    assert soup(app.get(f"/group/{group}")).select_one(".cs-make-community") is None
    log_in(app, lib["reader2"])
    assert soup(app.get(f"/group/{group}")).select_one(".cs-make-community") is None
    log_in(app, lib["editor"])
    form = soup(app.get(f"/zh_Hans_CN/group/{group}")).select_one(".cs-make-community")
    assert form.button.get_text(strip=True) == "设为学科社区"
    res = app.post(form["action"], data={"id": form.select_one("[name=id]")["value"]},
                   follow_redirects=False)
    assert res.status_code == 302
    assert res.headers["Location"].endswith(f"/crowdsource/community/{group}")
    assert as_user(lib["reader2"], "crowdsource_community_show", id=group)["status"] == "active"
    page = soup(app.get(f"/group/{group}"))
    assert page.select_one(".cs-make-community") is None
    assert f"/crowdsource/community/{group}" in [a["href"] for a in page.select(".nav a")]
    # again, or a group that is not there: a message, not an error
    for ref in (group, "no-such-group"):
        res = app.post("/crowdsource/communities/do/create", data={"id": ref})
        assert res.status_code == 200
        assert soup(res).select_one(".alert-error, .alert-danger") is not None


def test_nav_and_hub_link_to_communities(app, lib):
    page = soup(app.get("/crowdsource"))
    assert "/crowdsource/communities" in [a["href"] for a in page.select(".cs-hub-links a")]
    proposal(lib)
    log_in(app, lib["editor"])
    page = soup(app.get("/crowdsource"))
    staff = {a.get_text(strip=True): li for li in page.select(".cs-hub-staff li")
             for a in li.select("a")[:1]}
    assert "1 waiting" in staff["Community proposals"].get_text()


def test_community_page_lists_its_questions_and_experts(app, lib):
    """Questions asked inside the community, as the viewer may see them, and
    the members whose answers there were accepted."""
    c = joined(lib, community(lib), "reader2", "reader3")
    inside = as_user(lib["reader2"], "crowdsource_question_create", community_id=c["id"],
                     title="哪里有老城门的照片？", body="Photos of the old gate?")
    answer = as_user(lib["reader3"], "crowdsource_post_create", thread_id=inside["id"],
                     body="In the photo archive, box 12.")
    as_user(lib["reader2"], "crowdsource_answer_accept", id=answer["id"])
    as_user(lib["reader2"], "crowdsource_question_create", title="Opening hours?",
            body="At weekends?")  # a question for the library, outside the community
    log_out(app)
    page = soup(app.get(f"/zh_Hans_CN/crowdsource/community/{c['name']}"))
    section = page.select_one(".cs-community-questions")
    assert [a.text for a in section.select(".cs-home-item > a")][:1] == ["哪里有老城门的照片？"]
    assert "Opening hours?" not in section.text
    experts = [li.text.split() for li in section.select(".cs-community-experts li")]
    assert experts and experts[0][-2:] == ["1", "个回答被采纳"]
    assert section.select_one(".cs-community-experts a")["href"].endswith(
        f"/user/{lib['reader3']['name']}/contributions")


def test_community_page_reads_the_community_and_the_viewers_role_once(app, lib):
    """The page's actions and their auth functions share one read of the
    community and of the viewer's role in it (a GET request's memo)."""
    c = joined(lib, community(lib), "reader2")
    log_in(app, lib["reader2"])
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    engine = model.ensure_engine()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert app.get(f"/crowdsource/community/{c['name']}").status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    rows = [s for s in statements if "crowdsource_community.join_policy" in s]
    roles = [s for s in statements
             if s.startswith("SELECT crowdsource_community_member.role FROM")]
    assert len(rows) == 1 and len(roles) == 1
    # a write in the same process still sees the community afresh
    as_user(lib["reader"], "crowdsource_community_update", id=c["id"], join_policy="request")
    assert as_user(lib["reader2"], "crowdsource_community_show", id=c["id"])[
        "join_policy"] == "request"
