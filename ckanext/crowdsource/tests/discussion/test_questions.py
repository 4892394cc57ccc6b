"""Questions and answers: ask, answer, accept, verify, close, list."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from ckan import logic, model

from ckanext.crowdsource.discussion.model import thread as thread_table
from ckanext.crowdsource.tests.helpers import as_user


@pytest.fixture
def asked(lib):
    q = as_user(lib["reader"], "crowdsource_question_create", package_id=lib["ds"]["id"],
                title="  Which   year is the oldest map? ", body="I need the *earliest* one.")
    return {**lib, "q": q}


def answer(user, asked, body):
    return as_user(user, "crowdsource_post_create", thread_id=asked["q"]["id"], body=body)


def show(user, asked, **kw):
    return as_user(user, "crowdsource_thread_show", id=asked["q"]["id"], **kw)


def test_ask_and_answer(asked):
    q = asked["q"]
    assert q["kind"] == "question" and q["status"] == "open"
    assert q["title"] == "Which year is the oldest map?"
    assert q["question"]["body"] == "I need the *earliest* one."
    assert q["author"]["name"] == asked["reader"]["name"]
    a = answer(asked["reader2"], asked, "1850")
    assert a["kind"] == "answer" and a["thread_id"] == q["id"]
    c = as_user(asked["reader3"], "crowdsource_post_create", parent_id=a["id"], body="source?")
    assert c["kind"] == "comment"
    qc = as_user(asked["reader3"], "crowdsource_post_create", parent_id=q["question"]["id"],
                 body="which city?")
    shown = show(None, asked)
    assert shown["count"] == 1
    assert shown["posts"][0]["replies"][0]["id"] == c["id"]
    assert shown["question"]["replies"][0]["id"] == qc["id"]


def test_the_asker_accepts_and_may_change_the_choice(asked):
    a1 = answer(asked["reader2"], asked, "1850")
    a2 = answer(asked["reader3"], asked, "1790")
    for who in ("reader2", "reader3", "member", "other_editor"):
        with pytest.raises(logic.NotAuthorized):
            as_user(asked[who], "crowdsource_answer_accept", id=a2["id"])
    accepted = as_user(asked["reader"], "crowdsource_answer_accept", id=a1["id"])
    assert (accepted["id"], accepted["kind"], accepted["accepted"]) == (a1["id"], "answer", True)
    shown = show(None, asked)
    assert shown["status"] == "answered" and shown["accepted_post_id"] == a1["id"]
    assert as_user(asked["reader"], "crowdsource_answer_accept", id=a2["id"])["accepted"]
    shown = show(None, asked)
    assert shown["accepted_post_id"] == a2["id"]
    assert [p["id"] for p in shown["posts"]] == [a2["id"], a1["id"]]
    assert shown["posts"][0]["accepted"]
    with pytest.raises(logic.ValidationError) as e:
        as_user(asked["reader"], "crowdsource_answer_accept", id=a1["id"], accept=False)
    assert "accepted" in e.value.error_dict
    withdrawn = as_user(asked["editor"], "crowdsource_answer_accept", id=a2["id"],
                        accept=False)
    assert withdrawn["id"] == a2["id"] and not withdrawn["accepted"]
    shown = show(None, asked)
    assert shown["status"] == "open" and shown["accepted_post_id"] is None


def test_answers_sort_accepted_then_verified_then_score_then_age(asked):
    old = answer(asked["reader2"], asked, "old")
    liked = answer(asked["reader3"], asked, "liked")
    checked = answer(asked["reader2"], asked, "checked")
    best = answer(asked["reader3"], asked, "best")
    as_user(asked["reader"], "crowdsource_post_vote", id=liked["id"], vote=1)
    as_user(asked["editor"], "crowdsource_answer_verify", id=checked["id"])
    as_user(asked["reader"], "crowdsource_answer_accept", id=best["id"])
    shown = show(None, asked)
    assert [p["body"] for p in shown["posts"]] == ["best", "checked", "liked", "old"]
    assert shown["posts"][1]["verified"]
    assert [p["body"] for p in show(None, asked, sort="newest")["posts"]][0] == "best"
    with pytest.raises(logic.ValidationError):
        show(None, asked, sort="top")
    assert old


def test_only_staff_verify_close_and_reopen(asked):
    a = answer(asked["reader2"], asked, "1850")
    for who in ("reader", "reader2", "member", "other_editor"):
        with pytest.raises(logic.NotAuthorized):
            as_user(asked[who], "crowdsource_answer_verify", id=a["id"])
        with pytest.raises(logic.NotAuthorized):
            as_user(asked[who], "crowdsource_question_close", id=asked["q"]["id"])
    verified = as_user(asked["admin"], "crowdsource_answer_verify", id=a["id"])
    assert verified["id"] == a["id"] and verified["verified"]
    assert not as_user(asked["admin"], "crowdsource_answer_verify", id=a["id"],
                       verified=False)["verified"]
    closed = as_user(asked["editor"], "crowdsource_question_close", id=asked["q"]["id"],
                     reason="duplicate of another question")
    assert closed["status"] == "closed" and closed["close_reason"].startswith("duplicate")
    with pytest.raises(logic.ValidationError) as e:
        answer(asked["reader3"], asked, "too late")
    assert "status" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        as_user(asked["reader"], "crowdsource_answer_accept", id=a["id"])
    assert "status" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        as_user(asked["editor"], "crowdsource_question_close", id=asked["q"]["id"])
    assert "status" in e.value.error_dict
    for who in ("reader", "member", "other_editor"):
        with pytest.raises(logic.NotAuthorized):
            as_user(asked[who], "crowdsource_question_reopen", id=asked["q"]["id"])
    reopened = as_user(asked["sysadmin"], "crowdsource_question_reopen", id=asked["q"]["id"])
    assert (reopened["id"], reopened["status"]) == (asked["q"]["id"], "open")
    with pytest.raises(logic.ValidationError) as e:
        as_user(asked["editor"], "crowdsource_question_reopen", id=asked["q"]["id"])
    assert "status" in e.value.error_dict
    for action in ("crowdsource_question_close", "crowdsource_question_reopen"):
        with pytest.raises(logic.NotFound):
            as_user(asked["editor"], action, id="nope")


def test_accept_and_verify_need_an_answer(asked):
    comment = as_user(asked["reader2"], "crowdsource_post_create",
                      parent_id=asked["q"]["question"]["id"], body="hm")
    for action in ("crowdsource_answer_accept", "crowdsource_answer_verify"):
        with pytest.raises(logic.ValidationError) as e:
            as_user(asked["editor"], action, id=comment["id"])
        assert "id" in e.value.error_dict
        with pytest.raises(logic.NotFound):
            as_user(asked["editor"], action, id="nope")


def test_question_title_is_edited_with_the_question(asked):
    qpost = asked["q"]["question"]["id"]
    as_user(asked["reader"], "crowdsource_post_update", id=qpost, body="Earliest map, please",
            title="Oldest map?")
    shown = show(None, asked)
    assert shown["title"] == "Oldest map?" and shown["question"]["edited"]
    history = as_user(asked["editor"], "crowdsource_post_history", id=qpost)
    assert history["results"][0]["title"] == "Which year is the oldest map?"
    a = answer(asked["reader2"], asked, "1850")
    with pytest.raises(logic.ValidationError) as e:
        as_user(asked["reader2"], "crowdsource_post_update", id=a["id"], body="x", title="y")
    assert "title" in e.value.error_dict


@pytest.mark.parametrize("data,field", [
    ({"title": "", "body": "b"}, "title"),
    ({"title": "x" * 201, "body": "b"}, "title"),
    ({"title": "a\x00b", "body": "b"}, "title"),
    ({"body": "b"}, "title"),
    ({"title": "t", "body": ""}, "body"),
    ({"title": "t", "body": "b", "subject_type": "site"}, "subject_type"),
])
def test_bad_questions_name_the_field(lib, data, field):
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader"], "crowdsource_question_create", **data)
    assert field in e.value.error_dict


def test_general_questions_are_moderated_by_sysadmins(lib):
    q = as_user(lib["reader"], "crowdsource_question_create", title="Opening hours?",
                body="When does the reading room open?")
    assert q["subject_type"] == "site" and q["package_id"] is None
    assert as_user(None, "crowdsource_question_list", site=True)["count"] == 1
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["editor"], "crowdsource_question_close", id=q["id"])
    assert as_user(lib["sysadmin"], "crowdsource_question_close", id=q["id"])["status"] == \
        "closed"


def test_question_lists_filter_and_respect_visibility(lib):
    def ask(user, title, **kw):
        return as_user(lib[user], "crowdsource_question_create", title=title, body="?", **kw)

    assert ask("reader", "public one", package_id=lib["ds"]["id"])["kind"] == "question"
    ask("reader", "on the resource", resource_id=lib["res"]["id"])
    ask("member", "private one", package_id=lib["private"]["id"])
    ask("reader2", "general")
    titles = lambda who, **kw: sorted(  # noqa: E731
        q["title"] for q in as_user(who, "crowdsource_question_list", **kw)["results"])
    assert titles(None) == ["general", "on the resource", "public one"]
    assert titles(lib["other_editor"]) == ["general", "on the resource", "public one"]
    assert titles(lib["member"]) == ["general", "on the resource", "private one",
                                     "public one"]
    assert titles(lib["sysadmin"]) == titles(lib["member"])
    assert titles(None, package_id=lib["ds"]["name"]) == ["on the resource", "public one"]
    assert titles(None, resource_id=lib["res"]["id"]) == ["on the resource"]
    assert titles(None, user_id=lib["reader2"]["name"]) == ["general"]
    assert titles(None, user_id=lib["reader2"]["id"]) == ["general"]
    with pytest.raises(logic.NotAuthorized):
        as_user(None, "crowdsource_question_list", package_id=lib["private"]["id"])
    with pytest.raises(logic.NotFound):
        as_user(None, "crowdsource_question_list", user_id="nobody-at-all")
    with pytest.raises(logic.ValidationError) as e:
        as_user(None, "crowdsource_question_list", user="reader2")
    assert "user" in e.value.error_dict
    assert as_user(None, "crowdsource_question_list", limit=1)["count"] == 3


def test_unanswered_for_too_long(lib):
    old = as_user(lib["reader"], "crowdsource_question_create", package_id=lib["ds"]["id"],
                  title="old and unanswered", body="?")
    old_answered = as_user(lib["reader"], "crowdsource_question_create",
                           package_id=lib["ds"]["id"], title="old, answered", body="?")
    as_user(lib["reader"], "crowdsource_question_create", package_id=lib["ds"]["id"],
            title="new", body="?")
    as_user(lib["reader2"], "crowdsource_post_create", thread_id=old_answered["id"], body="!")
    ten_days_ago = datetime.now(timezone.utc) - timedelta(days=10)
    model.Session.execute(sa.update(thread_table).where(
        thread_table.c.id.in_([old["id"], old_answered["id"]])).values(created=ten_days_ago))
    model.Session.commit()
    listed = as_user(lib["editor"], "crowdsource_question_list", unanswered=True)
    assert [q["title"] for q in listed["results"]] == ["old and unanswered"]
    assert as_user(lib["editor"], "crowdsource_question_list", unanswered=True,
                   unanswered_days=30)["count"] == 0
    assert as_user(lib["editor"], "crowdsource_question_list",
                   status="open")["count"] == 3


@pytest.mark.parametrize("data,field", [
    ({"status": "pending"}, "status"),
    ({"unanswered_days": "soon"}, "unanswered_days"),
    ({"sort": "best"}, "sort"),
    ({"limit": 10**6}, "limit"),
    ({"package_id": "x\x00"}, "package_id"),
])
def test_bad_question_list_filters_name_the_field(lib, data, field):
    with pytest.raises(logic.ValidationError) as e:
        as_user(None, "crowdsource_question_list", **data)
    assert field in e.value.error_dict


def test_question_actions_need_a_question(lib):
    post = as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                   body="a comment")
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_question_close", id=post["thread_id"])
    assert "id" in e.value.error_dict
    with pytest.raises(logic.NotAuthorized):  # refused before anything is told
        as_user(lib["reader"], "crowdsource_question_close", id=post["thread_id"])
