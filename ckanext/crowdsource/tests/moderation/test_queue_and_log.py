"""crowdsource_moderation_list (the queue) and crowdsource_moderation_log_list:
what staff see, filters, paging, errors and permissions."""
import pytest
from ckan import logic

from ckanext.crowdsource.tests.helpers import as_user
from ckanext.crowdsource.tests.moderation.notes import decide, flag, review

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def queued(lib, notes):
    """Waiting for staff: in the library's organization a flagged note, a
    hidden one and one held for approval; one flagged in the other
    organization, and a hidden note about the whole site."""
    ds = lib["ds"]["id"]
    made = {
        "flagged": notes.add(ds, "Flagged note"), "hidden": notes.add(ds, "Hidden note"),
        "pending": notes.add(ds, "Waiting note", state="pending"),
        "elsewhere": notes.add(lib["other"]["id"], "Elsewhere"),
        "site": notes.add(None, "About the site"), "fine": notes.add(ds, "Fine note"),
    }
    flag(lib["reader"], made["flagged"], "ads")
    flag(lib["reader2"], made["flagged"], "junk")
    decide(lib["editor"], made["hidden"], "hide", reason="wrong")
    flag(lib["reader"], made["elsewhere"])
    decide(lib["sysadmin"], made["site"], "hide", reason="off topic")
    return made


def queue(user, **filters):
    return as_user(user, "crowdsource_moderation_list", **filters)


def test_the_queue_of_an_organization(lib, queued):
    found = queue(lib["editor"])
    assert set(found) == {"count", "results"} and found["count"] == 3
    by_label = {r["label"]: r for r in found["results"]}
    assert set(by_label) == {"Flagged note", "Hidden note", "Waiting note"}
    flagged = by_label["Flagged note"]
    assert flagged["item_type"] == "note" and flagged["item_id"] == queued["flagged"]
    assert flagged["url"] == f"/notes/{queued['flagged']}"
    assert (flagged["flags"], flagged["hidden"], flagged["pending"]) == (2, False, False)
    assert flagged["flag_reasons"] == [
        {"user": lib["reader"]["name"], "display_name": lib["reader"]["fullname"],
         "reason": "ads"},
        {"user": lib["reader2"]["name"], "display_name": lib["reader2"]["fullname"],
         "reason": "junk"}]
    assert flagged["item_type_title"] == "note"  # a type that gives no title: its name
    assert flagged["package_id"] == lib["ds"]["id"]
    assert flagged["package_name"] == lib["ds"]["name"]
    assert flagged["package_title"] == "City Maps"
    hidden = by_label["Hidden note"]
    assert (hidden["flags"], hidden["hidden"], hidden["reason"]) == (0, True, "wrong")
    assert by_label["Waiting note"]["pending"] and not by_label["Waiting note"]["hidden"]

    assert [r["label"] for r in queue(lib["admin"], status="flagged")["results"]] == [
        "Flagged note"]
    assert [r["label"] for r in queue(lib["editor"], status="hidden")["results"]] == [
        "Hidden note"]
    assert [r["label"] for r in queue(lib["editor"], status="pending")["results"]] == [
        "Waiting note"]
    assert queue(lib["editor"], item_type="note")["count"] == 3
    assert queue(lib["editor"], item_type="tag")["count"] == 0
    assert queue(lib["editor"], status="")["count"] == 3  # an empty filter is no filter

    review(lib["editor"], queued["flagged"], "clear")
    assert queue(lib["editor"], status="flagged")["count"] == 0


def test_sysadmins_see_every_organization_and_the_site(lib, queued):
    everything = queue(lib["sysadmin"], limit=3)
    assert everything["count"] == 5 and len(everything["results"]) == 3
    rest = queue(lib["sysadmin"], limit=3, offset=3)
    assert len(rest["results"]) == 2
    ids = {r["item_id"] for r in everything["results"] + rest["results"]}
    assert ids == {queued[k] for k in ("flagged", "hidden", "pending", "elsewhere", "site")}
    site = next(r for r in rest["results"] + everything["results"]
                if r["item_id"] == queued["site"])
    assert site["package_id"] is None and site["package_name"] is None
    other = queue(lib["other_editor"])
    assert [r["item_id"] for r in other["results"]] == [queued["elsewhere"]]


def test_only_staff_see_the_queue_and_the_log(lib, queued):
    for who in (None, "reader", "member"):
        for action in ("crowdsource_moderation_list", "crowdsource_moderation_log_list"):
            with pytest.raises(logic.NotAuthorized):
                as_user(lib[who] if who else None, action)


@pytest.mark.parametrize("action", ["crowdsource_moderation_list",
                                    "crowdsource_moderation_log_list"])
@pytest.mark.parametrize("bad", [
    {"limit": 100000}, {"limit": -1}, {"limit": "ten"}, {"offset": -1},
    {"item_type": "a\x00b"}, {"colour": "red"}])
def test_list_validation(lib, notes, action, bad):
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], action, **bad)
    assert set(bad) <= set(e.value.error_dict)


@pytest.mark.parametrize("bad", [{"status": "deleted"}, {"item_type": "nothing"}])
def test_queue_filters_are_checked(lib, notes, bad):
    with pytest.raises(logic.ValidationError) as e:
        queue(lib["editor"], **bad)
    assert set(bad) <= set(e.value.error_dict)


def test_the_log(lib, queued):
    mine = as_user(lib["editor"], "crowdsource_moderation_log_list")
    assert set(mine) == {"count", "results"} and mine["count"] == 1
    entry = mine["results"][0]
    assert set(entry) == {"id", "item_type", "item_id", "action", "reason", "actor",
                          "package_id", "created"}
    assert (entry["item_type"], entry["item_id"], entry["action"], entry["reason"],
            entry["actor"], entry["package_id"]) == (
        "note", queued["hidden"], "hide", "wrong", lib["editor"]["name"], lib["ds"]["id"])
    review(lib["admin"], queued["flagged"], "uphold", reason="ads")
    assert [e["action"] for e in as_user(lib["editor"], "crowdsource_moderation_log_list",
                                         item_type="note")["results"]] == ["uphold", "hide"]
    assert as_user(lib["editor"], "crowdsource_moderation_log_list",
                   item_type="tag")["count"] == 0
    assert as_user(lib["other_editor"], "crowdsource_moderation_log_list")["count"] == 0
    everything = as_user(lib["sysadmin"], "crowdsource_moderation_log_list", limit=2)
    assert everything["count"] == 3 and len(everything["results"]) == 2
    last = as_user(lib["sysadmin"], "crowdsource_moderation_log_list", limit=2, offset=2)
    assert [e["item_id"] for e in last["results"]] == [queued["hidden"]]
