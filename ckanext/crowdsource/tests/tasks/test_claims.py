"""Claims: take, extend, draft, release, submit, expire, review, apply, next."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from ckan import logic, model
from ckan.tests import helpers

from ckanext.crowdsource.tasks.model import claim as claim_table
from ckanext.crowdsource.tests.helpers import as_user, log_in


def expire(claim_id):
    """Move a claim's lease into the past, as time would."""
    model.Session.execute(sa.update(claim_table).where(claim_table.c.id == claim_id).values(
        expires_at=datetime.now(timezone.utc) - timedelta(minutes=1)))
    model.Session.commit()


def reader_tags(package_id, user):
    """The reader tags a user gave to a dataset (read from its table, so as
    not to depend on the tags capability's API)."""
    return set(model.Session.execute(sa.text(
        "SELECT tag FROM crowdsource_tag WHERE package_id = :p AND user_id = :u"),
        {"p": package_id, "u": user["id"]}).scalars())


def take(lib, who, task):
    return as_user(lib[who], "crowdsource_task_claim", id=task["id"])


def submit(lib, who, c, **result):
    return as_user(lib[who], "crowdsource_claim_submit", id=c["id"], result=result)


def test_claim_holds_a_slot_until_capacity(lib, make_task):
    t = make_task(capacity=2, claim_ttl_hours=5)
    c = take(lib, "reader", t)
    assert c["state"] == "claimed" and c["user"] == lib["reader"]["name"]
    lease = datetime.fromisoformat(c["expires_at"]) - datetime.now(timezone.utc)
    assert timedelta(hours=4, minutes=59) < lease <= timedelta(hours=5)
    assert c["task"]["slots_left"] == 1
    take(lib, "reader2", t)
    with pytest.raises(logic.ValidationError) as e:
        take(lib, "reader3", t)
    assert "no free slot" in str(e.value.error_dict["capacity"])
    with pytest.raises(logic.ValidationError) as e:
        take(lib, "reader", t)
    assert "already" in str(e.value.error_dict["already_claimed"])
    shown = as_user(lib["reader3"], "crowdsource_task_show", id=t["id"])
    assert shown["claim_counts"] == {"claimed": 2} and "claims" not in shown
    assert shown["my_claim"] is None


def test_who_may_claim(lib, make_task):
    t = make_task()
    with pytest.raises(logic.NotAuthorized):
        as_user(None, "crowdsource_task_claim", id=t["id"])
    with pytest.raises(logic.NotFound):
        as_user(lib["reader"], "crowdsource_task_claim", id="nope")
    assert take(lib, "editor", t)["state"] == "claimed"  # staff may take tasks too


@pytest.mark.ckan_config("ckanext.crowdsource.tasks.live_claims_per_reader", 2)
def test_a_reader_holds_at_most_n_claims(lib, make_task):
    tasks = [make_task(title=f"t{n}") for n in range(3)]
    first = take(lib, "reader", tasks[0])
    take(lib, "reader", tasks[1])
    with pytest.raises(logic.ValidationError) as e:
        take(lib, "reader", tasks[2])
    assert "2 tasks" in str(e.value.error_dict["live_claims"])
    as_user(lib["reader"], "crowdsource_claim_release", id=first["id"])
    assert take(lib, "reader", tasks[2])["state"] == "claimed"


def test_an_expired_claim_frees_its_slot_at_once_and_keeps_the_draft(lib, make_task):
    t = make_task()
    c = take(lib, "reader", t)
    as_user(lib["reader"], "crowdsource_claim_save_draft", id=c["id"],
            draft={"tags": ["古籍"]})
    expire(c["id"])
    assert as_user(None, "crowdsource_task_show", id=t["id"])["slots_left"] == 1
    assert as_user(None, "crowdsource_task_list", free=True)["count"] == 1
    with pytest.raises(logic.ValidationError) as e:
        submit(lib, "reader", c, tags=["古籍"])
    assert "expired" in str(e.value.error_dict["state"])
    # another reader takes the freed slot; the first one's claim is expired now
    other = take(lib, "reader2", t)
    assert as_user(lib["reader"], "crowdsource_claim_show", id=c["id"])["state"] == "expired"
    as_user(lib["reader2"], "crowdsource_claim_release", id=other["id"])
    again = take(lib, "reader", t)
    assert again["draft"] == {"tags": ["古籍"]}


