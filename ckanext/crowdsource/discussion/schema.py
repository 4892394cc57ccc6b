"""Validation of the discussion and Q&A actions' input.

Every id and text goes through a validator that refuses NUL bytes and lone
surrogates (``crowdsource_safe_text``, or the body, title and reason
validators, which include it); lists page with ``page_schema()``. Keys a
schema does not name are refused by ``common.action``.
"""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from ckanext.crowdsource.common.pagination import page_schema
from ckanext.crowdsource.common.validators import int_between, one_of

from .read import REPLIES_MAX

SORTS = ("newest", "oldest", "top")
ANSWER_SORTS = ("best", "newest", "oldest")
QUESTION_STATUSES = ("open", "answered", "closed")
QUESTION_SORTS = ("newest", "oldest", "active")
THREAD_KINDS = ("discussion", "question")
DAYS_MAX = 36500

Schema = dict[str, list[Any]]


def vote_value(value: Any) -> int:
    """``1`` (up), ``-1`` (down) or ``0`` (withdraw), as a number or text."""
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        try:
            vote = int(value)
        except ValueError:
            vote = 2
        if vote in (-1, 0, 1):
            return vote
    raise toolkit.Invalid(toolkit._("Must be 1 (up), -1 (down) or 0 (withdraw)"))


@toolkit.validator_args
def _id(not_empty: Any, crowdsource_safe_text: Any) -> Schema:
    """The post or thread the action is about."""
    return {"id": [not_empty, crowdsource_safe_text]}


def _optional(*names: str) -> Schema:
    """Optional ids (an empty one counts as not given)."""
    v = toolkit.get_validator
    return {name: [v("ignore_empty"), v("crowdsource_safe_text")] for name in names}


@toolkit.validator_args
def post_create_schema(not_missing: Any, crowdsource_body_text: Any) -> Schema:
    return {"body": [not_missing, crowdsource_body_text],
            **_optional("parent_id", "thread_id", "package_id", "resource_id")}


@toolkit.validator_args
def post_update_schema(not_missing: Any, ignore_missing: Any, crowdsource_body_text: Any,
                       crowdsource_title_text: Any) -> Schema:
    return {**_id(), "body": [not_missing, crowdsource_body_text],
            "title": [ignore_missing, crowdsource_title_text]}


def post_show_schema() -> Schema:
    """show: a post."""
    return _id()


def post_history_schema() -> Schema:
    """history: a post, and a page of its earlier versions."""
    return {**_id(), **page_schema()}


@toolkit.validator_args
def id_reason_schema(ignore_missing: Any, crowdsource_reason: Any) -> Schema:
    """delete a post, close a question: what, with an optional reason."""
    return {**_id(), "reason": [ignore_missing, crowdsource_reason]}


def question_reopen_schema() -> Schema:
    return _id()


@toolkit.validator_args
def post_vote_schema(not_missing: Any) -> Schema:
    return {**_id(), "vote": [not_missing, vote_value]}


@toolkit.validator_args
def thread_show_schema(ignore_missing: Any) -> Schema:
    return {**_optional("id", "package_id", "resource_id", "root_id"),
            "replies": [ignore_missing, int_between(0, REPLIES_MAX)],
            "sort": [ignore_missing, one_of(SORTS + ANSWER_SORTS)],
            **page_schema()}


@toolkit.validator_args
def thread_list_schema(not_empty: Any, ignore_empty: Any,
                       crowdsource_safe_text: Any) -> Schema:
    return {"package_id": [not_empty, crowdsource_safe_text],
            "kind": [ignore_empty, one_of(THREAD_KINDS)],
            **page_schema()}


@toolkit.validator_args
def question_create_schema(not_missing: Any, crowdsource_title_text: Any,
                           crowdsource_body_text: Any) -> Schema:
    return {"title": [not_missing, crowdsource_title_text],
            "body": [not_missing, crowdsource_body_text],
            **_optional("package_id", "resource_id", "community_id")}


@toolkit.validator_args
def question_list_schema(ignore_missing: Any, ignore_empty: Any,
                         crowdsource_boolean: Any) -> Schema:
    return {**_optional("package_id", "resource_id", "user_id", "community_id"),
            "status": [ignore_empty, one_of(QUESTION_STATUSES)],
            "unanswered": [ignore_missing, crowdsource_boolean],
            "unanswered_in_my_communities": [ignore_missing, crowdsource_boolean],
            "unanswered_days": [ignore_missing, int_between(0, DAYS_MAX)],
            "site": [ignore_missing, crowdsource_boolean],
            "sort": [ignore_empty, one_of(QUESTION_SORTS)],
            **page_schema()}


@toolkit.validator_args
def answer_accept_schema(default: Any, crowdsource_boolean: Any) -> Schema:
    return {**_id(), "accept": [default(True), crowdsource_boolean]}


@toolkit.validator_args
def answer_verify_schema(default: Any, crowdsource_boolean: Any) -> Schema:
    return {**_id(), "verified": [default(True), crowdsource_boolean]}
