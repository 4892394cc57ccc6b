"""Validation of the feedback actions' input.

Every id and every text goes through a validator that refuses NUL bytes and
lone surrogates (``crowdsource_safe_text``, or the body and title validators,
which include it); lists page with ``page_schema()``.
"""
from __future__ import annotations

import re
from typing import Any

from ckan.plugins import toolkit

from ckanext.crowdsource.common.pagination import page_schema
from ckanext.crowdsource.common.validators import int_between, one_of

from .model import KINDS, STATUSES

EXPORT_FORMATS = ("csv", "json")
EXPORT_MAX = 5000  # items in one piece of crowdsource_feedback_export
INBOX_SORTS = ("unanswered", "newest", "oldest")
REQUEST_SORTS = ("seconds", "newest")
HONEYPOT = "website"  # a field people never see and bots fill in
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

Schema = dict[str, list[Any]]


def email(value: Any) -> str:
    """An e-mail address (at most 200 characters), trimmed."""
    value = str(value).strip()
    if not _EMAIL.match(value) or len(value) > 200:
        raise toolkit.Invalid(toolkit._("Must be an e-mail address"))
    return value


@toolkit.validator_args
def feedback_create_schema(not_empty: Any, not_missing: Any, ignore_missing: Any,
                           crowdsource_safe_text: Any, crowdsource_body_text: Any,
                           crowdsource_title_text: Any) -> Schema:
    text = [ignore_missing, crowdsource_safe_text]
    return {
        "kind": [not_empty, crowdsource_safe_text, one_of(KINDS)],
        "body": [not_missing, crowdsource_body_text],
        "title": [ignore_missing, crowdsource_title_text],
        "rating": [ignore_missing, int_between(1, 5)],
        "package_id": text,
        "resource_id": text,
        "organization": text,
        "contact_email": [ignore_missing, crowdsource_safe_text, email],
        HONEYPOT: text,
    }


@toolkit.validator_args
def id_schema(not_empty: Any, crowdsource_safe_text: Any) -> Schema:
    return {"id": [not_empty, crowdsource_safe_text]}


@toolkit.validator_args
def reply_schema(not_missing: Any, crowdsource_body_text: Any) -> Schema:
    return {**id_schema(), "body": [not_missing, crowdsource_body_text]}


@toolkit.validator_args
def _status_change(not_empty: Any, ignore_missing: Any, crowdsource_safe_text: Any,
                   crowdsource_body_text: Any) -> Schema:
    return {"status": [not_empty, crowdsource_safe_text, one_of(STATUSES)],
            "reply": [ignore_missing, crowdsource_body_text],
            "public_answer": [ignore_missing, crowdsource_body_text],
            "fulfilled_by": [ignore_missing, crowdsource_safe_text]}


def set_status_schema() -> Schema:
    return {**id_schema(), **_status_change()}


@toolkit.validator_args
def set_status_bulk_schema(not_missing: Any, crowdsource_id_list: Any) -> Schema:
    return {"ids": [not_missing, crowdsource_id_list], **_status_change()}


@toolkit.validator_args
def _filters(ignore_missing: Any, crowdsource_boolean: Any, crowdsource_safe_text: Any,
             crowdsource_date: Any) -> Schema:
    text = [ignore_missing, crowdsource_safe_text]
    return {
        "status": [*text, one_of(STATUSES)],
        "kind": [*text, one_of(KINDS)],
        "package_id": text,
        "organization": text,
        "rating": [ignore_missing, int_between(1, 5)],
        "since": [ignore_missing, crowdsource_date],
        "until": [ignore_missing, crowdsource_date],
        "mine": [ignore_missing, crowdsource_boolean],
    }


@toolkit.validator_args
def feedback_list_schema(ignore_missing: Any, crowdsource_safe_text: Any) -> Schema:
    return {**_filters(), "sort": [ignore_missing, crowdsource_safe_text, one_of(INBOX_SORTS)],
            **page_schema()}


def feedback_summary_schema() -> Schema:
    return {k: v for k, v in _filters().items() if k != "status"}


@toolkit.validator_args
def export_schema(default: Any, ignore_missing: Any, crowdsource_safe_text: Any,
                  crowdsource_page_offset: Any) -> Schema:
    return {**_filters(),
            "format": [default("json"), crowdsource_safe_text, one_of(EXPORT_FORMATS)],
            "limit": [ignore_missing, int_between(1, EXPORT_MAX)],
            "offset": [ignore_missing, crowdsource_page_offset]}


@toolkit.validator_args
def second_schema(default: Any, crowdsource_boolean: Any) -> Schema:
    return {**id_schema(), "second": [default(True), crowdsource_boolean]}


@toolkit.validator_args
def request_list_schema(ignore_missing: Any, crowdsource_boolean: Any,
                        crowdsource_safe_text: Any) -> Schema:
    text = [ignore_missing, crowdsource_safe_text]
    return {"package_id": text,
            "organization": text,
            "status": [*text, one_of(STATUSES)],
            "open": [ignore_missing, crowdsource_boolean],
            "sort": [*text, one_of(REQUEST_SORTS)],
            **page_schema()}


@toolkit.validator_args
def rating_summary_schema(not_empty: Any, crowdsource_safe_text: Any) -> Schema:
    return {"package_id": [not_empty, crowdsource_safe_text]}


def _rating_range() -> str:
    return toolkit._("Must be between {low} and {high}").format(low=1, high=5)


# what a clash with one of the tables' constraints means, for ``writes``
CONSTRAINT_ERRORS = {
    "crowdsource_feedback_rating": ("rating", _rating_range),
    "crowdsource_rating_range": ("rating", _rating_range),
}