def test_the_sweeper_settles_expired_claims(lib, make_task, cli):
    from ckan.cli.cli import ckan

    tasks = [make_task(title=f"t{n}") for n in range(2)]
    claims = [take(lib, who, t) for who, t in zip(("reader", "reader2"), tasks, strict=True)]
    for c in claims:
        expire(c["id"])
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["editor"], "crowdsource_claims_expire")
    swept = as_user(lib["sysadmin"], "crowdsource_claims_expire")
    assert swept["count"] == 2
    assert sorted(c["id"] for c in swept["results"]) == sorted(c["id"] for c in claims)
    assert as_user(lib["sysadmin"], "crowdsource_claims_expire") == {"count": 0, "results": []}
    c = take(lib, "reader3", tasks[0])
    expire(c["id"])
    result = cli.invoke(ckan, ["crowdsource", "expire-claims"])
    assert result.exit_code == 0 and "1 claims expired" in result.output
    row = model.Session.execute(sa.select(claim_table.c.state).where(
        claim_table.c.id == c["id"])).scalar()
    assert row == "expired"


def test_the_sweeper_runs_as_a_background_job(lib, make_task, cli):
    from ckan.cli.cli import ckan
    from ckan.lib import jobs

    c = take(lib, "reader", make_task())
    expire(c["id"])
    result = cli.invoke(ckan, ["crowdsource", "expire-claims", "--background"])
    assert result.exit_code == 0 and "Queued job" in result.output
    queue = jobs.get_queue("crowdsource")
    job = queue.jobs[-1]
    assert job.func_name.endswith("tasks.cli.sweep")
    assert job.perform() == 1
    queue.empty()


def test_extend_up_to_the_cap(lib, make_task):
    c = take(lib, "reader", make_task(claim_ttl_hours=1))
    for _ in range(2):
        c = as_user(lib["reader"], "crowdsource_claim_extend", id=c["id"])
    assert c["extensions"] == 2
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader"], "crowdsource_claim_extend", id=c["id"])
    assert "extensions" in e.value.error_dict


def test_only_the_reader_works_on_their_claim(lib, make_task):
    c = take(lib, "reader", make_task())
    for who in ("reader2", "editor", "sysadmin"):
        for action, data in (("crowdsource_claim_extend", {}),
                             ("crowdsource_claim_release", {}),
                             ("crowdsource_claim_save_draft", {"draft": {}}),
                             ("crowdsource_claim_submit", {"result": {"tags": ["x"]}})):
            with pytest.raises(logic.NotAuthorized):
                as_user(lib[who], action, id=c["id"], **data)
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["reader2"], "crowdsource_claim_show", id=c["id"])
    assert as_user(lib["editor"], "crowdsource_claim_show", id=c["id"])["user"] == \
        lib["reader"]["name"]


@pytest.mark.parametrize("kind,result,field", [
    ("tag", {"tags": []}, "tags"),
    ("tag", {"tags": ["<b>"]}, "tags"),
    ("describe", {"text": ""}, "text"),
    ("describe", {"text": "ok", "field": "author"}, "field"),
    ("review", {"verdict": "maybe"}, "verdict"),
    ("verify", {"verdict": "problems", "notes": ""}, "notes"),
])
def test_results_are_checked_by_kind(lib, make_task, kind, result, field):
    c = take(lib, "reader", make_task(kind=kind))
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader"], "crowdsource_claim_submit", id=c["id"], result=result)
    assert field in e.value.error_dict["result"], e.value.error_dict


def test_submitting_is_idempotent(lib, make_task):
    c = take(lib, "reader", make_task())
    first = submit(lib, "reader", c, tags=["Maps ", "古籍"])
    assert first["state"] == "submitted" and first["result"] == {"tags": ["maps", "古籍"]}
    again = submit(lib, "reader", c, tags=["maps", "古籍"])
    assert again["submitted_at"] == first["submitted_at"]
    changed = submit(lib, "reader", c, tags=["maps"])
    assert changed["result"] == {"tags": ["maps"]}


