"""The points ledger: every reason's points and their reversal, caps,
idempotent delivery, leaderboards and what a viewer may see of them."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import logic, model

from ckanext.crowdsource import events
from ckanext.crowdsource.recognition import core
from ckanext.crowdsource.recognition.model import points
from ckanext.crowdsource.tests.helpers import as_user, log_out


def ledger(user: dict[str, Any]) -> list[tuple[str, int]]:
    """(reason, points) of the reader's rows, oldest first."""
    return [(r.reason, r.points) for r in model.Session.execute(
        sa.select(points.c.reason, points.c.points).where(points.c.user_id == user["id"])
        .order_by(points.c.created, points.c.id)).all()]


def total(user: dict[str, Any], viewer: dict[str, Any] | None = None) -> int:
    return as_user(viewer or user, "crowdsource_points_summary", user_id=user["id"])["total"]


def question(lib: dict[str, Any], asker: str = "reader", package: str = "ds",
             answerer: str = "reader2") -> tuple[dict[str, Any], dict[str, Any]]:
    """A question on the dataset and an answer to it."""
    q = as_user(lib[asker], "crowdsource_question_create", package_id=lib[package]["id"],
                title="Where is the east gate?", body="On which sheet?")
    answer = as_user(lib[answerer], "crowdsource_post_create", thread_id=q["id"],
                     body="Sheet 4.")
    return q, answer


def test_an_accepted_answer_earns_and_unaccepting_takes_back(lib):
    _q, answer = question(lib)
    as_user(lib["reader"], "crowdsource_answer_accept", id=answer["id"])
    as_user(lib["reader"], "crowdsource_answer_accept", id=answer["id"], accept=False)
    as_user(lib["reader"], "crowdsource_answer_accept", id=answer["id"])
    assert ledger(lib["reader2"]) == [("answer_accepted", 15), ("answer_accepted", -15),
                                      ("answer_accepted", 15)]
    assert total(lib["reader2"]) == 15
    assert ledger(lib["reader"]) == []  # the asker earns nothing for accepting


def test_a_verified_answer_and_a_hidden_post(lib):
    _q, answer = question(lib)
    as_user(lib["reader"], "crowdsource_answer_accept", id=answer["id"])
    as_user(lib["editor"], "crowdsource_answer_verify", id=answer["id"])
    assert total(lib["reader2"]) == 25
    as_user(lib["editor"], "crowdsource_moderation_decide", item_type="post",
            item_id=answer["id"], decision="hide", reason="copied")
    assert sorted(ledger(lib["reader2"])) == sorted([
        ("answer_accepted", 15), ("answer_verified", 10),
        ("answer_accepted", -15), ("answer_verified", -10)])
    assert total(lib["reader2"]) == 0


