"""Validation of the sharing actions' input."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from ckanext.crowdsource.common.validators import one_of

from .core import CHANNELS, ITEM_TYPES

Schema = dict[str, list[Any]]


@toolkit.validator_args
def record_schema(not_empty: Any, crowdsource_safe_text: Any) -> Schema:
    return {"item_type": [not_empty, one_of(ITEM_TYPES)],
            "id": [not_empty, crowdsource_safe_text],
            "channel": [not_empty, one_of(tuple(CHANNELS))]}
