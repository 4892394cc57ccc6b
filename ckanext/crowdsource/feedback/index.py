"""Ratings in the search index: ``rating_average`` and ``rating_count``.

Both fall under the catch-all ``*`` string field of CKAN's Solr schema; the
average is written with two decimals ("4.50"), so that it sorts right as a
string too ("sort by rating" on /dataset). With crowdsource_pgsearch it is
also registered as a numeric sort field.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model

from .model import rating

AVERAGE, COUNT = "rating_average", "rating_count"
SORT = f"{AVERAGE} desc, metadata_modified desc"


def summaries(package_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Average and number of ratings of each dataset, in one query."""
    rows = model.Session.execute(
        sa.select(rating.c.package_id, sa.func.avg(rating.c.rating), sa.func.count())
        .where(rating.c.package_id.in_(package_ids)).group_by(rating.c.package_id)).all()
    out = {pid: {"average": None, "count": 0} for pid in package_ids}
    for package_id, average, count in rows:
        out[package_id] = {"average": round(float(average), 2), "count": count}
    return out


def add_to_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_index``: the dataset's rating, when it has any."""
    mine = summaries([pkg_dict["id"]])[pkg_dict["id"]]
    if mine["count"]:
        pkg_dict[AVERAGE] = f"{mine['average']:.2f}"
        pkg_dict[COUNT] = mine["count"]
    return pkg_dict
