"""Tasks meant for a community: its members claim them (first, or alone),
its moderators review them when the task says so, and nobody else gains a
power from it (issue 15, "What communities do")."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from ckan import logic, model
from ckan.tests import helpers

from ckanext.crowdsource.tasks.model import task as task_table
from ckanext.crowdsource.tests.community.calls import joined, proposal
from ckanext.crowdsource.tests.helpers import as_user


def post(town, c, **kw):
    data = {"package_id": town["ds"]["id"], "kind": "describe", "title": "Describe the maps",
            "capacity": 3, "community_id": c["id"], **kw}
    return as_user(town["editor"], "crowdsource_task_create", **data)


def posted_hours_ago(task, hours):
    model.Session.execute(sa.update(task_table).where(task_table.c.id == task["id"]).values(
        created=datetime.now(timezone.utc) - timedelta(hours=hours)))
    model.Session.commit()


def submitted(town, t, who="member"):
    c = as_user(town[who], "crowdsource_task_claim", id=t["id"])
    return as_user(town[who], "crowdsource_claim_submit", id=c["id"],
                   result={"text": "Old maps of the town, drawn in 1850."})


def test_only_members_claim_a_community_task(town):
    t = post(town, town["open_c"])
    assert (t["community_name"], t["members_only"], t["members_only_until"]) == (
        town["open_c"]["name"], True, None)
    with pytest.raises(logic.NotAuthorized) as e:
        as_user(town["reader2"], "crowdsource_task_claim", id=t["id"])
    assert town["open_c"]["title"] in str(e.value) and "join" in str(e.value)
    with pytest.raises(logic.NotAuthorized):
        as_user(None, "crowdsource_task_claim", id=t["id"])
    # staff of the dataset's organization are no members either
    with pytest.raises(logic.NotAuthorized):
        as_user(town["editor"], "crowdsource_task_claim", id=t["id"])
    assert as_user(town["member"], "crowdsource_task_claim", id=t["id"])["state"] == "claimed"
    assert as_user(town["reader3"], "crowdsource_task_claim", id=t["id"])["state"] == "claimed"
    # a reader waiting to join an on-request community is no member yet
    waiting = post(town, town["request_c"])
    with pytest.raises(logic.NotAuthorized):
        as_user(town["reader2"], "crowdsource_task_claim", id=waiting["id"])
    # joining opens it at once, leaving closes it at once
    joined(town, town["open_c"], "reader2")
    assert as_user(town["reader2"], "crowdsource_task_claim", id=t["id"])["state"] == "claimed"
    again = post(town, town["open_c"])
    as_user(town["reader2"], "crowdsource_community_leave", id=town["open_c"]["id"])
    with pytest.raises(logic.NotAuthorized):
        as_user(town["reader2"], "crowdsource_task_claim", id=again["id"])


def test_members_first_then_everyone(town):
    t = post(town, town["open_c"], members_first_hours=2)
    until = datetime.fromisoformat(t["members_only_until"])
    assert t["members_only"] and timedelta(hours=1.9) < until - datetime.now(timezone.utc) \
        <= timedelta(hours=2)
    with pytest.raises(logic.NotAuthorized) as e:
        as_user(town["reader2"], "crowdsource_task_claim", id=t["id"])
    assert "until" in str(e.value)
    shown = as_user(town["reader2"], "crowdsource_task_show", id=t["id"])
    assert (shown["claimable"], shown["members_only"]) == (False, True)
    posted_hours_ago(t, 3)
    shown = as_user(town["reader2"], "crowdsource_task_show", id=t["id"])
    assert (shown["claimable"], shown["members_only"]) == (True, False)
    assert as_user(town["reader2"], "crowdsource_task_claim", id=t["id"])["state"] == "claimed"


def test_the_board_tells_who_may_claim_in_one_query(town):
    plain = as_user(town["editor"], "crowdsource_task_create", package_id=town["ds"]["id"],
                    kind="tag", title="Tag the maps")
    members = post(town, town["open_c"], title="members only")
    first = post(town, town["open_c"], title="members first", members_first_hours=5)

    def board(who):
        found = as_user(who, "crowdsource_task_list", limit=10)["results"]
        return {r["id"]: (r["claimable"], r["members_only"]) for r in found}

    assert board(town["reader2"]) == {plain["id"]: (True, False),
                                      members["id"]: (False, True),
                                      first["id"]: (False, True)}
    assert board(town["member"]) == {plain["id"]: (True, False), members["id"]: (True, True),
                                     first["id"]: (True, True)}
    assert board(None) == {plain["id"]: (False, False), members["id"]: (False, True),
                           first["id"]: (False, True)}
    posted_hours_ago(first, 6)
    assert board(town["reader2"])[first["id"]] == (True, False)

    tasks_read = []

    def count(_conn, _cursor, statement, *_args):
        if "FROM crowdsource_task" in statement:
            tasks_read.append(statement)

    engine = model.ensure_engine()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        as_user(town["reader2"], "crowdsource_task_list", limit=10, sort="due")
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len([s for s in tasks_read if "community_member" in s]) == 1


def test_next_task_offers_only_what_the_caller_may_claim(town):
    t = post(town, town["open_c"], capacity=5)
    with pytest.raises(logic.NotFound):
        as_user(town["reader2"], "crowdsource_task_next", community_id=town["open_c"]["name"])
    with pytest.raises(logic.NotFound):  # nor without the filter
        as_user(town["reader2"], "crowdsource_task_next")
    got = as_user(town["member"], "crowdsource_task_next", community_id=town["open_c"]["id"])
    assert got["task_id"] == t["id"]
    joined(town, town["open_c"], "reader2")
    assert as_user(town["reader2"], "crowdsource_task_next")["task_id"] == t["id"]


def test_a_task_is_meant_for_an_active_community_only(town):
    with pytest.raises(logic.ValidationError) as e:
        post(town, town["community"])  # a plain CKAN group
    assert "community_id" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        post(town, proposal(town))
    assert "community_id" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        as_user(town["editor"], "crowdsource_task_create_bulk", package_ids=[town["ds"]["id"]],
                kind="tag", title="x", community_id=town["community"]["name"])
    assert "community_id" in e.value.error_dict
    bulk = as_user(town["editor"], "crowdsource_task_create_bulk",
                   package_ids=[town["ds"]["id"], town["ds2"]["id"]], kind="tag", title="x",
                   community_id=town["open_c"]["name"], members_first_hours=0,
                   community_review=True)
    assert {(r["community_id"], r["community_review"], r["members_only"])
            for r in bulk["results"]} == {(town["open_c"]["id"], True, True)}


def test_update_moves_a_task_between_communities_and_back_to_everyone(town):
    t = post(town, town["open_c"], members_first_hours=4, community_review=True)
    moved = as_user(town["editor"], "crowdsource_task_update", id=t["id"],
                    community_id=town["request_c"]["name"])
    assert (moved["community_id"], moved["members_first_hours"]) == (town["request_c"]["id"], 4)
    freed = as_user(town["editor"], "crowdsource_task_update", id=t["id"], community_id="")
    assert (freed["community_id"], freed["members_first_hours"], freed["community_review"],
            freed["members_only"]) == (None, None, False, False)
    with pytest.raises(logic.ValidationError) as e:
        as_user(town["editor"], "crowdsource_task_update", id=t["id"], members_first_hours=3)
    assert "members_first_hours" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        as_user(town["editor"], "crowdsource_task_update", id=t["id"], community_id="nope")
    assert "community_id" in e.value.error_dict
    with pytest.raises(logic.NotAuthorized):  # a community's owner posts no tasks
        as_user(town["reader"], "crowdsource_task_update", id=t["id"],
                community_id=town["open_c"]["id"])


def test_moderators_review_when_the_task_lets_them_in_their_community_only(town):
    reviewed = post(town, town["open_c"], community_review=True)
    staff_only = post(town, town["open_c"])
    elsewhere = post(town, town["request_c"], community_review=True)
    plain = as_user(town["editor"], "crowdsource_task_create", package_id=town["ds"]["id"],
                    kind="describe", title="Describe", capacity=2)
    mine = submitted(town, reviewed)
    for t in (staff_only, elsewhere, plain):
        c = submitted(town, t, "reader" if t is elsewhere else "member")
        with pytest.raises(logic.NotAuthorized):
            as_user(town["reader3"], "crowdsource_claim_review", id=c["id"], decision="accept")
        with pytest.raises(logic.NotAuthorized):
            as_user(town["reader3"], "crowdsource_claim_show", id=c["id"])
    queue = as_user(town["reader3"], "crowdsource_claim_list", review=True,
                    community_id=town["open_c"]["name"])
    assert [r["id"] for r in queue["results"]] == [mine["id"]]
    with pytest.raises(logic.NotAuthorized):  # the library's whole queue is the staff's
        as_user(town["reader3"], "crowdsource_claim_list", review=True)
    with pytest.raises(logic.NotAuthorized):  # a plain member of request_c
        as_user(town["reader3"], "crowdsource_claim_list", review=True,
                community_id=town["request_c"]["id"])
    staff_queue = as_user(town["editor"], "crowdsource_claim_list", review=True,
                          community_id=town["open_c"]["id"])
    assert {r["task_id"] for r in staff_queue["results"]} == {reviewed["id"], staff_only["id"]}
    assert "claims" in as_user(town["reader3"], "crowdsource_task_show", id=reviewed["id"])
    assert "claims" not in as_user(town["reader3"], "crowdsource_task_show", id=staff_only["id"])
    shown = as_user(town["reader3"], "crowdsource_claim_show", id=mine["id"])
    assert "diff" in shown
    done = as_user(town["reader3"], "crowdsource_claim_review", id=mine["id"], decision="accept")
    assert done["state"] == "accepted" and done["reviewer"] == town["reader3"]["name"]
    # and apply the result: the task's staff allowed it into its target
    as_user(town["reader3"], "crowdsource_claim_apply", id=mine["id"])
    pkg = helpers.call_action("package_show", id=town["ds"]["id"])
    assert pkg["notes"] == "Old maps of the town, drawn in 1850."
    # a plain member of the community, and the staff of another organization, do not review
    other = submitted(town, reviewed, "reader")
    for who in ("member", "other_editor", "reader2"):
        with pytest.raises(logic.NotAuthorized):
            as_user(town[who], "crowdsource_claim_review", id=other["id"], decision="accept")
    with pytest.raises(logic.NotAuthorized):  # a plain reader has no queue
        as_user(town["reader2"], "crowdsource_claim_list", review=True,
                community_id=town["open_c"]["id"])
    with pytest.raises(logic.NotFound):
        as_user(town["reader3"], "crowdsource_claim_list", community_id="nope")


def test_a_moderator_never_reviews_their_own_claim(town):
    t = post(town, town["open_c"], community_review=True)
    own = submitted(town, t, "reader3")
    with pytest.raises(logic.NotAuthorized):
        as_user(town["reader3"], "crowdsource_claim_review", id=own["id"], decision="accept")
    assert own["id"] not in [r["id"] for r in as_user(
        town["reader3"], "crowdsource_claim_list", review=True,
        community_id=town["open_c"]["id"])["results"]]


def test_a_removed_moderator_is_refused_at_once(town):
    t = post(town, town["open_c"], community_review=True)
    first, second = submitted(town, t), submitted(town, t, "reader")
    as_user(town["reader3"], "crowdsource_claim_review", id=first["id"], decision="accept")
    as_user(town["reader"], "crowdsource_community_member_set_role", id=town["open_c"]["id"],
            user_id=town["reader3"]["name"], role="member")
    with pytest.raises(logic.NotAuthorized):
        as_user(town["reader3"], "crowdsource_claim_review", id=second["id"], decision="accept")
    with pytest.raises(logic.NotAuthorized):
        as_user(town["reader3"], "crowdsource_claim_apply", id=first["id"])
    with pytest.raises(logic.NotAuthorized):
        as_user(town["reader3"], "crowdsource_claim_list", review=True,
                community_id=town["open_c"]["id"])


def test_a_deleted_community_leaves_its_tasks_to_everyone(town):
    t = post(town, town["open_c"])
    helpers.call_action("group_delete", context={"user": town["sysadmin"]["name"]},
                        id=town["open_c"]["id"])
    shown = as_user(town["reader2"], "crowdsource_task_show", id=t["id"])
    assert (shown["community_id"], shown["community_name"], shown["members_only"],
            shown["claimable"]) == (town["open_c"]["id"], town["open_c"]["name"], False, True)
    assert as_user(town["reader2"], "crowdsource_task_claim", id=t["id"])["state"] == "claimed"
    assert as_user(town["reader2"], "crowdsource_task_list")["count"] == 1


def test_purging_a_community_unlinks_its_tasks(town):
    t = post(town, town["open_c"], members_first_hours=3, community_review=True)
    kept = post(town, town["request_c"])
    sent = []

    def receiver(sender, **kw):
        sent.append((sender, kw["community_id"]))

    from ckanext.crowdsource import events

    events.community_purged.connect(receiver)
    try:
        helpers.call_action("group_purge", context={"user": town["sysadmin"]["name"]},
                            id=town["open_c"]["name"])
    finally:
        events.community_purged.disconnect(receiver)
    assert sent == [(town["open_c"]["id"], town["open_c"]["id"])]
    shown = as_user(town["reader2"], "crowdsource_task_show", id=t["id"])
    assert (shown["community_id"], shown["members_first_hours"], shown["community_review"],
            shown["claimable"]) == (None, None, False, True)
    assert as_user(town["reader2"], "crowdsource_task_show", id=kept["id"])["community_id"] \
        == town["request_c"]["id"]