def test_upvotes_count_once_per_pair_a_day_and_are_capped(lib, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.crowdsource.recognition.daily_cap.post_upvoted", 5)
    monkeypatch.setitem(ckan_config, "ckanext.crowdsource.common.writes_per_minute", 0)
    posts = [as_user(lib["reader2"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                     body=f"Note {n}") for n in range(3)]
    as_user(lib["reader"], "crowdsource_post_vote", id=posts[0]["id"], vote=1)
    as_user(lib["reader"], "crowdsource_post_vote", id=posts[1]["id"], vote=1)  # same pair, today
    assert ledger(lib["reader2"]) == [("post_upvoted", 2)]
    as_user(lib["reader3"], "crowdsource_post_vote", id=posts[0]["id"], vote=1)
    as_user(lib["editor"], "crowdsource_post_vote", id=posts[0]["id"], vote=1)
    # 2 + 2 + 1: the cap of 5 a day leaves one point for the third voter
    assert ledger(lib["reader2"]) == [("post_upvoted", 2)] * 2 + [("post_upvoted", 1)]
    as_user(lib["reader3"], "crowdsource_post_vote", id=posts[0]["id"], vote=0)
    assert ledger(lib["reader2"])[-1] == ("post_upvoted", -2)
    assert total(lib["reader2"]) == 3
    # a vote turned down takes back what it gave, and nothing when it gave nothing
    as_user(lib["reader"], "crowdsource_post_vote", id=posts[1]["id"], vote=0)
    assert len(ledger(lib["reader2"])) == 4


def test_a_signal_delivered_twice_adds_one_row(lib):
    _q, answer = question(lib)
    for _ in range(2):
        events.answer_accepted.send(answer["id"], package_id=lib["ds"]["id"],
                                    thread_id="t", user_id=lib["reader"]["id"],
                                    author_id=lib["reader2"]["id"], accepted=True)
    model.Session.commit()
    assert ledger(lib["reader2"]) == [("answer_accepted", 15)]


def test_an_accepted_claim_earns_the_tasks_reward(lib):
    as_user(lib["sysadmin"], "crowdsource_community_create", id=lib["community"]["id"])
    as_user(lib["reader"], "crowdsource_community_join", id=lib["community"]["id"])
    task = as_user(lib["editor"], "crowdsource_task_create", package_id=lib["ds"]["id"],
                   kind="describe", title="Describe the maps", reward_points=25,
                   community_id=lib["community"]["id"])
    claim = as_user(lib["reader"], "crowdsource_task_claim", id=task["id"])
    as_user(lib["reader"], "crowdsource_claim_submit", id=claim["id"],
            result={"text": "Maps of 1850"})
    as_user(lib["editor"], "crowdsource_claim_review", id=claim["id"], decision="accept")
    assert ledger(lib["reader"]) == [("claim_accepted", 25)]
    summary = as_user(lib["reader"], "crowdsource_points_summary")
    assert summary["by_reason"] == {"claim_accepted": 25}
    assert summary["by_community"] == {lib["community"]["id"]: 25}


def test_a_promoted_tag_and_resolved_feedback(lib):
    as_user(lib["reader"], "crowdsource_tag_add", package_id=lib["ds"]["id"], tag="城墙")
    as_user(lib["reader2"], "crowdsource_tag_add", package_id=lib["ds"]["id"], tag="城墙")
    as_user(lib["editor"], "crowdsource_tag_promote", package_id=lib["ds"]["id"], tag="城墙")
    assert ledger(lib["reader"]) == ledger(lib["reader2"]) == [("tag_promoted", 5)]
    request = as_user(lib["reader3"], "crowdsource_feedback_create", kind="request",
                      package_id=lib["ds"]["id"], title="Scans", body="Scans please")
    error = as_user(lib["reader3"], "crowdsource_feedback_create", kind="error",
                    package_id=lib["ds"]["id"], body="A typo")
    for item in (request, error):
        as_user(lib["editor"], "crowdsource_feedback_set_status", id=item["id"],
                status="resolved")
    as_user(lib["editor"], "crowdsource_feedback_set_status", id=error["id"],
            status="in_progress")
    assert ledger(lib["reader3"]) == [("request_fulfilled", 10), ("feedback_resolved", 3),
                                      ("feedback_resolved", -3)]


def test_private_datasets_never_show(lib):
    """The organization's member answers on the private and on the public
    dataset: outsiders see (and leaderboards count) the public points only."""
    for package, asker in (("private", "editor"), ("ds", "reader")):
        _q, answer = question(lib, asker=asker, package=package, answerer="member")
        as_user(lib[asker], "crowdsource_answer_accept", id=answer["id"])
    mine = as_user(lib["member"], "crowdsource_points_list")
    assert total(lib["member"]) == 30 and mine["count"] == 2
    outsider = as_user(lib["reader3"], "crowdsource_points_list", user_id=lib["member"]["id"])
    assert total(lib["member"], lib["reader3"]) == 15 and outsider["count"] == 1
    assert lib["private"]["id"] not in str(outsider)
    summary = as_user(None, "crowdsource_points_summary", user_id=lib["member"]["name"])
    assert summary["total"] == 15
    board = as_user(lib["editor"], "crowdsource_leaderboard")
    assert [(r["user"], r["points"]) for r in board["results"]] == [
        (lib["member"]["name"], 15)]


@pytest.fixture
def board(lib, monkeypatch, ckan_config):
    """Points granted by hand: reader 30, reader2 20, reader3 20 (10 of them
    40 days ago)."""
    monkeypatch.setitem(ckan_config, "ckanext.crowdsource.common.writes_per_minute", 0)
    for name, amount in (("reader", 30), ("reader2", 20), ("reader3", 10), ("reader3", 10)):
        as_user(lib["editor"], "crowdsource_points_grant", user_id=lib[name]["id"],
                points=amount, note="Helped at the open day")
    model.Session.execute(sa.update(points).where(
        points.c.id == sa.select(points.c.id).where(points.c.user_id == lib["reader3"]["id"])
        .limit(1).scalar_subquery()).values(
        created=datetime.now(timezone.utc) - timedelta(days=40)))
    core.rebuild()  # the ledger changed by hand: the leaderboards' sums afresh
    model.Session.commit()
    return lib


def test_leaderboards_rank_periods_and_opt_outs(board):
    lib = board

    def ranks(**data: Any) -> list[tuple[int, str, int]]:
        return [(r["rank"], r["user"], r["points"])
                for r in as_user(None, "crowdsource_leaderboard", **data)["results"]]

    r1, r2, r3 = (lib[n]["name"] for n in ("reader", "reader2", "reader3"))
    assert ranks() == [(1, r1, 30), (2, r2, 20), (2, r3, 20)] or \
        ranks() == [(1, r1, 30), (2, r3, 20), (2, r2, 20)]
    assert ranks(period="30d")[-1] == (3, r3, 10)
    as_user(lib["reader"], "crowdsource_recognition_settings_update", leaderboards=False)
    assert [u for _r, u, _p in ranks()] == sorted([r2, r3], key=lambda n: next(
        lib[k]["id"] for k in ("reader2", "reader3") if lib[k]["name"] == n))
    assert total(lib["reader"]) == 30  # opted out, the points stay
    page = as_user(None, "crowdsource_leaderboard", limit=1, offset=1)
    assert page["count"] == 2 and len(page["results"]) == 1


def test_a_private_profile(board):
    lib = board
    as_user(lib["reader"], "crowdsource_recognition_settings_update", public_profile=False)
    for viewer in (None, lib["reader2"], lib["editor"]):
        with pytest.raises(logic.NotAuthorized):
            as_user(viewer, "crowdsource_points_list", user_id=lib["reader"]["name"])
    assert total(lib["reader"], lib["sysadmin"]) == 30
    assert as_user(lib["reader2"], "crowdsource_points_summary",
                   user_id=lib["reader2"]["name"])["total"] == 20


def test_grants_are_staff_only_and_audited(lib):
    for who in ("reader", "member"):
        with pytest.raises(logic.NotAuthorized):
            as_user(lib[who], "crowdsource_points_grant", user_id=lib["reader2"]["id"],
                    points=5, note="Thanks")
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["editor"], "crowdsource_points_grant", user_id=lib["editor"]["id"],
                points=5, note="Me")
    row = as_user(lib["other_editor"], "crowdsource_points_grant",
                  user_id=lib["reader2"]["name"], points=-5, note="Duplicate answers")
    assert (row["reason"], row["points"], row["note"]) == ("grant", -5, "Duplicate answers")
    log = as_user(lib["sysadmin"], "crowdsource_moderation_log_list", item_type="points")
    assert [e["action"] for e in log["results"]] == ["take"]


@pytest.mark.parametrize("data, field", [
    ({"points": 0}, "points"), ({"points": 1001}, "points"), ({"points": "x"}, "points"),
    ({"note": ""}, "note"), ({"user_id": ""}, "user_id"), ({"colour": "red"}, "colour"),
])
def test_a_bad_grant_names_its_field(lib, data, field):
    base = {"user_id": lib["reader"]["id"], "points": 5, "note": "Thanks"}
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_points_grant", **{**base, **data})
    assert field in e.value.error_dict
    assert ledger(lib["reader"]) == []


@pytest.mark.parametrize("action, data", [
    ("crowdsource_points_list", {"reason": "bribe"}),
    ("crowdsource_leaderboard", {"period": "decade"}),
    ("crowdsource_recognition_settings_update", {"leaderboards": "perhaps"}),
])
def test_bad_input_names_the_field(lib, action, data):
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader"], action, **data)
    assert set(data) <= set(e.value.error_dict)


def test_unknown_readers_and_communities(lib):
    with pytest.raises(logic.NotFound):
        as_user(lib["reader"], "crowdsource_points_list", user_id="nobody-here")
    with pytest.raises(logic.NotFound):
        as_user(None, "crowdsource_leaderboard", community_id="no-such-community")
    with pytest.raises(logic.NotAuthorized):
        as_user(None, "crowdsource_points_list")
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["reader"], "crowdsource_recognition_settings_show",
                user_id=lib["reader2"]["id"])
    shown = as_user(lib["sysadmin"], "crowdsource_recognition_settings_show",
                    user_id=lib["reader2"]["id"])
    assert shown == {"user": lib["reader2"]["name"], "leaderboards": True,
                     "public_profile": True}


