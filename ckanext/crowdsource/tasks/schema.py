"""Validation of the task and claim actions' input.

Every id and every text goes through a validator that refuses NUL
characters and lone surrogates (``crowdsource_safe_text`` or one of the text
validators that include it); JSON objects (drafts and results) are checked
the same way, key by key and value by value, because PostgreSQL's ``jsonb``
refuses them too.
"""
from __future__ import annotations

import json
from typing import Any

from ckan.plugins import toolkit

from ckanext.crowdsource.common.pagination import page_schema
from ckanext.crowdsource.common.validators import id_list, int_between, one_of, safe_text

from .model import CLAIM_STATES, KINDS, TASK_STATES

CAPACITY_MAX = 1000
POINTS_MAX = 100000
TTL_MAX_HOURS = 24 * 60
MEMBERS_FIRST_MAX_HOURS = 24 * 365
DUE_WITHIN_MAX = 3650
DRAFT_MAX = 100000  # characters of a draft, as JSON
# Where a text result can go: fields of the dataset, or of the task's resource.
TARGET_FIELDS = ("notes", "title", "resource.description", "resource.name")
DECISIONS = ("accept", "reject", "changes")
APPLY_AS = ("reader_tags", "official_tags", "field")
TASK_SORTS = ("newest", "due")

Schema = dict[str, list[Any]]


def _safe_json(value: Any) -> None:
    """Every key and string of a JSON value is text PostgreSQL can store."""
    if isinstance(value, dict):
        for key, item in value.items():
            safe_text(key)
            _safe_json(item)
    elif isinstance(value, list):
        for item in value:
            _safe_json(item)
    elif isinstance(value, str):
        safe_text(value)


def json_object(value: Any) -> dict[str, Any]:
    """A JSON object (or its text), of bounded size, with storable text."""
    if isinstance(value, str):
        try:
            value = json.loads(safe_text(value))
        except ValueError:
            raise toolkit.Invalid(toolkit._("Must be a JSON object")) from None
    if not isinstance(value, dict):
        raise toolkit.Invalid(toolkit._("Must be a JSON object"))
    _safe_json(value)
    try:
        size = len(json.dumps(value))
    except (TypeError, ValueError):
        raise toolkit.Invalid(toolkit._("Must be a JSON object")) from None
    if size > DRAFT_MAX:
        raise toolkit.Invalid(toolkit._("Too long"))
    return value


@toolkit.validator_args
def _task_fields(ignore_missing: Any, crowdsource_title_text: Any,
                 crowdsource_body_text: Any, crowdsource_future_date: Any,
                 crowdsource_safe_text: Any, crowdsource_boolean: Any) -> Schema:
    """The fields a task is made of (all optional here)."""
    return {
        "title": [ignore_missing, crowdsource_title_text],
        "kind": [ignore_missing, one_of(KINDS)],
        "instructions": [ignore_missing, crowdsource_body_text],
        "capacity": [ignore_missing, int_between(1, CAPACITY_MAX)],
        "reward_points": [ignore_missing, int_between(0, POINTS_MAX)],
        "claim_ttl_hours": [ignore_missing, int_between(1, TTL_MAX_HOURS)],
        "due": [ignore_missing, crowdsource_future_date],
        "community_id": [ignore_missing, crowdsource_safe_text],
        "members_first_hours": [ignore_missing, int_between(0, MEMBERS_FIRST_MAX_HOURS)],
        "community_review": [ignore_missing, crowdsource_boolean],
        "target_field": [ignore_missing, one_of(TARGET_FIELDS)],
    }


def _required(fields: Schema, not_missing: Any, *names: str) -> Schema:
    return {**fields, **{n: [not_missing, *fields[n][1:]] for n in names}}


@toolkit.validator_args
def task_create_schema(not_empty: Any, not_missing: Any, ignore_missing: Any,
                       crowdsource_safe_text: Any) -> Schema:
    return {"package_id": [not_empty, crowdsource_safe_text],
            "resource_id": [ignore_missing, crowdsource_safe_text],
            **_required(_task_fields(), not_missing, "title", "kind")}


@toolkit.validator_args
def task_create_bulk_schema(not_missing: Any, ignore_missing: Any,
                            crowdsource_safe_text: Any) -> Schema:
    return {"package_ids": [ignore_missing, id_list],
            "q": [ignore_missing, crowdsource_safe_text],
            "fq": [ignore_missing, crowdsource_safe_text],
            **_required(_task_fields(), not_missing, "title", "kind")}


@toolkit.validator_args
def task_update_schema(not_empty: Any, crowdsource_safe_text: Any) -> Schema:
    fields = _task_fields()
    del fields["kind"]  # a task's kind decides its claims' results: it stays
    return {"id": [not_empty, crowdsource_safe_text], **fields}


@toolkit.validator_args
def id_schema(not_empty: Any, crowdsource_safe_text: Any) -> Schema:
    return {"id": [not_empty, crowdsource_safe_text]}


@toolkit.validator_args
def id_reason_schema(ignore_empty: Any, crowdsource_reason: Any) -> Schema:
    return {**id_schema(), "reason": [ignore_empty, crowdsource_reason]}


@toolkit.validator_args
def task_list_schema(ignore_missing: Any, crowdsource_boolean: Any,
                     crowdsource_safe_text: Any) -> Schema:
    return {"package_id": [ignore_missing, crowdsource_safe_text],
            "organization": [ignore_missing, crowdsource_safe_text],
            "community_id": [ignore_missing, crowdsource_safe_text],
            "kind": [ignore_missing, one_of(KINDS)],
            "state": [ignore_missing, one_of(TASK_STATES)],
            "free": [ignore_missing, crowdsource_boolean],
            "due_within_days": [ignore_missing, int_between(0, DUE_WITHIN_MAX)],
            "sort": [ignore_missing, one_of(TASK_SORTS)],
            **page_schema()}


@toolkit.validator_args
def task_next_schema(ignore_missing: Any, crowdsource_safe_text: Any) -> Schema:
    return {"organization": [ignore_missing, crowdsource_safe_text],
            "community_id": [ignore_missing, crowdsource_safe_text],
            "kind": [ignore_missing, one_of(KINDS)]}


@toolkit.validator_args
def claim_draft_schema(not_missing: Any) -> Schema:
    return {**id_schema(), "draft": [not_missing, json_object]}


@toolkit.validator_args
def claim_submit_schema(not_missing: Any) -> Schema:
    return {**id_schema(), "result": [not_missing, json_object]}


@toolkit.validator_args
def claim_review_schema(not_empty: Any, ignore_empty: Any, crowdsource_reason: Any) -> Schema:
    return {**id_schema(), "decision": [not_empty, one_of(DECISIONS)],
            "note": [ignore_empty, crowdsource_reason]}


@toolkit.validator_args
def claim_apply_schema(ignore_empty: Any) -> Schema:
    return {**id_schema(), "as": [ignore_empty, one_of(APPLY_AS)]}


@toolkit.validator_args
def claim_list_schema(ignore_missing: Any, crowdsource_boolean: Any,
                      crowdsource_safe_text: Any) -> Schema:
    return {"task_id": [ignore_missing, crowdsource_safe_text],
            "community_id": [ignore_missing, crowdsource_safe_text],
            "state": [ignore_missing, one_of(CLAIM_STATES)],
            "review": [ignore_missing, crowdsource_boolean],
            **page_schema()}


def empty_schema() -> Schema:
    """No parameters at all (the sweeper)."""
    return {}
