"""A call that succeeds for every discussion action, for the shared write-path
and API grammar tests: ``CALLS[action](lib)`` prepares what the call needs
and returns ``(user to act as, data_dict)``.

Preparation is done by other users than the one who acts where the action
allows it (editing stays with the author), so that it does not use up the
actor's rate limit. Nobody acts as a sysadmin: sysadmins are not rate limited.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckanext.crowdsource.tests.helpers import as_user

Lib = dict[str, Any]
Call = tuple[dict[str, Any] | None, dict[str, Any]]


def _comment(lib: Lib, who: str = "reader2", body: str = "Where is the 1850 map?"
             ) -> dict[str, Any]:
    return as_user(lib[who], "crowdsource_post_create", package_id=lib["ds"]["id"], body=body)


def _question(lib: Lib, who: str = "reader2") -> dict[str, Any]:
    return as_user(lib[who], "crowdsource_question_create", package_id=lib["ds"]["id"],
                   title="Which scale?", body="What scale are the maps?")


def _answer(lib: Lib) -> dict[str, Any]:
    """A question by reader2 with an answer by reader3: the answer."""
    return as_user(lib["reader3"], "crowdsource_post_create", thread_id=_question(lib)["id"],
                   body="1:5000, says the legend")


def post_create(lib: Lib) -> Call:
    return lib["reader"], {"package_id": lib["ds"]["id"], "body": "Lovely maps"}


def post_show(lib: Lib) -> Call:
    return lib["reader"], {"id": _comment(lib)["id"]}


def post_update(lib: Lib) -> Call:
    return lib["reader"], {"id": _comment(lib, "reader", "teh map")["id"], "body": "the map"}


def post_delete(lib: Lib) -> Call:
    return lib["editor"], {"id": _comment(lib)["id"], "reason": "off topic"}


def post_history(lib: Lib) -> Call:
    post = _comment(lib, body="teh map")
    as_user(lib["reader2"], "crowdsource_post_update", id=post["id"], body="the map")
    return lib["editor"], {"id": post["id"], "limit": 10}


def post_vote(lib: Lib) -> Call:
    return lib["reader"], {"id": _comment(lib)["id"], "vote": 1}


def thread_show(lib: Lib) -> Call:
    return lib["reader"], {"id": _comment(lib)["thread_id"], "sort": "oldest", "limit": 5}


def thread_list(lib: Lib) -> Call:
    _comment(lib)
    return lib["reader"], {"package_id": lib["ds"]["name"], "kind": "discussion"}


def question_create(lib: Lib) -> Call:
    return lib["reader"], {"package_id": lib["ds"]["id"], "title": "Who drew them?",
                           "body": "The maps of 1850."}


def question_list(lib: Lib) -> Call:
    _question(lib)
    return lib["reader"], {"package_id": lib["ds"]["id"], "status": "open", "limit": 10}


def question_close(lib: Lib) -> Call:
    return lib["editor"], {"id": _question(lib)["id"], "reason": "asked twice"}


def question_reopen(lib: Lib) -> Call:
    question = _question(lib)
    as_user(lib["admin"], "crowdsource_question_close", id=question["id"])
    return lib["editor"], {"id": question["id"]}


def answer_accept(lib: Lib) -> Call:
    return lib["editor"], {"id": _answer(lib)["id"]}


def answer_verify(lib: Lib) -> Call:
    return lib["editor"], {"id": _answer(lib)["id"], "verified": True}


CALLS: dict[str, Callable[[Lib], Call]] = {
    f"crowdsource_{name}": make for name, make in (
        ("post_create", post_create),
        ("post_show", post_show),
        ("post_update", post_update),
        ("post_delete", post_delete),
        ("post_history", post_history),
        ("post_vote", post_vote),
        ("thread_show", thread_show),
        ("thread_list", thread_list),
        ("question_create", question_create),
        ("question_list", question_list),
        ("question_close", question_close),
        ("question_reopen", question_reopen),
        ("answer_accept", answer_accept),
        ("answer_verify", answer_verify),
    )
}
