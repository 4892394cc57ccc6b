"""Validation of the task and claim actions' input."""
from __future__ import annotations

import json
from typing import Any

from ckan.plugins import toolkit

from ckanext.crowdsource.common.pagination import page_schema
from ckanext.crowdsource.common.validators import (
    body_text,
    future_date,
    id_list,
    int_between,
    one_of,
    reason_length,
    title_text,
)

from .model import CLAIM_STATES, KINDS, TASK_STATES

CAPACITY_MAX = 1000
POINTS_MAX = 100000
TTL_MAX_HOURS = 24 * 60
DRAFT_MAX = 100000  # characters of a draft, as JSON
# Where a text result can go: fields of the dataset, or of the task's resource.
TARGET_FIELDS = ("notes", "title", "resource.description", "resource.name")
DECISIONS = ("accept", "reject", "changes")
APPLY_AS = ("reader_tags", "official_tags", "field")
TASK_SORTS = ("newest", "due")


def json_object(value: Any) -> dict[str, Any]:
    """A JSON object (or its text), of bounded size."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise toolkit.Invalid(toolkit._("Must be a JSON object")) from None
    if not isinstance(value, dict):
        raise toolkit.Invalid(toolkit._("Must be a JSON object"))
    if len(json.dumps(value)) > DRAFT_MAX:
        raise toolkit.Invalid(toolkit._("Too long"))
    return value


def _task_fields(required: bool) -> dict[str, list[Any]]:
    v = toolkit.get_validator
    need = v("not_missing") if required else v("ignore_missing")
    return {
        "title": [need, title_text],
        "kind": [need, one_of(KINDS)],
        "instructions": [v("ignore_missing"), body_text],
        "capacity": [v("ignore_missing"), int_between(1, CAPACITY_MAX)],
        "reward_points": [v("ignore_missing"), int_between(0, POINTS_MAX)],
        "claim_ttl_hours": [v("ignore_missing"), int_between(1, TTL_MAX_HOURS)],
        "due": [v("ignore_missing"), future_date],
        "community_id": [v("ignore_missing"), v("unicode_safe")],
        "target_field": [v("ignore_missing"), one_of(TARGET_FIELDS)],
    }


def task_create_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"package_id": [v("not_empty"), v("unicode_safe")],
            "resource_id": [v("ignore_missing"), v("unicode_safe")],
            **_task_fields(required=True)}


def task_create_bulk_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"package_ids": [v("ignore_missing"), id_list],
            "q": [v("ignore_missing"), v("unicode_safe")],
            "fq": [v("ignore_missing"), v("unicode_safe")],
            **_task_fields(required=True)}


def task_update_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    fields = _task_fields(required=False)
    del fields["kind"]  # a task's kind decides its claims' results: it stays
    return {"id": [v("not_empty"), v("unicode_safe")], **fields}


def id_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"id": [v("not_empty"), v("unicode_safe")]}


def id_reason_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {**id_schema(), "reason": [v("ignore_missing"), v("unicode_safe"), reason_length]}


def task_list_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"package_id": [v("ignore_missing"), v("unicode_safe")],
            "organization": [v("ignore_missing"), v("unicode_safe")],
            "community_id": [v("ignore_missing"), v("unicode_safe")],
            "kind": [v("ignore_missing"), one_of(KINDS)],
            "state": [v("ignore_missing"), one_of(TASK_STATES)],
            "free": [v("ignore_missing"), v("boolean_validator")],
            "due_within_days": [v("ignore_missing"), int_between(0, 3650)],
            "sort": [v("ignore_missing"), one_of(TASK_SORTS)],
            **page_schema()}


def task_next_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"organization": [v("ignore_missing"), v("unicode_safe")],
            "community_id": [v("ignore_missing"), v("unicode_safe")],
            "kind": [v("ignore_missing"), one_of(KINDS)]}


def claim_draft_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {**id_schema(), "draft": [v("not_missing"), json_object]}


def claim_submit_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {**id_schema(), "result": [v("not_missing"), json_object]}


def claim_review_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {**id_schema(), "decision": [v("not_empty"), one_of(DECISIONS)],
            "note": [v("ignore_missing"), v("unicode_safe"), reason_length]}


def claim_apply_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {**id_schema(), "as": [v("ignore_missing"), one_of(APPLY_AS)]}


def claim_list_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"task_id": [v("ignore_missing"), v("unicode_safe")],
            "state": [v("ignore_missing"), one_of(CLAIM_STATES)],
            "review": [v("ignore_missing"), v("boolean_validator")],
            **page_schema()}