def test_review_accept_reject_and_completion(lib, make_task):
    t = make_task(capacity=2, reward_points=10)
    a, b = take(lib, "reader", t), take(lib, "reader2", t)
    submit(lib, "reader", a, tags=["maps"])
    submit(lib, "reader2", b, tags=["atlas"])
    as_user(lib["editor"], "crowdsource_claim_review", id=a["id"], decision="accept")
    assert as_user(None, "crowdsource_task_show", id=t["id"])["state"] == "open"
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_claim_review", id=b["id"], decision="reject")
    assert "note" in e.value.error_dict
    rejected = as_user(lib["editor"], "crowdsource_claim_review", id=b["id"],
                       decision="reject", note="Not about maps")
    assert (rejected["state"], rejected["reviewer"]) == ("rejected", lib["editor"]["name"])
    assert as_user(None, "crowdsource_task_show", id=t["id"])["slots_left"] == 1
    late = take(lib, "reader3", t)
    submit(lib, "reader3", late, tags=["old town"])
    done = as_user(lib["admin"], "crowdsource_claim_review", id=late["id"],
                   decision="accept", note="Thanks")
    assert done["state"] == "accepted" and done["review_note"] == "Thanks"
    shown = as_user(lib["editor"], "crowdsource_task_show", id=t["id"])
    assert (shown["state"], shown["accepted"], shown["slots_left"]) == ("completed", 2, 0)
    with pytest.raises(logic.ValidationError):
        take(lib, "member", t)
    with pytest.raises(logic.ValidationError):  # a completed task is not edited
        as_user(lib["editor"], "crowdsource_task_update", id=t["id"], title="more")


def test_changes_requested_go_back_to_the_reader_with_a_new_lease(lib, make_task):
    c = take(lib, "reader", make_task(kind="describe", claim_ttl_hours=2))
    submit(lib, "reader", c, text="A map")
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_claim_review", id=c["id"], decision="changes")
    assert "note" in e.value.error_dict
    back = as_user(lib["editor"], "crowdsource_claim_review", id=c["id"], decision="changes",
                   note="Say which town")
    assert back["state"] == "claimed" and back["review_note"] == "Say which town"
    again = submit(lib, "reader", c, text="A map of the old town")
    assert again["state"] == "submitted"


def test_nobody_reviews_their_own_claim_even_in_the_database(lib, make_task):
    c = take(lib, "editor", make_task())
    submit(lib, "editor", c, tags=["maps"])
    for who in ("editor", "reader", "member", "other_editor"):
        with pytest.raises(logic.NotAuthorized):
            as_user(lib[who], "crowdsource_claim_review", id=c["id"], decision="accept")
    with pytest.raises(Exception) as e:  # the constraint holds whatever the code does
        model.Session.execute(sa.update(claim_table).where(claim_table.c.id == c["id"]).values(
            reviewer_id=model.User.get(lib["editor"]["name"]).id))
        model.Session.commit()
    model.Session.rollback()
    assert "crowdsource_claim_not_own_review" in str(e.value)
    sysadmin_claim = take(lib, "sysadmin", make_task(title="again"))
    submit(lib, "sysadmin", sysadmin_claim, tags=["x"])
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["sysadmin"], "crowdsource_claim_review", id=sysadmin_claim["id"],
                decision="accept")


def test_only_submitted_claims_are_reviewed(lib, make_task):
    c = take(lib, "reader", make_task())
    with pytest.raises(logic.ValidationError):
        as_user(lib["editor"], "crowdsource_claim_review", id=c["id"], decision="accept")


def test_apply_tags_as_reader_tags_credited_to_the_reader(lib, make_task):
    c = take(lib, "reader", make_task())
    submit(lib, "reader", c, tags=["古籍", "atlas"])
    with pytest.raises(logic.ValidationError):
        as_user(lib["editor"], "crowdsource_claim_apply", id=c["id"])  # not accepted yet
    as_user(lib["editor"], "crowdsource_claim_review", id=c["id"], decision="accept")
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["reader"], "crowdsource_claim_apply", id=c["id"])
    applied = as_user(lib["editor"], "crowdsource_claim_apply", id=c["id"])
    assert applied["applied_as"] == "reader_tags" and applied["applied_at"]
    assert reader_tags(lib["ds"]["id"], lib["reader"]) == {"古籍", "atlas"}
    with pytest.raises(logic.ValidationError):
        as_user(lib["editor"], "crowdsource_claim_apply", id=c["id"])


