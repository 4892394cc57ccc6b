"""Validation of the loan actions' input."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from ckanext.crowdsource.common.pagination import page_schema
from ckanext.crowdsource.common.validators import id_list, int_between, one_of

from .model import ELIGIBILITY, LOAN_STATES, RESERVATION_STATES

COPIES_MAX = 10000
DAYS_MAX = 366
RENEWALS_MAX = 50

Schema = dict[str, list[Any]]


@toolkit.validator_args
def lendable_set_schema(not_empty: Any, ignore_missing: Any, crowdsource_safe_text: Any,
                        crowdsource_boolean: Any) -> Schema:
    return {
        "package_id": [not_empty, crowdsource_safe_text],
        "lendable": [ignore_missing, crowdsource_boolean],
        "copies": [ignore_missing, int_between(0, COPIES_MAX)],
        "loan_days": [ignore_missing, int_between(1, DAYS_MAX)],
        "renewals": [ignore_missing, int_between(0, RENEWALS_MAX)],
        "needs_approval": [ignore_missing, crowdsource_boolean],
        "eligibility": [ignore_missing, one_of(ELIGIBILITY)],
        "community_ids": [ignore_missing, id_list],
    }


@toolkit.validator_args
def package_schema(not_empty: Any, crowdsource_safe_text: Any) -> Schema:
    return {"package_id": [not_empty, crowdsource_safe_text]}


@toolkit.validator_args
def id_schema(not_empty: Any, crowdsource_safe_text: Any) -> Schema:
    return {"id": [not_empty, crowdsource_safe_text]}


@toolkit.validator_args
def id_reason_schema(not_empty: Any, ignore_missing: Any, crowdsource_safe_text: Any,
                     crowdsource_reason: Any) -> Schema:
    return {"id": [not_empty, crowdsource_safe_text],
            "reason": [ignore_missing, crowdsource_reason]}


@toolkit.validator_args
def lendable_list_schema() -> Schema:
    return {**page_schema()}


@toolkit.validator_args
def loan_list_schema(ignore_missing: Any, crowdsource_safe_text: Any,
                     crowdsource_boolean: Any) -> Schema:
    return {"package_id": [ignore_missing, crowdsource_safe_text],
            "organization": [ignore_missing, crowdsource_safe_text],
            "state": [ignore_missing, one_of(LOAN_STATES)],
            "overdue": [ignore_missing, crowdsource_boolean],
            "ended": [ignore_missing, crowdsource_boolean],
            "desk": [ignore_missing, crowdsource_boolean],
            **page_schema()}


@toolkit.validator_args
def reservation_list_schema(ignore_missing: Any, crowdsource_safe_text: Any,
                            crowdsource_boolean: Any) -> Schema:
    return {"package_id": [ignore_missing, crowdsource_safe_text],
            "desk": [ignore_missing, crowdsource_boolean],
            "organization": [ignore_missing, crowdsource_safe_text],
            "state": [ignore_missing, one_of(RESERVATION_STATES)],
            **page_schema()}


@toolkit.validator_args
def verify_schema(not_empty: Any, ignore_missing: Any, crowdsource_safe_text: Any,
                  crowdsource_boolean: Any) -> Schema:
    return {"user_id": [not_empty, crowdsource_safe_text],
            "verified": [ignore_missing, crowdsource_boolean]}


@toolkit.validator_args
def verified_list_schema() -> Schema:
    return {**page_schema()}


def empty_schema() -> Schema:
    return {}
