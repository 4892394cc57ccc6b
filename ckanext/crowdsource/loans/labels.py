"""Loans as CKAN permission labels (``IPermissionLabels``).

A lendable dataset gets the label ``loan-<package_id>`` besides CKAN's
default ones (staff keep seeing it as members of its organization); a
reader's active loans, not yet due, add the same labels to theirs. So
``package_show``, ``resource_show``, downloads and ``package_search`` all
follow a loan from the moment it starts to the moment it ends, with no
rebuild of the search index per loan: the dataset's own labels change only
when it is made lendable or not (then it is reindexed).
"""
from __future__ import annotations

import sqlalchemy as sa
from ckan import model

from .model import lendable, loan

PREFIX = "loan-"


def dataset_labels(dataset_obj: model.Package) -> list[str]:
    """``loan-<id>`` for an active, private, lendable dataset."""
    if dataset_obj.state != "active" or not dataset_obj.private:
        return []
    found = model.Session.execute(
        sa.select(lendable.c.id).where(lendable.c.package_id == dataset_obj.id,
                                       lendable.c.active.is_(True))).first()
    return [PREFIX + dataset_obj.id] if found else []


def user_labels(user_obj: model.User | None) -> list[str]:
    """``loan-<package_id>`` for each of the user's active loans not yet due."""
    if user_obj is None or getattr(user_obj, "is_anonymous", False) or not user_obj.id:
        return []
    ids = model.Session.execute(
        sa.select(loan.c.package_id).where(loan.c.user_id == user_obj.id,
                                           loan.c.state == "active",
                                           loan.c.due > sa.func.now())).scalars().all()
    return [PREFIX + pid for pid in ids]
