"""Who sees which feedback, the queries its actions share, and feedback as
the actions return it.

A feedback item is seen in full by its author and by the staff who answer it
(of its organization; sysadmins for all). A request is also public: anyone
who can see its subject sees it, who asked (as any public contribution
names its author), its status and the public answer, but neither the
conversation nor the rating that came with it (ratings are private to the
reader and the staff; the public sees only a dataset's average and count).
Feedback about a dataset a user cannot see is never shown.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context

from ckanext.crowdsource.common.cache import bump_after_commit
from ckanext.crowdsource.common.db import one_or_404, organization_id
from ckanext.crowdsource.common.roles import (
    can_see_dataset,
    current_user_id,
    is_staff_for,
    people,
    staff_org_ids,
    visible_datasets,
)

from .model import feedback, message, second

COUNT_CACHE = "feedback_count"  # the inbox's counts, kept until feedback changes


def changed() -> None:
    """Feedback changes in the current transaction: the inbox's kept counts
    retire once it commits."""
    bump_after_commit(COUNT_CACHE)


def joined() -> Any:
    """Feedback with its dataset, if any."""
    return feedback.outerjoin(model.Package, model.Package.id == feedback.c.package_id)


def selected() -> sa.Select:
    """Feedback rows with their dataset's name, title and state."""
    return (sa.select(feedback, model.Package.name.label("package_name"),
                      model.Package.title.label("package_title"),
                      model.Package.state.label("package_state"))
            .select_from(joined()))


def row(feedback_id: str) -> Any:
    """One feedback row (:func:`selected`), or ``ObjectNotFound``."""
    return one_or_404(selected().where(feedback.c.id == feedback_id),
                      toolkit._("Feedback not found"))


def locked_rows(feedback_ids: list[str]) -> list[Any]:
    """Feedback rows in the order asked, each locked until the transaction
    ends (so that two staff cannot move one item at the same moment);
    ``ObjectNotFound`` when one is missing."""
    model.Session.execute(sa.select(feedback.c.id).where(feedback.c.id.in_(feedback_ids))
                          .order_by(feedback.c.id).with_for_update())
    found = {r.id: r for r in model.Session.execute(
        selected().where(feedback.c.id.in_(feedback_ids))).all()}
    missing = [i for i in feedback_ids if i not in found]
    if missing:
        raise toolkit.ObjectNotFound(toolkit._("Feedback not found"))
    return [found[i] for i in feedback_ids]


def subject_visible(context: Context, item: Any) -> bool:
    if item.package_id is None:
        return True
    return item.package_state == "active" and can_see_dataset(context, item.package_id)


def is_author(context: Context, item: Any) -> bool:
    return bool(item.user_id) and item.user_id == current_user_id(context)


def is_public(item: Any) -> bool:
    return item.kind == "request" and item.state == "published"


def access(context: Context, item: Any) -> str | None:
    """``"full"`` (author, staff), ``"public"`` (a published request), or None."""
    if not subject_visible(context, item):
        return None
    if is_staff_for(context, item.owner_org) or is_author(context, item):
        return "full"
    return "public" if is_public(item) else None


def inbox_scope(context: Context) -> Any:
    """SQL: the items the caller answers (all of them for sysadmins)."""
    orgs = staff_org_ids(context)
    return sa.true() if orgs is None else feedback.c.owner_org.in_(orgs)


def seen_subjects(context: Context) -> Any:
    """SQL: items whose dataset, if any, the caller can see."""
    return sa.or_(feedback.c.package_id.is_(None),
                  feedback.c.package_id.in_(visible_datasets(context)))


def inbox_subjects() -> Any:
    """SQL, with the dataset joined: for the staff who answer an item, items
    about no dataset, or about an active dataset that is public or still
    their organization's (they see those whatever their labels; a cheaper
    test than the labels, which the inbox asks on every page)."""
    return sa.or_(feedback.c.package_id.is_(None), sa.and_(
        model.Package.state == "active",
        sa.or_(model.Package.private.is_(False),
               model.Package.owner_org == feedback.c.owner_org)))


