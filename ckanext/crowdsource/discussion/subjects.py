"""What a thread is about: a dataset, a resource of one, a subject
community, or the site as a whole.

Who may see a thread and who moderates it follow from its subject. A
community's questions (``community``: its CKAN group's id) are seen by
everyone, as the community is, and have no organization: the library's
sysadmins moderate them, as they do the site's. A community whose group was
deleted still resolves, so that what was asked within it keeps its page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context

from ckanext.crowdsource.common.db import dataset_or_404
from ckanext.crowdsource.common.roles import can_see_dataset

TYPES = ("dataset", "resource", "community", "site")


@dataclass(frozen=True)
class Subject:
    type: str
    id: str  # the dataset's or resource's id; "" for the site
    package_id: str | None
    owner_org: str | None
    package_name: str | None = None
    label: str = ""  # the dataset's or resource's title, for pages and lists
    # held while the subject is in use, so that later lookups of the dataset
    # in the same session (auth functions) find it without a query
    obj: Any = field(default=None, compare=False, repr=False)


def resolve(subject_type: str, subject_id: str) -> Subject:
    """The subject, or ``ObjectNotFound`` when it is gone."""
    if subject_type == "site":
        return Subject("site", "", None, None, label=toolkit._("The library"))
    if subject_type == "community":
        group = model.Group.get(subject_id) if subject_id else None
        if group is None or group.is_organization:
            raise toolkit.ObjectNotFound(toolkit._("Community not found"))
        return Subject("community", group.id, None, None, label=group.title or group.name,
                       obj=group)
    if subject_type == "resource":
        res = model.Resource.get(subject_id)
        if res is None or res.state == "deleted":
            raise toolkit.ObjectNotFound(toolkit._("Resource not found"))
        pkg = dataset_or_404(res.package_id)
        return Subject("resource", res.id, pkg.id, pkg.owner_org, pkg.name,
                       res.name or res.url or res.id, (pkg, res))
    pkg = dataset_or_404(subject_id)
    return Subject("dataset", pkg.id, pkg.id, pkg.owner_org, pkg.name, pkg.title or pkg.name,
                   pkg)


def from_input(data_dict: dict[str, Any]) -> Subject:
    """The subject named by ``resource_id`` or ``package_id`` (neither: the site)."""
    if data_dict.get("resource_id"):
        subject = resolve("resource", data_dict["resource_id"])
        if data_dict.get("package_id") and dataset_or_404(data_dict["package_id"]).id != \
                subject.package_id:
            raise toolkit.ValidationError(
                {"resource_id": [toolkit._("This resource is not part of that dataset")]})
        return subject
    if data_dict.get("package_id"):
        return resolve("dataset", data_dict["package_id"])
    return resolve("site", "")


def can_see(context: Context, subject: Subject) -> bool:
    if subject.package_id is None:
        return True
    return can_see_dataset(context, subject.package_id)

