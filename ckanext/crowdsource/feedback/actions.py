"""Actions for feedback: send, read, the staff inbox, reply, set the status, export."""
from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict
from sqlalchemy.dialects.postgresql import insert

from ckanext.crowdsource import events
from ckanext.crowdsource.common import config, ratelimit, reindex
from ckanext.crowdsource.common.action import reads, writes
from ckanext.crowdsource.common.cache import cached
from ckanext.crowdsource.common.db import dataset_or_404
from ckanext.crowdsource.common.pagination import listed, page_bounds
from ckanext.crowdsource.common.roles import (
    current_user_id,
    is_staff_for,
    people,
    staff_org_ids,
    visibility_key,
)

from . import core, schema
from .export import csv_lines, export_rows
from .model import NEXT_STATUS, feedback, message, rating, second

__all__ = ["export_rows", "get_actions", "purge_dataset"]


def _subject(data_dict: DataDict) -> dict[str, Any]:
    """Where the feedback goes: its dataset (and resource), or the service."""
    resource = None
    if data_dict.get("resource_id"):
        resource = model.Resource.get(data_dict["resource_id"])
        if resource is None or resource.state != "active":
            raise toolkit.ObjectNotFound(toolkit._("Resource not found"))
    if data_dict.get("package_id") or resource is not None:
        pkg = dataset_or_404(data_dict.get("package_id") or resource.package_id)
        if resource is not None and resource.package_id != pkg.id:
            raise toolkit.ValidationError({"resource_id": [toolkit._(
                "This resource is not in that dataset")]})
        return {"subject_type": "resource" if resource else "dataset", "package_id": pkg.id,
                "resource_id": resource.id if resource else None, "owner_org": pkg.owner_org}
    org_id = None
    if data_dict.get("organization"):
        org = model.Group.get(data_dict["organization"])
        if org is None or not org.is_organization or org.state != "active":
            raise toolkit.ValidationError({"organization": [toolkit._("No such organization")]})
        org_id = org.id
    return {"subject_type": "service", "package_id": None, "resource_id": None,
            "owner_org": org_id}


def _anonymous_checks(data_dict: DataDict) -> None:
    """What an anonymous sender needs: a contact address, and fewer messages
    from their client address than the hourly limit (not counted when Redis
    is down)."""
    if not data_dict.get("contact_email"):
        raise toolkit.ValidationError({"contact_email": [toolkit._(
            "Give an e-mail address so that the library can answer you")]})
    ratelimit.check_address(config.anonymous_feedback_per_hour())


