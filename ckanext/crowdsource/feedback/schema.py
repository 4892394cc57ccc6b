"""Validation of the feedback actions' input."""
from __future__ import annotations

import re
from typing import Any

from ckan.plugins import toolkit

from ckanext.crowdsource.common.pagination import page_schema
from ckanext.crowdsource.common.validators import (
    body_text,
    date_value,
    id_list,
    int_between,
    one_of,
    title_text,
)

from .model import KINDS, STATUSES

EXPORT_FORMATS = ("csv", "json")
INBOX_SORTS = ("unanswered", "newest", "oldest")
REQUEST_SORTS = ("seconds", "newest")
HONEYPOT = "website"  # a field people never see and bots fill in
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email(value: Any) -> str:
    value = str(value).strip()
    if not _EMAIL.match(value) or len(value) > 200:
        raise toolkit.Invalid(toolkit._("Must be an e-mail address"))
    return value


def feedback_create_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {
        "kind": [v("not_empty"), one_of(KINDS)],
        "body": [v("not_missing"), body_text],
        "title": [v("ignore_missing"), title_text],
        "rating": [v("ignore_missing"), int_between(1, 5)],
        "package_id": [v("ignore_missing"), v("unicode_safe")],
        "resource_id": [v("ignore_missing"), v("unicode_safe")],
        "organization": [v("ignore_missing"), v("unicode_safe")],
        "contact_email": [v("ignore_missing"), email],
        HONEYPOT: [v("ignore_missing"), v("unicode_safe")],
    }


def id_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"id": [v("not_empty"), v("unicode_safe")]}


def reply_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {**id_schema(), "body": [v("not_missing"), body_text]}


def set_status_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"id": [v("not_missing"), id_list],
            "status": [v("not_empty"), one_of(STATUSES)],
            "reply": [v("ignore_missing"), body_text],
            "public_answer": [v("ignore_missing"), body_text],
            "fulfilled_by": [v("ignore_missing"), v("unicode_safe")]}


def _filters() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {
        "status": [v("ignore_missing"), one_of(STATUSES)],
        "kind": [v("ignore_missing"), one_of(KINDS)],
        "package_id": [v("ignore_missing"), v("unicode_safe")],
        "organization": [v("ignore_missing"), v("unicode_safe")],
        "rating": [v("ignore_missing"), int_between(1, 5)],
        "since": [v("ignore_missing"), date_value],
        "until": [v("ignore_missing"), date_value],
        "mine": [v("ignore_missing"), v("boolean_validator")],
    }


def feedback_list_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {**_filters(), "sort": [v("ignore_missing"), one_of(INBOX_SORTS)], **page_schema()}


def export_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {**_filters(), "format": [v("default")("json"), one_of(EXPORT_FORMATS)],
            "limit": [v("ignore_missing"), int_between(1, 5000)],
            "offset": [v("ignore_missing"), v("natural_number_validator")]}


def second_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {**id_schema(), "second": [v("default")(True), v("boolean_validator")]}


def request_list_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"package_id": [v("ignore_missing"), v("unicode_safe")],
            "organization": [v("ignore_missing"), v("unicode_safe")],
            "status": [v("ignore_missing"), one_of(STATUSES)],
            "open": [v("ignore_missing"), v("boolean_validator")],
            "sort": [v("ignore_missing"), one_of(REQUEST_SORTS)],
            **page_schema()}


def rating_summary_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"package_id": [v("not_empty"), v("unicode_safe")]}
