"""What every ``ICrowdsource`` implementation says, asked in one way.

The ``crowdsource`` plugin answers from its capabilities' manifests; other
extensions add to it. Nothing is kept at import time: each question asks the
loaded plugins.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckan.plugins import PluginImplementations
from ckan.types import Context

from ckanext.crowdsource.interfaces import ICrowdsource


def _each() -> Any:
    return PluginImplementations(ICrowdsource)


def moderation_item_types() -> dict[str, Any]:
    return {t.name: t for plugin in _each() for t in plugin.get_moderation_item_types()}


def needs_help_values() -> dict[str, Callable[[], str]]:
    return {k: v for plugin in _each() for k, v in plugin.get_needs_help_values().items()}


def dataset_purge_hooks() -> list[Callable[[str], None]]:
    return [hook for plugin in _each() for hook in plugin.get_dataset_purge_hooks()]


def user_delete_hooks() -> list[Callable[[str], None]]:
    return [hook for plugin in _each() for hook in plugin.get_user_delete_hooks()]


def constraint_errors() -> dict[str, tuple[str, Callable[[], str]]]:
    return {k: v for plugin in _each() for k, v in plugin.get_constraint_errors().items()}


def numeric_index_fields() -> list[str]:
    return [f for plugin in _each() for f in plugin.get_numeric_index_fields()]


def is_staff_for(context: Context, owner_org: str | None, is_staff: bool) -> bool:
    for plugin in _each():
        is_staff = plugin.is_staff_for(context, owner_org, is_staff)
    return is_staff


def after_contribution(event: str, item_id: str, data: dict[str, Any]) -> None:
    for plugin in _each():
        plugin.after_contribution(event, item_id, data)