@writes(schema.feedback_create_schema)
def crowdsource_feedback_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Send the library feedback about a dataset, a resource of one, or its
    service (then to the organization named, or to the site's sysadmins).

    Logged-in readers always may, within the per-user rate limit; anonymous
    visitors only when ``ckanext.crowdsource.feedback.anonymous`` is on, with
    a contact e-mail (kept private) and at most
    ``ckanext.crowdsource.feedback.anonymous_per_hour`` messages per client
    address. A rating of a dataset replaces the reader's earlier one
    (anonymous ratings are kept with the message but not counted). The field
    ``website`` is a trap for robots: it must stay empty.

    :param kind: ``error``, ``suggestion``, ``request``, ``praise`` or ``other``
    :type kind: string
    :param body: the message, in markdown
    :type body: string
    :param title: a short title (optional; lists show it for requests)
    :type title: string
    :param rating: 1 to 5 (optional)
    :type rating: int
    :param package_id: the dataset's id or name (optional)
    :type package_id: string
    :param resource_id: a resource's id (optional; its dataset is the
        subject, and ``package_id``, when given, must be that dataset)
    :type resource_id: string
    :param organization: for feedback on the service, the id or name of the
        organization it is for (optional)
    :type organization: string
    :param contact_email: an anonymous sender's e-mail address
    :type contact_email: string
    :param website: leave it out or empty: only robots fill it in
    :type website: string

    :returns: the feedback, as ``crowdsource_feedback_show`` gives it (to an
        anonymous sender: without ``messages``, which they cannot read later)
    :rtype: dictionary
    """
    subject = _subject(data_dict)
    toolkit.check_access("crowdsource_feedback_create", context, {
        "package_id": subject["package_id"]})
    if data_dict.get(schema.HONEYPOT):  # people never see it: a robot filled it in
        raise toolkit.ValidationError({schema.HONEYPOT: [toolkit._("Leave this field empty")]})
    user_id = current_user_id(context) or None  # none: an anonymous sender
    if user_id is None:
        _anonymous_checks(data_dict)
    item_id = str(uuid.uuid4())
    model.Session.execute(feedback.insert().values(
        id=item_id, kind=data_dict["kind"], body=data_dict["body"],
        title=data_dict.get("title"), rating=data_dict.get("rating"), user_id=user_id,
        contact_email=data_dict.get("contact_email") if user_id is None else None, **subject))
    if data_dict.get("rating") and subject["package_id"] and user_id:
        # one rating per reader and dataset: the newest counts
        model.Session.execute(
            insert(rating).values(package_id=subject["package_id"], user_id=user_id,
                                  rating=data_dict["rating"], feedback_id=item_id)
            .on_conflict_do_update(index_elements=["package_id", "user_id"], set_={
                "rating": data_dict["rating"], "feedback_id": item_id,
                "modified": sa.func.now()}))
        reindex.later(subject["package_id"])
    core.changed()
    events.feedback_created.send(item_id, package_id=subject["package_id"], user_id=user_id,
                                 kind=data_dict["kind"])
    item = core.row(item_id)
    if user_id is None:
        return core.item_dict(item, "full", {})
    return core.shown(context, item)


@reads(schema.id_schema)
def crowdsource_feedback_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One feedback item: to its author and the staff who answer it, with the
    conversation (``messages``); a public request to anyone who can see its
    dataset, without the conversation.

    :param id: the feedback's id
    :type id: string

    :returns: ``{"id", "kind", "subject_type", "package_id", "package_name",
        "package_title", "resource_id", "author": {"name", "display_name"} or
        null, "anonymous", "title", "body", "status", "public_answer",
        "fulfilled_by", "seconds", "seconded", "state", "created",
        "modified", "can_answer"}``; to its author and staff also
        ``"rating"`` (a reader's rating is private: never shown to others),
        ``"answered"``, ``"reason"`` (when hidden) and ``"messages": [{"id",
        "role", "author", "body", "status", "state", "created"}]``; to staff
        also ``"contact_email"`` and ``"owner_org"``
    :rtype: dictionary
    """
    item = core.row(data_dict["id"])
    toolkit.check_access("crowdsource_feedback_show", context, data_dict)
    return core.shown(context, item)


def _status_counts(context: Context, data_dict: DataDict) -> dict[str, int]:
    """How many items of the inbox (or of ``mine``) are in each status, under
    the other filters; kept for everyone who answers for the same
    organizations and sees the same datasets, until feedback changes."""
    filters = {k: v for k, v in data_dict.items()
               if k not in ("status", "sort", "limit", "offset")}

    def count() -> dict[str, int]:
        return dict(model.Session.execute(
            sa.select(feedback.c.status, sa.func.count()).select_from(core.joined())
            .where(*core.filtered(context, filters)).group_by(feedback.c.status)).all())

    mine = filters.get("mine")
    return cached(core.COUNT_CACHE,
                  [current_user_id(context) if mine else staff_org_ids(context),
                   visibility_key(context) if mine else None, filters],
                  config.count_cache_seconds(), count)


