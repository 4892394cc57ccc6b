"""crowdsource_flag_create: what it returns, the threshold, its errors and who may flag."""
import pytest
from ckan import logic

from ckanext.crowdsource.tests.moderation.notes import flag, review, rows

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.mark.ckan_config("ckanext.crowdsource.moderation.flag_threshold", 3)
def test_flag_create_returns_the_flag_and_hides_at_the_threshold(lib, notes):
    n = notes.add(lib["ds"]["id"], "Buy cheap maps")
    first = flag(lib["reader"], n, "  advertising  ")
    assert set(first) == {"id", "item_type", "item_id", "package_id", "user_id", "reason",
                          "state", "created", "item_flags", "item_hidden"}
    assert first["item_type"] == "note" and first["item_id"] == n
    assert first["package_id"] == lib["ds"]["id"] and first["user_id"] == lib["reader"]["id"]
    assert first["reason"] == "advertising" and first["state"] == "open"
    assert (first["item_flags"], first["item_hidden"]) == (1, False)
    second = flag(lib["reader2"], n)
    assert (second["item_flags"], second["item_hidden"]) == (2, False)
    assert second["id"] != first["id"]
    assert notes.state(n)[0] == "published" and notes.changes == []

    third = flag(lib["reader3"], n, "rude")
    assert (third["item_flags"], third["item_hidden"]) == (3, True)
    state, reason = notes.state(n)
    assert state == "hidden" and "3 readers" in reason
    assert notes.changes == [(n, True, lib["reader3"]["id"])]
    log = logic.get_action("crowdsource_moderation_log_list")(
        {"user": lib["sysadmin"]["name"]}, {})["results"]
    assert [(e["action"], e["item_id"], e["actor"]) for e in log] == [
        ("auto_hide", n, lib["reader3"]["name"])]

    # readers no longer see the hidden item, so they cannot flag it; the
    # staff's further flag counts, but decides nothing again
    with pytest.raises(logic.NotFound):
        flag(lib["member"], n)
    fourth = flag(lib["admin"], n)
    assert (fourth["item_flags"], fourth["item_hidden"]) == (4, True)
    assert len(notes.changes) == 1 and rows("crowdsource_moderation_log") == 1


@pytest.mark.ckan_config("ckanext.crowdsource.moderation.flag_threshold", 1)
def test_an_item_waiting_for_approval_stays_waiting(lib, notes):
    n = notes.add(lib["ds"]["id"], state="pending")
    assert flag(lib["editor"], n)["item_hidden"] is False
    assert notes.state(n)[0] == "pending" and rows("crowdsource_moderation_log") == 0


@pytest.mark.ckan_config("ckanext.crowdsource.moderation.flag_threshold", 1)
def test_the_flag_and_the_hiding_are_one_transaction(lib, notes):
    n = notes.add(lib["ds"]["id"])
    notes.fail = True
    with pytest.raises(RuntimeError):
        flag(lib["reader"], n)
    assert notes.state(n) == ("published", None)
    assert rows("crowdsource_flag") == 0 and rows("crowdsource_moderation_log") == 0
    assert rows("crowdsource_reindex") == 0
    notes.fail = False
    assert flag(lib["reader"], n)["item_hidden"]


def test_a_user_flags_an_item_once(lib, notes):
    n = notes.add(lib["ds"]["id"])
    flag(lib["reader"], n)
    with pytest.raises(logic.ValidationError) as e:
        flag(lib["reader"], n, "again")
    assert set(e.value.error_dict) == {"item_id"}
    assert "already flagged" in str(e.value.error_dict["item_id"])
    review(lib["editor"], n, "clear")
    with pytest.raises(logic.ValidationError) as e:  # also once the flag was decided
        flag(lib["reader"], n, "again")
    assert "item_id" in e.value.error_dict
    assert rows("crowdsource_flag") == 1
    flag(lib["reader2"], n)  # others still can


@pytest.mark.parametrize("data, field", [
    ({"reason": ""}, "reason"),
    ({"reason": "   "}, "reason"),
    ({"reason": "x" * 1001}, "reason"),
    ({"reason": "bad\x00byte"}, "reason"),
    ({"reason": "\ud800"}, "reason"),
    ({"reason": ["a list"]}, "reason"),
    ({"item_id": "bad\x00id"}, "item_id"),
    ({"item_type": "\ud800"}, "item_type"),
    ({"item_type": "nothing"}, "item_type"),
    ({"colour": "red"}, "colour"),
])
def test_flag_validation(lib, notes, data, field):
    n = notes.add(lib["ds"]["id"])
    with pytest.raises(logic.ValidationError) as e:
        flag_data = {"item_type": "note", "item_id": n, "reason": "spam", **data}
        logic.get_action("crowdsource_flag_create")({"user": lib["reader"]["name"]}, flag_data)
    assert field in e.value.error_dict
    assert rows("crowdsource_flag") == 0


def test_flag_needs_the_item(lib, notes):
    with pytest.raises(logic.ValidationError) as e:
        logic.get_action("crowdsource_flag_create")({"user": lib["reader"]["name"]},
                                                    {"reason": "r"})
    assert {"item_type", "item_id"} <= set(e.value.error_dict)
    with pytest.raises(logic.NotFound):
        flag(lib["reader"], "no-such-note")


def test_who_may_flag(lib, notes):
    """Logged-in users who see the note, not its author; the note's dataset
    decides who sees a published note, and only its author and the staff see
    a hidden or waiting one. Refusals of a note the caller cannot see say
    "not found", as for a note that does not exist."""
    author = lib["reader3"]
    public, private = notes.add(lib["ds"]["id"], author=author), notes.add(lib["private"]["id"])
    site = notes.add(None, author=author)
    hidden = notes.add(lib["ds"]["id"], state="hidden", author=author)
    waiting = notes.add(lib["ds"]["id"], state="pending", author=author)
    with pytest.raises(logic.NotFound) as missing:
        flag(lib["reader"], "no-such-note")
    for who, n in [("reader", private), (None, private), (None, hidden), ("reader", hidden),
                   ("reader", waiting), ("member", hidden), ("other_editor", waiting)]:
        with pytest.raises(logic.NotFound) as e:
            flag(lib[who] if who else None, n)
        assert str(e.value) == str(missing.value)
    with pytest.raises(logic.NotAuthorized):  # anonymous, about what they see
        flag(None, public)
    for n in (public, site, hidden, waiting):  # the author, seeing their own note
        with pytest.raises(logic.NotAuthorized) as e:
            flag(author, n)
        assert "your own" in str(e.value) or "published" in str(e.value)
    assert rows("crowdsource_flag") == 0

    assert flag(lib["member"], private)["item_flags"] == 1
    for who in ("reader", "editor", "other_editor", "sysadmin"):
        assert flag(lib[who], public)["state"] == "open"
    assert flag(lib["reader"], site)["package_id"] is None
    assert flag(lib["editor"], hidden)["item_hidden"] is True  # staff see it
    assert flag(lib["sysadmin"], waiting)["item_flags"] == 1
