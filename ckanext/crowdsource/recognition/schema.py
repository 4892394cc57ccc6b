"""Validation of the recognition actions' input."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from ckanext.crowdsource.common.pagination import page_schema
from ckanext.crowdsource.common.validators import int_between, one_of

from .core import GRANT, PERIODS, REASONS

Schema = dict[str, list[Any]]
GRANT_MAX = 1000  # points one grant may give or take


def nonzero_points(value: Any) -> int:
    number = int_between(-GRANT_MAX, GRANT_MAX)(value)
    if number == 0:
        raise toolkit.Invalid(toolkit._("Give or take at least one point"))
    return number


@toolkit.validator_args
def user_schema(ignore_missing: Any, crowdsource_safe_text: Any) -> Schema:
    return {"user_id": [ignore_missing, crowdsource_safe_text]}


@toolkit.validator_args
def points_list_schema(ignore_missing: Any, crowdsource_safe_text: Any) -> Schema:
    return {**user_schema(), "reason": [ignore_missing, one_of((*REASONS, GRANT))],
            "community_id": [ignore_missing, crowdsource_safe_text], **page_schema()}


@toolkit.validator_args
def leaderboard_schema(ignore_missing: Any, crowdsource_safe_text: Any) -> Schema:
    return {"period": [ignore_missing, one_of(PERIODS)],
            "reason": [ignore_missing, one_of((*REASONS, GRANT))],
            "community_id": [ignore_missing, crowdsource_safe_text], **page_schema()}


@toolkit.validator_args
def settings_update_schema(ignore_missing: Any, crowdsource_boolean: Any) -> Schema:
    return {**user_schema(), "leaderboards": [ignore_missing, crowdsource_boolean],
            "public_profile": [ignore_missing, crowdsource_boolean]}


@toolkit.validator_args
def grant_schema(not_empty: Any, crowdsource_safe_text: Any, crowdsource_reason: Any
                 ) -> Schema:
    return {"user_id": [not_empty, crowdsource_safe_text], "points": [not_empty, nonzero_points],
            "note": [not_empty, crowdsource_reason]}


@toolkit.validator_args
def recent_schema(ignore_missing: Any, crowdsource_safe_text: Any) -> Schema:
    return {"community_id": [ignore_missing, crowdsource_safe_text], **page_schema()}


def cursor_value(value: Any) -> Any:
    """An opaque cursor from ``crowdsource_contribution_list``: (time, id)."""
    from .contributions import decode_cursor

    if value in (None, ""):
        return value
    try:
        decode_cursor(value)
    except (ValueError, TypeError):
        raise toolkit.Invalid(toolkit._("This is not a cursor this list gave")) from None
    return value


@toolkit.validator_args
def badge_list_schema(ignore_missing: Any, crowdsource_safe_text: Any) -> Schema:
    from .badges import BADGES

    return {**user_schema(), "badge": [ignore_missing, one_of(BADGES)],
            "community_id": [ignore_missing, crowdsource_safe_text], **page_schema()}


@toolkit.validator_args
def contribution_list_schema(ignore_missing: Any, crowdsource_safe_text: Any,
                             crowdsource_page_limit: Any) -> Schema:
    from .stream import KINDS

    return {**user_schema(), "kind": [ignore_missing, one_of(KINDS)],
            "cursor": [ignore_missing, crowdsource_safe_text, cursor_value],
            "limit": [ignore_missing, crowdsource_page_limit]}
