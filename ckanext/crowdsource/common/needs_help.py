"""The "Needs help" facet: datasets where readers' help is wanted.

Capabilities add their value to a dataset's index document (open questions,
open tasks) and name it in their manifest (``ICrowdsource``'s
``get_needs_help_values``). ``vocab_*`` fields are valid
in CKAN's stock Solr schema: multi-valued strings, facetable, copied into text.
"""
from __future__ import annotations

from typing import Any

from . import hooks

FIELD = "vocab_crowd_needs_help"

def add(pkg_dict: dict[str, Any], value: str) -> None:
    pkg_dict[FIELD] = [*pkg_dict.get(FIELD, []), value]


def label_facet(search_results: dict[str, Any]) -> dict[str, Any]:
    """``after_dataset_search``: readable names for the facet's values."""
    items = search_results.get("search_facets", {}).get(FIELD, {}).get("items", [])
    names = hooks.needs_help_values() if items else {}
    for item in items:
        if item["name"] in names:
            item["display_name"] = names[item["name"]]()
    return search_results
