"""Validation of the tag actions' input.

The dataset is ``package_id``; every id and text goes through a validator
that refuses NUL bytes and lone surrogates (``crowdsource_safe_text``, or the
tag and reason validators, which include it); lists page with
``page_schema()``. The tag field is ``tag``, not ``tags``: CKAN's
``ValidationError`` rewrites errors under ``tags`` as if they were a
dataset's tag dicts.
"""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from ckanext.crowdsource.common.pagination import page_schema

Schema = dict[str, list[Any]]


@toolkit.validator_args
def _dataset(not_empty: Any, crowdsource_safe_text: Any) -> Schema:
    return {"package_id": [not_empty, crowdsource_safe_text]}


@toolkit.validator_args
def tag_add_schema(not_missing: Any, crowdsource_tag_list: Any) -> Schema:
    return {**_dataset(), "tag": [not_missing, crowdsource_tag_list]}


@toolkit.validator_args
def tag_remove_schema(not_missing: Any, crowdsource_tag: Any) -> Schema:
    return {**_dataset(), "tag": [not_missing, crowdsource_tag]}


def tag_list_schema() -> Schema:
    return {**_dataset(), **page_schema()}


@toolkit.validator_args
def tag_cloud_schema(ignore_empty: Any, crowdsource_safe_text: Any) -> Schema:
    return {"organization": [ignore_empty, crowdsource_safe_text],
            "limit": page_schema()["limit"]}


@toolkit.validator_args
def tag_datasets_schema(not_missing: Any, crowdsource_tag: Any) -> Schema:
    return {"tag": [not_missing, crowdsource_tag], **page_schema()}


@toolkit.validator_args
def tag_moderate_schema(not_missing: Any, ignore_missing: Any, crowdsource_tag: Any,
                        crowdsource_reason: Any) -> Schema:
    """hide / restore / promote: a tag on one dataset, with a reason."""
    return {**_dataset(), "tag": [not_missing, crowdsource_tag],
            "reason": [ignore_missing, crowdsource_reason]}


@toolkit.validator_args
def tag_block_schema(not_missing: Any, ignore_missing: Any, crowdsource_tag: Any,
                     crowdsource_reason: Any) -> Schema:
    return {"tag": [not_missing, crowdsource_tag],
            "reason": [ignore_missing, crowdsource_reason]}


def tag_block_list_schema() -> Schema:
    return page_schema()
