"""Validation of the notify actions' input."""
from __future__ import annotations

import json
from typing import Any

from ckan.plugins import toolkit

from ckanext.crowdsource.common.pagination import page_schema
from ckanext.crowdsource.common.validators import boolean, one_of

from .core import EMAIL, FOLLOWABLE, KINDS, LEVELS

Schema = dict[str, list[Any]]
MARK_MAX = 100  # ids one mark_read call may name


def rules_value(value: Any) -> dict[str, bool]:
    """Rules switched on or off: ``{kind: true|false}``, or its JSON text."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    if not isinstance(value, dict):
        raise toolkit.Invalid(toolkit._("Give an object of rules, each true or false"))
    unknown = [k for k in value if k not in KINDS]
    if unknown:
        raise toolkit.Invalid(toolkit._("Unknown rules: {names}").format(
            names=", ".join(str(k)[:50] for k in unknown[:5])))
    try:
        return {k: boolean(v) for k, v in value.items()}
    except toolkit.Invalid:
        raise toolkit.Invalid(toolkit._("Each rule is true or false")) from None


def few_ids(value: Any) -> list[str]:
    if isinstance(value, list) and len(value) > MARK_MAX:
        raise toolkit.Invalid(toolkit._("At most {n} at once").format(n=MARK_MAX))
    return value


@toolkit.validator_args
def list_schema(ignore_missing: Any, crowdsource_boolean: Any) -> Schema:
    return {"unread": [ignore_missing, crowdsource_boolean],
            "kind": [ignore_missing, one_of(KINDS)], **page_schema()}


@toolkit.validator_args
def count_schema() -> Schema:
    return {}


@toolkit.validator_args
def mark_read_schema(ignore_missing: Any, crowdsource_id_list: Any,
                     crowdsource_boolean: Any) -> Schema:
    return {"ids": [ignore_missing, crowdsource_id_list, few_ids],
            "all": [ignore_missing, crowdsource_boolean],
            "read": [ignore_missing, crowdsource_boolean]}


@toolkit.validator_args
def settings_show_schema(ignore_missing: Any, crowdsource_safe_text: Any) -> Schema:
    return {"user_id": [ignore_missing, crowdsource_safe_text]}


@toolkit.validator_args
def settings_update_schema(ignore_missing: Any, crowdsource_safe_text: Any) -> Schema:
    return {"user_id": [ignore_missing, crowdsource_safe_text],
            "rules": [ignore_missing, rules_value],
            "email": [ignore_missing, one_of(EMAIL)],
            "locale": [ignore_missing, offered_locale]}


def offered_locale(value: Any) -> str:
    """One of the portal's languages (``ckan.locales_offered``)."""
    from ckan.lib.i18n import get_locales_from_config

    if not isinstance(value, str) or value not in get_locales_from_config():
        raise toolkit.Invalid(toolkit._("Not one of the portal's languages"))
    return value


@toolkit.validator_args
def unsubscribe_schema(not_empty: Any, crowdsource_safe_text: Any) -> Schema:
    return {"token": [not_empty, crowdsource_safe_text]}


@toolkit.validator_args
def follow_schema(not_empty: Any, ignore_missing: Any, crowdsource_safe_text: Any) -> Schema:
    return {"object_type": [not_empty, one_of(FOLLOWABLE)],
            "object_id": [not_empty, crowdsource_safe_text],
            "level": [ignore_missing, one_of(LEVELS)]}


@toolkit.validator_args
def unfollow_schema(not_empty: Any, crowdsource_safe_text: Any) -> Schema:
    return {"object_type": [not_empty, one_of(FOLLOWABLE)],
            "object_id": [not_empty, crowdsource_safe_text]}


@toolkit.validator_args
def follow_list_schema(ignore_missing: Any, crowdsource_safe_text: Any) -> Schema:
    return {"object_type": [ignore_missing, one_of(FOLLOWABLE)],
            "object_id": [ignore_missing, crowdsource_safe_text], **page_schema()}
