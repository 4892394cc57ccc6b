"""A call that succeeds, for every action of the notify capability
(as ``tests/community/calls.py`` describes)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckanext.crowdsource.notify import mail
from ckanext.crowdsource.tests.helpers import as_user

Lib = dict[str, Any]
Call = Callable[[Lib], tuple[dict[str, Any] | None, dict[str, Any]]]


def replied(lib: Lib) -> str:
    """The id of a notification of lib["reader3"]'s: reader2 replied to
    their post."""
    post = as_user(lib["reader3"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                   body="Is there an 1850 edition?")
    as_user(lib["reader2"], "crowdsource_post_create", parent_id=post["id"], body="Yes")
    return as_user(lib["reader3"], "crowdsource_notification_list", limit=1)["results"][0]["id"]


def followed(lib: Lib) -> dict[str, Any]:
    as_user(lib["reader"], "crowdsource_follow", object_type="dataset",
            object_id=lib["ds"]["id"])
    return {"object_type": "dataset", "object_id": lib["ds"]["name"]}


CALLS: dict[str, Call] = {
    "crowdsource_notification_list": lambda lib: (lib["reader"], {
        "unread": True, "kind": "reply", "limit": 5, "offset": 0}),
    "crowdsource_notification_count": lambda lib: (lib["reader"], {}),
    "crowdsource_notification_mark_read": lambda lib: (lib["reader3"], {
        "ids": [replied(lib)], "read": True}),
    "crowdsource_notify_settings_show": lambda lib: (lib["reader"], {}),
    "crowdsource_notify_settings_update": lambda lib: (lib["reader"], {
        "rules": {"reply": False}, "email": "weekly"}),
    "crowdsource_notify_unsubscribe": lambda lib: (None, {
        "token": mail.unsubscribe_token(lib["reader"]["id"])}),
    "crowdsource_follow": lambda lib: (lib["reader"], {
        "object_type": "dataset", "object_id": lib["ds"]["name"], "level": "direct"}),
    "crowdsource_unfollow": lambda lib: (lib["reader"], followed(lib)),
    "crowdsource_follow_list": lambda lib: (lib["reader"], {
        "object_type": "dataset", "limit": 5, "offset": 0}),
}
