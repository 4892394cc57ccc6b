"""Badges and each reader's contribution stream: what earns them, once;
what the signals of hiding, deleting and restoring do to the stream; what a
viewer may see; and the two list actions' errors."""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from ckan import logic, model

from ckanext.crowdsource import events
from ckanext.crowdsource.recognition.badges import badge
from ckanext.crowdsource.recognition.stream import contribution
from ckanext.crowdsource.tests.helpers import as_user

pytestmark = pytest.mark.ckan_config("ckanext.crowdsource.common.writes_per_minute", "0")


def held(user: dict[str, Any]) -> list[tuple[str, str]]:
    return [(r.badge, r.community_id) for r in model.Session.execute(
        sa.select(badge.c.badge, badge.c.community_id).where(badge.c.user_id == user["id"])
        .order_by(badge.c.created, badge.c.badge)).all()]


def kinds(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(r["kind"], r["title"]) for r in result["results"]]


def totals(viewer: dict[str, Any] | None, user: dict[str, Any] | None = None
           ) -> dict[str, int]:
    data = {"user_id": user["id"]} if user else {}
    return as_user(viewer, "crowdsource_contribution_summary", **data)["by_kind"]


@pytest.fixture
def heard() -> Any:
    """The badge_awarded signals sent during the test."""
    got: list[tuple[str, dict[str, Any]]] = []

    def receive(sender: str, **kw: Any) -> None:
        got.append((sender, kw))

    events.badge_awarded.connect(receive)
    yield got
    events.badge_awarded.disconnect(receive)


def answered(lib: dict[str, Any], asker: str = "reader", answerer: str = "reader2",
             package: str = "ds", **where: Any) -> dict[str, Any]:
    q = as_user(lib[asker], "crowdsource_question_create", title="Where is the gate?",
                body="Which **sheet**?", **({"package_id": lib[package]["id"]}
                                            if not where else where))
    return as_user(lib[answerer], "crowdsource_post_create", thread_id=q["id"],
                   body="Sheet *4*, north")


def claimed(lib: dict[str, Any], reader: str = "reader", title: str = "Describe the maps"
            ) -> dict[str, Any]:
    task = as_user(lib["editor"], "crowdsource_task_create", package_id=lib["ds"]["id"],
                   kind="describe", title=title)
    claim = as_user(lib[reader], "crowdsource_task_claim", id=task["id"])
    as_user(lib[reader], "crowdsource_claim_submit", id=claim["id"], result={"text": "Done"})
    return claim


def test_a_first_tag_earns_a_badge_once_and_is_announced(lib, heard):
    ds = lib["ds"]["id"]
    as_user(lib["reader"], "crowdsource_tag_add", package_id=ds, tag="城墙")
    as_user(lib["reader"], "crowdsource_tag_add", package_id=ds, tag="gates")
    as_user(lib["reader"], "crowdsource_tag_add", package_id=lib["ds2"]["id"], tag="walls")
    assert held(lib["reader"]) == [("first_tag", "")]
    assert [kw for _s, kw in heard] == [{"user_id": lib["reader"]["id"], "badge": "first_tag",
                                         "community_id": None}]
    mine = as_user(lib["reader"], "crowdsource_contribution_list")
    assert kinds(mine) == [("tag", "walls"), ("tag", "gates"), ("tag", "城墙")]
    assert totals(lib["reader"]) == {"tag": 3} and mine["count"] == 3
    # a tag removed leaves the stream; hidden, nobody sees it; restored, it is back
    as_user(lib["reader"], "crowdsource_tag_remove", package_id=ds, tag="gates")
    as_user(lib["editor"], "crowdsource_tag_hide", package_id=ds, tag="城墙")
    assert kinds(as_user(lib["reader3"], "crowdsource_contribution_list",
                         user_id=lib["reader"]["name"])) == [("tag", "walls")]
    as_user(lib["editor"], "crowdsource_tag_restore", package_id=ds, tag="城墙")
    assert as_user(None, "crowdsource_contribution_list",
                   user_id=lib["reader"]["id"])["count"] == 2


