"""Loans: every transition, access through permission labels, the queue,
offers passing on, the sweeper, the per-reader limit, and bad input."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from ckan import logic, model
from ckan.tests import factories, helpers

from ckanext.crowdsource import events
from ckanext.crowdsource.loans.model import loan as loan_table
from ckanext.crowdsource.loans.model import reservation as reservation_table
from ckanext.crowdsource.tests.helpers import as_user

pytestmark = pytest.mark.ckan_config("ckanext.crowdsource.common.writes_per_minute", "0")


def borrow(lib, who, ds):
    return as_user(lib[who], "crowdsource_loan_request", package_id=ds["id"])


def sees(lib, who, ds):
    try:
        as_user(lib[who], "package_show", id=ds["id"])
        return True
    except logic.NotAuthorized:
        return False


def sees_resource(lib, who, ds):
    try:
        as_user(lib[who], "resource_show", id=ds["resources"][0]["id"])
        return True
    except logic.NotAuthorized:
        return False


def found_by_search(lib, who, ds):
    result = as_user(lib[who], "package_search", q="title:Rare", include_private=True,
                     rows=100)
    return ds["id"] in [d["id"] for d in result["results"]]


def past_due(loan_id):
    model.Session.execute(sa.update(loan_table).where(loan_table.c.id == loan_id).values(
        due=datetime.now(timezone.utc) - timedelta(minutes=1)))
    model.Session.commit()


def offer_gone(reservation_id):
    model.Session.execute(sa.update(reservation_table)
                          .where(reservation_table.c.id == reservation_id)
                          .values(offer_expires=datetime.now(timezone.utc)
                                  - timedelta(minutes=1)))
    model.Session.commit()


def sweep():
    return helpers.call_action("crowdsource_loans_expire")


def test_only_a_private_dataset_is_lent(lib):
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_lendable_set", package_id=lib["ds"]["id"])
    assert "package_id" in e.value.error_dict


def test_a_loan_opens_the_dataset_and_its_resources_and_returning_closes_them(lib, lendable):
    ds = lendable(copies=1)
    assert not sees(lib, "reader", ds) and not sees_resource(lib, "reader", ds)
    assert not found_by_search(lib, "reader", ds)
    assert found_by_search(lib, "editor", ds)  # staff still see it
    loan = borrow(lib, "reader", ds)
    assert loan["type"] == "loan" and loan["state"] == "active" and loan["due"]
    assert sees(lib, "reader", ds) and sees_resource(lib, "reader", ds)
    assert found_by_search(lib, "reader", ds)
    assert not sees(lib, "reader2", ds) and not found_by_search(lib, "reader2", ds)
    back = as_user(lib["reader"], "crowdsource_loan_return", id=loan["id"])
    assert back["state"] == "returned" and back["ended"]
    assert not sees(lib, "reader", ds) and not sees_resource(lib, "reader", ds)
    assert not found_by_search(lib, "reader", ds)


def test_access_ends_at_the_due_time_before_the_sweeper_runs(lib, lendable):
    ds = lendable()
    loan = borrow(lib, "reader", ds)
    past_due(loan["id"])
    assert not sees(lib, "reader", ds) and not found_by_search(lib, "reader", ds)
    assert sweep()["results"] == [loan["id"]]
    assert sweep()["count"] == 0  # safe to run twice
    assert as_user(lib["reader"], "crowdsource_loan_show", id=loan["id"])["state"] == "expired"


def test_the_record_is_shown_without_resources(lib, lendable):
    ds = lendable(copies=2, loan_days=7)
    shown = as_user(None, "crowdsource_lendable_show", package_id=ds["name"])
    assert shown["title"] == "Rare Maps" and "rare" in shown["notes"]
    assert "resources" not in shown and "rare.pdf" not in str(shown)
    assert shown["availability"] == {"copies": 2, "copies_free": 2, "queue_length": 0,
                                     "next_free": None}
    assert not shown["can_borrow"]
    assert as_user(lib["reader"], "crowdsource_lendable_show",
                   package_id=ds["id"])["can_borrow"]
    listed = as_user(None, "crowdsource_lendable_list")
    assert ds["id"] in [d["package_id"] for d in listed["results"]]


def test_a_private_dataset_that_is_not_lendable_stays_hidden(lib):
    with pytest.raises(logic.NotFound):
        as_user(lib["reader"], "crowdsource_lendable_show", package_id=lib["private"]["id"])
    shown = as_user(lib["editor"], "crowdsource_lendable_show", package_id=lib["private"]["id"])
    assert shown == {"package_id": lib["private"]["id"], "name": lib["private"]["name"],
                     "lendable": False}


def test_queue_first_come_first_served_and_offers_pass_on(lib, lendable):
    ds = lendable(copies=1)
    first = borrow(lib, "reader", ds)
    r2 = borrow(lib, "reader2", ds)
    r3 = borrow(lib, "reader3", ds)
    assert (r2["type"], r2["state"], r2["place"]) == ("reservation", "waiting", 1)
    assert r3["place"] == 2
    with pytest.raises(logic.ValidationError) as e:
        borrow(lib, "reader2", ds)
    assert "already_borrowing" in e.value.error_dict
    received = []

    def got(sender, **kw):
        received.append((sender, kw["reader_id"]))

    events.loan_offer_made.connect(got)
    try:
        as_user(lib["reader"], "crowdsource_loan_return", id=first["id"])
    finally:
        events.loan_offer_made.disconnect(got)
    assert received == [(r2["id"], lib["reader2"]["id"])]
    places = as_user(lib["editor"], "crowdsource_reservation_list", package_id=ds["id"])
    assert [(r["user"], r["state"], r["place"]) for r in places["results"]] == [
        (lib["reader2"]["name"], "offered", 1), (lib["reader3"]["name"], "waiting", 2)]
    # the offer is not taken in time: it passes to reader3
    offer_gone(r2["id"])
    sweep()
    mine = as_user(lib["reader3"], "crowdsource_reservation_list")["results"]
    assert [r["state"] for r in mine] == ["offered"]
    assert as_user(lib["reader2"], "crowdsource_reservation_list")["count"] == 0
    # reader3 takes it up
    taken = borrow(lib, "reader3", ds)
    assert taken["type"] == "loan" and taken["state"] == "active"
    assert sees(lib, "reader3", ds)
    assert as_user(lib["reader3"], "crowdsource_reservation_list", state="taken")["count"] == 1


def test_cancelling_an_offer_passes_it_on(lib, lendable):
    ds = lendable(copies=1)
    first = borrow(lib, "reader", ds)
    r2, r3 = borrow(lib, "reader2", ds), borrow(lib, "reader3", ds)
    as_user(lib["editor"], "crowdsource_loan_revoke", id=first["id"], reason="damaged")
    as_user(lib["reader2"], "crowdsource_reservation_cancel", id=r2["id"])
    mine = as_user(lib["reader3"], "crowdsource_reservation_list")["results"]
    assert [(r["id"], r["state"]) for r in mine] == [(r3["id"], "offered")]
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader2"], "crowdsource_reservation_cancel", id=r2["id"])
    assert "state" in e.value.error_dict


def test_approval_decline_and_revoke(lib, lendable):
    ds = lendable(copies=1, needs_approval=True)
    asked = borrow(lib, "reader", ds)
    assert asked["state"] == "requested" and not sees(lib, "reader", ds)
    queued = borrow(lib, "reader2", ds)  # the request holds the copy
    assert queued["type"] == "reservation"
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["reader"], "crowdsource_loan_approve", id=asked["id"])
    declined = as_user(lib["editor"], "crowdsource_loan_decline", id=asked["id"], reason="no")
    assert declined["state"] == "declined" and declined["reason"] == "no"
    asked2 = borrow(lib, "reader2", ds)  # takes the offer: a request again
    assert asked2["state"] == "requested"
    approved = as_user(lib["editor"], "crowdsource_loan_approve", id=asked2["id"])
    assert approved["state"] == "active" and sees(lib, "reader2", ds)
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_loan_approve", id=asked2["id"])
    assert "state" in e.value.error_dict
    revoked = as_user(lib["editor"], "crowdsource_loan_revoke", id=asked2["id"])
    assert revoked["state"] == "revoked" and not sees(lib, "reader2", ds)


def test_renewals(lib, lendable):
    ds = lendable(copies=1, renewals=1, loan_days=10)
    loan = borrow(lib, "reader", ds)
    renewed = as_user(lib["reader"], "crowdsource_loan_renew", id=loan["id"])
    assert (datetime.fromisoformat(renewed["due"]) - datetime.fromisoformat(loan["due"])
            == timedelta(days=10))
    assert renewed["renewals_used"] == 1
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader"], "crowdsource_loan_renew", id=loan["id"])
    assert "renewals" in e.value.error_dict


def test_no_renewal_while_others_wait(lib, lendable):
    ds = lendable(copies=1, renewals=3)
    loan = borrow(lib, "reader", ds)
    borrow(lib, "reader2", ds)
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader"], "crowdsource_loan_renew", id=loan["id"])
    assert "renewals" in e.value.error_dict


@pytest.mark.ckan_config("ckanext.crowdsource.loans.per_reader_limit", "2")
def test_per_reader_limit(lib, lendable):
    a, b, c = lendable(), lendable(), lendable()
    borrow(lib, "reader", a)
    borrow(lib, "reader2", b)
    borrow(lib, "reader", b)  # a place in b's queue
    with pytest.raises(logic.ValidationError) as e:
        borrow(lib, "reader", c)
    assert "loan_limit" in e.value.error_dict


def test_unlimited_copies(lib, lendable):
    ds = lendable(copies=0)
    for who in ("reader", "reader2", "reader3"):
        assert borrow(lib, who, ds)["state"] == "active"
    shown = as_user(None, "crowdsource_lendable_show", package_id=ds["id"])
    assert shown["availability"]["copies_free"] is None


def test_communities_rule(lib, lendable):
    from ckanext.crowdsource.tests.community.calls import community

    club = community(lib, owner="reader2")
    ds = lendable(copies=0, eligibility="communities", community_ids=[club["name"]])
    with pytest.raises(logic.NotAuthorized):
        borrow(lib, "reader", ds)
    assert borrow(lib, "reader2", ds)["state"] == "active"  # its owner is a member
    as_user(lib["reader"], "crowdsource_community_join", id=club["id"])
    assert borrow(lib, "reader", ds)["type"] == "loan"
    assert borrow(lib, "editor", ds)  # staff of the dataset always


def test_verified_rule_lends_to_the_readers_staff_verified(lib, lendable):
    ds = lendable(eligibility="verified", copies=0)
    with pytest.raises(logic.NotAuthorized):
        borrow(lib, "reader", ds)
    assert borrow(lib, "editor", ds)["state"] == "active"  # staff of the dataset always
    # staff of another organization verify readers for the whole library
    done = as_user(lib["other_editor"], "crowdsource_reader_verify",
                   user_id=lib["reader"]["name"])
    assert (done["user_id"], done["verified"], done["verified_by"]) == (
        lib["reader"]["id"], True, lib["other_editor"]["name"])
    again = as_user(lib["editor"], "crowdsource_reader_verify", user_id=lib["reader"]["id"])
    assert again["verified_by"] == lib["other_editor"]["name"]  # twice: no error, no change
    assert borrow(lib, "reader", ds)["state"] == "active"
    listed = as_user(lib["editor"], "crowdsource_reader_verified_list")
    assert [v["user"] for v in listed["results"]] == [lib["reader"]["name"]]
    # taken back: no new loan (the one running goes on)
    gone = as_user(lib["editor"], "crowdsource_reader_verify", user_id=lib["reader"]["id"],
                   verified=False)
    assert (gone["verified"], gone["verified_at"]) == (False, None)
    assert as_user(lib["editor"], "crowdsource_reader_verified_list")["count"] == 0
    assert as_user(lib["reader"], "crowdsource_loan_list", state="active")["count"] == 1
    with pytest.raises(logic.NotAuthorized):
        borrow(lib, "reader", lendable(eligibility="verified"))


def test_verifying_readers_refusals(lib):
    for who in ("reader", "member"):
        with pytest.raises(logic.NotAuthorized):
            as_user(lib[who], "crowdsource_reader_verify", user_id=lib["reader2"]["id"])
        with pytest.raises(logic.NotAuthorized):
            as_user(lib[who], "crowdsource_reader_verified_list")
    with pytest.raises(logic.NotAuthorized):
        as_user(None, "crowdsource_reader_verified_list")
    with pytest.raises(logic.NotFound):
        as_user(lib["editor"], "crowdsource_reader_verify", user_id="nobody-here")
    for data, field in (({}, "user_id"), ({"user_id": lib["reader"]["id"], "verified": "maybe"},
                                          "verified"),
                        ({"user_id": lib["reader"]["id"], "colour": "red"}, "colour")):
        with pytest.raises(logic.ValidationError) as e:
            as_user(lib["editor"], "crowdsource_reader_verify", **data)
        assert field in e.value.error_dict


def test_stopping_lending_revokes_and_cancels(lib, lendable):
    ds = lendable(copies=1)
    loan = borrow(lib, "reader", ds)
    place = borrow(lib, "reader2", ds)
    done = as_user(lib["editor"], "crowdsource_lendable_set", package_id=ds["id"],
                   lendable=False)
    assert done == {"package_id": ds["id"], "name": ds["name"], "lendable": False}
    assert as_user(lib["reader"], "crowdsource_loan_show", id=loan["id"])["state"] == "revoked"
    assert as_user(lib["reader2"], "crowdsource_reservation_list",
                   state="cancelled")["results"][0]["id"] == place["id"]
    assert not sees(lib, "reader", ds)
    with pytest.raises(logic.NotFound):
        borrow(lib, "reader", ds)


def test_more_copies_offer_them_to_the_queue(lib, lendable):
    ds = lendable(copies=1)
    borrow(lib, "reader", ds)
    borrow(lib, "reader2", ds)
    as_user(lib["editor"], "crowdsource_lendable_set", package_id=ds["id"], copies=2)
    assert as_user(lib["reader2"], "crowdsource_reservation_list")["results"][0]["state"] \
        == "offered"


def test_due_soon_sent_once(lib, lendable):
    ds = lendable(loan_days=1)
    loan = borrow(lib, "reader", ds)
    received = []

    def got(sender, **kw):
        received.append(sender)

    events.loan_due_soon.connect(got)
    try:
        sweep()
        sweep()
    finally:
        events.loan_due_soon.disconnect(got)
    assert received == [loan["id"]]


def test_who_sees_loans(lib, lendable):
    ds = lendable()
    loan = borrow(lib, "reader", ds)
    for who in ("reader2", "other_editor", "member"):
        with pytest.raises(logic.NotAuthorized):
            as_user(lib[who], "crowdsource_loan_show", id=loan["id"])
        with pytest.raises(logic.NotAuthorized):
            as_user(lib[who], "crowdsource_loan_return", id=loan["id"])
        with pytest.raises(logic.NotAuthorized):
            as_user(lib[who], "crowdsource_loan_list", package_id=ds["id"])
    with pytest.raises(logic.NotAuthorized):
        as_user(None, "crowdsource_loan_list")
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["reader"], "crowdsource_lendable_set", package_id=ds["id"], copies=3)
    assert as_user(lib["reader2"], "crowdsource_loan_list")["count"] == 0
    assert as_user(lib["editor"], "crowdsource_loan_list",
                   organization=lib["org"]["name"])["count"] == 1
    assert as_user(lib["admin"], "crowdsource_loan_show", id=loan["id"])["user"] == \
        lib["reader"]["name"]
    with pytest.raises(logic.NotAuthorized):
        as_user(None, "crowdsource_loan_request", package_id=ds["id"])
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["editor"], "crowdsource_loans_expire")


@pytest.mark.parametrize("data, field", [
    ({"copies": -1}, "copies"), ({"loan_days": 0}, "loan_days"),
    ({"eligibility": "friends"}, "eligibility"), ({"renewals": "x"}, "renewals"),
    ({"eligibility": "communities"}, "community_ids"),
    ({"community_ids": ["no-such-community"]}, "community_ids"),
    ({"colour": "red"}, "colour"),
])
def test_bad_settings(lib, data, field):
    ds = factories.Dataset(owner_org=lib["org"]["id"], private=True)
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_lendable_set", package_id=ds["id"], **data)
    assert field in e.value.error_dict


def test_bad_requests(lib, lendable):
    with pytest.raises(logic.NotFound):
        as_user(lib["reader"], "crowdsource_loan_request", package_id=lib["private"]["id"])
    with pytest.raises(logic.NotFound):
        as_user(lib["reader"], "crowdsource_loan_return", id="nope")
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader"], "crowdsource_loan_list", state="lost")
    assert "state" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader"], "crowdsource_loan_request")
    assert "package_id" in e.value.error_dict


def test_purge_removes_the_rows(lib, lendable):
    ds = lendable()
    borrow(lib, "reader", ds)
    helpers.call_action("dataset_purge", id=ds["id"])
    left = model.Session.execute(sa.select(sa.func.count()).select_from(loan_table)
                                 .where(loan_table.c.package_id == ds["id"])).scalar()
    assert left == 0


def test_a_deleted_reader_lets_go_of_loans_and_places(lib, lendable):
    one, two = lendable(copies=1), lendable(copies=1)
    held = borrow(lib, "reader", one)
    queued = borrow(lib, "reader2", one)
    borrow(lib, "reader3", two)
    place = borrow(lib, "reader", two)
    assert (held["type"], place["type"]) == ("loan", "reservation")
    helpers.call_action("user_delete", context={"user": lib["sysadmin"]["name"]},
                        id=lib["reader"]["id"])
    # the copy goes to the next reader at once, the place in the queue goes
    found = as_user(lib["editor"], "crowdsource_loan_show", id=held["id"])
    assert (found["state"], found["ended"] is not None) == ("revoked", True)
    mine = as_user(lib["reader2"], "crowdsource_reservation_list")["results"]
    assert [(r["id"], r["state"]) for r in mine] == [(queued["id"], "offered")]
    places = as_user(lib["editor"], "crowdsource_reservation_list", package_id=two["id"],
                     state="cancelled")
    assert [r["id"] for r in places["results"]] == [place["id"]]
    # a reader with nothing on loan is deleted as before
    helpers.call_action("user_delete", context={"user": lib["sysadmin"]["name"]},
                        id=lib["member"]["id"])
    assert model.User.get(lib["member"]["id"]).state == "deleted"


def test_crowdsource_lists_follow_the_loan(lib, lendable):
    """Lists across datasets (here: every question of the site) read the
    reader's real permission labels, loans included."""
    ds = lendable()
    asked = as_user(lib["editor"], "crowdsource_question_create", package_id=ds["id"],
                    title="Which edition?", body="Of the rare maps")

    def listed(who):
        found = as_user(lib[who], "crowdsource_question_list", limit=100)
        return asked["id"] in [q["id"] for q in found["results"]]

    assert not listed("reader")
    loan = borrow(lib, "reader", ds)
    assert listed("reader") and not listed("reader2")
    as_user(lib["reader"], "crowdsource_loan_return", id=loan["id"])
    assert not listed("reader")
