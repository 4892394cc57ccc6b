"""Each notification rule fires for its recipients, in the contribution's
transaction, and never for the actor; each reader's switch turns it off."""
from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import helpers

from ckanext.crowdsource.tests.helpers import as_user


def kinds(user: dict[str, Any], **data: Any) -> list[str]:
    """The reader's notifications' kinds, newest first."""
    found = as_user(user, "crowdsource_notification_list", **data)
    return [n["kind"] for n in found["results"]]


def first(user: dict[str, Any]) -> dict[str, Any]:
    return as_user(user, "crowdsource_notification_list", limit=1)["results"][0]


def ask(lib: dict[str, Any], asker: str = "reader", package: str = "ds") -> dict[str, Any]:
    return as_user(lib[asker], "crowdsource_question_create", package_id=lib[package]["id"],
                   title="Where is the east gate?", body="On which sheet?")


def answer(lib: dict[str, Any], q: dict[str, Any], who: str = "reader2") -> dict[str, Any]:
    return as_user(lib[who], "crowdsource_post_create", thread_id=q["id"], body="Sheet 4.")


def test_a_reply_tells_the_author_of_the_post_and_not_the_replier(lib):
    post = as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                   body="Is there an 1850 edition?")
    reply = as_user(lib["reader2"], "crowdsource_post_create", parent_id=post["id"],
                    body="Yes.")
    n = first(lib["reader"])
    assert n["kind"] == "reply"
    assert n["actor"]["name"] == lib["reader2"]["name"]
    assert n["item_id"] == reply["id"] and n["package_id"] == lib["ds"]["id"]
    assert n["package_title"] == "City Maps"
    assert n["link"] == f"/dataset/{lib['ds']['name']}/discussion#post-{reply['id']}"
    assert kinds(lib["reader2"]) == []
    # replying to oneself tells nobody
    as_user(lib["reader"], "crowdsource_post_create", parent_id=post["id"], body="Thanks")
    assert kinds(lib["reader"]) == ["reply"]


def test_answers_and_comments_tell_the_asker(lib):
    q = ask(lib)
    a = answer(lib, q)
    assert kinds(lib["reader"]) == ["answer"]
    n = first(lib["reader"])
    assert n["title"] == "Where is the east gate?"
    assert n["link"] == f"/crowdsource/questions/{q['id']}#post-{a['id']}"
    # a comment on the question itself tells the asker (as a reply to their post)
    as_user(lib["reader3"], "crowdsource_post_create", parent_id=q["question"]["id"],
            body="Good question")
    assert kinds(lib["reader"]) == ["reply", "answer"]
    # a comment on someone's answer: the answerer (reply), and the asker
    as_user(lib["reader3"], "crowdsource_post_create", parent_id=a["id"], body="Which edition?")
    assert kinds(lib["reader2"]) == ["reply"]
    assert kinds(lib["reader"]) == ["question_comment", "reply", "answer"]
    # the asker answering their own question tells nobody of it
    answer(lib, q, "reader")
    assert kinds(lib["reader"]) == ["question_comment", "reply", "answer"]


def test_answers_tell_the_questions_followers(lib):
    q = ask(lib)
    answer(lib, q, "reader2")  # reader2 now follows the question
    answer(lib, q, "reader3")
    assert kinds(lib["reader2"]) == ["followed_answer"]
    assert kinds(lib["reader"]) == ["answer", "answer"]  # the asker: "answer", not both
    # muting the question silences it, even for the asker
    as_user(lib["reader"], "crowdsource_follow", object_type="question", object_id=q["id"],
            level="muted")
    answer(lib, q, "editor")
    assert kinds(lib["reader"]) == ["answer", "answer"]
    assert kinds(lib["reader2"]) == ["followed_answer"] * 2