def test_apply_tags_as_official_tags(lib, make_task):
    c = take(lib, "reader", make_task())
    submit(lib, "reader", c, tags=["atlas"])
    as_user(lib["editor"], "crowdsource_claim_review", id=c["id"], decision="accept")
    as_user(lib["editor"], "crowdsource_claim_apply", id=c["id"], **{"as": "official_tags"})
    pkg = helpers.call_action("package_show", id=lib["ds"]["id"])
    assert sorted(t["name"] for t in pkg["tags"]) == ["atlas", "maps"]


def test_apply_a_description_after_seeing_the_diff(lib, make_task):
    c = take(lib, "reader", make_task(kind="describe"))
    submit(lib, "reader", c, text="Old maps.\nDrawn in 1850 by the city surveyor.")
    as_user(lib["editor"], "crowdsource_claim_review", id=c["id"], decision="accept")
    shown = as_user(lib["editor"], "crowdsource_claim_show", id=c["id"])
    assert shown["diff_field"] == "notes"
    assert shown["diff"] == [{"op": " ", "line": "Old maps."},
                             {"op": "+", "line": "Drawn in 1850 by the city surveyor."}]
    assert "diff" not in as_user(lib["reader"], "crowdsource_claim_show", id=c["id"])
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_claim_apply", id=c["id"], **{"as": "reader_tags"})
    assert "as" in e.value.error_dict
    as_user(lib["editor"], "crowdsource_claim_apply", id=c["id"])
    pkg = helpers.call_action("package_show", id=lib["ds"]["id"])
    assert pkg["notes"] == "Old maps.\nDrawn in 1850 by the city surveyor."


def test_apply_a_translation_to_the_resource(lib, make_task):
    c = take(lib, "reader", make_task(kind="translate", resource_id=lib["res"]["id"],
                                      target_field="resource.description"))
    submit(lib, "reader", c, text="一份清单")
    as_user(lib["editor"], "crowdsource_claim_review", id=c["id"], decision="accept")
    as_user(lib["editor"], "crowdsource_claim_apply", id=c["id"])
    res = helpers.call_action("resource_show", id=lib["res"]["id"])
    assert res["description"] == "一份清单"


def test_review_results_cannot_be_applied(lib, make_task):
    c = take(lib, "reader", make_task(kind="review"))
    submit(lib, "reader", c, verdict="ok")
    as_user(lib["editor"], "crowdsource_claim_review", id=c["id"], decision="accept")
    with pytest.raises(logic.ValidationError):
        as_user(lib["editor"], "crowdsource_claim_apply", id=c["id"])


def test_next_task_skips_full_and_already_claimed_tasks(lib, make_task):
    soon = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    first = make_task(title="due soon", due=soon)
    second = make_task(title="no due date", kind="describe")
    got = as_user(lib["reader"], "crowdsource_task_next")  # the claim it made
    assert got["task_id"] == first["id"] and got["state"] == "claimed"
    assert got["task"]["title"] == "due soon"
    assert as_user(lib["reader2"], "crowdsource_task_next")["task_id"] == second["id"]
    with pytest.raises(logic.NotFound):
        as_user(lib["reader3"], "crowdsource_task_next")
    as_user(lib["reader"], "crowdsource_claim_release", id=got["id"])
    with pytest.raises(logic.NotFound):  # claimed before: not offered again
        as_user(lib["reader"], "crowdsource_task_next")
    assert as_user(lib["reader3"], "crowdsource_task_next", kind="tag")["task_id"] == first["id"]
    with pytest.raises(logic.NotAuthorized):
        as_user(None, "crowdsource_task_next")