def test_a_purged_dataset_takes_its_points_back(lib):
    _q, answer = question(lib, package="ds2")
    as_user(lib["reader"], "crowdsource_answer_accept", id=answer["id"])
    assert total(lib["reader2"], lib["sysadmin"]) == 15
    as_user(lib["sysadmin"], "dataset_purge", id=lib["ds2"]["id"])
    assert ledger(lib["reader2"]) == [("answer_accepted", 15), ("answer_accepted", -15)]


def test_recent_contributions_on_the_home_page(app, lib, ckan_config, monkeypatch):
    """The newest points earned in public, by readers whose points are
    public, in the home page's "contributions" block."""
    monkeypatch.setitem(ckan_config, "ckanext.crowdsource.home.blocks", "contributions")
    for package, asker, answerer in (("private", "editor", "member"), ("ds", "reader", "reader2"),
                                     ("ds2", "reader", "reader3")):
        _q, answer = question(lib, asker=asker, package=package, answerer=answerer)
        as_user(lib[asker], "crowdsource_answer_accept", id=answer["id"])
    as_user(lib["editor"], "crowdsource_points_grant", user_id=lib["reader"]["id"], points=9,
            note="Open day")
    as_user(lib["reader3"], "crowdsource_recognition_settings_update", public_profile=False)
    recent = as_user(None, "crowdsource_points_recent")
    assert [(r["user"], r["reason"], r["package_name"]) for r in recent["results"]] == [
        (lib["reader2"]["name"], "answer_accepted", lib["ds"]["name"])]
    log_out(app)
    body = app.get("/zh_Hans_CN/").body
    start = body.index("cs-home-contributions")  # CKAN's own blocks may list datasets too
    block = body[start:body.index("</section>", start)]
    assert lib["ds"]["title"] in block and "回答被采纳" in block
    assert lib["private"]["title"] not in body and lib["ds2"]["title"] not in block
