"""Actions for feedback: send, read, the staff inbox, reply, set the status, export."""
from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.common import request
from ckan.lib import search
from ckan.plugins import toolkit
from ckan.types import Context, DataDict
from sqlalchemy.dialects.postgresql import insert

from ckanext.crowdsource import events
from ckanext.crowdsource.common import ratelimit
from ckanext.crowdsource.common.cache import bump, cached
from ckanext.crowdsource.common.db import atomic, dataset_or_404, organization_id
from ckanext.crowdsource.common.pagination import page_bounds
from ckanext.crowdsource.common.roles import (
    current_user_id,
    is_staff_for,
    people,
    staff_org_ids,
    visibility_key,
)

from . import core, schema
from .model import NEXT_STATUS, feedback, message, rating, second

COUNT_CACHE = "feedback_count"  # the inbox's counts, kept until feedback changes
EXPORT_COLUMNS = ("id", "created", "status", "kind", "rating", "title", "body", "dataset",
                  "resource_id", "author", "anonymous", "seconds", "answered",
                  "public_answer")


def commit() -> None:
    """Commit a change to feedback; the inbox's kept counts are stale now."""
    model.Session.commit()
    bump(COUNT_CACHE)


def _subject(data_dict: DataDict) -> dict[str, Any]:
    """Where the feedback goes: its dataset (and resource), or the service."""
    if data_dict.get("resource_id"):
        res = model.Resource.get(data_dict["resource_id"])
        if res is None or res.state != "active":
            raise toolkit.ObjectNotFound(toolkit._("Resource not found"))
        data_dict = {**data_dict, "package_id": res.package_id}
        resource_id = res.id
    else:
        resource_id = None
    if data_dict.get("package_id"):
        pkg = dataset_or_404(data_dict["package_id"])
        return {"subject_type": "resource" if resource_id else "dataset", "package_id": pkg.id,
                "resource_id": resource_id, "owner_org": pkg.owner_org}
    org_id = None
    if data_dict.get("organization"):
        org = model.Group.get(data_dict["organization"])
        if org is None or not org.is_organization or org.state != "active":
            raise toolkit.ValidationError({"organization": [toolkit._("No such organization")]})
        org_id = org.id
    return {"subject_type": "service", "package_id": None, "resource_id": None,
            "owner_org": org_id}


def _anonymous_checks(data_dict: DataDict) -> None:
    if not data_dict.get("contact_email"):
        raise toolkit.ValidationError({"contact_email": [toolkit._(
            "Give an e-mail address so that the library can answer you")]})
    ratelimit.check_address(_client_address(), toolkit.config.get(
        "ckanext.crowdsource.feedback.anonymous_per_hour"))


def _client_address() -> str:
    try:
        return request.remote_addr or "unknown"
    except RuntimeError:  # called outside a web request (a script, a job)
        return "unknown"


