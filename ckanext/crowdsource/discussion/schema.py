"""Validation of the discussion and Q&A actions' input."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from ckanext.crowdsource.common.pagination import page_schema
from ckanext.crowdsource.common.validators import body_text, one_of, reason_length, title_text

SORTS = ("newest", "oldest", "top")
ANSWER_SORTS = ("best", "newest", "oldest")
QUESTION_STATUSES = ("open", "answered", "closed")
QUESTION_SORTS = ("newest", "oldest", "active")


def vote_value(value: Any) -> int:
    try:
        vote = int(value)
    except (TypeError, ValueError):
        vote = None
    if vote not in (-1, 0, 1):
        raise toolkit.Invalid(toolkit._("Must be 1 (up), -1 (down) or 0 (withdraw)"))
    return vote


def _ids(*names: str) -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {name: [v("ignore_missing"), v("unicode_safe")] for name in names}


def _id() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"id": [v("not_empty"), v("unicode_safe")]}


def post_create_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"body": [v("not_missing"), body_text],
            **_ids("thread_id", "parent_id", "package_id", "resource_id")}


def post_update_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {**_id(), "body": [v("not_missing"), body_text],
            "title": [v("ignore_missing"), title_text]}


def post_id_schema() -> dict[str, list[Any]]:
    """show, history, approve: a post."""
    return _id()


def post_reason_schema() -> dict[str, list[Any]]:
    """delete, hide, restore: a post, with an optional reason."""
    v = toolkit.get_validator
    return {**_id(), "reason": [v("ignore_missing"), v("unicode_safe"), reason_length]}


def post_vote_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {**_id(), "vote": [v("not_missing"), vote_value]}


def replies_within_max(value: Any) -> int:
    from .read import REPLIES_MAX

    if int(value) > REPLIES_MAX:
        raise toolkit.Invalid(toolkit._("Must be at most {max}").format(max=REPLIES_MAX))
    return int(value)


def thread_show_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {**_ids("id", "package_id", "resource_id", "root_id"),
            "replies": [v("ignore_missing"), v("natural_number_validator"), replies_within_max],
            "sort": [v("ignore_missing"), one_of(SORTS + ANSWER_SORTS)],
            **page_schema()}


def thread_list_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"package_id": [v("not_empty"), v("unicode_safe")],
            "kind": [v("ignore_missing"), one_of(("discussion", "question"))],
            **page_schema()}


def question_create_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"title": [v("not_missing"), title_text], "body": [v("not_missing"), body_text],
            **_ids("package_id", "resource_id")}


def question_list_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {**_ids("package_id", "resource_id", "user"),
            "status": [v("ignore_missing"), one_of(QUESTION_STATUSES)],
            "unanswered": [v("ignore_missing"), v("boolean_validator")],
            "unanswered_days": [v("ignore_missing"), v("natural_number_validator")],
            "site": [v("ignore_missing"), v("boolean_validator")],
            "sort": [v("ignore_missing"), one_of(QUESTION_SORTS)],
            **page_schema()}


def answer_accept_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {**_id(), "accept": [v("default")(True), v("boolean_validator")]}


def answer_verify_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {**_id(), "verified": [v("default")(True), v("boolean_validator")]}
