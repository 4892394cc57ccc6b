"""Validation of the community actions' input.

Ids and texts go through ``crowdsource_safe_text`` (or a text validator that
includes it); the subject filter (``scope``) is checked key by key, so a
filter that cannot be searched is refused when it is saved, not when a page
shows the community.
"""
from __future__ import annotations

import json
from typing import Any

from ckan.plugins import toolkit

from ckanext.crowdsource.common import config
from ckanext.crowdsource.common.pagination import page_schema
from ckanext.crowdsource.common.validators import one_of, safe_text, tag_list

from .model import JOIN_POLICIES, MEMBER_STATES, ROLES, STATUSES

SCOPE_KEYS = ("tags", "reader_tags", "organization", "q")
SCOPE_TAGS_MAX = 20  # tags (or reader tags) in one filter
SCOPE_TAG_LENGTH = (2, 100)  # CKAN's own bounds for a tag
SCOPE_Q_MAX = 200
DECISIONS = ("approve", "decline")
REMOVED = "none"  # the role that removes a member
SET_ROLES = (*ROLES, REMOVED)
LIST_SORTS = ("mine", "name", "members", "newest")

Schema = dict[str, list[Any]]


def description_text(value: Any) -> str:
    """A community's description: markdown, possibly empty, at most
    ``ckanext.crowdsource.discussion.body_max_length`` characters."""
    value = safe_text(value)
    maximum = config.body_max_length()
    if len(value) > maximum:
        raise toolkit.Invalid(
            toolkit._("Must be at most {max} characters").format(max=maximum))
    return value


def _tags(value: Any) -> list[str]:
    """Official tags: one, a list, or a comma-separated string."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise toolkit.Invalid(toolkit._("Give one tag or a list of tags"))
    low, high = SCOPE_TAG_LENGTH
    tags: list[str] = []
    for raw in value:
        tag = safe_text(raw).strip()
        if not tag:
            continue
        if not low <= len(tag) <= high:
            raise toolkit.Invalid(toolkit._("Tags must have {low} to {high} characters").format(
                low=low, high=high))
        if tag not in tags:
            tags.append(tag)
    return tags


def scope_value(value: Any) -> dict[str, Any]:
    """A saved dataset filter: a JSON object (or its text) with any of
    ``tags`` (official tags) and ``reader_tags`` (a dataset with any of
    either matches), ``organization`` (name or id) and ``q`` (words every
    dataset has). An empty object, or an empty string, is no filter
    (``{}``)."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(safe_text(value))
        except ValueError:
            raise toolkit.Invalid(toolkit._("Must be a JSON object")) from None
    if not isinstance(value, dict):
        raise toolkit.Invalid(toolkit._("Must be a JSON object"))
    unknown = sorted(str(k) for k in value if k not in SCOPE_KEYS)
    if unknown:
        raise toolkit.Invalid(toolkit._("Unknown filter {keys}; known: {known}").format(
            keys=", ".join(unknown), known=", ".join(SCOPE_KEYS)))
    out: dict[str, Any] = {}
    for key in ("tags", "reader_tags"):
        if value.get(key) in (None, "", []):
            continue
        tags = _tags(value[key]) if key == "tags" else tag_list(value[key])
        if len(tags) > SCOPE_TAGS_MAX:
            raise toolkit.Invalid(toolkit._("At most {max} tags").format(max=SCOPE_TAGS_MAX))
        if tags:
            out[key] = tags
    for key in ("organization", "q"):
        if value.get(key) in (None, ""):
            continue
        if not isinstance(value[key], str):
            raise toolkit.Invalid(toolkit._("Must be text"))
        text = " ".join(safe_text(value[key]).split())
        if len(text) > SCOPE_Q_MAX:
            raise toolkit.Invalid(
                toolkit._("Must be at most {max} characters").format(max=SCOPE_Q_MAX))
        if text:
            out[key] = text
    return out


@toolkit.validator_args
def _settings(ignore_missing: Any, crowdsource_title_text: Any) -> Schema:
    """What a community's owners (and staff) may set (all optional here)."""
    return {
        "title": [ignore_missing, crowdsource_title_text],
        "description": [ignore_missing, description_text],
        "join_policy": [ignore_missing, one_of(JOIN_POLICIES)],
        "scope": [ignore_missing, scope_value],
    }


@toolkit.validator_args
def propose_schema(not_empty: Any, crowdsource_safe_text: Any, name_validator: Any,
                   crowdsource_title_text: Any) -> Schema:
    return {"name": [not_empty, crowdsource_safe_text, name_validator],
            **_settings(),
            "title": [not_empty, crowdsource_title_text]}


@toolkit.validator_args
def create_schema(ignore_missing: Any, crowdsource_safe_text: Any,
                  name_validator: Any) -> Schema:
    return {"id": [ignore_missing, crowdsource_safe_text],
            "name": [ignore_missing, crowdsource_safe_text, name_validator],
            "owner": [ignore_missing, crowdsource_safe_text],
            **_settings()}


@toolkit.validator_args
def id_schema(not_empty: Any, crowdsource_safe_text: Any) -> Schema:
    return {"id": [not_empty, crowdsource_safe_text]}


@toolkit.validator_args
def review_schema(not_empty: Any, ignore_empty: Any, crowdsource_reason: Any) -> Schema:
    return {**id_schema(), "decision": [not_empty, one_of(DECISIONS)],
            "note": [ignore_empty, crowdsource_reason]}


def update_schema() -> Schema:
    return {**id_schema(), **_settings()}


@toolkit.validator_args
def list_schema(ignore_missing: Any, crowdsource_boolean: Any,
                crowdsource_safe_text: Any) -> Schema:
    return {"q": [ignore_missing, crowdsource_safe_text],
            "mine": [ignore_missing, crowdsource_boolean],
            "status": [ignore_missing, one_of(STATUSES)],
            "sort": [ignore_missing, one_of(LIST_SORTS)],
            **page_schema()}


@toolkit.validator_args
def member_list_schema(ignore_missing: Any) -> Schema:
    return {**id_schema(), "state": [ignore_missing, one_of(MEMBER_STATES)],
            "role": [ignore_missing, one_of(ROLES)], **page_schema()}


@toolkit.validator_args
def set_role_schema(not_empty: Any, crowdsource_safe_text: Any) -> Schema:
    return {**id_schema(), "user_id": [not_empty, crowdsource_safe_text],
            "role": [not_empty, one_of(SET_ROLES)]}


@toolkit.validator_args
def request_review_schema(not_empty: Any, ignore_empty: Any, crowdsource_safe_text: Any,
                          crowdsource_reason: Any) -> Schema:
    return {**id_schema(), "user_id": [not_empty, crowdsource_safe_text],
            "decision": [not_empty, one_of(DECISIONS)],
            "note": [ignore_empty, crowdsource_reason]}
