"""Public requests, seconds, the demand view; ratings in the dataset and in search."""
import pytest
from ckan import logic
from ckan.tests import helpers

from ckanext.crowdsource.tests.helpers import as_user


def ask(lib, who="reader", **kw):
    data = {"kind": "request", "title": "Maps of 1900", "body": "Please scan them",
            "package_id": lib["ds"]["id"], **kw}
    return as_user(lib[who], "crowdsource_feedback_create", **data)


def test_requests_are_public_without_the_conversation(lib):
    r = ask(lib)
    as_user(lib["editor"], "crowdsource_feedback_reply", id=r["id"], body="private note")
    public = as_user(lib["reader2"], "crowdsource_feedback_show", id=r["id"])
    assert public["title"] == "Maps of 1900" and "messages" not in public
    assert "contact_email" not in public and "answered" not in public
    anon = as_user(None, "crowdsource_request_list")
    assert [x["id"] for x in anon["results"]] == [r["id"]]
    with pytest.raises(logic.NotAuthorized):  # the conversation stays private
        as_user(lib["reader2"], "crowdsource_feedback_reply", id=r["id"], body="me?")


def test_seconding_once_each_and_withdrawing(lib):
    r = ask(lib)
    once = as_user(lib["reader2"], "crowdsource_request_second", id=r["id"])
    assert (once["id"], once["seconds"], once["seconded"]) == (r["id"], 1, True)
    assert "messages" not in once  # the seconder sees the public request
    assert as_user(lib["reader2"], "crowdsource_request_second", id=r["id"])["seconds"] == 1
    assert as_user(lib["reader3"], "crowdsource_request_second", id=r["id"])["seconds"] == 2
    back = as_user(lib["reader2"], "crowdsource_request_second", id=r["id"], second=False)
    assert (back["seconds"], back["seconded"]) == (1, False)
    assert as_user(lib["reader3"], "crowdsource_feedback_show", id=r["id"])["seconded"]
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["reader"], "crowdsource_request_second", id=r["id"])  # their own
    with pytest.raises(logic.NotAuthorized):
        as_user(None, "crowdsource_request_second", id=r["id"])
    not_a_request = as_user(lib["reader"], "crowdsource_feedback_create", kind="error",
                            body="x", package_id=lib["ds"]["id"])
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["reader2"], "crowdsource_request_second", id=not_a_request["id"])
    as_user(lib["editor"], "crowdsource_feedback_set_status", id=r["id"], status="declined")
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader2"], "crowdsource_request_second", id=r["id"])
    assert list(e.value.error_dict) == ["status"]  # the condition, not the id
    with pytest.raises(logic.NotFound):
        as_user(lib["reader2"], "crowdsource_request_second", id="nope")


def test_resolving_a_request_links_the_dataset_that_fulfils_it(lib):
    r = ask(lib)
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_feedback_set_status", id=r["id"],
                status="resolved", fulfilled_by="no-such-dataset")
    assert "fulfilled_by" in e.value.error_dict
    done = as_user(lib["editor"], "crowdsource_feedback_set_status", id=r["id"],
                   status="resolved", fulfilled_by=lib["ds2"]["id"],
                   public_answer="Scanned: see the new dataset")
    assert done["fulfilled_by"] == lib["ds2"]["name"]
    public = as_user(None, "crowdsource_feedback_show", id=r["id"])
    assert public["public_answer"] == "Scanned: see the new dataset"
    assert public["status"] == "resolved"


def test_the_demand_view_most_seconded_open_first(lib):
    small, big = ask(lib, title="small"), ask(lib, who="reader2", title="big")
    elsewhere = ask(lib, who="reader3", title="elsewhere", package_id=lib["other"]["id"])
    for who in ("reader", "reader3", "member"):
        as_user(lib[who], "crowdsource_request_second", id=big["id"])
    as_user(lib["reader2"], "crowdsource_request_second", id=small["id"])
    demand = as_user(None, "crowdsource_request_list", sort="seconds", open=True)
    assert [r["title"] for r in demand["results"]] == ["big", "small", "elsewhere"]
    per_org = as_user(None, "crowdsource_request_list", sort="seconds",
                      organization=lib["org"]["name"])
    assert [r["title"] for r in per_org["results"]] == ["big", "small"]
    as_user(lib["other_editor"], "crowdsource_feedback_set_status", id=elsewhere["id"],
            status="resolved")
    assert as_user(None, "crowdsource_request_list", open=True)["count"] == 2
    assert as_user(None, "crowdsource_request_list", status="resolved")["count"] == 1