def test_an_accepted_answer_counts_once_and_earns_a_badge(lib, heard):
    answer = answered(lib)
    as_user(lib["reader"], "crowdsource_answer_accept", id=answer["id"])
    as_user(lib["reader"], "crowdsource_answer_accept", id=answer["id"], accept=False)
    assert kinds(as_user(None, "crowdsource_contribution_list", user_id=lib["reader2"]["id"])) \
        == [("answer", "Sheet 4, north")]
    as_user(lib["reader"], "crowdsource_answer_accept", id=answer["id"])
    assert totals(None, lib["reader2"]) == {"answer": 1, "accepted_answer": 1}
    assert held(lib["reader2"]) == [("first_accepted_answer", "")]
    assert len(heard) == 1
    asker = as_user(None, "crowdsource_contribution_list", user_id=lib["reader"]["id"])
    assert kinds(asker) == [("question", "Which sheet?")]
    # a hidden answer leaves profiles (both rows); a deleted one too
    as_user(lib["editor"], "crowdsource_moderation_decide", item_type="post",
            item_id=answer["id"], decision="hide", reason="copied")
    assert as_user(None, "crowdsource_contribution_list",
                   user_id=lib["reader2"]["id"])["count"] == 0
    as_user(lib["editor"], "crowdsource_moderation_decide", item_type="post",
            item_id=answer["id"], decision="restore")
    assert as_user(None, "crowdsource_contribution_list",
                   user_id=lib["reader2"]["id"])["count"] == 2
    as_user(lib["reader2"], "crowdsource_post_delete", id=answer["id"])
    assert as_user(lib["reader2"], "crowdsource_contribution_list")["count"] == 0
    assert held(lib["reader2"]) == [("first_accepted_answer", "")]  # badges stay


