"""The one way crowdsource list actions page: ``limit`` and ``offset``."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit


def page_schema() -> dict[str, list[Any]]:
    """Schema entries for ``limit`` and ``offset`` (merge into a list schema)."""
    v = toolkit.get_validator
    return {
        "limit": [v("ignore_missing"), v("natural_number_validator"), limit_within_max],
        "offset": [v("ignore_missing"), v("natural_number_validator")],
    }


def limit_within_max(value: Any) -> int:
    """Refuse a ``limit`` above the configured hard maximum."""
    maximum = toolkit.config.get("ckanext.crowdsource.common.list_limit_max")
    if int(value) > maximum:
        raise toolkit.Invalid(
            toolkit._("Must be at most {maximum}").format(maximum=maximum)
        )
    return int(value)


def page_bounds(data_dict: dict[str, Any]) -> tuple[int, int]:
    """``(limit, offset)`` from a validated data dict, with the defaults."""
    limit = data_dict.get("limit")
    if limit is None:
        limit = toolkit.config.get("ckanext.crowdsource.common.list_limit_default")
    return int(limit), int(data_dict.get("offset") or 0)
