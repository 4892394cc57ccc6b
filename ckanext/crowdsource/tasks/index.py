"""Tasks in the search index: how many are open, and "needs help"."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.crowdsource.common import needs_help

from .model import task

NUM_OPEN_TASKS = "num_open_tasks"  # the catch-all "*" string field of CKAN's Solr schema
OPEN_TASKS = "tasks"  # this capability's value of the "Needs help" facet


def add_to_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_index``: the open tasks of the dataset."""
    count = model.Session.execute(
        sa.select(sa.func.count()).select_from(task)
        .where(task.c.package_id == pkg_dict["id"], task.c.state == "open")).scalar_one()
    pkg_dict[NUM_OPEN_TASKS] = count
    if count:
        needs_help.add(pkg_dict, OPEN_TASKS)
    return pkg_dict
