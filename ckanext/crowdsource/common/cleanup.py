"""When a dataset is purged, each capability removes its rows about it.

The tables hold ``package_id`` without foreign keys to CKAN's (CKAN's advice
for extensions), so the extension wraps ``dataset_purge`` and lets every
capability registered here delete what belonged to the dataset, in the same
transaction. Deleted (not purged) datasets keep their rows: they can be
restored.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict

_purgers: list[Callable[[str], None]] = []


def on_dataset_purge(purge: Callable[[str], None]) -> None:
    """Register ``purge(package_id)``: delete a capability's rows (no commit)."""
    if purge not in _purgers:
        _purgers.append(purge)


@toolkit.chained_action
def dataset_purge(next_action: Any, context: Context, data_dict: DataDict) -> None:
    pkg = model.Package.get(data_dict.get("id") or "")
    package_id = pkg.id if pkg is not None else None
    next_action(context, data_dict)
    if package_id:
        for purge in _purgers:
            purge(package_id)
        model.Session.commit()
