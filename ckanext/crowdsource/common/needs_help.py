"""The "Needs help" facet: datasets where readers' help is wanted.

Capabilities add their value to a dataset's index document (open questions,
open tasks) and register a readable name for it. ``vocab_*`` fields are valid
in CKAN's stock Solr schema: multi-valued strings, facetable, copied into text.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

FIELD = "vocab_crowd_needs_help"
_names: dict[str, Callable[[], str]] = {}


def register(value: str, name: Callable[[], str]) -> None:
    """A facet value and its (translated, so called late) display name."""
    _names[value] = name


def add(pkg_dict: dict[str, Any], value: str) -> None:
    pkg_dict[FIELD] = [*pkg_dict.get(FIELD, []), value]


def label_facet(search_results: dict[str, Any]) -> dict[str, Any]:
    """``after_dataset_search``: readable names for the facet's values."""
    for item in search_results.get("search_facets", {}).get(FIELD, {}).get("items", []):
        if item["name"] in _names:
            item["display_name"] = _names[item["name"]]()
    return search_results
