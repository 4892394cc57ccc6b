"""A question that staff hid, or that waits in pre-moderation, is seen only by
its asker and staff of the dataset's organization (sysadmins; for questions
about the library, sysadmins alone): everyone else gets "not found" for the
thread, its page and its posts, and never finds it in a list or a count.

Each read path is tried as anonymous, another reader, the asker, staff of
another organization, staff of the dataset's organization and a sysadmin.
"""
import pytest
from bs4 import BeautifulSoup
from ckan import logic
from ckan.tests.helpers import changed_config

from ckanext.crowdsource.discussion import core
from ckanext.crowdsource.tests.helpers import as_user, log_in, log_out

TITLE, BODY = "Whose handwriting is this", "The margin notes on sheet 4"
OTHERS = (None, "reader2", "other_editor")  # never see it
SEE = ("reader", "editor", "sysadmin")  # the asker and staff
EVERYONE = OTHERS + SEE


def user(lib, who):
    return lib[who] if who else None


def ask(lib, state, package_id):
    """A question by "reader", hidden by staff or waiting for approval."""
    where = {"package_id": package_id} if package_id else {}
    q = as_user(lib["reader"], "crowdsource_question_create", title=TITLE, body=BODY, **where)
    if state == "hidden":
        as_user(lib["sysadmin"], "crowdsource_moderation_decide", item_type="post",
                item_id=q["question"]["id"], decision="hide", reason="personal data")
    assert as_user(lib["reader"], "crowdsource_post_show",
                   id=q["question"]["id"])["state"] == state
    return q


def _pages(app, lib, who, q, ds_name):
    """What each page shows ``who``: the question page's status, and whether
    the title is on the dataset's Questions tab and on the questions page."""
    if who:
        log_in(app, lib[who])
    else:
        log_out(app)
    page = app.get(f"/crowdsource/questions/{q['id']}")
    tab = app.get(f"/dataset/{ds_name}/questions").body if ds_name else ""
    site = app.get("/crowdsource/questions").body
    site_only = app.get("/crowdsource/questions?site=1").body
    return page, TITLE in tab, TITLE in site, TITLE in site_only


def check_reads(app, lib, q, allowed, refused, package_id=None, ds_name=None):
    for who in EVERYONE:
        sees = who in allowed
        assert who in allowed or who in refused
        u = user(lib, who)
        if sees:
            shown = as_user(u, "crowdsource_thread_show", id=q["id"])
            assert shown["title"] == TITLE and shown["question"]["body"] == BODY, who
            assert as_user(u, "crowdsource_post_show", id=q["question"]["id"])["body"] == BODY
        else:
            with pytest.raises(logic.NotFound):
                as_user(u, "crowdsource_thread_show", id=q["id"])
            with pytest.raises(logic.NotFound):
                as_user(u, "crowdsource_post_show", id=q["question"]["id"])
        listings = [as_user(u, "crowdsource_question_list"),
                    as_user(u, "crowdsource_question_list", user_id=lib["reader"]["id"]),
                    as_user(u, "crowdsource_question_list", status="open")]
        if package_id:
            listings += [as_user(u, "crowdsource_question_list", package_id=package_id),
                         as_user(u, "crowdsource_thread_list", package_id=package_id)]
        else:
            listings.append(as_user(u, "crowdsource_question_list", site=True))
        for listed in listings:
            assert listed["count"] == (1 if sees else 0), (who, listed)
            assert [r["title"] for r in listed["results"]] == ([TITLE] if sees else []), who
        page, on_tab, on_site, on_site_only = _pages(app, lib, who, q, ds_name)
        if sees:
            assert page.status_code == 200 and TITLE in page.body, who
        else:
            assert page.status_code == 404 and TITLE not in page.body, who
        assert on_tab is (sees and bool(ds_name)), who
        assert on_site is sees, who
        assert on_site_only is (sees and not package_id), who
    log_out(app)


@pytest.mark.ckan_config("ckanext.crowdsource.discussion.premoderation_posts", 1)
def test_a_pending_question_is_seen_by_its_asker_and_staff_only(app, lib):
    q = ask(lib, "pending", lib["ds"]["id"])
    check_reads(app, lib, q, SEE, OTHERS, lib["ds"]["id"], lib["ds"]["name"])
    counts = BeautifulSoup(app.get(f"/dataset/{lib['ds']['name']}").body, "html.parser")
    assert "Questions (0)" in [a.get_text(" ", strip=True) for a in counts.select(".nav a")]
    as_user(lib["editor"], "crowdsource_moderation_decide", item_type="post",
            item_id=q["question"]["id"], decision="approve")
    check_reads(app, lib, q, EVERYONE, (), lib["ds"]["id"], lib["ds"]["name"])