def test_accepted_and_verified_answers_tell_the_answerer(lib):
    q = ask(lib)
    a = answer(lib, q)
    as_user(lib["reader"], "crowdsource_answer_accept", id=a["id"])
    as_user(lib["editor"], "crowdsource_answer_verify", id=a["id"])
    assert kinds(lib["reader2"]) == ["answer_verified", "answer_accepted"]
    n = first(lib["reader2"])
    assert n["actor"]["name"] == lib["editor"]["name"]
    # withdrawing tells nobody; accepting one's own answer neither
    as_user(lib["reader"], "crowdsource_answer_accept", id=a["id"], accept=False)
    own = answer(lib, q, "reader")
    as_user(lib["reader"], "crowdsource_answer_accept", id=own["id"])
    assert kinds(lib["reader"]) == ["answer"]
    # reader2 follows the question they answered: told of the asker's answer
    assert kinds(lib["reader2"]) == ["followed_answer", "answer_verified", "answer_accepted"]


def task_and_claim(lib: dict[str, Any], reader: str = "reader") -> tuple[dict, dict]:
    task = as_user(lib["editor"], "crowdsource_task_create", package_id=lib["ds"]["id"],
                   kind="other", title="Count the sheets", capacity=3)
    claim = as_user(lib[reader], "crowdsource_task_claim", id=task["id"])
    return task, claim


@pytest.mark.parametrize("decision,kind", [("accept", "claim_accepted"),
                                           ("reject", "claim_rejected"),
                                           ("changes", "claim_changes")])
def test_a_review_tells_the_reader_and_a_submission_the_staff(lib, decision, kind):
    task, claim = task_and_claim(lib)
    as_user(lib["reader"], "crowdsource_claim_submit", id=claim["id"],
            result={"text": "12 sheets"})
    # the organization's editors and admins, not its members nor other staff
    for who in ("editor", "admin"):
        assert kinds(lib[who]) == ["claim_submitted"], who
    for who in ("member", "other_editor", "reader2", "reader"):
        assert kinds(lib[who]) == [], who
    staff_n = first(lib["admin"])
    assert staff_n["title"] == "Count the sheets"
    assert staff_n["link"] == f"/crowdsource/tasks/{task['id']}"
    as_user(lib["admin"], "crowdsource_claim_review", id=claim["id"], decision=decision,
            note="Thank you")
    assert kinds(lib["reader"]) == [kind]
    assert first(lib["reader"])["actor"]["name"] == lib["admin"]["name"]


def test_an_expired_claim_tells_its_reader(lib):
    import sqlalchemy as sa
    from ckan import model

    from ckanext.crowdsource.tasks.model import claim as claim_table

    _task, claim = task_and_claim(lib)
    model.Session.execute(sa.update(claim_table).where(claim_table.c.id == claim["id"])
                          .values(expires_at=sa.func.now() - sa.text("interval '1 hour'")))
    model.Session.commit()
    helpers.call_action("crowdsource_claims_expire")
    assert kinds(lib["reader"]) == ["claim_expired"]
    assert first(lib["reader"])["actor"] is None


def test_feedback_tells_staff_and_their_answers_tell_the_author(lib):
    fb = as_user(lib["reader"], "crowdsource_feedback_create", package_id=lib["ds"]["id"],
                 kind="error", body="Map 12 is missing")
    assert kinds(lib["editor"]) == ["feedback_new"]
    assert kinds(lib["other_editor"]) == []
    as_user(lib["editor"], "crowdsource_feedback_reply", id=fb["id"], body="We look into it")
    as_user(lib["editor"], "crowdsource_feedback_set_status", id=fb["id"], status="in_progress")
    assert kinds(lib["reader"]) == ["feedback_status", "feedback_reply"]
    assert first(lib["reader"])["data"] == {"status": "in_progress"}
    # the reader's own reply tells nobody
    as_user(lib["reader"], "crowdsource_feedback_reply", id=fb["id"], body="Thanks")
    assert len(kinds(lib["reader"])) == 2


