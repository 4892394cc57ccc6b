"""Posting, editing, cancelling, listing and bulk-creating tasks."""
from datetime import datetime, timedelta, timezone

import pytest
from ckan import logic
from ckan.tests import factories, helpers

from ckanext.crowdsource.tests.community.calls import community
from ckanext.crowdsource.tests.helpers import as_user


def test_staff_post_a_task_with_defaults(lib, make_task):
    t = make_task()
    assert (t["kind"], t["title"], t["capacity"], t["reward_points"], t["claim_ttl_hours"],
            t["state"], t["slots_left"]) == ("tag", "Tag the maps", 1, 0, 72, "open", 1)
    assert t["package_name"] == lib["ds"]["name"] and t["created_by"] == lib["editor"]["name"]
    assert t["claim_counts"] == {} and t["claims"] == []


def test_every_field(lib, make_task):
    due = (datetime.now(timezone.utc) + timedelta(days=10)).date().isoformat()
    c = community(lib)
    t = make_task(kind="describe", resource_id=lib["res"]["id"], capacity=3,
                  reward_points=20, claim_ttl_hours=24, due=due, community_id=c["name"],
                  members_first_hours=12, community_review=True,
                  target_field="resource.description")
    assert (t["resource_id"], t["capacity"], t["reward_points"], t["claim_ttl_hours"],
            t["community_id"], t["community_name"], t["members_first_hours"],
            t["community_review"], t["target_field"]) == (
        lib["res"]["id"], 3, 20, 24, c["id"], c["name"], 12, True, "resource.description")
    assert t["due"].startswith(due)


def test_a_plain_group_is_no_community(lib, make_task):
    with pytest.raises(logic.ValidationError) as e:
        make_task(community_id=lib["community"]["id"])
    assert "community_id" in e.value.error_dict


@pytest.mark.parametrize("data,field", [
    ({"kind": "dance"}, "kind"),
    ({"title": ""}, "title"),
    ({"capacity": 0}, "capacity"),
    ({"capacity": "many"}, "capacity"),
    ({"reward_points": -1}, "reward_points"),
    ({"claim_ttl_hours": 0}, "claim_ttl_hours"),
    ({"due": "2001-01-01"}, "due"),
    ({"due": "next week"}, "due"),
    ({"community_id": "no-such-group"}, "community_id"),
    ({"members_first_hours": 5}, "members_first_hours"),  # no community to be first in
    ({"community_review": True}, "community_review"),
    ({"members_first_hours": -1}, "members_first_hours"),
    ({"members_first_hours": "soon"}, "members_first_hours"),
    ({"community_review": "perhaps"}, "community_review"),
    ({"target_field": "author"}, "target_field"),
    ({"kind": "tag", "target_field": "notes"}, "target_field"),
    ({"kind": "describe", "target_field": "resource.name"}, "target_field"),
    ({"resource_id": "nope"}, "resource_id"),
])
def test_bad_tasks_name_the_field(make_task, data, field):
    with pytest.raises(logic.ValidationError) as e:
        make_task(**data)
    assert field in e.value.error_dict, e.value.error_dict


def test_who_may_post_change_and_cancel(lib, make_task):
    for who in ("reader", "member", "other_editor"):
        with pytest.raises(logic.NotAuthorized):
            as_user(lib[who], "crowdsource_task_create", package_id=lib["ds"]["id"],
                    kind="tag", title="x")
    with pytest.raises(logic.NotAuthorized):
        as_user(None, "crowdsource_task_create", package_id=lib["ds"]["id"], kind="tag",
                title="x")
    t = make_task()
    for who in ("reader", "member", "other_editor"):
        with pytest.raises(logic.NotAuthorized):
            as_user(lib[who], "crowdsource_task_update", id=t["id"], title="y")
        with pytest.raises(logic.NotAuthorized):
            as_user(lib[who], "crowdsource_task_cancel", id=t["id"])
    assert as_user(lib["admin"], "crowdsource_task_update", id=t["id"],
                   title="Tag the old maps", capacity=2)["capacity"] == 2
    with pytest.raises(logic.NotFound):
        as_user(lib["editor"], "crowdsource_task_update", id="nope", title="y")
    with pytest.raises(logic.NotFound):
        as_user(lib["editor"], "crowdsource_task_create", package_id="nope", kind="tag",
                title="x")