def test_a_hidden_question_is_seen_by_its_asker_and_staff_only(app, lib):
    q = ask(lib, "hidden", lib["ds"]["id"])
    check_reads(app, lib, q, SEE, OTHERS, lib["ds"]["id"], lib["ds"]["name"])
    tabs = BeautifulSoup(app.get(f"/dataset/{lib['ds']['name']}").body, "html.parser")
    assert "Questions (0)" in [a.get_text(" ", strip=True) for a in tabs.select(".nav a")]
    as_user(lib["editor"], "crowdsource_moderation_decide", item_type="post",
            item_id=q["question"]["id"], decision="restore")
    check_reads(app, lib, q, EVERYONE, (), lib["ds"]["id"], lib["ds"]["name"])


@pytest.mark.parametrize("state", ["hidden", "pending"])
def test_a_question_about_the_library_is_for_sysadmins_and_its_asker(app, lib, state):
    with changed_config("ckanext.crowdsource.discussion.premoderation_posts",
                        1 if state == "pending" else 0):
        q = ask(lib, state, None)
    check_reads(app, lib, q, ("reader", "sysadmin"), OTHERS + ("editor",))


def test_the_answers_of_a_hidden_question_go_with_it(app, lib):
    q = as_user(lib["reader"], "crowdsource_question_create", package_id=lib["ds"]["id"],
                title=TITLE, body=BODY)
    answer = as_user(lib["reader2"], "crowdsource_post_create", thread_id=q["id"], body="Mine")
    as_user(lib["editor"], "crowdsource_moderation_decide", item_type="post",
            item_id=q["question"]["id"], decision="hide")
    for who in ("reader2", "reader3"):  # even the answer's author
        with pytest.raises(logic.NotFound):
            as_user(lib[who], "crowdsource_post_show", id=answer["id"])
        with pytest.raises(logic.NotFound):
            as_user(lib[who], "crowdsource_post_create", thread_id=q["id"], body="again")
        with pytest.raises(logic.NotFound):
            as_user(lib[who], "crowdsource_post_create", parent_id=answer["id"], body="re")
    with pytest.raises(logic.NotFound):
        as_user(lib["reader3"], "crowdsource_post_vote", id=answer["id"], vote=1)
    with pytest.raises(logic.NotFound):
        as_user(lib["reader2"], "crowdsource_post_update", id=answer["id"], body="edited")
    assert app.get(f"/crowdsource/posts/{answer['id']}/replies").status_code == 404
    # what the moderation item type asks
    for who, sees in (("", False), ("reader2", False), ("reader3", False), ("reader", True),
                      ("editor", True), ("other_editor", False), ("sysadmin", True)):
        context = {"user": lib[who]["name"] if who else ""}
        assert core.sees_post(context, answer["id"]) is sees, who
        assert core.sees_post(context, q["question"]["id"]) is sees, who
    assert core.sees_post({"user": ""}, "nope") is False
    # the asker and staff go on as before
    as_user(lib["reader"], "crowdsource_answer_accept", id=answer["id"])
    as_user(lib["editor"], "crowdsource_post_create", thread_id=q["id"], body="Staff note")
    shown = as_user(lib["editor"], "crowdsource_thread_show", id=q["id"])
    assert shown["title"] == TITLE and shown["count"] == 2


def test_more_replies_of_an_answer_load_on_a_question(app, lib):
    """``root_id`` on a question's thread: the answer with its replies (it
    was "not found" while the question was looked up only without it)."""
    q = as_user(lib["reader"], "crowdsource_question_create", package_id=lib["ds"]["id"],
                title="Scale?", body="?")
    answer = as_user(lib["reader2"], "crowdsource_post_create", thread_id=q["id"], body="1:500")
    as_user(lib["reader3"], "crowdsource_post_create", parent_id=answer["id"], body="sure?")
    shown = as_user(None, "crowdsource_thread_show", id=q["id"], root_id=answer["id"])
    assert [p["id"] for p in shown["posts"]] == [answer["id"]]
    assert shown["posts"][0]["replies"][0]["body"] == "sure?"
    res = app.get(f"/crowdsource/posts/{answer['id']}/replies")
    assert res.status_code == 200 and "sure?" in res.body
