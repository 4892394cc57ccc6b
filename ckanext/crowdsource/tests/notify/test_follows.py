"""Follows: following what one can see at a level, the automatic follows,
the fan-out of new questions and tasks to followers in one statement, and
a purged dataset's rows."""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import helpers

from ckanext.crowdsource.notify.model import follow, notification
from ckanext.crowdsource.tests.helpers import as_user


def kinds(user: dict[str, Any]) -> list[str]:
    return [n["kind"] for n in as_user(user, "crowdsource_notification_list")["results"]]


def follows(user: dict[str, Any], **data: Any) -> list[tuple[str, str, str]]:
    found = as_user(user, "crowdsource_follow_list", **data)["results"]
    return [(f["object_type"], f["object_id"], f["level"]) for f in found]


def community(lib: dict[str, Any]) -> dict[str, Any]:
    made = as_user(lib["sysadmin"], "crowdsource_community_create", name="rare-books",
                   title="Rare books", owner=lib["reader3"]["name"])
    as_user(lib["reader"], "crowdsource_community_join", id=made["id"])
    return made


def test_follow_change_the_level_list_and_unfollow(lib):
    ds = lib["ds"]
    made = as_user(lib["reader"], "crowdsource_follow", object_type="dataset",
                   object_id=ds["name"])
    assert (made["object_id"], made["level"]) == (ds["id"], "all")
    again = as_user(lib["reader"], "crowdsource_follow", object_type="dataset",
                    object_id=ds["id"], level="direct")
    assert again["id"] == made["id"] and again["level"] == "direct"
    assert follows(lib["reader"]) == [("dataset", ds["id"], "direct")]
    assert follows(lib["reader"], object_type="question") == []
    assert follows(lib["reader2"]) == []
    gone = as_user(lib["reader"], "crowdsource_unfollow", object_type="dataset",
                   object_id=ds["name"])
    assert gone["id"] == made["id"]
    assert follows(lib["reader"]) == []
    with pytest.raises(toolkit.ObjectNotFound):
        as_user(lib["reader"], "crowdsource_unfollow", object_type="dataset",
                object_id=ds["id"])


def test_what_one_cannot_see_cannot_be_followed(lib):
    for object_type, ref in (("dataset", lib["private"]["id"]), ("dataset", "no-such"),
                             ("question", "no-such"), ("community", "no-such"),
                             ("request", "no-such")):
        with pytest.raises(toolkit.ObjectNotFound):
            as_user(lib["reader"], "crowdsource_follow", object_type=object_type,
                    object_id=ref)
    # a comment thread is no question; an error report is no request
    post = as_user(lib["reader2"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                   body="hi")
    with pytest.raises(toolkit.ObjectNotFound):
        as_user(lib["reader"], "crowdsource_follow", object_type="question",
                object_id=post["thread_id"])
    assert as_user(lib["member"], "crowdsource_follow", object_type="dataset",
                   object_id=lib["private"]["id"])["level"] == "all"


def test_automatic_follows(lib):
    q = as_user(lib["reader"], "crowdsource_question_create", package_id=lib["ds"]["id"],
                title="Which scale?", body="?")
    as_user(lib["reader2"], "crowdsource_post_create", thread_id=q["id"], body="1:5000")
    assert follows(lib["reader"]) == [("question", q["id"], "all")]
    assert follows(lib["reader2"]) == [("question", q["id"], "all")]
    req = as_user(lib["reader"], "crowdsource_feedback_create", package_id=lib["ds"]["id"],
                  kind="request", body="The 1900 maps")
    assert ("request", req["id"], "all") in follows(lib["reader"])
    made = community(lib)
    assert ("community", made["id"], "all") in follows(lib["reader"])
    assert ("community", made["id"], "all") in follows(lib["reader3"])  # its owner
    as_user(lib["reader"], "crowdsource_community_leave", id=made["id"])
    assert ("community", made["id"], "all") not in follows(lib["reader"])
    # a muted question stays muted when the reader answers it again
    as_user(lib["reader2"], "crowdsource_follow", object_type="question", object_id=q["id"],
            level="muted")
    as_user(lib["reader2"], "crowdsource_post_create", thread_id=q["id"], body="Or 1:2500")
    assert follows(lib["reader2"]) == [("question", q["id"], "muted")]


def test_new_questions_and_tasks_reach_the_followers_in_one_statement(lib):
    made = community(lib)  # reader is a member, reader3 its owner
    as_user(lib["reader2"], "crowdsource_follow", object_type="dataset",
            object_id=lib["ds"]["id"])
    as_user(lib["admin"], "crowdsource_follow", object_type="dataset",
            object_id=lib["ds"]["id"], level="direct")  # not "all": not told
    inserts: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # (the insert stands in a WITH that also reads who wants mail at once)
        if "INSERT INTO CROWDSOURCE_NOTIFICATION" in statement.upper():
            inserts.append(statement)

    bind = model.Session.get_bind()
    sa.event.listen(bind, "after_cursor_execute", seen)
    try:
        q = as_user(lib["reader3"], "crowdsource_question_create", package_id=lib["ds"]["id"],
                    community_id=made["id"], title="Who bound them?", body="?")
    finally:
        sa.event.remove(bind, "after_cursor_execute", seen)
    assert len(inserts) == 1
    assert kinds(lib["reader"]) == ["followed_question"]  # a member
    assert kinds(lib["reader2"]) == ["followed_question"]  # follows the dataset
    assert kinds(lib["reader3"]) == [] and kinds(lib["admin"]) == []  # the asker; "direct"
    n = as_user(lib["reader"], "crowdsource_notification_list")["results"][0]
    # about the question's post (hidden with it), leading to the question
    assert (n["item_type"], n["item_id"]) == ("post", q["question"]["id"])
    assert n["link"] == f"/crowdsource/questions/{q['id']}"
    as_user(lib["editor"], "crowdsource_task_create", package_id=lib["ds"]["id"], kind="other",
            title="Count the sheets", community_id=made["id"])
    assert kinds(lib["reader"])[0] == "followed_task"
    assert kinds(lib["reader2"])[0] == "followed_task"
    assert kinds(lib["editor"]) == []
    # the question hidden: its notifications drop out
    as_user(lib["editor"], "crowdsource_moderation_decide", item_type="post",
            item_id=q["question"]["id"], decision="hide", reason="off topic")
    assert kinds(lib["reader2"]) == ["followed_task"]


def test_a_purged_dataset_takes_its_notifications_and_follows(lib):
    as_user(lib["reader2"], "crowdsource_follow", object_type="dataset",
            object_id=lib["ds2"]["id"])
    post = as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds2"]["id"],
                   body="hi")
    as_user(lib["reader2"], "crowdsource_post_create", parent_id=post["id"], body="hello")
    kept = as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                   body="hi")
    as_user(lib["reader2"], "crowdsource_post_create", parent_id=kept["id"], body="hello")
    helpers.call_action("dataset_purge", context={"user": lib["sysadmin"]["name"]},
                        id=lib["ds2"]["id"])
    left = model.Session.execute(sa.select(notification.c.package_id)).scalars().all()
    assert left == [lib["ds"]["id"]]
    assert model.Session.execute(sa.select(sa.func.count()).select_from(follow).where(
        follow.c.object_id == lib["ds2"]["id"])).scalar_one() == 0
