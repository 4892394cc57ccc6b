"""The database helpers the capabilities share: one transaction per action
(a failed action leaves nothing half-written), and the lookups that answer
"not found" the same way everywhere."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit


def atomic(action: Callable[..., Any]) -> Callable[..., Any]:
    """Roll back whatever the action wrote (and the row locks it took) when it
    fails; a clash with a database constraint becomes a ``ValidationError``."""

    @functools.wraps(action)
    def run(context: Any, data_dict: Any) -> Any:
        try:
            return action(context, data_dict)
        except sa.exc.IntegrityError:
            model.Session.rollback()
            raise toolkit.ValidationError({"id": [toolkit._(
                "Someone else changed this at the same moment: please try again")]}) from None
        except Exception:
            model.Session.rollback()
            raise

    return run


def one_or_404(query: Any, message: str) -> Any:
    """The first row of ``query``, or ``ObjectNotFound`` with ``message``."""
    row = model.Session.execute(query).first()
    if row is None:
        raise toolkit.ObjectNotFound(message)
    return row


def dataset_or_404(id_or_name: str) -> model.Package:
    """The dataset, or ``ObjectNotFound``; deleted ones count as missing."""
    pkg = model.Package.get(id_or_name)
    if pkg is None or pkg.state == "deleted":
        raise toolkit.ObjectNotFound(toolkit._("Dataset not found"))
    return pkg


def organization_id(id_or_name: str) -> str:
    """The id of an active organization, or ``ObjectNotFound`` (list filters)."""
    org = model.Group.get(id_or_name)
    if org is None or not org.is_organization or org.state != "active":
        raise toolkit.ObjectNotFound(toolkit._("Organization not found"))
    return org.id


def group_id(id_or_name: str) -> str:
    """The id of a group (not an organization), or the name as given, which
    then matches nothing (list filters)."""
    group = model.Group.get(id_or_name)
    return group.id if group is not None and not group.is_organization else id_or_name
