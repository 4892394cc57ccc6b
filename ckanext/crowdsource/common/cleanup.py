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

from typing import Any

from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict

from . import hooks


@toolkit.chained_action
def dataset_purge(next_action: Any, context: Context, data_dict: DataDict) -> None:
    pkg = model.Package.get(data_dict.get("id") or "")
    package_id = pkg.id if pkg is not None else None
    next_action(context, data_dict)
    if package_id:
        for purge in hooks.dataset_purge_hooks():
            purge(package_id)
        model.Session.commit()


@toolkit.chained_action
def user_delete(next_action: Any, context: Context, data_dict: DataDict) -> None:
    user = model.User.get(data_dict.get("id") or "")
    user_id = user.id if user is not None else None
    next_action(context, data_dict)
    if user_id:
        for let_go in hooks.user_delete_hooks():
            let_go(user_id)
        model.Session.commit()
