"""One successful call of every moderation action, for the shared tests of
the write path (rollback, rate limit) and of the API grammar.

Each function takes the ``lib`` fixture, prepares what the call needs and
returns ``(user to act as, data_dict)``. The item moderated is a reader's
comment on ``lib["ds"]`` (the discussion's ``post`` item type), so the
calls run against a real item type, as a site would.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckanext.crowdsource.tests.helpers import as_user

Lib = dict[str, Any]


def _comment(lib: Lib, flagged_by: tuple[str, ...] = ()) -> dict[str, Any]:
    """The moderation item of a new comment by ``reader3``, flagged by these users."""
    post = as_user(lib["reader3"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                   body="Cheap maps at example.com")
    item = {"item_type": "post", "item_id": post["id"]}
    for who in flagged_by:
        as_user(lib[who], "crowdsource_flag_create", reason="advertising", **item)
    return item


def flag_create(lib: Lib) -> tuple[dict | None, dict]:
    return lib["reader"], {**_comment(lib), "reason": "advertising"}


def flag_review(lib: Lib) -> tuple[dict | None, dict]:
    return lib["editor"], {**_comment(lib, ("reader", "reader2")), "decision": "uphold",
                           "reason": "advertising"}


def moderation_decide(lib: Lib) -> tuple[dict | None, dict]:
    return lib["editor"], {**_comment(lib), "decision": "hide", "reason": "advertising"}


def moderation_list(lib: Lib) -> tuple[dict | None, dict]:
    _comment(lib, ("reader",))
    return lib["editor"], {"status": "flagged", "limit": 10}


def moderation_log_list(lib: Lib) -> tuple[dict | None, dict]:
    item = _comment(lib)
    as_user(lib["sysadmin"], "crowdsource_moderation_decide", decision="hide", **item)
    return lib["editor"], {"item_type": "post", "limit": 10}


CALLS: dict[str, Callable[[Lib], tuple[dict | None, dict]]] = {
    "crowdsource_flag_create": flag_create,
    "crowdsource_flag_review": flag_review,
    "crowdsource_moderation_decide": moderation_decide,
    "crowdsource_moderation_list": moderation_list,
    "crowdsource_moderation_log_list": moderation_log_list,
}
