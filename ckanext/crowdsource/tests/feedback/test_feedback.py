"""Feedback: sending (logged in and anonymous), reading, the inbox, the
conversation, status changes, export."""
import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from ckan import logic, model
from ckan.lib.redis import connect_to_redis

from ckanext.crowdsource.feedback.model import feedback as feedback_table
from ckanext.crowdsource.tests.helpers import as_user


def send(lib, who="reader", **kw):
    data = {"kind": "error", "body": "The 1850 map is missing.", "package_id": lib["ds"]["id"],
            **kw}
    return as_user(lib[who] if who else None, "crowdsource_feedback_create", **data)


def test_a_reader_reports_an_error_with_a_rating(lib):
    f = send(lib, rating=4)
    assert (f["kind"], f["status"], f["rating"], f["subject_type"]) == ("error", "new", 4,
                                                                      "dataset")
    assert f["author"]["name"] == lib["reader"]["name"] and f["messages"] == []
    assert "contact_email" not in f
    on_resource = send(lib, resource_id=lib["res"]["id"], package_id=None)
    assert (on_resource["subject_type"], on_resource["package_id"]) == ("resource",
                                                                       lib["ds"]["id"])


def test_service_feedback_goes_to_the_organization_or_the_sysadmins(lib):
    org = send(lib, package_id=None, kind="suggestion", organization=lib["org"]["name"],
               body="Open on Sundays")
    site = send(lib, package_id=None, kind="praise", body="Great library")
    assert as_user(lib["editor"], "crowdsource_feedback_show", id=org["id"])["body"]
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["editor"], "crowdsource_feedback_show", id=site["id"])
    assert as_user(lib["sysadmin"], "crowdsource_feedback_show", id=site["id"])["kind"] == \
        "praise"
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["editor"], "crowdsource_feedback_set_status", id=site["id"],
                status="acknowledged")


@pytest.mark.parametrize("data,field", [
    ({"kind": "rant"}, "kind"),
    ({"body": ""}, "body"),
    ({"rating": 6}, "rating"),
    ({"rating": 0}, "rating"),
    ({"title": "x" * 201}, "title"),
    ({"package_id": None, "organization": "nope"}, "organization"),
])
def test_bad_feedback_names_the_field(lib, data, field):
    with pytest.raises(logic.ValidationError) as e:
        send(lib, **data)
    assert field in e.value.error_dict


def test_missing_subjects_are_not_found(lib):
    with pytest.raises(logic.NotFound):
        send(lib, package_id="nope")
    with pytest.raises(logic.NotFound):
        send(lib, package_id=None, resource_id="nope")
    with pytest.raises(logic.NotFound):
        as_user(lib["reader"], "crowdsource_feedback_show", id="nope")


def test_anonymous_feedback_is_off_by_default(lib):
    with pytest.raises(logic.NotAuthorized):
        send(lib, who=None, contact_email="a@example.org")


@pytest.mark.ckan_config("ckanext.crowdsource.feedback.anonymous", True)
@pytest.mark.ckan_config("ckanext.crowdsource.feedback.anonymous_per_hour", 2)
def test_anonymous_feedback_needs_an_email_passes_the_honeypot_and_is_rate_limited(
        lib, clean_redis):
    with pytest.raises(logic.ValidationError) as e:
        send(lib, who=None)
    assert "contact_email" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        send(lib, who=None, contact_email="not-an-address")
    assert "contact_email" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        send(lib, who=None, contact_email="a@example.org", website="http://spam.example")
    assert "website" in e.value.error_dict
    f = send(lib, who=None, contact_email="a@example.org", rating=1)
    assert f["anonymous"] and f["author"] is None
    staff_view = as_user(lib["editor"], "crowdsource_feedback_show", id=f["id"])
    assert staff_view["contact_email"] == "a@example.org"
    assert as_user(None, "crowdsource_rating_summary", package_id=lib["ds"]["id"])["count"] \
        == 0  # anonymous ratings cannot be one per reader: they are not counted
    send(lib, who=None, contact_email="b@example.org")
    with pytest.raises(logic.ValidationError) as e:
        send(lib, who=None, contact_email="c@example.org")
    assert "rate_limit" in e.value.error_dict
    assert connect_to_redis()  # counted in Redis, shared by every web worker