def test_feedback_on_the_service_tells_the_sysadmins(lib):
    as_user(lib["reader"], "crowdsource_feedback_create", kind="suggestion",
            body="Open on Sundays")
    assert kinds(lib["sysadmin"]) == ["feedback_new"]
    assert kinds(lib["editor"]) == []


def test_a_fulfilled_request_tells_its_author_and_who_seconded_it(lib):
    req = as_user(lib["reader"], "crowdsource_feedback_create", package_id=lib["ds"]["id"],
                  kind="request", body="The 1900 maps, please")
    as_user(lib["reader2"], "crowdsource_request_second", id=req["id"])
    as_user(lib["reader3"], "crowdsource_request_second", id=req["id"])
    as_user(lib["reader3"], "crowdsource_request_second", id=req["id"], second=False)
    as_user(lib["editor"], "crowdsource_request_second", id=req["id"])
    as_user(lib["editor"], "crowdsource_feedback_set_status", id=req["id"], status="resolved")
    assert kinds(lib["reader"]) == ["request_fulfilled"]
    assert kinds(lib["reader2"]) == ["request_fulfilled"]
    assert kinds(lib["reader3"]) == []  # took the second back
    assert kinds(lib["editor"]) == ["feedback_new"]  # resolved it: not told of it


def test_the_first_flag_tells_the_staff(lib, ckan_config, monkeypatch):
    post = as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                   body="Buy now")
    as_user(lib["reader2"], "crowdsource_flag_create", item_type="post", item_id=post["id"],
            reason="spam")
    as_user(lib["reader3"], "crowdsource_flag_create", item_type="post", item_id=post["id"],
            reason="spam")
    assert kinds(lib["editor"]) == ["item_flagged"]
    assert first(lib["editor"])["link"] == "/crowdsource/moderation"


def test_each_rule_can_be_turned_off(lib):
    as_user(lib["reader"], "crowdsource_notify_settings_update",
            rules={"answer": False, "reply": True})
    settings = as_user(lib["reader"], "crowdsource_notify_settings_show")
    assert settings["rules"]["answer"] is False and settings["rules"]["reply"] is True
    assert settings["email"] == "daily"
    q = ask(lib)
    answer(lib, q)
    assert kinds(lib["reader"]) == []
    as_user(lib["reader"], "crowdsource_notify_settings_update", rules={"answer": True})
    answer(lib, q, "reader3")
    assert kinds(lib["reader"]) == ["answer"]


@pytest.mark.parametrize("kind,cause", [
    ("reply", lambda lib: as_user(lib["reader2"], "crowdsource_post_create", parent_id=as_user(
        lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
        body="Hello")["id"], body="Hi")),
    ("feedback_new", lambda lib: as_user(lib["reader"], "crowdsource_feedback_create",
                                         package_id=lib["ds"]["id"], kind="error", body="x")),
])
def test_a_switched_off_rule_writes_nothing(lib, kind, cause):
    from ckanext.crowdsource.notify.core import KINDS

    for who in ("reader", "editor", "admin"):
        as_user(lib[who], "crowdsource_notify_settings_update",
                rules={k: k != kind for k in KINDS})
    cause(lib)
    assert all(kinds(lib[who]) == [] for who in ("reader", "editor", "admin"))


def test_the_notification_is_in_the_contributions_transaction(lib):
    from ckan import model

    post = as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                   body="Is there an 1850 edition?")
    context = {"user": lib["reader2"]["name"], "ignore_auth": False, "defer_commit": True}
    reply = helpers.call_action("crowdsource_post_create", context=context,
                                parent_id=post["id"], body="Yes")
    assert kinds(lib["reader"]) == ["reply"]  # written, not committed
    model.Session.rollback()  # the caller gives the reply up: its notification goes too
    assert kinds(lib["reader"]) == []
    with pytest.raises(Exception):  # noqa: B017 - the reply is gone whatever the error
        as_user(lib["reader"], "crowdsource_post_show", id=reply["id"])
