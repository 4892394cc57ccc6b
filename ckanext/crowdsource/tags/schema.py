"""Validation of reader tags and the tag actions' input."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from ckan.plugins import toolkit

from ckanext.crowdsource.common.pagination import page_schema
from ckanext.crowdsource.moderation.schema import reason_length

MAX_LENGTH = 50
_SPACES = re.compile(r"\s+")


def normalize_tag(raw: Any) -> str:
    """One reader tag as it is stored and compared.

    NFKC (full-width to half-width), trimmed, inner white space collapsed,
    case-folded; 1-50 characters of letters (any script), digits, spaces and
    hyphens. Raises ``toolkit.Invalid`` naming the problem.
    """
    if not isinstance(raw, str):
        raise toolkit.Invalid(toolkit._("Tags must be text"))
    tag = _SPACES.sub(" ", unicodedata.normalize("NFKC", raw)).strip().casefold()
    if not tag:
        raise toolkit.Invalid(toolkit._("Tags cannot be empty"))
    if len(tag) > MAX_LENGTH:
        raise toolkit.Invalid(
            toolkit._("Tag {tag!r} is longer than {max} characters").format(tag=tag[:20] + "…",
                                                                          max=MAX_LENGTH)
        )
    for char in tag:
        if unicodedata.category(char)[0] not in "LNM" and char not in " -":
            raise toolkit.Invalid(
                toolkit._("Tag {tag!r} has a character that is not allowed: {char!r}").format(
                    tag=tag, char=char
                )
            )
    return tag


def tag_list(value: Any) -> list[str]:
    """A tag or a list of tags (or a comma-separated string), normalised, unique."""
    if isinstance(value, str):
        value = value.split(",") if "," in value else [value]
    if not isinstance(value, list) or not value:
        raise toolkit.Invalid(toolkit._("Give one tag or a list of tags"))
    tags: list[str] = []
    for raw in value:
        tag = normalize_tag(raw)
        if tag not in tags:
            tags.append(tag)
    return tags


def tag_add_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    # "tag", not "tags": CKAN's ValidationError rewrites errors under "tags"
    # as if they were a dataset's tag dicts
    return {"id": [v("not_empty"), v("unicode_safe")], "tag": [v("not_missing"), tag_list]}


def tag_remove_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"id": [v("not_empty"), v("unicode_safe")], "tag": [v("not_missing"), normalize_tag]}


def tag_cloud_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {
        "organization": [v("ignore_missing"), v("unicode_safe")],
        "limit": page_schema()["limit"],
    }


def tag_datasets_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"tag": [v("not_missing"), normalize_tag], **page_schema()}


def tag_list_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"id": [v("not_empty"), v("unicode_safe")]}


def tag_moderate_schema() -> dict[str, list[Any]]:
    """hide / restore: a tag on one dataset, with a reason."""
    v = toolkit.get_validator
    return {
        "id": [v("not_empty"), v("unicode_safe")],
        "tag": [v("not_missing"), normalize_tag],
        "reason": [v("ignore_missing"), v("unicode_safe"), reason_length],
    }


def tag_block_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {
        "tag": [v("not_missing"), normalize_tag],
        "reason": [v("ignore_missing"), v("unicode_safe"), reason_length],
    }
