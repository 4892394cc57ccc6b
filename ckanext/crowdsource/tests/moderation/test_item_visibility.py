"""Who may flag what, for every real item type: seeing the item's dataset is
not enough (issue 13 #2). A caller who cannot see the item itself is told it
is not found, in the same words as for an item that does not exist, and
learns nothing of its state; authors do not flag their own work; readers
flag only what is published, staff also what is hidden.

Cells, per item type: anonymous, a reader who cannot see the item, a reader
who can, the author, staff of its organization, staff of another."""
from __future__ import annotations

from typing import Any

import pytest
from ckan import logic
from ckan.tests import helpers

from ckanext.crowdsource.tests.helpers import as_user
from ckanext.crowdsource.tests.moderation.notes import rows

pytestmark = pytest.mark.usefixtures("clean_db")

Lib = dict[str, Any]


def flag(lib: Lib, who: str | None, item_type: str, item_id: str) -> dict[str, Any]:
    return as_user(lib[who] if who else None, "crowdsource_flag_create",
                   item_type=item_type, item_id=item_id, reason="spam")


def hide(lib: Lib, item_type: str, item_id: str) -> None:
    as_user(lib["editor"], "crowdsource_moderation_decide", item_type=item_type,
            item_id=item_id, decision="hide", reason="wrong")


def _tag(lib: Lib, who: str, package_id: str) -> str:
    tag = f"odd-{who}"
    as_user(lib[who], "crowdsource_tag_add", package_id=package_id, tag=tag)
    return f"{package_id}:{tag}"


def _post(lib: Lib, who: str, package_id: str) -> str:
    return as_user(lib[who], "crowdsource_post_create", package_id=package_id,
                   body=f"Cheap maps from {who}")["id"]


def _request(lib: Lib, who: str, package_id: str) -> str:
    return as_user(lib[who], "crowdsource_feedback_create", kind="request",
                   title=f"Scans for {who}", body="Please", package_id=package_id)["id"]


MAKERS = {"tag": _tag, "post": _post, "request": _request}
NONE = {"tag": "nope:nothing", "post": "nope", "request": "nope"}


def _refused(lib: Lib, who: str | None, item_type: str, item_id: str,
             error: type[Exception]) -> str:
    with pytest.raises(error) as e:
        flag(lib, who, item_type, item_id)
    return str(e.value)


@pytest.mark.ckan_config("ckanext.crowdsource.moderation.flag_threshold", 10)
@pytest.mark.parametrize("item_type", sorted(MAKERS))
def test_who_may_flag_each_item_type(lib, item_type):
    make, ds, private = MAKERS[item_type], lib["ds"]["id"], lib["private"]["id"]
    published = make(lib, "reader3", ds)  # written by reader3, on a public dataset
    hidden = make(lib, "reader2", ds)  # written by reader2, then hidden by staff
    hide(lib, item_type, hidden)
    secret = make(lib, "member", private)  # on a dataset only the organization sees
    missing = _refused(lib, "reader", item_type, NONE[item_type], logic.NotFound)

    # who cannot see the item: not found, as if there were none
    for who, item in [(None, hidden), (None, secret), ("reader", hidden), ("reader", secret),
                      ("reader3", hidden), ("other_editor", hidden),
                      ("other_editor", secret), ("member", hidden)]:
        said = _refused(lib, who, item_type, item, logic.NotFound)
        assert said == missing, (who, item)
        assert "hidden" not in said.lower()
    # anonymous callers who see it must log in; authors never flag their own
    _refused(lib, None, item_type, published, logic.NotAuthorized)
    for who, item in [("reader3", published), ("reader2", hidden), ("member", secret)]:
        assert "your own" in _refused(lib, who, item_type, item, logic.NotAuthorized)
    assert rows("crowdsource_flag") == 0

    # readers who see it, staff (also of a hidden item), staff of elsewhere as readers
    for who, item in [("reader", published), ("reader2", published), ("member", published),
                      ("other_editor", published), ("admin", secret), ("editor", published),
                      ("editor", hidden), ("sysadmin", hidden)]:
        result = flag(lib, who, item_type, item)
        assert result["item_id"] == item and result["item_hidden"] == (item == hidden)
    assert rows("crowdsource_flag") == 8


def _conversation(lib: Lib) -> dict[str, str]:
    """reader3's private feedback on a public dataset: a reply of theirs, and
    one of the staff (editor)."""
    f = as_user(lib["reader3"], "crowdsource_feedback_create", kind="error",
                body="The 1900 map is mislabelled", package_id=lib["ds"]["id"])
    as_user(lib["reader3"], "crowdsource_feedback_reply", id=f["id"], body="Any news?")
    shown = as_user(lib["editor"], "crowdsource_feedback_reply", id=f["id"],
                    body="Thanks, we fixed the label")
    mine, staff = shown["messages"]
    assert (mine["role"], staff["role"]) == ("reader", "staff")
    return {"feedback": f["id"], "reader_reply": mine["id"], "staff_reply": staff["id"]}