def test_requests_on_private_datasets_stay_private(lib):
    ask(lib, who="member", title="secret", package_id=lib["private"]["id"])
    assert as_user(None, "crowdsource_request_list")["count"] == 0
    assert as_user(lib["reader"], "crowdsource_request_list")["count"] == 0
    assert as_user(lib["member"], "crowdsource_request_list")["count"] == 1
    with pytest.raises(logic.NotAuthorized):
        as_user(None, "crowdsource_request_list", package_id=lib["private"]["id"])


def test_flagged_requests_leave_the_public_lists(lib):
    r = ask(lib, title="buy my product")
    for who in ("reader2", "reader3", "member"):
        as_user(lib[who], "crowdsource_flag_create", item_type="request", item_id=r["id"],
                reason="spam")
    assert as_user(None, "crowdsource_request_list")["count"] == 0
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["reader2"], "crowdsource_feedback_show", id=r["id"])
    assert as_user(lib["reader"], "crowdsource_feedback_show", id=r["id"])["state"] == "hidden"
    queue = as_user(lib["editor"], "crowdsource_moderation_list", item_type="request")
    assert queue["results"][0]["label"] == "buy my product"
    as_user(lib["editor"], "crowdsource_moderation_decide", item_type="request",
            item_id=r["id"], decision="restore")
    assert as_user(None, "crowdsource_request_list")["count"] == 1


def test_staff_hide_a_reply_in_a_conversation(lib):
    f = as_user(lib["reader"], "crowdsource_feedback_create", kind="other", body="hello",
                package_id=lib["ds"]["id"])
    shown = as_user(lib["reader"], "crowdsource_feedback_reply", id=f["id"], body="rude words")
    reply_id = shown["messages"][0]["id"]
    as_user(lib["editor"], "crowdsource_moderation_decide", item_type="feedback_reply",
            item_id=reply_id, decision="hide", reason="rude")
    assert as_user(lib["reader"], "crowdsource_feedback_show",
                   id=f["id"])["messages"][0]["body"] == ""
    assert as_user(lib["editor"], "crowdsource_feedback_show",
                   id=f["id"])["messages"][0]["body"] == "rude words"


def rate(lib, who, stars, **kw):
    return as_user(lib[who], "crowdsource_feedback_create", kind="praise", body="ok",
                   rating=stars, package_id=kw.get("package_id", lib["ds"]["id"]))


def test_one_rating_per_reader_the_newest_counts(lib):
    rate(lib, "reader", 2)
    rate(lib, "reader2", 5)
    assert as_user(None, "crowdsource_rating_summary", package_id=lib["ds"]["name"]) == {
        "average": 3.5, "count": 2, "mine": None}
    rate(lib, "reader", 4)  # replaces the 2
    summary = as_user(lib["reader"], "crowdsource_rating_summary", package_id=lib["ds"]["id"])
    assert summary == {"average": 4.5, "count": 2, "mine": 4}
    with pytest.raises(logic.NotFound):
        as_user(None, "crowdsource_rating_summary", package_id="nope")
    with pytest.raises(logic.NotAuthorized):
        as_user(None, "crowdsource_rating_summary", package_id=lib["private"]["id"])


def test_ratings_reach_the_index_and_sort_the_search(lib):
    rate(lib, "reader", 3)
    rate(lib, "reader", 5, package_id=lib["ds2"]["id"])
    found = helpers.call_action("package_search", sort="rating_average desc, name asc",
                                fq="rating_count:[1 TO *]")
    assert [d["id"] for d in found["results"]] == [lib["ds2"]["id"], lib["ds"]["id"]]
    found = helpers.call_action("package_search", fq='rating_average:"3.00"')
    assert [d["id"] for d in found["results"]] == [lib["ds"]["id"]]
