"""DESIGN section 6, the cells for discussion and Q&A: who may post, ask,
answer, vote, edit, delete, accept, verify, close, read history and read.

``None`` is anonymous; "reader2" wrote the comment and the answer, "reader"
asked the question; "editor" and "admin" are staff of the dataset's
organization, "member" is a plain member of it, "other_editor" staff of
another organization.
"""
import pytest
from ckan import logic
from ckan.plugins import toolkit

from ckanext.crowdsource.tests.discussion.calls import CALLS
from ckanext.crowdsource.tests.helpers import as_user

WRITES = {f"crowdsource_{name}" for name in (
    "post_create", "post_update", "post_delete", "post_vote", "question_create",
    "question_close", "question_reopen", "answer_accept", "answer_verify")}


@pytest.fixture
def talk(lib):
    ds = lib["ds"]["id"]
    comment = as_user(lib["reader2"], "crowdsource_post_create", package_id=ds, body="c")
    question = as_user(lib["reader"], "crowdsource_question_create", package_id=ds,
                       title="Scale?", body="?")
    answer = as_user(lib["reader2"], "crowdsource_post_create", thread_id=question["id"],
                     body="1:5000")
    return {**lib, "comment": comment, "question": question, "answer": answer}


def user(lib, who):
    return lib[who] if who else None


def check(lib, action, allowed, refused, data):
    """``data(lib)`` makes a fresh data dict for each call."""
    for who in refused:
        with pytest.raises(logic.NotAuthorized):
            as_user(user(lib, who), action, **data(lib))
    for who in allowed:
        assert isinstance(as_user(user(lib, who), action, **data(lib)), dict), (action, who)


def test_taking_part_is_for_logged_in_users(talk):
    everyone = ("reader3", "editor", "sysadmin")
    ds = talk["ds"]["id"]
    check(talk, "crowdsource_post_create", everyone, (None,),
          lambda lib: {"package_id": ds, "body": "hi"})
    check(talk, "crowdsource_question_create", everyone, (None,),
          lambda lib: {"package_id": ds, "title": "t", "body": "b"})
    check(talk, "crowdsource_post_create", everyone, (None,),
          lambda lib: {"thread_id": lib["question"]["id"], "body": "an answer"})
    check(talk, "crowdsource_post_create", everyone, (None,),
          lambda lib: {"parent_id": lib["comment"]["id"], "body": "a reply"})


def test_votes_are_for_others_posts(talk):
    check(talk, "crowdsource_post_vote", ("reader", "editor", "sysadmin"), (None, "reader2"),
          lambda lib: {"id": lib["answer"]["id"], "vote": 1})


def test_only_the_author_edits(talk):
    check(talk, "crowdsource_post_update", ("reader2",),
          (None, "reader", "editor", "admin", "sysadmin"),
          lambda lib: {"id": lib["comment"]["id"], "body": "changed"})


def test_the_author_and_staff_delete(talk):
    def fresh(lib):
        return {"id": as_user(lib["reader2"], "crowdsource_post_create",
                              package_id=lib["ds"]["id"], body="to go")["id"]}

    check(talk, "crowdsource_post_delete", ("reader2", "editor", "admin", "sysadmin"),
          (None, "reader", "member", "other_editor"), fresh)


def test_the_asker_and_staff_accept(talk):
    check(talk, "crowdsource_answer_accept", ("reader", "editor", "sysadmin"),
          (None, "reader2", "reader3", "member", "other_editor"),
          lambda lib: {"id": lib["answer"]["id"]})


def test_staff_verify_close_reopen_and_read_history(talk):
    staff, others = ("editor", "admin", "sysadmin"), (None, "reader", "reader2", "member",
                                                      "other_editor")
    check(talk, "crowdsource_answer_verify", staff, others,
          lambda lib: {"id": lib["answer"]["id"]})
    as_user(talk["reader2"], "crowdsource_post_update", id=talk["comment"]["id"], body="v2")
    check(talk, "crowdsource_post_history", staff, others,
          lambda lib: {"id": lib["comment"]["id"]})

    def opened(lib):
        return {"id": as_user(lib["reader"], "crowdsource_question_create",
                              package_id=lib["ds"]["id"], title="t", body="b")["id"]}

    def closed(lib):
        found = opened(lib)
        as_user(lib["editor"], "crowdsource_question_close", **found)
        return found

    check(talk, "crowdsource_question_close", staff, others, opened)
    check(talk, "crowdsource_question_reopen", staff, others, closed)


def test_reading_follows_the_dataset(talk):
    public = talk["ds"]["id"]
    for action, data in (
        ("crowdsource_thread_show", {"package_id": public}),
        ("crowdsource_thread_show", {"id": talk["question"]["id"]}),
        ("crowdsource_thread_list", {"package_id": public}),
        ("crowdsource_question_list", {"package_id": public}),
        ("crowdsource_post_show", {"id": talk["comment"]["id"]}),
    ):
        check(talk, action, (None, "reader", "other_editor", "sysadmin"), (),
              lambda lib, data=data: data)
    private = as_user(talk["member"], "crowdsource_question_create",
                      package_id=talk["private"]["id"], title="Rota?", body="?")
    for action, data in (
        ("crowdsource_thread_show", {"package_id": talk["private"]["id"]}),
        ("crowdsource_thread_show", {"id": private["id"]}),
        ("crowdsource_thread_list", {"package_id": talk["private"]["id"]}),
        ("crowdsource_question_list", {"package_id": talk["private"]["id"]}),
        ("crowdsource_post_show", {"id": private["question"]["id"]}),
    ):
        check(talk, action, ("member", "editor", "sysadmin"), (None, "reader", "other_editor"),
              lambda lib, data=data: data)


@pytest.mark.parametrize("action", sorted(CALLS))
def test_auth_functions_read_the_actions_own_input(lib, action):
    """``h.check_access(action, data_dict)`` answers as the action would."""
    who, data = CALLS[action](lib)
    context = {"user": who["name"] if who else "", "ignore_auth": False}
    assert toolkit.check_access(action, context, data)
    if action in WRITES:
        with pytest.raises(logic.NotAuthorized):
            toolkit.check_access(action, {"user": "", "ignore_auth": False}, data)