@atomic
@toolkit.validate(schema.feedback_create_schema)
def crowdsource_feedback_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Send the library feedback about a dataset, a resource of one, or its
    service (then to the organization named, or to the site's sysadmins).

    Logged-in readers always may; anonymous visitors only when
    ``ckanext.crowdsource.feedback.anonymous`` is on, with a contact e-mail
    (kept private) and at most
    ``ckanext.crowdsource.feedback.anonymous_per_hour`` messages per address.
    A rating of a dataset replaces the reader's earlier one. The field
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
    :param resource_id: a resource's id (optional)
    :type resource_id: string
    :param organization: for feedback on the service, the organization it is
        for (optional)
    :type organization: string
    :param contact_email: an anonymous sender's e-mail address
    :type contact_email: string

    :returns: the feedback, as ``crowdsource_feedback_show`` gives it
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
    else:
        ratelimit.check(context)
    item_id = str(uuid.uuid4())
    model.Session.execute(feedback.insert().values(
        id=item_id, kind=data_dict["kind"], body=data_dict["body"],
        title=data_dict.get("title"), rating=data_dict.get("rating"), user_id=user_id,
        contact_email=data_dict.get("contact_email") if user_id is None else None, **subject))
    rated = bool(data_dict.get("rating") and subject["package_id"] and user_id)
    if rated:  # one rating per reader and dataset: the newest counts
        model.Session.execute(
            insert(rating).values(package_id=subject["package_id"], user_id=user_id,
                                  rating=data_dict["rating"], feedback_id=item_id)
            .on_conflict_do_update(index_elements=["package_id", "user_id"], set_={
                "rating": data_dict["rating"], "feedback_id": item_id,
                "modified": sa.func.now()}))
    commit()
    if rated:
        search.rebuild(subject["package_id"])
    events.feedback_created.send(item_id, package_id=subject["package_id"], user_id=user_id,
                                 kind=data_dict["kind"])
    if user_id is None:  # what an anonymous sender sent; they cannot read it back later
        return core.item_dict(core.row(item_id), "full", {})
    return _show(context, item_id)


def _show(context: Context, item_id: str) -> dict[str, Any]:
    item = core.row(item_id)
    level = core.access(context, item)
    if level is None:
        raise toolkit.ObjectNotFound(toolkit._("Feedback not found"))
    staff = is_staff_for(context, item.owner_org)
    authors = people({item.user_id})
    out = core.item_dict(item, level, authors, item.id in core.my_seconds(current_user_id(context),
                                                                         [item.id]), staff)
    out["can_answer"] = staff
    if level == "full":
        out["messages"] = core.conversation(item.id, staff)
    return out


@toolkit.side_effect_free
@toolkit.validate(schema.id_schema)
def crowdsource_feedback_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One feedback item: to its author and the staff who answer it, with the
    conversation (``messages``); a public request to anyone who can see its
    dataset, without the conversation.

    :param id: the feedback's id
    :type id: string

    :returns: ``{"id", "kind", "subject_type", "package_id", "package_name",
        "resource_id", "author", "anonymous", "title", "body", "rating",
        "status", "public_answer", "fulfilled_by", "seconds", "seconded",
        "state", "created", "modified", "answered", "messages": [{"role",
        "author", "body", "status", "created"}], "contact_email" (staff)}``
    :rtype: dictionary
    """
    core.row(data_dict["id"])
    toolkit.check_access("crowdsource_feedback_show", context, data_dict)
    return _show(context, data_dict["id"])


def _filtered(context: Context, data_dict: DataDict) -> list[Any]:
    """The WHERE of the inbox (or of the caller's own feedback, ``mine``), for
    a query that joins each item's dataset (:func:`_joined`)."""
    if data_dict.get("mine"):
        where = [core.seen_subjects(context), feedback.c.user_id == current_user_id(context)]
    else:
        where = [core.inbox_scope(context), core.inbox_subjects()]
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


def _joined() -> Any:
    return feedback.outerjoin(model.Package, model.Package.id == feedback.c.package_id)


def _selected() -> sa.Select:
    return (sa.select(feedback, model.Package.name.label("package_name"),
                      model.Package.title.label("package_title"),
                      model.Package.state.label("package_state"))
            .select_from(_joined()))


@toolkit.side_effect_free
@toolkit.validate(schema.feedback_list_schema)
def crowdsource_feedback_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The staff inbox: feedback for the organizations the caller answers for
    (sysadmins: all), unanswered and oldest first; or, with ``mine``, the
    caller's own feedback. ``counts`` gives the number in each status under
    the other filters.

    :param mine: the caller's own feedback instead (optional)
    :type mine: bool
    :param status: ``new``, ``acknowledged``, ``in_progress``, ``resolved`` or
        ``declined`` (optional)
    :type status: string
    :param kind: one kind (optional)
    :type kind: string
    :param package_id: one dataset (optional)
    :type package_id: string
    :param organization: one organization (optional)
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

    :returns: ``{"count", "counts": {status: n}, "results": [feedback as
        crowdsource_feedback_show gives it, without messages]}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_feedback_list", context, data_dict)
    limit, offset = page_bounds(data_dict)
    filters = {k: v for k, v in data_dict.items()
               if k not in ("status", "sort", "limit", "offset")}
    status_free = _filtered(context, filters)
    where = status_free + ([feedback.c.status == data_dict["status"]]
                           if data_dict.get("status") else [])
    rows = model.Session.execute(
        _selected().where(*where)
        .order_by(*ORDERS[data_dict.get("sort") or "unanswered"], feedback.c.id)
        .limit(limit).offset(offset)).all()
    def count() -> dict[str, int]:
        return dict(model.Session.execute(
            sa.select(feedback.c.status, sa.func.count()).select_from(_joined())
            .where(*status_free).group_by(feedback.c.status)).all())

    # the same for everyone who answers for the same organizations and sees the
    # same datasets, until feedback changes
    mine = data_dict.get("mine")
    counts = cached(COUNT_CACHE, [current_user_id(context) if mine else staff_org_ids(context),
                                  visibility_key(context) if mine else None, filters],
                    toolkit.config.get("ckanext.crowdsource.common.count_cache_seconds"), count)
    total = counts.get(data_dict["status"], 0) if data_dict.get("status") \
        else sum(counts.values())
    authors = people({r.user_id for r in rows})
    seconded = core.my_seconds(current_user_id(context), [r.id for r in rows])
    staff = not data_dict.get("mine")
    return {"count": total, "counts": counts, "results": [
        core.item_dict(r, "full", authors, r.id in seconded,
                       staff or is_staff_for(context, r.owner_org)) for r in rows]}


def _message(item_id: str, user_id: str | None, role: str, body: str,
             status: str | None = None) -> None:
    model.Session.execute(message.insert().values(
        id=str(uuid.uuid4()), feedback_id=item_id, user_id=user_id, role=role, body=body,
        status=status))


@atomic
@toolkit.validate(schema.reply_schema)
def crowdsource_feedback_reply(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Add to the conversation of a feedback item: its author, or the staff
    who answer it.

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
    ratelimit.check(context)
    _message(item.id, current_user_id(context), "staff" if staff else "reader", data_dict["body"])
    values: dict[str, Any] = {"modified": sa.func.now()}
    if staff and item.answered is None:
        values["answered"] = sa.func.now()
    model.Session.execute(sa.update(feedback).where(feedback.c.id == item.id).values(**values))
    commit()
    events.feedback_replied.send(item.id, package_id=item.package_id,
                                 user_id=current_user_id(context),
                                 author_id=item.user_id, by_staff=staff)
    return _show(context, item.id)


@atomic
@toolkit.validate(schema.set_status_schema)
def crowdsource_feedback_set_status(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Move one feedback item, or many at once (all or none), to a new status
    (staff of its organization; sysadmins for the service in general), with
    an optional reply to the reader. ``new`` -> ``acknowledged`` ->
    ``in_progress`` -> ``resolved`` | ``declined``; steps may be skipped, and
    a resolved or declined item may be taken up again (``in_progress``).

    :param id: the feedback's id, or a list of ids
    :type id: string or list of strings
    :param status: the new status
    :type status: string
    :param reply: a message to the reader(s) (optional)
    :type reply: string
    :param public_answer: for requests, the library's public answer (optional)
    :type public_answer: string
    :param fulfilled_by: for requests resolved, the dataset that fulfils it
        (optional)
    :type fulfilled_by: string

    :returns: ``{"results": [the feedback items, as crowdsource_feedback_show
        gives them]}``
    :rtype: dictionary
    """
    status = data_dict["status"]
    items = [core.row(i) for i in data_dict["id"]]
    for item in items:
        toolkit.check_access("crowdsource_feedback_set_status", context, {"id": item.id})
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
    commit()
    for item in items:
        events.feedback_status_changed.send(item.id, package_id=item.package_id,
                                            user_id=actor, author_id=item.user_id,
                                            status=status, previous=item.status)
    return {"results": [_show(context, item.id) for item in items]}


def export_rows(context: Context, data_dict: DataDict) -> Iterator[dict[str, Any]]:
    """The filtered inbox, oldest first, one row at a time from a server-side
    cursor: memory stays flat however many rows there are."""
    where = _filtered(context, data_dict)
    query = (_selected().where(*where).order_by(feedback.c.created, feedback.c.id)
             .offset(data_dict.get("offset") or 0))
    if data_dict.get("limit"):
        query = query.limit(data_dict["limit"])
    result = model.Session.execute(query.execution_options(stream_results=True,
                                                           yield_per=500))
    users: dict[str, str] = {}
    for chunk in result.partitions():
        missing = {r.user_id for r in chunk if r.user_id and r.user_id not in users}
        users.update({k: v["name"] for k, v in people(missing).items()})
        for r in chunk:
            yield {"id": r.id, "created": r.created.isoformat(), "status": r.status,
                   "kind": r.kind, "rating": r.rating, "title": r.title or "", "body": r.body,
                   "dataset": r.package_name or "", "resource_id": r.resource_id or "",
                   "author": users.get(r.user_id, ""), "anonymous": r.user_id is None,
                   "seconds": r.seconds,
                   "answered": r.answered.isoformat() if r.answered else "",
                   "public_answer": r.public_answer or ""}


def csv_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """CSV text, a line at a time (a header first)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    for r in rows:
        writer.writerow(r)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def json_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """A JSON list, an item at a time."""
    yield "["
    for n, r in enumerate(rows):
        yield ("," if n else "") + json.dumps(r, ensure_ascii=False)
    yield "]"


@toolkit.side_effect_free
@toolkit.validate(schema.export_schema)
def crowdsource_feedback_export(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The filtered inbox as CSV or JSON, oldest first, in pieces of up to
    5,000 items (``limit``, ``offset``); the pages ``/crowdsource/feedback/
    export.csv`` and ``export.json`` stream the whole of it. Filters as in
    ``crowdsource_feedback_list``.

    :param format: ``json`` (default) or ``csv``
    :type format: string
    :param limit: how many items (optional, at most 5,000)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"format", "count": items in this piece, "data": CSV text, or
        a list of {"id", "created", "status", "kind", "rating", "title",
        "body", "dataset", "resource_id", "author", "anonymous", "seconds",
        "answered", "public_answer"}}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_feedback_export", context, data_dict)
    rows = list(export_rows(context, {"limit": 5000, **data_dict}))
    data: Any = "".join(csv_lines(iter(rows))) if data_dict["format"] == "csv" else rows
    return {"format": data_dict["format"], "count": len(rows), "data": data}


def purge_dataset(package_id: str) -> None:
    """Feedback about a purged dataset, its conversation, seconds and ratings go with it."""
    items = sa.select(feedback.c.id).where(feedback.c.package_id == package_id)
    model.Session.execute(sa.delete(message).where(message.c.feedback_id.in_(items)))
    model.Session.execute(sa.delete(second).where(second.c.feedback_id.in_(items)))
    model.Session.execute(sa.delete(rating).where(rating.c.package_id == package_id))
    model.Session.execute(sa.delete(feedback).where(feedback.c.package_id == package_id))


def get_actions() -> dict[str, Any]:
    return {
        "crowdsource_feedback_create": crowdsource_feedback_create,
        "crowdsource_feedback_show": crowdsource_feedback_show,
        "crowdsource_feedback_list": crowdsource_feedback_list,
        "crowdsource_feedback_reply": crowdsource_feedback_reply,
        "crowdsource_feedback_set_status": crowdsource_feedback_set_status,
        "crowdsource_feedback_export": crowdsource_feedback_export,
    }