def filtered(context: Context, data_dict: dict[str, Any]) -> list[Any]:
    """The WHERE of the inbox (or of the caller's own feedback, ``mine``), for
    a query from :func:`joined`."""
    if data_dict.get("mine"):
        where = [seen_subjects(context), feedback.c.user_id == current_user_id(context)]
    else:
        where = [inbox_scope(context), inbox_subjects()]
    for key in ("status", "kind", "rating"):
        if data_dict.get(key) is not None:
            where.append(feedback.c[key] == data_dict[key])
    if data_dict.get("package_id"):
        pkg = model.Package.get(data_dict["package_id"])
        where.append(feedback.c.package_id == (pkg.id if pkg else data_dict["package_id"]))
    if data_dict.get("organization"):
        where.append(feedback.c.owner_org == organization_id(data_dict["organization"]))
    if data_dict.get("since"):
        where.append(feedback.c.created >= data_dict["since"])
    if data_dict.get("until"):
        where.append(feedback.c.created < data_dict["until"])
    return where


ORDERS = {
    # unanswered first, the longest waiting first (an index serves it)
    "unanswered": [feedback.c.answered.is_not(None), feedback.c.created.asc()],
    "newest": [feedback.c.created.desc()],
    "oldest": [feedback.c.created.asc()],
}


def public_requests() -> Any:
    return sa.and_(feedback.c.kind == "request", feedback.c.state == "published")


def my_seconds(user_id: str | None, ids: list[str]) -> set[str]:
    if not user_id or not ids:
        return set()
    return set(model.Session.execute(
        sa.select(second.c.feedback_id)
        .where(second.c.user_id == user_id, second.c.feedback_id.in_(ids))).scalars())


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def item_dict(item: Any, level: str, authors: dict[str, dict[str, str]],
              seconded: bool = False, staff: bool = False) -> dict[str, Any]:
    """One item as a caller with ``level`` access sees it: the public
    (``"public"``) sees who asked, but not their rating."""
    out = {
        "id": item.id, "kind": item.kind, "subject_type": item.subject_type,
        "package_id": item.package_id, "package_name": item.package_name,
        "package_title": item.package_title, "resource_id": item.resource_id,
        "author": authors.get(item.user_id) if item.user_id else None,
        "anonymous": item.user_id is None, "title": item.title, "body": item.body,
        "status": item.status, "public_answer": item.public_answer,
        "fulfilled_by": item.fulfilled_by, "seconds": item.seconds, "seconded": seconded,
        "state": item.state, "created": _iso(item.created), "modified": _iso(item.modified),
    }
    if level == "full":  # a reader's rating is theirs and the staff's, never public
        out["rating"] = item.rating
        out["answered"] = _iso(item.answered)
        if item.state != "published":
            out["reason"] = item.moderation_reason or ""
    if staff:
        out["contact_email"] = item.contact_email
        out["owner_org"] = item.owner_org
    return out


def conversation(item_id: str, staff: bool) -> list[dict[str, Any]]:
    rows = model.Session.execute(
        sa.select(message).where(message.c.feedback_id == item_id)
        .order_by(message.c.created, message.c.id)).all()
    authors = people({r.user_id for r in rows})
    return [{"id": r.id, "role": r.role, "author": authors.get(r.user_id) if r.user_id else None,
             "body": r.body if r.state == "published" or staff else "",
             "status": r.status, "state": r.state, "created": _iso(r.created)}
            for r in rows]


def shown(context: Context, item: Any) -> dict[str, Any]:
    """A feedback row as ``crowdsource_feedback_show`` gives it to the caller
    (``ObjectNotFound`` when they may not see it): with the conversation
    (``messages``) for its author and staff, and ``can_answer``."""
    level = access(context, item)
    if level is None:
        raise toolkit.ObjectNotFound(toolkit._("Feedback not found"))
    staff = is_staff_for(context, item.owner_org)
    out = item_dict(item, level, people({item.user_id}),
                    item.id in my_seconds(current_user_id(context), [item.id]), staff)
    out["can_answer"] = staff
    if level == "full":
        out["messages"] = conversation(item.id, staff)
    return out
