"""The one way crowdsource list actions page: ``limit`` and ``offset``, and
the one shape lists return: ``{"count", "results"}``."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from . import config


@toolkit.validator_args
def page_schema(ignore_missing: Any, crowdsource_page_limit: Any,
                crowdsource_page_offset: Any) -> dict[str, list[Any]]:
    """Schema entries for ``limit`` and ``offset`` (merge into a list schema)."""
    return {
        "limit": [ignore_missing, crowdsource_page_limit],
        "offset": [ignore_missing, crowdsource_page_offset],
    }


def page_bounds(data_dict: dict[str, Any]) -> tuple[int, int]:
    """``(limit, offset)`` from a validated data dict, with the defaults."""
    limit = data_dict.get("limit")
    if limit is None:
        limit = config.list_limit_default()
    return int(limit), int(data_dict.get("offset") or 0)


def listed(count: int, results: list[Any], **more: Any) -> dict[str, Any]:
    """What every ``_list`` action returns."""
    return {"count": count, "results": results, **more}
