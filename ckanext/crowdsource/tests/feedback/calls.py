"""A call that succeeds for every feedback action, for the shared write-path
tests: ``CALLS[action](lib)`` prepares what the call needs and returns
``(user to act as, data_dict)``.

Preparation is done by other users than the one who acts, so that it does
not use up the actor's rate limit.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckanext.crowdsource.tests.helpers import as_user

Lib = dict[str, Any]


def _sent(lib: Lib, who: str = "reader", **data: Any) -> dict[str, Any]:
    """Feedback from ``who`` about the library's dataset."""
    return as_user(lib[who], "crowdsource_feedback_create", **{
        "kind": "error", "body": "The 1850 map is missing.", "package_id": lib["ds"]["id"],
        **data})


def _request(lib: Lib) -> dict[str, Any]:
    return _sent(lib, kind="request", title="Maps of 1900", body="Please scan them")


def feedback_create(lib: Lib) -> tuple[dict | None, dict]:
    return lib["reader"], {"kind": "praise", "body": "Lovely maps", "rating": 4,
                           "package_id": lib["ds"]["id"]}


def feedback_show(lib: Lib) -> tuple[dict | None, dict]:
    return lib["editor"], {"id": _sent(lib)["id"]}


def feedback_list(lib: Lib) -> tuple[dict | None, dict]:
    _sent(lib)
    return lib["editor"], {"status": "new", "limit": 10}


def feedback_summary(lib: Lib) -> tuple[dict | None, dict]:
    _sent(lib)
    return lib["editor"], {"kind": "error"}


def feedback_reply(lib: Lib) -> tuple[dict | None, dict]:
    return lib["editor"], {"id": _sent(lib)["id"], "body": "Thank you, we are looking"}


def feedback_set_status(lib: Lib) -> tuple[dict | None, dict]:
    return lib["editor"], {"id": _request(lib)["id"], "status": "resolved",
                           "reply": "Scanned", "public_answer": "See the new dataset",
                           "fulfilled_by": lib["ds2"]["id"]}


def feedback_set_status_bulk(lib: Lib) -> tuple[dict | None, dict]:
    ids = [_sent(lib)["id"], _sent(lib, who="reader2")["id"]]
    return lib["editor"], {"ids": ids, "status": "acknowledged", "reply": "Seen"}


def feedback_export(lib: Lib) -> tuple[dict | None, dict]:
    _sent(lib)
    return lib["editor"], {"format": "csv"}


def request_second(lib: Lib) -> tuple[dict | None, dict]:
    return lib["reader2"], {"id": _request(lib)["id"]}


def request_list(lib: Lib) -> tuple[dict | None, dict]:
    _request(lib)
    return lib["reader2"], {"sort": "seconds", "open": True}


def rating_summary(lib: Lib) -> tuple[dict | None, dict]:
    _sent(lib, kind="praise", rating=5)
    return lib["reader2"], {"package_id": lib["ds"]["name"]}


CALLS: dict[str, Callable[[Lib], tuple[dict | None, dict]]] = {
    f"crowdsource_{name}": make for name, make in (
        ("feedback_create", feedback_create),
        ("feedback_show", feedback_show),
        ("feedback_list", feedback_list),
        ("feedback_summary", feedback_summary),
        ("feedback_reply", feedback_reply),
        ("feedback_set_status", feedback_set_status),
        ("feedback_set_status_bulk", feedback_set_status_bulk),
        ("feedback_export", feedback_export),
        ("request_second", request_second),
        ("request_list", request_list),
        ("rating_summary", rating_summary),
    )
}