@reads(schema.feedback_list_schema)
def crowdsource_feedback_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The staff inbox: feedback for the organizations the caller answers for
    (sysadmins: all), unanswered and oldest first; or, with ``mine``, the
    caller's own feedback. ``crowdsource_feedback_summary`` counts them by
    status.

    :param mine: the caller's own feedback instead (optional)
    :type mine: bool
    :param status: ``new``, ``acknowledged``, ``in_progress``, ``resolved`` or
        ``declined`` (optional)
    :type status: string
    :param kind: one kind (optional)
    :type kind: string
    :param package_id: one dataset, by id or name (optional)
    :type package_id: string
    :param organization: one organization, by id or name (optional)
    :type organization: string
    :param rating: one rating, 1 to 5 (optional)
    :type rating: int
    :param since: sent on or after this date (optional)
    :type since: string
    :param until: sent before this date (optional)
    :type until: string
    :param sort: ``unanswered`` (default), ``newest`` or ``oldest``
    :type sort: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count", "results": [feedback as crowdsource_feedback_show
        gives it, without messages and can_answer]}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_feedback_list", context, data_dict)
    limit, offset = page_bounds(data_dict)
    where = core.filtered(context, data_dict)
    rows = model.Session.execute(
        core.selected().where(*where)
        .order_by(*core.ORDERS[data_dict.get("sort") or "unanswered"], feedback.c.id)
        .limit(limit).offset(offset)).all()
    counts = _status_counts(context, data_dict)
    total = counts.get(data_dict["status"], 0) if data_dict.get("status") \
        else sum(counts.values())
    authors = people({r.user_id for r in rows})
    seconded = core.my_seconds(current_user_id(context), [r.id for r in rows])
    mine = data_dict.get("mine")
    return listed(total, [
        core.item_dict(r, "full", authors, r.id in seconded,
                       not mine or is_staff_for(context, r.owner_org)) for r in rows])