def test_capacity_cannot_drop_below_the_slots_in_use(lib, make_task):
    t = make_task(capacity=3)
    for who in ("reader", "reader2"):
        as_user(lib[who], "crowdsource_task_claim", id=t["id"])
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_task_update", id=t["id"], capacity=1)
    assert "capacity" in e.value.error_dict
    assert as_user(lib["editor"], "crowdsource_task_update", id=t["id"],
                   capacity=2)["slots_left"] == 0


def test_cancelling_releases_live_claims_with_the_reason(lib, make_task):
    t = make_task(capacity=2)
    c = as_user(lib["reader"], "crowdsource_task_claim", id=t["id"])
    done = as_user(lib["editor"], "crowdsource_task_cancel", id=t["id"],
                   reason="Digitised by a partner")
    assert done["state"] == "cancelled" and done["state_reason"] == "Digitised by a partner"
    mine = as_user(lib["reader"], "crowdsource_claim_show", id=c["id"])
    assert (mine["state"], mine["state_reason"]) == ("released", "Digitised by a partner")
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_task_cancel", id=t["id"])
    assert "state" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader2"], "crowdsource_task_claim", id=t["id"])
    assert "state" in e.value.error_dict


def test_the_board_filters_and_respects_private_datasets(lib, make_task):
    soon = (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()
    later = (datetime.now(timezone.utc) + timedelta(days=40)).isoformat()
    local = community(lib)
    make_task(title="soon", due=soon, community_id=local["id"], members_first_hours=1)
    make_task(title="later", kind="describe", due=later, package_id=lib["ds2"]["id"])
    full = make_task(title="full")
    as_user(lib["reader3"], "crowdsource_task_claim", id=full["id"])
    as_user(lib["editor"], "crowdsource_task_create", package_id=lib["private"]["id"],
            kind="tag", title="private")
    as_user(lib["other_editor"], "crowdsource_task_create", package_id=lib["other"]["id"],
            kind="verify", title="elsewhere")

    def titles(who=None, **kw):
        return sorted(t["title"] for t in
                      as_user(who, "crowdsource_task_list", **kw)["results"])

    assert titles() == ["elsewhere", "full", "later", "soon"]
    assert titles(lib["member"]) == ["elsewhere", "full", "later", "private", "soon"]
    assert titles(kind="describe") == ["later"]
    assert titles(free=True) == ["elsewhere", "later", "soon"]
    assert titles(due_within_days=7) == ["soon"]
    assert titles(community_id=local["name"]) == ["soon"]
    assert titles(organization=lib["other_org"]["name"]) == ["elsewhere"]
    assert titles(package_id=lib["ds2"]["name"]) == ["later"]
    due_first = as_user(None, "crowdsource_task_list", sort="due")["results"]
    assert [t["title"] for t in due_first][:2] == ["soon", "later"]
    page = as_user(None, "crowdsource_task_list", limit=2)
    assert page["count"] == 4 and len(page["results"]) == 2
    with pytest.raises(logic.ValidationError):
        as_user(None, "crowdsource_task_list", limit=1000)
    with pytest.raises(logic.NotFound):
        as_user(None, "crowdsource_task_list", organization="nope")


def test_private_tasks_exist_only_for_those_who_see_the_dataset(lib):
    t = as_user(lib["editor"], "crowdsource_task_create", package_id=lib["private"]["id"],
                kind="tag", title="private")
    for who in (None, "reader", "other_editor"):
        with pytest.raises(logic.NotAuthorized):
            as_user(lib[who] if who else None, "crowdsource_task_show", id=t["id"])
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["reader"], "crowdsource_task_claim", id=t["id"])
    assert as_user(lib["member"], "crowdsource_task_show", id=t["id"])["title"] == "private"