@pytest.mark.ckan_config("ckanext.crowdsource.moderation.flag_threshold", 10)
def test_who_may_flag_a_reply_in_a_conversation(lib):
    """Only the two sides of the conversation see a reply, so only they flag
    it: the feedback's author a staff reply, staff a reader's reply; never
    other readers, whatever they see of the dataset."""
    c = _conversation(lib)
    missing = _refused(lib, "reader", "feedback_reply", "nope", logic.NotFound)
    for reply in (c["reader_reply"], c["staff_reply"]):
        for who in (None, "reader", "reader2", "member", "other_editor"):
            assert _refused(lib, who, "feedback_reply", reply, logic.NotFound) == missing
    assert "your own" in _refused(lib, "reader3", "feedback_reply", c["reader_reply"],
                                  logic.NotAuthorized)
    assert "your own" in _refused(lib, "editor", "feedback_reply", c["staff_reply"],
                                  logic.NotAuthorized)
    assert rows("crowdsource_flag") == 0

    assert flag(lib, "reader3", "feedback_reply", c["staff_reply"])["item_flags"] == 1
    assert flag(lib, "admin", "feedback_reply", c["staff_reply"])["item_flags"] == 2
    assert flag(lib, "editor", "feedback_reply", c["reader_reply"])["item_flags"] == 1
    assert flag(lib, "sysadmin", "feedback_reply", c["reader_reply"])["item_flags"] == 2

    # a hidden reply: its words only the staff see, so only staff flag it
    hide(lib, "feedback_reply", c["reader_reply"])
    assert _refused(lib, "reader3", "feedback_reply", c["reader_reply"],
                    logic.NotFound) == missing
    assert flag(lib, "admin", "feedback_reply", c["reader_reply"])["item_hidden"] is True


@pytest.mark.ckan_config("ckanext.crowdsource.moderation.flag_threshold", 3)
def test_readers_cannot_hide_the_staff_reply_in_another_readers_feedback(lib):
    """The issue's scenario: three readers flag the staff reply inside another
    reader's private feedback. Each is refused as if there were no such
    reply, nothing is written, and the reader still sees the reply."""
    c = _conversation(lib)
    for who in ("reader", "reader2", "member"):
        with pytest.raises(logic.NotFound) as e:
            flag(lib, who, "feedback_reply", c["staff_reply"])
        assert "hidden" not in str(e.value).lower()
    assert rows("crowdsource_flag") == 0 and rows("crowdsource_moderation_log") == 0
    messages = as_user(lib["reader3"], "crowdsource_feedback_show", id=c["feedback"])["messages"]
    assert [(m["id"], m["state"], m["body"]) for m in messages][1] == (
        c["staff_reply"], "published", "Thanks, we fixed the label")


def test_a_hidden_post_is_not_found_over_http_and_its_state_not_told(lib, app):
    """The issue's second case, through the API: flagging a hidden post one
    cannot see answered ``{"hidden": true}``; now a 404 that says no more
    than for a post that does not exist."""
    post = _post(lib, "reader2", lib["ds"]["id"])
    hide(lib, "post", post)
    token = helpers.call_action("api_token_create", context={"user": lib["reader"]["name"]},
                                user=lib["reader"]["name"], name="t")["token"]

    def answer(item_id: str) -> Any:
        return app.post("/api/3/action/crowdsource_flag_create", headers={
            "Authorization": token}, json={"item_type": "post", "item_id": item_id,
                                           "reason": "spam"})

    hidden, missing = answer(post), answer("no-such-post")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json["error"] == missing.json["error"]
    assert "hidden" not in hidden.body.lower() and "result" not in hidden.json
    assert rows("crowdsource_flag") == 0


@pytest.mark.parametrize("action, decision", [("crowdsource_moderation_decide", "restore"),
                                              ("crowdsource_flag_review", "clear")])
def test_deciding_is_refused_without_telling_what_exists(lib, action, decision):
    """Staff decide as before; a refused caller is told "not authorized" only
    about an item they can see, and "not found" about one they cannot."""
    shown = _post(lib, "reader2", lib["ds"]["id"])
    hidden = _post(lib, "reader3", lib["ds"]["id"])
    for item in (shown, hidden):
        as_user(lib["reader"], "crowdsource_flag_create", item_type="post", item_id=item,
                reason="spam")
    hide(lib, "post", hidden)
    with pytest.raises(logic.NotFound) as e:
        as_user(lib["reader"], action, item_type="post", item_id="nope", decision=decision)
    missing = str(e.value)
    for who in (None, "reader", "member", "other_editor"):
        with pytest.raises(logic.NotFound) as e:
            as_user(lib[who] if who else None, action, item_type="post", item_id=hidden,
                    decision=decision)
        assert str(e.value) == missing
        with pytest.raises(logic.NotAuthorized):
            as_user(lib[who] if who else None, action, item_type="post", item_id=shown,
                    decision="hide" if decision == "restore" else decision)
    result = as_user(lib["editor"], action, item_type="post", item_id=hidden,
                     decision=decision)
    assert result["item_id"] == hidden and result["hidden"] is False