def test_private_feedback_is_for_its_author_and_the_staff(lib):
    f = send(lib)
    for who in ("reader2", "member", "other_editor"):  # members are not staff
        with pytest.raises(logic.NotAuthorized):
            as_user(lib[who], "crowdsource_feedback_show", id=f["id"])
    with pytest.raises(logic.NotAuthorized):
        as_user(None, "crowdsource_feedback_show", id=f["id"])
    assert as_user(lib["admin"], "crowdsource_feedback_show", id=f["id"])["id"] == f["id"]
    hidden = send(lib, who="member", package_id=lib["private"]["id"])
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["reader"], "crowdsource_feedback_show", id=hidden["id"])


def test_the_conversation(lib):
    f = send(lib)
    as_user(lib["editor"], "crowdsource_feedback_reply", id=f["id"],
            body="Thanks, we are looking")
    back = as_user(lib["reader"], "crowdsource_feedback_reply", id=f["id"],
                   body="It is map 12")
    assert [(m["role"], m["body"]) for m in back["messages"]] == [
        ("staff", "Thanks, we are looking"), ("reader", "It is map 12")]
    assert back["answered"]
    for who in ("reader2", "member", "other_editor"):
        with pytest.raises(logic.NotAuthorized):
            as_user(lib[who], "crowdsource_feedback_reply", id=f["id"], body="me?")


def test_status_workflow_and_invalid_steps(lib):
    f = send(lib)
    step = lambda status, **kw: as_user(  # noqa: E731
        lib["editor"], "crowdsource_feedback_set_status", id=f["id"], status=status, **kw)
    assert step("acknowledged", reply="Got it")["status"] == "acknowledged"
    with pytest.raises(logic.ValidationError) as e:
        step("new")
    assert "status" in e.value.error_dict
    with pytest.raises(logic.ValidationError):
        step("acknowledged")
    step("in_progress")
    done = step("resolved", reply="Added map 12")
    assert [(m["status"], m["body"]) for m in done["messages"]] == [
        ("acknowledged", "Got it"), ("in_progress", ""), ("resolved", "Added map 12")]
    with pytest.raises(logic.ValidationError):
        step("declined")
    assert step("in_progress")["status"] == "in_progress"  # taken up again
    with pytest.raises(logic.ValidationError) as e:
        step("resolved", fulfilled_by=lib["ds2"]["id"])
    assert "fulfilled_by" in e.value.error_dict  # only requests are fulfilled
    for who in ("reader", "member", "other_editor"):
        with pytest.raises(logic.NotAuthorized):
            as_user(lib[who], "crowdsource_feedback_set_status", id=f["id"],
                    status="declined")
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_feedback_set_status", id=f["id"], status="lost")
    assert "status" in e.value.error_dict


def test_bulk_status_change_is_all_or_nothing(lib):
    a, b = send(lib), send(lib, who="reader2")
    bulk = lambda who, ids, **kw: as_user(  # noqa: E731
        lib[who], "crowdsource_feedback_set_status_bulk", ids=ids, **kw)
    done = bulk("editor", [a["id"], b["id"]], status="acknowledged", reply="Seen")
    assert done["count"] == 2
    assert [(r["id"], r["status"]) for r in done["results"]] == [
        (a["id"], "acknowledged"), (b["id"], "acknowledged")]
    assert done["results"][0]["messages"][0]["body"] == "Seen"
    as_user(lib["editor"], "crowdsource_feedback_set_status", id=a["id"], status="resolved")
    with pytest.raises(logic.ValidationError) as e:
        bulk("editor", f"{b['id']},{a['id']}", status="declined")
    assert "status" in e.value.error_dict
    shown = lambda i: as_user(lib["editor"], "crowdsource_feedback_show", id=i)  # noqa: E731
    assert shown(b["id"])["status"] == "acknowledged"
    elsewhere = send(lib, package_id=lib["other"]["id"])
    with pytest.raises(logic.NotAuthorized):
        bulk("editor", [b["id"], elsewhere["id"]], status="resolved")
    with pytest.raises(logic.NotAuthorized):
        bulk("reader", [b["id"]], status="resolved")
    with pytest.raises(logic.NotFound):
        bulk("editor", [b["id"], "nope"], status="resolved")
    assert shown(b["id"])["status"] == "acknowledged"
    with pytest.raises(logic.ValidationError) as e:
        bulk("editor", [], status="resolved")
    assert "ids" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:  # one at a time: the plain action
        as_user(lib["editor"], "crowdsource_feedback_set_status", id=[b["id"]],
                status="resolved")
    assert "id" in e.value.error_dict
    assert bulk("sysadmin", [b["id"], elsewhere["id"]], status="resolved")["count"] == 2


