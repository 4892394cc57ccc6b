"""crowdsource_flag_review and crowdsource_moderation_decide: what they do and
return, their errors, one transaction, and who may decide."""
import pytest
import sqlalchemy as sa
from ckan import logic, model

from ckanext.crowdsource.moderation.model import flag as flag_table
from ckanext.crowdsource.tests.moderation.notes import decide, flag, review, rows

pytestmark = pytest.mark.usefixtures("clean_db")

ITEM_KEYS = {"item_type", "item_id", "package_id", "label", "hidden", "pending", "flags"}


def flag_states(note_id):
    states = sorted(model.Session.execute(
        sa.select(flag_table.c.state).where(flag_table.c.item_id == note_id)).scalars())
    model.Session.rollback()
    return states


def log(user, **filters):
    return logic.get_action("crowdsource_moderation_log_list")(
        {"user": user["name"]}, filters)["results"]


@pytest.mark.ckan_config("ckanext.crowdsource.moderation.flag_threshold", 2)
def test_clear_shows_the_item_again_and_uphold_hides_it(lib, notes):
    n = notes.add(lib["ds"]["id"], "Cheap maps")
    flag(lib["reader"], n)
    flag(lib["reader2"], n)
    assert notes.state(n)[0] == "hidden"
    cleared = review(lib["editor"], n, "clear", reason="a fair word here")
    assert set(cleared) == ITEM_KEYS
    assert cleared == {"item_type": "note", "item_id": n, "package_id": lib["ds"]["id"],
                       "label": "Cheap maps", "hidden": False, "pending": False, "flags": 0}
    assert notes.state(n) == ("published", None)
    assert flag_states(n) == ["cleared", "cleared"]
    assert notes.changes[-1] == (n, False, lib["editor"]["id"])

    flag(lib["reader3"], n, "ads")
    upheld = review(lib["admin"], n, "uphold", reason="advertising")
    assert (upheld["hidden"], upheld["flags"]) == (True, 0)
    assert notes.state(n) == ("hidden", "advertising")
    assert flag_states(n) == ["cleared", "cleared", "upheld"]
    entries = log(lib["editor"])
    assert [(e["action"], e["reason"]) for e in entries[:2]] == [
        ("uphold", "advertising"), ("clear", "a fair word here")]
    assert entries[2]["action"] == "auto_hide" and entries[2]["actor"] == lib["reader2"]["name"]


def test_clearing_the_flags_of_a_shown_item_changes_nothing_else(lib, notes):
    shown, waiting = notes.add(lib["ds"]["id"]), notes.add(lib["ds"]["id"], state="pending")
    for n in (shown, waiting):
        flag(lib["admin"], n)  # staff: readers do not see a waiting item
        review(lib["editor"], n, "clear")
    assert notes.state(shown)[0] == "published"
    assert notes.state(waiting)[0] == "pending"  # clearing flags approves nothing
    assert notes.changes == []  # no "restored" signal for what was never hidden
    assert [e["action"] for e in log(lib["editor"])] == ["clear", "clear"]


def test_review_needs_open_flags(lib, notes):
    n = notes.add(lib["ds"]["id"])
    with pytest.raises(logic.ValidationError) as e:
        review(lib["editor"], n, "clear")
    assert set(e.value.error_dict) == {"flags"}
    flag(lib["reader"], n)
    review(lib["editor"], n, "uphold")
    with pytest.raises(logic.ValidationError) as e:  # decided already
        review(lib["editor"], n, "clear")
    assert set(e.value.error_dict) == {"flags"}
    assert rows("crowdsource_moderation_log") == 1


@pytest.mark.parametrize("action", ["crowdsource_flag_review",
                                    "crowdsource_moderation_decide"])
@pytest.mark.parametrize("data, field", [
    ({"decision": "delete"}, "decision"),
    ({"decision": ""}, "decision"),
    ({"decision": ["hide"]}, "decision"),
    ({"reason": "x" * 1001}, "reason"),
    ({"reason": "a\x00b"}, "reason"),
    ({"item_id": "\ud800"}, "item_id"),
    ({"item_type": "nothing"}, "item_type"),
    ({"id": "x"}, "id"),
])
def test_decision_validation(lib, notes, action, data, field):
    n = notes.add(lib["ds"]["id"])
    flag(lib["reader"], n)
    decision = "uphold" if action == "crowdsource_flag_review" else "hide"
    with pytest.raises(logic.ValidationError) as e:
        logic.get_action(action)({"user": lib["editor"]["name"]},
                                 {"item_type": "note", "item_id": n, "decision": decision,
                                  **data})
    assert field in e.value.error_dict
    assert notes.state(n)[0] == "published" and rows("crowdsource_moderation_log") == 0


