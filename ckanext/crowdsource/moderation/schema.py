"""Validation of the moderation core's input."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from ckanext.crowdsource.common.pagination import page_schema

REASON_MAX = 1000
DECISIONS = ("clear", "uphold")
STATUSES = ("flagged", "hidden", "pending")


def reason_length(value: str) -> str:
    """A moderation reason: trimmed, at most 1000 characters."""
    if len(value) > REASON_MAX:
        raise toolkit.Invalid(
            toolkit._("The reason is longer than {max} characters").format(max=REASON_MAX))
    return value.strip()


def one_of(choices: tuple[str, ...]) -> Any:
    def validator(value: Any) -> str:
        if value not in choices:
            raise toolkit.Invalid(toolkit._("Must be one of: {choices}").format(
                choices=", ".join(choices)))
        return value
    return validator


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
