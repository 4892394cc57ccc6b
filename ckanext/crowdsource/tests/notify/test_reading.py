"""Reading one's notifications: only one's own, only what one may still
see (a dataset turned private, a hidden post), paged and filtered; the
unread count; marking read; bad input; who may call what."""
from __future__ import annotations

from typing import Any

import pytest
from ckan.plugins import toolkit

from ckanext.crowdsource.tests.helpers import as_user


def replies(lib: dict[str, Any], n: int, package: str = "ds") -> list[dict[str, Any]]:
    """reader's post on the dataset with ``n`` replies by reader2."""
    post = as_user(lib["reader"], "crowdsource_post_create", package_id=lib[package]["id"],
                   body="Is there an 1850 edition?")
    return [as_user(lib["reader2"], "crowdsource_post_create", parent_id=post["id"],
                    body=f"Reply {i}") for i in range(n)]


def listed(user: dict[str, Any], **data: Any) -> dict[str, Any]:
    return as_user(user, "crowdsource_notification_list", **data)


def count(user: dict[str, Any]) -> int:
    return as_user(user, "crowdsource_notification_count")["count"]


def test_paging_and_the_unread_filter(lib, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.crowdsource.common.writes_per_minute", 0)
    made = replies(lib, 5)
    page1 = listed(lib["reader"], limit=2)
    page3 = listed(lib["reader"], limit=2, offset=4)
    assert page1["count"] == 5 and len(page1["results"]) == 2
    assert [n["item_id"] for n in page1["results"]] == [made[4]["id"], made[3]["id"]]
    assert [n["item_id"] for n in page3["results"]] == [made[0]["id"]]
    assert count(lib["reader"]) == 5
    ids = [n["id"] for n in page1["results"]]
    done = as_user(lib["reader"], "crowdsource_notification_mark_read", ids=ids)
    assert done == {"marked": 2, "unread": 3}
    assert listed(lib["reader"], unread=True)["count"] == 3
    assert listed(lib["reader"], kind="reply")["count"] == 5
    assert listed(lib["reader"], kind="answer")["count"] == 0
    assert [n["read"] for n in listed(lib["reader"])["results"]] == [True, True] + [False] * 3
    # again: nothing changes; unread again; all
    assert as_user(lib["reader"], "crowdsource_notification_mark_read", ids=ids)["marked"] == 0
    assert as_user(lib["reader"], "crowdsource_notification_mark_read", ids=ids[:1],
                   read=False) == {"marked": 1, "unread": 4}
    assert as_user(lib["reader"], "crowdsource_notification_mark_read", all=True) == {
        "marked": 4, "unread": 0}


def test_others_notifications_are_never_seen_nor_marked(lib):
    replies(lib, 1)
    theirs = listed(lib["reader"])["results"][0]["id"]
    for who in ("reader2", "sysadmin"):
        assert listed(lib[who])["count"] == 0
        with pytest.raises(toolkit.ObjectNotFound):
            as_user(lib[who], "crowdsource_notification_mark_read", ids=[theirs])
    with pytest.raises(toolkit.ObjectNotFound):  # one of them not theirs: none marked
        as_user(lib["reader"], "crowdsource_notification_mark_read", ids=[theirs, "nope"])
    assert count(lib["reader"]) == 1


def test_a_dataset_turned_private_drops_out_and_comes_back(lib):
    replies(lib, 2)
    replies(lib, 1, package="ds2")
    staff_post = as_user(lib["editor"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                         body="New scans are up")
    as_user(lib["reader3"], "crowdsource_post_create", parent_id=staff_post["id"], body="Thanks")
    assert count(lib["reader"]) == 3
    as_user(lib["editor"], "package_patch", id=lib["ds"]["id"], private=True)
    assert count(lib["reader"]) == 1
    assert listed(lib["reader"])["count"] == 1
    assert {n["package_id"] for n in listed(lib["reader"])["results"]} == {lib["ds2"]["id"]}
    # the organization's staff still see theirs about it
    assert count(lib["editor"]) == 1
    as_user(lib["editor"], "package_patch", id=lib["ds"]["id"], private=False)
    assert count(lib["reader"]) == 3


def test_a_hidden_post_drops_out_until_restored(lib):
    made = replies(lib, 2)
    as_user(lib["editor"], "crowdsource_moderation_decide", item_type="post",
            item_id=made[0]["id"], decision="hide", reason="rude")
    assert count(lib["reader"]) == 1
    assert [n["item_id"] for n in listed(lib["reader"])["results"]] == [made[1]["id"]]
    as_user(lib["editor"], "crowdsource_moderation_decide", item_type="post",
            item_id=made[0]["id"], decision="restore")
    assert count(lib["reader"]) == 2
    as_user(lib["reader2"], "crowdsource_post_delete", id=made[1]["id"])
    assert count(lib["reader"]) == 1


def test_a_post_waiting_for_approval_notifies_once_approved(lib, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.crowdsource.discussion.premoderation_posts", 5)
    post = as_user(lib["editor"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                   body="Staff note")
    reply = as_user(lib["reader"], "crowdsource_post_create", parent_id=post["id"], body="Hi")
    assert reply["state"] == "pending"
    assert count(lib["editor"]) == 0
    as_user(lib["admin"], "crowdsource_moderation_decide", item_type="post",
            item_id=reply["id"], decision="approve")
    assert count(lib["editor"]) == 1


def test_the_count_stops_at_99(lib, ckan_config, monkeypatch):
    import uuid

    import sqlalchemy as sa
    from ckan import model

    from ckanext.crowdsource.notify.model import notification

    model.Session.execute(sa.insert(notification), [
        {"id": str(uuid.uuid4()), "user_id": lib["reader"]["id"], "kind": "reply",
         "item_type": "post", "item_id": str(i)} for i in range(120)])
    model.Session.commit()
    assert as_user(lib["reader"], "crowdsource_notification_count") == {"count": 99,
                                                                        "more": True}
    assert listed(lib["reader"])["count"] == 120


@pytest.mark.parametrize("action", ["crowdsource_notification_list",
                                    "crowdsource_notification_count",
                                    "crowdsource_follow_list"])
def test_anonymous_callers_have_no_notifications(lib, action):
    with pytest.raises(toolkit.NotAuthorized):
        as_user(None, action)


def test_anonymous_callers_cannot_mark_or_change_settings(lib):
    with pytest.raises(toolkit.NotAuthorized):
        as_user(None, "crowdsource_notification_mark_read", all=True)
    with pytest.raises(toolkit.NotAuthorized):
        as_user(None, "crowdsource_notify_settings_update", user_id=lib["reader"]["id"],
                email="never")


def test_settings_are_ones_own_and_sysadmins_see_anyones(lib):
    with pytest.raises(toolkit.NotAuthorized):
        as_user(lib["reader2"], "crowdsource_notify_settings_show", user_id=lib["reader"]["id"])
    with pytest.raises(toolkit.NotAuthorized):
        as_user(lib["editor"], "crowdsource_notify_settings_update",
                user_id=lib["reader"]["id"], email="never")
    done = as_user(lib["sysadmin"], "crowdsource_notify_settings_update",
                   user_id=lib["reader"]["name"], email="weekly")
    assert done["email"] == "weekly" and done["user"] == lib["reader"]["name"]
    assert as_user(lib["reader"], "crowdsource_notify_settings_show")["email"] == "weekly"
    with pytest.raises(toolkit.ObjectNotFound):
        as_user(lib["sysadmin"], "crowdsource_notify_settings_show", user_id="nobody-here")


@pytest.mark.parametrize("action,data,field", [
    ("crowdsource_notification_list", {"kind": "nonsense"}, "kind"),
    ("crowdsource_notification_list", {"unread": "maybe"}, "unread"),
    ("crowdsource_notification_list", {"limit": 10_000}, "limit"),
    ("crowdsource_notification_list", {"offset": -1}, "offset"),
    ("crowdsource_notification_mark_read", {}, "ids"),
    ("crowdsource_notification_mark_read", {"ids": [str(i) for i in range(101)]}, "ids"),
    ("crowdsource_notification_mark_read", {"ids": "a\x00b"}, "ids"),
    ("crowdsource_notification_mark_read", {"ids": 5}, "ids"),
    ("crowdsource_notify_settings_update", {"email": "hourly"}, "email"),
    ("crowdsource_notify_settings_update", {"rules": {"nonsense": True}}, "rules"),
    ("crowdsource_notify_settings_update", {"rules": {"reply": "perhaps"}}, "rules"),
    ("crowdsource_notify_settings_update", {"rules": "[1]"}, "rules"),
    ("crowdsource_follow", {"object_type": "user", "object_id": "x"}, "object_type"),
    ("crowdsource_follow", {"object_type": "dataset"}, "object_id"),
    ("crowdsource_follow", {"object_type": "dataset", "object_id": "x", "level": "loud"},
     "level"),
])
def test_bad_input_names_the_field(lib, action, data, field):
    with pytest.raises(toolkit.ValidationError) as refused:
        as_user(lib["reader"], action, **data)
    assert field in refused.value.error_dict