@pytest.mark.parametrize("action", ["crowdsource_flag_review",
                                    "crowdsource_moderation_decide"])
def test_deciding_on_nothing_is_not_found(lib, notes, action):
    with pytest.raises(logic.NotFound):
        logic.get_action(action)({"user": lib["editor"]["name"]},
                                 {"item_type": "note", "item_id": "nope", "decision": "hide"
                                  if action == "crowdsource_moderation_decide" else "clear"})


def test_hide_restore_approve(lib, notes):
    n = notes.add(lib["ds"]["id"], "Old maps")
    flag(lib["reader"], n)
    hidden = decide(lib["editor"], n, "hide", reason="wrong")
    assert hidden == {"item_type": "note", "item_id": n, "package_id": lib["ds"]["id"],
                      "label": "Old maps", "hidden": True, "pending": False, "flags": 1}
    assert notes.state(n) == ("hidden", "wrong")
    assert flag_states(n) == ["open"]  # the flags wait for crowdsource_flag_review
    restored = decide(lib["admin"], n, "restore")
    assert (restored["hidden"], restored["pending"]) == (False, False)
    assert notes.state(n) == ("published", None)

    waiting = notes.add(lib["ds"]["id"], state="pending")
    approved = decide(lib["editor"], waiting, "approve")
    assert (approved["hidden"], approved["pending"], approved["flags"]) == (False, False, 0)
    assert notes.state(waiting)[0] == "published"
    refused = notes.add(lib["ds"]["id"], state="pending")
    assert decide(lib["editor"], refused, "hide")["hidden"]
    assert notes.state(refused)[0] == "hidden"
    assert [(e["action"], e["item_id"]) for e in log(lib["editor"])] == [
        ("hide", refused), ("approve", waiting), ("restore", n), ("hide", n)]
    assert [c[:2] for c in notes.changes] == [
        (n, True), (n, False), (waiting, False), (refused, True)]


@pytest.mark.parametrize("state, decision", [
    ("hidden", "hide"), ("published", "restore"), ("published", "approve"),
    ("hidden", "approve"), ("pending", "restore")])
def test_a_decision_that_does_not_fit_the_state_is_refused(lib, notes, state, decision):
    n = notes.add(lib["ds"]["id"], state=state)
    with pytest.raises(logic.ValidationError) as e:
        decide(lib["editor"], n, decision)
    assert set(e.value.error_dict) == {"state"}
    assert notes.state(n)[0] == state and rows("crowdsource_moderation_log") == 0


def test_a_decision_is_one_transaction(lib, notes):
    n = notes.add(lib["ds"]["id"])
    flag(lib["reader"], n)
    notes.fail = True
    with pytest.raises(RuntimeError):
        decide(lib["editor"], n, "hide", reason="wrong")
    with pytest.raises(RuntimeError):
        review(lib["editor"], n, "uphold")
    assert notes.state(n) == ("published", None) and flag_states(n) == ["open"]
    assert rows("crowdsource_moderation_log") == 0 and rows("crowdsource_reindex") == 0


def test_who_may_review_and_decide(lib, notes):
    """Staff (editors, admins) of the item's organization and sysadmins; for
    items about the whole site, sysadmins alone. Readers (authors too, the
    rule does not look at authorship) and organization members who are not
    staff may not."""
    ours, site = notes.add(lib["ds"]["id"]), notes.add(None)
    flag(lib["reader"], ours)
    flag(lib["reader"], site)
    for who in (None, "reader", "member", "other_editor"):
        user = lib[who] if who else None
        with pytest.raises(logic.NotAuthorized):
            review(user, ours, "uphold")
        with pytest.raises(logic.NotAuthorized):
            decide(user, ours, "hide")
    with pytest.raises(logic.NotAuthorized):
        review(lib["editor"], site, "uphold")
    with pytest.raises(logic.NotAuthorized):
        decide(lib["editor"], site, "hide")
    assert notes.state(ours)[0] == notes.state(site)[0] == "published"
    assert rows("crowdsource_moderation_log") == 0

    assert review(lib["editor"], ours, "uphold")["hidden"]
    assert not decide(lib["admin"], ours, "restore")["hidden"]
    assert decide(lib["editor"], ours, "hide")["hidden"]
    flag(lib["editor"], ours)  # readers no longer see it; staff may still flag it
    assert not review(lib["admin"], ours, "clear")["hidden"]
    flag(lib["reader3"], ours)
    assert review(lib["sysadmin"], ours, "uphold")["hidden"]
    assert not decide(lib["sysadmin"], ours, "restore")["hidden"]
    assert review(lib["sysadmin"], site, "uphold")["hidden"]
    assert not decide(lib["sysadmin"], site, "restore")["hidden"]