def test_claim_lists_and_the_review_queue(lib, make_task):
    t = make_task(capacity=3)
    a, b = take(lib, "reader", t), take(lib, "reader2", t)
    submit(lib, "reader2", b, tags=["x"])
    submit(lib, "reader", a, tags=["y"])
    mine = as_user(lib["reader"], "crowdsource_claim_list")
    assert [c["id"] for c in mine["results"]] == [a["id"]]
    assert mine["results"][0]["task"]["title"] == "Tag the maps"
    queue = as_user(lib["editor"], "crowdsource_claim_list", review=True)
    assert [c["id"] for c in queue["results"]] == [b["id"], a["id"]]  # oldest submission first
    assert as_user(lib["other_editor"], "crowdsource_claim_list", review=True)["count"] == 0
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["reader"], "crowdsource_claim_list", review=True)
    all_of_task = as_user(lib["editor"], "crowdsource_claim_list", task_id=t["id"])
    assert all_of_task["count"] == 2
    assert as_user(lib["reader"], "crowdsource_claim_list", task_id=t["id"])["count"] == 1


def test_tasks_reach_the_search_index(lib, make_task):
    fq = 'vocab_crowd_needs_help:"tasks"'
    t = make_task()
    found = helpers.call_action("package_search", fq=fq)["results"]
    assert [d["name"] for d in found] == [lib["ds"]["name"]]
    assert helpers.call_action("package_search", fq="num_open_tasks:1")["count"] == 1
    as_user(lib["editor"], "crowdsource_task_cancel", id=t["id"])
    assert helpers.call_action("package_search", fq=fq)["count"] == 0


def test_every_transition_sends_its_event(lib, make_task):
    from ckanext.crowdsource import events

    names = ["task_created", "task_updated", "task_cancelled", "task_completed",
             "claim_claimed", "claim_extended", "claim_released", "claim_expired",
             "claim_submitted", "claim_accepted", "claim_rejected",
             "claim_changes_requested", "claim_applied"]
    seen = []
    receivers = {}
    for name in names:
        receivers[name] = lambda sender, name=name, **kw: seen.append(name)
        getattr(events, name).connect(receivers[name])
    try:
        t = make_task(capacity=2)
        as_user(lib["editor"], "crowdsource_task_update", id=t["id"], reward_points=5)
        a = take(lib, "reader", t)
        as_user(lib["reader"], "crowdsource_claim_extend", id=a["id"])
        submit(lib, "reader", a, tags=["x"])
        as_user(lib["editor"], "crowdsource_claim_review", id=a["id"], decision="changes",
                note="more")
        submit(lib, "reader", a, tags=["x", "y"])
        as_user(lib["editor"], "crowdsource_claim_review", id=a["id"], decision="accept")
        as_user(lib["editor"], "crowdsource_claim_apply", id=a["id"])
        b = take(lib, "reader2", t)
        as_user(lib["reader2"], "crowdsource_claim_release", id=b["id"])
        b = take(lib, "reader2", t)
        expire(b["id"])
        c = take(lib, "reader3", t)
        submit(lib, "reader3", c, tags=["z"])
        as_user(lib["editor"], "crowdsource_claim_review", id=c["id"], decision="reject",
                note="no")
        d = take(lib, "reader2", t)
        submit(lib, "reader2", d, tags=["w"])
        as_user(lib["editor"], "crowdsource_claim_review", id=d["id"], decision="accept")
        other = make_task(title="other")
        as_user(lib["editor"], "crowdsource_task_cancel", id=other["id"])
    finally:
        for name in names:
            getattr(events, name).disconnect(receivers[name])
    assert set(seen) == set(names), set(names) - set(seen)


def test_a_resource_field_is_refused_for_a_task_on_the_dataset(app, lib, make_task):
    task = make_task(kind="describe", title="Describe the maps")
    c = take(lib, "reader", task)
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader"], "crowdsource_claim_submit", id=c["id"],
                result={"text": "x", "field": "resource.name"})
    assert "field" in e.value.error_dict["result"]
    on_resource = make_task(kind="describe", title="Name the file",
                            resource_id=lib["res"]["id"])
    c2 = take(lib, "reader", on_resource)
    done = as_user(lib["reader"], "crowdsource_claim_submit", id=c2["id"],
                   result={"text": "地图", "field": "resource.name"})
    assert done["result"]["field"] == "resource.name"
    log_in(app, lib["editor"])
    assert app.get(f"/crowdsource/tasks/{task['id']}").status_code == 200
    assert app.get(f"/crowdsource/tasks/{on_resource['id']}").status_code == 200