def test_bulk_creates_one_task_per_dataset_and_reports_skips(lib):
    hidden = factories.Dataset(owner_org=lib["other_org"]["id"], private=True)
    result = as_user(lib["editor"], "crowdsource_task_create_bulk", kind="verify",
                     title="Check the licence",
                     package_ids=[lib["ds"]["name"], lib["ds2"]["id"], lib["other"]["id"],
                                  "no-such-dataset", lib["ds"]["id"], hidden["name"]])
    assert result["count"] == 2
    assert sorted(t["package_id"] for t in result["results"]) == sorted(
        [lib["ds"]["id"], lib["ds2"]["id"]])
    assert {t["title"] for t in result["results"]} == {"Check the licence"}
    assert {(s["id"], s["reason"]) for s in result["skipped"]} == {
        (lib["other"]["id"], "You cannot post tasks on this dataset"),
        ("no-such-dataset", "Dataset not found"), (hidden["name"], "Dataset not found")}
    assert helpers.call_action("package_search", fq="num_open_tasks:1")["count"] == 2
    assert as_user(None, "crowdsource_task_list")["count"] == 2


def test_bulk_from_a_search(lib):
    result = as_user(lib["admin"], "crowdsource_task_create_bulk", kind="tag",
                     title="Tag it", q="title:(maps OR loans OR theses)")
    assert sorted(t["package_name"] for t in result["results"]) == sorted(
        [lib["ds"]["name"], lib["ds2"]["name"]])
    assert [s["id"] for s in result["skipped"]] == [lib["other"]["id"]]


def test_bulk_is_all_or_nothing_and_bounded(lib):
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_task_create_bulk", kind="tag", title="",
                package_ids=[lib["ds"]["id"]])
    assert "title" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_task_create_bulk", kind="tag", title="x")
    assert "package_ids" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:  # broken JSON is bad input, not a crash
        as_user(lib["editor"], "crowdsource_task_create_bulk", kind="tag", title="x",
                package_ids='["not json')
    assert "package_ids" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_task_create_bulk", kind="tag", title="x",
                community_id="nope", package_ids=[lib["ds"]["id"]])
    assert "community_id" in e.value.error_dict
    assert as_user(None, "crowdsource_task_list")["count"] == 0
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["reader"], "crowdsource_task_create_bulk", kind="tag", title="x",
                package_ids=[lib["ds"]["id"]])


@pytest.mark.ckan_config("ckanext.crowdsource.tasks.bulk_max", 1)
def test_bulk_refuses_more_than_the_maximum(lib):
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_task_create_bulk", kind="tag", title="x",
                package_ids=[lib["ds"]["id"], lib["ds2"]["id"]])
    assert "package_ids" in e.value.error_dict
    assert as_user(None, "crowdsource_task_list")["count"] == 0


@pytest.mark.ckan_config("ckanext.crowdsource.common.count_cache_seconds", 300)
def test_the_boards_kept_count_follows_every_change(lib, make_task):
    t = make_task()
    assert as_user(None, "crowdsource_task_list", free=True)["count"] == 1  # kept now
    c = as_user(lib["reader"], "crowdsource_task_claim", id=t["id"])
    assert as_user(None, "crowdsource_task_list", free=True)["count"] == 0
    as_user(lib["reader"], "crowdsource_claim_release", id=c["id"])
    assert as_user(None, "crowdsource_task_list", free=True)["count"] == 1
    make_task(title="second")
    assert as_user(None, "crowdsource_task_list", free=True)["count"] == 2
    with pytest.raises(logic.ValidationError):  # refused: nothing changed, the count stays
        as_user(lib["editor"], "crowdsource_task_update", id=t["id"], capacity=0)
    assert as_user(None, "crowdsource_task_list", free=True)["count"] == 2
