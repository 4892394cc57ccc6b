"""Reader tags in the search index and on the dataset search page."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from ckanext.crowdsource.common import cache

from .actions import CLOUD_CACHE, INDEX_FIELD, dataset_tags


def add_to_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_index``: the dataset's visible reader tags.

    Whatever changed (its tags, its visibility), cached clouds are stale now.
    """
    cache.bump(CLOUD_CACHE)
    tags = dataset_tags([pkg_dict["id"]])[pkg_dict["id"]]
    if tags:
        pkg_dict[INDEX_FIELD] = tags
    return pkg_dict


def add_facet(facets: dict[str, Any]) -> dict[str, Any]:
    facets[INDEX_FIELD] = toolkit._("Reader tags")
    return facets


def dataset_gone(pkg_dict: dict[str, Any]) -> None:
    """``after_dataset_delete``: its tags leave every cloud."""
    cache.bump(CLOUD_CACHE)