def test_tasks_done_and_reviews_earn_their_badges(lib, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.crowdsource.recognition.badges.tasks_accepted", 2)
    monkeypatch.setitem(ckan_config, "ckanext.crowdsource.recognition.badges.helpful_reviewer",
                        3)
    first, second, third = (claimed(lib, title=f"Task {n}") for n in range(3))
    as_user(lib["editor"], "crowdsource_claim_review", id=first["id"], decision="accept")
    assert held(lib["reader"]) == []
    as_user(lib["editor"], "crowdsource_claim_review", id=second["id"], decision="reject",
            note="Not this dataset")
    assert held(lib["reader"]) == [] and held(lib["editor"]) == []
    as_user(lib["editor"], "crowdsource_claim_review", id=third["id"], decision="accept")
    assert held(lib["reader"]) == [("tasks_accepted", "")]
    assert held(lib["editor"]) == [("helpful_reviewer", "")]
    done = as_user(lib["reader"], "crowdsource_contribution_list", kind="task")
    assert kinds(done) == [("task", "Task 2"), ("task", "Task 0")]
    assert done["results"][0]["parent_id"] and done["count"] == 2
    assert totals(None, lib["editor"]) == {"review": 3}


def test_a_task_done_on_a_private_dataset_has_its_title(lib):
    task = as_user(lib["editor"], "crowdsource_task_create", package_id=lib["private"]["id"],
                   kind="describe", title="Check the rota")
    claim = as_user(lib["member"], "crowdsource_task_claim", id=task["id"])
    as_user(lib["member"], "crowdsource_claim_submit", id=claim["id"], result={"text": "Done"})
    as_user(lib["editor"], "crowdsource_claim_review", id=claim["id"], decision="accept")
    assert kinds(as_user(lib["member"], "crowdsource_contribution_list")) == [
        ("task", "Check the rota")]
    assert as_user(lib["reader"], "crowdsource_contribution_list",
                   user_id=lib["member"]["id"])["count"] == 0


def test_the_community_expert(lib, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config,
                        "ckanext.crowdsource.recognition.badges.community_expert_minimum", 2)
    community = lib["community"]["id"]
    as_user(lib["sysadmin"], "crowdsource_community_create", id=community)
    for name in ("reader", "reader2", "reader3"):
        as_user(lib[name], "crowdsource_community_join", id=community)
    for answerer in ("reader2", "reader3", "reader2"):
        answer = answered(lib, answerer=answerer, community_id=community)
        as_user(lib["reader"], "crowdsource_answer_accept", id=answer["id"])
    assert held(lib["reader2"]) == [("first_accepted_answer", ""),
                                    ("community_expert", community)]
    assert held(lib["reader3"]) == [("first_accepted_answer", "")]
    experts = as_user(None, "crowdsource_badge_list", badge="community_expert",
                      community_id=lib["community"]["name"])
    assert [(b["user"], b["community_name"]) for b in experts["results"]] == [
        (lib["reader2"]["name"], "local-history")]


def test_a_question_asked_before_the_stream_was_kept(lib, ckan_config, monkeypatch):
    """Its answers still count for its community (read from the thread)."""
    monkeypatch.setitem(ckan_config,
                        "ckanext.crowdsource.recognition.badges.community_expert_minimum", 1)
    community = lib["community"]["id"]
    as_user(lib["sysadmin"], "crowdsource_community_create", id=community)
    as_user(lib["reader"], "crowdsource_community_join", id=community)
    q = as_user(lib["reader"], "crowdsource_question_create", title="Which gate?",
                body="East or west?", community_id=community)
    model.Session.execute(sa.delete(contribution).where(contribution.c.kind == "question"))
    model.Session.commit()
    answer = as_user(lib["reader2"], "crowdsource_post_create", thread_id=q["id"],
                     body="East")
    as_user(lib["reader"], "crowdsource_answer_accept", id=answer["id"])
    assert ("community_expert", community) in held(lib["reader2"])


def test_a_purged_community_takes_its_badges(lib, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config,
                        "ckanext.crowdsource.recognition.badges.community_expert_minimum", 1)
    community = lib["community"]["id"]
    as_user(lib["sysadmin"], "crowdsource_community_create", id=community)
    as_user(lib["reader"], "crowdsource_community_join", id=community)
    answer = answered(lib, answerer="reader3", community_id=community)
    as_user(lib["reader"], "crowdsource_answer_accept", id=answer["id"])
    assert ("community_expert", community) in held(lib["reader3"])
    as_user(lib["sysadmin"], "group_purge", id=community)
    assert held(lib["reader3"]) == [("first_accepted_answer", "")]
    made = as_user(None, "crowdsource_contribution_list", user_id=lib["reader3"]["id"])
    assert {r["community_id"] for r in made["results"]} == {None}


def test_a_post_waiting_for_approval_counts_once_approved(lib, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.crowdsource.discussion.premoderation_posts", 5)
    post = as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                   body="A note on sheet 2")
    assert post["state"] == "pending"
    assert as_user(lib["reader"], "crowdsource_contribution_list")["count"] == 0
    as_user(lib["editor"], "crowdsource_moderation_decide", item_type="post",
            item_id=post["id"], decision="approve")
    assert kinds(as_user(None, "crowdsource_contribution_list",
                         user_id=lib["reader"]["id"])) == [("comment", "A note on sheet 2")]


def test_badges_left_out_of_the_configuration_are_not_given(lib, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.crowdsource.recognition.badges",
                        "first_accepted_answer")
    as_user(lib["reader"], "crowdsource_tag_add", package_id=lib["ds"]["id"], tag="walls")
    assert held(lib["reader"]) == []
    assert as_user(lib["reader"], "crowdsource_contribution_list")["count"] == 1


def test_what_a_viewer_may_see(lib):
    """The member's answers on the private and the public dataset, and their
    (private) feedback: outsiders see the public answer alone."""
    for package, asker in (("private", "editor"), ("ds", "reader")):
        answer = answered(lib, asker=asker, answerer="member", package=package)
        as_user(lib[asker], "crowdsource_answer_accept", id=answer["id"])
    as_user(lib["member"], "crowdsource_feedback_create", kind="error",
            package_id=lib["ds"]["id"], body="A typo on sheet 2")
    as_user(lib["member"], "crowdsource_feedback_create", kind="request",
            package_id=lib["ds"]["id"], title="Scans", body="Scans please")
    assert totals(lib["member"]) == {"answer": 2, "accepted_answer": 2, "feedback": 1,
                                     "request": 1}
    outsider = as_user(lib["reader3"], "crowdsource_contribution_list",
                       user_id=lib["member"]["id"])
    assert totals(lib["reader3"], lib["member"]) == {"answer": 1, "accepted_answer": 1,
                                                    "request": 1}
    assert outsider["count"] == 3
    assert {r["package_id"] for r in outsider["results"]} == {lib["ds"]["id"]}
    assert lib["private"]["id"] not in str(outsider)
    staff = as_user(lib["sysadmin"], "crowdsource_contribution_list",
                    user_id=lib["member"]["id"])
    assert staff["count"] == 6


def test_contributions_page_with_a_cursor(lib):
    for n in range(5):
        as_user(lib["reader"], "crowdsource_tag_add", package_id=lib["ds"]["id"], tag=f"t{n}")
    seen: list[str] = []
    cursor = None
    while True:
        page = as_user(None, "crowdsource_contribution_list", user_id=lib["reader"]["id"],
                       limit=2, **({"cursor": cursor} if cursor else {}))
        assert page["count"] == 5
        seen += [r["title"] for r in page["results"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["t4", "t3", "t2", "t1", "t0"]


def test_opted_out_readers(lib):
    as_user(lib["reader"], "crowdsource_tag_add", package_id=lib["ds"]["id"], tag="walls")
    as_user(lib["reader"], "crowdsource_recognition_settings_update", public_profile=False)
    for action in ("crowdsource_contribution_list", "crowdsource_badge_list",
                   "crowdsource_contribution_summary"):
        with pytest.raises(logic.NotAuthorized):
            as_user(lib["reader2"], action, user_id=lib["reader"]["id"])
        with pytest.raises(logic.NotAuthorized):
            as_user(None, action, user_id=lib["reader"]["id"])
        for viewer in ("reader", "sysadmin"):
            got = as_user(lib[viewer], action, user_id=lib["reader"]["id"])
            assert got.get("count", got.get("total")) == 1
    assert as_user(None, "crowdsource_badge_list", badge="first_tag")["count"] == 0
    assert as_user(lib["reader"], "crowdsource_badge_list", badge="first_tag")["count"] == 1
    assert as_user(lib["sysadmin"], "crowdsource_badge_list", badge="first_tag")["count"] == 1


def test_badge_list_of_a_reader(lib):
    as_user(lib["reader"], "crowdsource_tag_add", package_id=lib["ds"]["id"], tag="walls")
    found = as_user(None, "crowdsource_badge_list", user_id=lib["reader"]["name"])
    assert found["count"] == 1
    row = found["results"][0]
    assert (row["badge"], row["label"], row["user"]) == ("first_tag", "First tag",
                                                         lib["reader"]["name"])
    assert row["community_id"] is None and row["created"]
    assert as_user(None, "crowdsource_badge_list", user_id=lib["reader2"]["id"]) == {
        "count": 0, "results": []}


@pytest.mark.parametrize("action", ["crowdsource_badge_list", "crowdsource_contribution_list",
                                    "crowdsource_contribution_summary"])
def test_errors(lib, action):
    with pytest.raises(logic.NotAuthorized):
        as_user(None, action)  # nobody named, and nobody logged in
    with pytest.raises(logic.NotFound):
        as_user(None, action, user_id="no-such-reader")
    with pytest.raises(logic.ValidationError) as error:
        as_user(lib["reader"], action, colour="blue")
    assert "colour" in error.value.error_dict


def test_list_errors(lib):
    for data, field in (({"badge": "gold"}, "badge"), ({"limit": "many"}, "limit"),
                        ({"offset": -1}, "offset")):
        with pytest.raises(logic.ValidationError) as error:
            as_user(None, "crowdsource_badge_list", **data)
        assert field in error.value.error_dict
    with pytest.raises(logic.NotFound):
        as_user(None, "crowdsource_badge_list", badge="first_tag", community_id="nowhere")
    for data, field in (({"kind": "poem"}, "kind"), ({"cursor": "not-a-cursor"}, "cursor"),
                        ({"offset": 2}, "offset")):
        with pytest.raises(logic.ValidationError) as error:
            as_user(lib["reader"], "crowdsource_contribution_list", **data)
        assert field in error.value.error_dict


def test_a_purged_dataset_leaves_the_stream(lib):
    as_user(lib["reader"], "crowdsource_tag_add", package_id=lib["ds2"]["id"], tag="walls")
    as_user(lib["sysadmin"], "dataset_purge", id=lib["ds2"]["id"])
    assert as_user(lib["reader"], "crowdsource_contribution_list")["count"] == 0
