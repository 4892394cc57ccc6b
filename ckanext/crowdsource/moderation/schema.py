"""Validation of the moderation core's input.

Every id and text goes through a validator that refuses NUL bytes and lone
surrogates (``crowdsource_safe_text``, or ``crowdsource_reason``, which
includes it); lists page with ``page_schema()``.
"""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from ckanext.crowdsource.common.pagination import page_schema
from ckanext.crowdsource.common.validators import one_of

REVIEW_DECISIONS = ("clear", "uphold")
DECISIONS = ("hide", "restore", "approve")
STATUSES = ("flagged", "hidden", "pending")

Schema = dict[str, list[Any]]


@toolkit.validator_args
def _item(not_empty: Any, crowdsource_safe_text: Any) -> Schema:
    """The contribution an action is about: its item type and id."""
    return {"item_type": [not_empty, crowdsource_safe_text],
            "item_id": [not_empty, crowdsource_safe_text]}


@toolkit.validator_args
def flag_create_schema(not_empty: Any, crowdsource_reason: Any) -> Schema:
    # not_empty again: a reason of only white space is empty once trimmed
    return {**_item(), "reason": [not_empty, crowdsource_reason, not_empty]}


@toolkit.validator_args
def flag_review_schema(not_empty: Any, ignore_missing: Any,
                       crowdsource_safe_text: Any, crowdsource_reason: Any) -> Schema:
    return {**_item(),
            "decision": [not_empty, crowdsource_safe_text, one_of(REVIEW_DECISIONS)],
            "reason": [ignore_missing, crowdsource_reason]}


@toolkit.validator_args
def moderation_decide_schema(not_empty: Any, ignore_missing: Any,
                             crowdsource_safe_text: Any, crowdsource_reason: Any) -> Schema:
    return {**_item(),
            "decision": [not_empty, crowdsource_safe_text, one_of(DECISIONS)],
            "reason": [ignore_missing, crowdsource_reason]}


@toolkit.validator_args
def moderation_list_schema(ignore_empty: Any, crowdsource_safe_text: Any) -> Schema:
    return {"status": [ignore_empty, crowdsource_safe_text, one_of(STATUSES)],
            "item_type": [ignore_empty, crowdsource_safe_text],
            **page_schema()}


@toolkit.validator_args
def log_list_schema(ignore_empty: Any, crowdsource_safe_text: Any) -> Schema:
    return {"item_type": [ignore_empty, crowdsource_safe_text], **page_schema()}