@pytest.mark.ckan_config("ckanext.crowdsource.common.list_limit_max", 2)
def test_bulk_status_change_has_a_maximum(lib):
    ids = [send(lib)["id"] for _ in range(3)]
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_feedback_set_status_bulk", ids=ids,
                status="acknowledged")
    assert "ids" in e.value.error_dict


def test_the_inbox_scope_filters_counts_and_order(lib):
    first = send(lib, kind="error", rating=2)
    second = send(lib, who="reader2", kind="suggestion", package_id=lib["ds2"]["id"])
    third = send(lib, who="reader3", kind="error", rating=5)
    elsewhere = send(lib, package_id=lib["other"]["id"])
    as_user(lib["editor"], "crowdsource_feedback_reply", id=first["id"], body="On it")
    inbox = as_user(lib["editor"], "crowdsource_feedback_list")
    assert [r["id"] for r in inbox["results"]] == [second["id"], third["id"], first["id"]]
    assert inbox["count"] == 3 and set(inbox) == {"count", "results"}
    summary = as_user(lib["editor"], "crowdsource_feedback_summary")
    assert summary == {"count": 3, "by_status": {"new": 3}}
    assert inbox["results"][0]["contact_email"] is None  # staff fields are there
    assert as_user(lib["other_editor"], "crowdsource_feedback_list")["count"] == 1
    assert as_user(lib["sysadmin"], "crowdsource_feedback_list")["count"] == 4
    ids = lambda **kw: [r["id"] for r in as_user(  # noqa: E731
        lib["editor"], "crowdsource_feedback_list", **kw)["results"]]
    assert ids(kind="suggestion") == [second["id"]]
    assert ids(rating=5) == [third["id"]]
    assert ids(package_id=lib["ds2"]["name"]) == [second["id"]]
    assert set(ids(sort="newest")) == {first["id"], second["id"], third["id"]}
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).date().isoformat()
    assert ids(since=tomorrow) == [] and len(ids(until=tomorrow)) == 3
    as_user(lib["editor"], "crowdsource_feedback_set_status", id=third["id"],
            status="resolved")
    assert as_user(lib["editor"], "crowdsource_feedback_list", status="new")["count"] == 2
    assert as_user(lib["editor"], "crowdsource_feedback_summary")["by_status"] == {
        "new": 2, "resolved": 1}
    assert as_user(lib["editor"], "crowdsource_feedback_summary", kind="error") == {
        "count": 2, "by_status": {"new": 1, "resolved": 1}}
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["reader"], "crowdsource_feedback_summary")
    assert as_user(lib["reader"], "crowdsource_feedback_summary", mine=True)["count"] == 2
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["reader"], "crowdsource_feedback_list")
    mine = as_user(lib["reader"], "crowdsource_feedback_list", mine=True)
    assert {r["id"] for r in mine["results"]} == {first["id"], elsewhere["id"]}


def test_the_inbox_leaves_out_what_the_staff_cannot_see(lib):
    send(lib, who="member", package_id=lib["private"]["id"])
    assert as_user(lib["editor"], "crowdsource_feedback_list")["count"] == 1
    model.Session.execute(sa.update(feedback_table).values(owner_org=lib["other_org"]["id"]))
    model.Session.commit()  # as if the dataset's organization had answered elsewhere
    assert as_user(lib["other_editor"], "crowdsource_feedback_list")["count"] == 0


def test_export_csv_and_json(lib):
    a = send(lib, rating=3, body="第一条, with a comma")
    send(lib, who="reader2", kind="praise", body="Lovely")
    send(lib, package_id=lib["other"]["id"], body="not ours")
    out = as_user(lib["editor"], "crowdsource_feedback_export", format="csv")
    rows = list(csv.DictReader(io.StringIO(out["data"])))
    assert out["count"] == 2 and [r["body"] for r in rows] == ["第一条, with a comma", "Lovely"]
    assert rows[0]["rating"] == "3" and rows[0]["dataset"] == lib["ds"]["name"]
    assert rows[0]["author"] == lib["reader"]["name"] and rows[0]["id"] == a["id"]
    js = as_user(lib["editor"], "crowdsource_feedback_export", kind="praise")
    assert [r["body"] for r in js["data"]] == ["Lovely"] and js["format"] == "json"
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["reader"], "crowdsource_feedback_export")
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_feedback_export", format="xml")
    assert "format" in e.value.error_dict
