"""When a dataset is purged, each capability removes its rows about it; when
a user is deleted, each lets go of what it holds for them.

The tables hold ``package_id`` without foreign keys to CKAN's (CKAN's advice
for extensions), so the extension wraps ``dataset_purge`` and lets every
capability registered here delete what belonged to the dataset, in the same
transaction (``ICrowdsource.get_dataset_purge_hooks``). Deleted (not
purged) datasets keep their rows: they can be restored.

A deleted user keeps their contributions (CKAN keeps the user's row, in
state ``deleted``), but what they hold that others wait for is let go at
once: a loan's copy, a place in a queue (``get_user_delete_hooks``).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict

from . import hooks


def _then_hooks(find: Callable[[str], Any], each_hook: Callable[[], list[Any]]) -> Any:
    """A chained action: CKAN's own, then every hook with the id of the
    object it was about (looked up before: a purge leaves nothing to look
    up), in one transaction after CKAN's."""

    @toolkit.chained_action
    def chained(next_action: Any, context: Context, data_dict: DataDict) -> None:
        found = find(data_dict.get("id") or "")
        object_id = found.id if found is not None else None
        next_action(context, data_dict)
        if object_id:
            for hook in each_hook():
                hook(object_id)
            model.Session.commit()

    return chained


dataset_purge = _then_hooks(model.Package.get, hooks.dataset_purge_hooks)
user_delete = _then_hooks(model.User.get, hooks.user_delete_hooks)