@reads(schema.feedback_summary_schema)
def crowdsource_feedback_summary(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """How many items of the staff inbox (or, with ``mine``, of the caller's
    own feedback) are in each status, under the filters of
    ``crowdsource_feedback_list``; who may list them may count them.

    :param mine: the caller's own feedback instead (optional)
    :type mine: bool
    :param kind: one kind (optional)
    :type kind: string
    :param package_id: one dataset, by id or name (optional)
    :type package_id: string
    :param organization: one organization, by id or name (optional)
    :type organization: string
    :param rating: one rating, 1 to 5 (optional)
    :type rating: int
    :param since: sent on or after this date (optional)
    :type since: string
    :param until: sent before this date (optional)
    :type until: string

    :returns: ``{"count": all of them, "by_status": {status: how many}}``
        (statuses with none are left out)
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_feedback_summary", context, data_dict)
    counts = _status_counts(context, data_dict)
    return {"count": sum(counts.values()), "by_status": counts}


def _message(item_id: str, user_id: str | None, role: str, body: str,
             status: str | None = None) -> None:
    model.Session.execute(message.insert().values(
        id=str(uuid.uuid4()), feedback_id=item_id, user_id=user_id, role=role, body=body,
        status=status))


@writes(schema.reply_schema)
def crowdsource_feedback_reply(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Add to the conversation of a feedback item: its author, or the staff
    who answer it. The staff's first reply marks it answered.

    :param id: the feedback's id
    :type id: string
    :param body: the reply, in markdown
    :type body: string

    :returns: the feedback, as ``crowdsource_feedback_show`` gives it
    :rtype: dictionary
    """
    item = core.row(data_dict["id"])
    toolkit.check_access("crowdsource_feedback_reply", context, data_dict)
    staff = is_staff_for(context, item.owner_org)
    _message(item.id, current_user_id(context), "staff" if staff else "reader", data_dict["body"])
    values: dict[str, Any] = {"modified": sa.func.now()}
    if staff and item.answered is None:
        values["answered"] = sa.func.now()
    model.Session.execute(sa.update(feedback).where(feedback.c.id == item.id).values(**values))
    core.changed()
    events.feedback_replied.send(item.id, package_id=item.package_id,
                                 user_id=current_user_id(context),
                                 author_id=item.user_id, by_staff=staff)
    return core.shown(context, core.row(item.id))


def _change_status(context: Context, ids: list[str], data_dict: DataDict,
                   auth: str) -> list[Any]:
    """Move these items to ``status`` (all or none: a refusal of one refuses
    them all), after the ``auth`` check; the rows as they were."""
    status = data_dict["status"]
    for item_id in ids:  # not found, then not allowed, before anything is locked
        core.row(item_id)
    toolkit.check_access(auth, context, data_dict)
    items = core.locked_rows(ids)
    for item in items:
        if status not in NEXT_STATUS[item.status]:
            raise toolkit.ValidationError({"status": [toolkit._(
                "Feedback that is {now} cannot become {new}").format(
                    now=item.status, new=status)]})
    values: dict[str, Any] = {"status": status, "modified": sa.func.now()}
    for key in ("public_answer", "fulfilled_by"):
        if data_dict.get(key):
            if any(item.kind != "request" for item in items):
                raise toolkit.ValidationError({key: [toolkit._("Only requests have this")]})
            values[key] = data_dict[key]
    if data_dict.get("fulfilled_by"):
        pkg = model.Package.get(data_dict["fulfilled_by"])
        if pkg is None or pkg.state != "active" or status != "resolved":
            raise toolkit.ValidationError({"fulfilled_by": [toolkit._(
                "Name a dataset, when resolving a request")]})
        values["fulfilled_by"] = pkg.name
    actor = current_user_id(context)
    for item in items:
        _message(item.id, actor, "staff", data_dict.get("reply") or "", status)
        extra = {"answered": sa.func.now()} if data_dict.get("reply") and not item.answered \
            else {}
        model.Session.execute(sa.update(feedback).where(feedback.c.id == item.id)
                              .values(**values, **extra))
    core.changed()
    for item in items:
        events.feedback_status_changed.send(item.id, package_id=item.package_id,
                                            user_id=actor, author_id=item.user_id,
                                            status=status, previous=item.status,
                                            kind=item.kind)
    return items


@writes(schema.set_status_schema)
def crowdsource_feedback_set_status(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Move a feedback item to a new status (staff of its organization;
    sysadmins for the service in general), with an optional reply to the
    reader. ``new`` -> ``acknowledged`` -> ``in_progress`` -> ``resolved`` |
    ``declined``; steps may be skipped, and a resolved or declined item may be
    taken up again (``in_progress``). A step that is not allowed is a
    ``ValidationError`` on ``status``. For many items at once, see
    ``crowdsource_feedback_set_status_bulk``.

    :param id: the feedback's id
    :type id: string
    :param status: the new status
    :type status: string
    :param reply: a message to the reader (optional)
    :type reply: string
    :param public_answer: for requests, the library's public answer (optional)
    :type public_answer: string
    :param fulfilled_by: for requests resolved, the id or name of the dataset
        that fulfils it (optional)
    :type fulfilled_by: string

    :returns: the feedback, as ``crowdsource_feedback_show`` gives it
    :rtype: dictionary
    """
    item = _change_status(context, [data_dict["id"]], data_dict,
                          "crowdsource_feedback_set_status")[0]
    return core.shown(context, core.row(item.id))


@writes(schema.set_status_bulk_schema)
def crowdsource_feedback_set_status_bulk(context: Context,
                                         data_dict: DataDict) -> dict[str, Any]:
    """Move many feedback items to one new status at once, all or none: as
    ``crowdsource_feedback_set_status`` for each (the same reply goes to each
    reader), but if one of them may not be changed (not found, not the
    caller's to answer, or a step its status does not allow) none is. At most
    ``ckanext.crowdsource.common.list_limit_max`` items per call.

    :param ids: the feedback items' ids: a list, or a comma-separated string
    :type ids: list of strings
    :param status: the new status
    :type status: string
    :param reply: a message to the readers (optional)
    :type reply: string
    :param public_answer: when all are requests, the library's public answer
        (optional)
    :type public_answer: string
    :param fulfilled_by: when all are requests being resolved, the id or name
        of the dataset that fulfils them (optional)
    :type fulfilled_by: string

    :returns: ``{"count": how many were changed, "results": [the feedback
        items, in the order of ids, as crowdsource_feedback_show gives them]}``
    :rtype: dictionary
    """
    maximum = config.list_limit_max()
    if len(data_dict["ids"]) > maximum:
        raise toolkit.ValidationError({"ids": [toolkit._(
            "At most {max} items at once").format(max=maximum)]})
    items = _change_status(context, data_dict["ids"], data_dict,
                           "crowdsource_feedback_set_status_bulk")
    results = [core.shown(context, core.row(item.id)) for item in items]
    return listed(len(results), results)


@reads(schema.export_schema)
def crowdsource_feedback_export(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The filtered inbox as CSV or JSON, oldest first, in pieces of up to
    5,000 items (``limit``, ``offset``): to read all of it, ask again with
    ``offset`` increased by ``count`` until ``count`` is less than the
    ``limit``. The pages ``/crowdsource/feedback/export.csv`` and
    ``export.json`` stream the whole of it.

    :param format: ``json`` (default) or ``csv``
    :type format: string
    :param mine: the caller's own feedback instead of the inbox (optional)
    :type mine: bool
    :param status: one status (optional)
    :type status: string
    :param kind: one kind (optional)
    :type kind: string
    :param package_id: one dataset, by id or name (optional)
    :type package_id: string
    :param organization: one organization, by id or name (optional)
    :type organization: string
    :param rating: one rating, 1 to 5 (optional)
    :type rating: int
    :param since: sent on or after this date (optional)
    :type since: string
    :param until: sent before this date (optional)
    :type until: string
    :param limit: how many items (optional; 1 to 5,000, the default)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"format": "json" or "csv", "count": the number of items in
        this piece, "data": ...}``; ``data`` is, for ``json``, a list of
        ``{"id", "created", "status", "kind", "rating", "title", "body",
        "dataset" (name), "resource_id", "author" (user name), "anonymous",
        "seconds", "answered", "public_answer"}``, and for ``csv`` the text
        of a CSV file with those columns, a header line first, in which a
        text that starts like a spreadsheet formula (``=``, ``+``, ``-``,
        ``@``, a tab or a line break) has a single quote in front; JSON gives
        the text as written
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_feedback_export", context, data_dict)
    rows = list(export_rows(context, {"limit": schema.EXPORT_MAX, **data_dict}))
    data: Any = "".join(csv_lines(iter(rows))) if data_dict["format"] == "csv" else rows
    return {"format": data_dict["format"], "count": len(rows), "data": data}


def purge_dataset(package_id: str) -> None:
    """Feedback about a purged dataset, its conversation, seconds and ratings go with it."""
    items = sa.select(feedback.c.id).where(feedback.c.package_id == package_id)
    model.Session.execute(sa.delete(message).where(message.c.feedback_id.in_(items)))
    model.Session.execute(sa.delete(second).where(second.c.feedback_id.in_(items)))
    model.Session.execute(sa.delete(rating).where(rating.c.package_id == package_id))
    model.Session.execute(sa.delete(feedback).where(feedback.c.package_id == package_id))
    core.changed()


def get_actions() -> dict[str, Any]:
    return {
        "crowdsource_feedback_create": crowdsource_feedback_create,
        "crowdsource_feedback_show": crowdsource_feedback_show,
        "crowdsource_feedback_list": crowdsource_feedback_list,
        "crowdsource_feedback_summary": crowdsource_feedback_summary,
        "crowdsource_feedback_reply": crowdsource_feedback_reply,
        "crowdsource_feedback_set_status": crowdsource_feedback_set_status,
        "crowdsource_feedback_set_status_bulk": crowdsource_feedback_set_status_bulk,
        "crowdsource_feedback_export": crowdsource_feedback_export,
    }
