"""The lookups the capabilities share, which answer "not found" the same way
everywhere (one transaction per action: ``common/action.py``)."""
from __future__ import annotations

from typing import Any

from ckan import model
from ckan.plugins import toolkit


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
