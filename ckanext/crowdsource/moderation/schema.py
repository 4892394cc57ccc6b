"""Validation of the moderation core's input."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from ckanext.crowdsource.common.pagination import page_schema
from ckanext.crowdsource.common.validators import one_of, reason_length

DECISIONS = ("clear", "uphold")
STATUSES = ("flagged", "hidden", "pending")


def _item() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"item_type": [v("not_empty"), v("unicode_safe")],
            "item_id": [v("not_empty"), v("unicode_safe")]}


def flag_create_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {**_item(), "reason": [v("not_empty"), v("unicode_safe"), reason_length, v("not_empty")]}


def flag_review_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {**_item(),
            "decision": [v("not_empty"), one_of(DECISIONS)],
            "reason": [v("ignore_missing"), v("unicode_safe"), reason_length]}


def moderation_decide_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {**_item(),
            "decision": [v("not_empty"), one_of(("hide", "restore", "approve"))],
            "reason": [v("ignore_missing"), v("unicode_safe"), reason_length]}


def moderation_list_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"status": [v("ignore_missing"), one_of(STATUSES)],
            "item_type": [v("ignore_missing"), v("unicode_safe")],
            **page_schema()}


def log_list_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"item_type": [v("ignore_missing"), v("unicode_safe")], **page_schema()}
