"""Validation of the insight action's input."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from ckanext.crowdsource.common.pagination import page_schema
from ckanext.crowdsource.common.validators import one_of

from .core import GRANULARITIES, METRICS, PERIODS

Schema = dict[str, list[Any]]


@toolkit.validator_args
def stats_schema(not_empty: Any, ignore_missing: Any, crowdsource_safe_text: Any) -> Schema:
    return {"metric": [not_empty, one_of(tuple(METRICS))],
            "period": [ignore_missing, one_of(tuple(PERIODS))],
            "granularity": [ignore_missing, one_of(GRANULARITIES)],
            "organization": [ignore_missing, crowdsource_safe_text],
            "community_id": [ignore_missing, crowdsource_safe_text],
            **page_schema()}
