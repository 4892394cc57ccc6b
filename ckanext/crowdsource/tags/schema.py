"""Validation of reader tags and the tag actions' input."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from ckanext.crowdsource.common.pagination import page_schema
from ckanext.crowdsource.common.validators import normalize_tag, reason_length, tag_list


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
