"""Actions for questions and answers: ask, list, close, reopen, accept, verify."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict

from ckanext.crowdsource import events
from ckanext.crowdsource.common import communities, config
from ckanext.crowdsource.common.action import reads, writes
from ckanext.crowdsource.common.pagination import listed, page_bounds
from ckanext.crowdsource.common.roles import (
    current_user,
    current_user_id,
    people,
    staff_org_ids,
    visible_datasets,
)

from . import core, read, schema, subjects
from .model import post, thread


def _community(ref: str) -> Any:
    """The live community named by its group's id or name, or a
    ``ValidationError`` naming ``community_id``."""
    found = communities.live_community(ref)
    if found is None:
        raise toolkit.ValidationError({"community_id": [toolkit._(
            "No such community: questions are asked within an active subject community")]})
    return found


@writes(schema.question_create_schema)
def crowdsource_question_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Ask a question about a dataset, a resource of it, or (with neither)
    the library in general; or within a subject community (``community_id``):
    about the community's subject (with no dataset), or about a dataset
    (the question then shows in the community too). Only the community's
    active members ask within it. Others answer it with
    ``crowdsource_post_create`` (``thread_id``); the asker or staff accept
    one answer.

    :param title: the question in one line
    :type title: string
    :param body: the details, in markdown
    :type body: string
    :param package_id: the id or name of the dataset (optional)
    :type package_id: string
    :param resource_id: the id of a resource of the dataset (optional)
    :type resource_id: string
    :param community_id: the community asked within, by its group's id or
        name (optional; one that is not an active community is refused)
    :type community_id: string

    :returns: the question's thread, as ``crowdsource_thread_show`` gives it
        (``community_id``, ``community_name`` and ``community_title`` name
        its community)
    :rtype: dictionary
    """
    community = _community(data_dict["community_id"]) if data_dict.get("community_id") \
        else None
    if community is not None and not (data_dict.get("package_id")
                                      or data_dict.get("resource_id")):
        subject = subjects.resolve("community", community.id)
    else:
        subject = subjects.from_input(data_dict)
    asked_in = community.id if community is not None else None
    toolkit.check_access("crowdsource_question_create", context, {
        "subject_type": subject.type, "subject_id": subject.id,
        **({"community_id": asked_in} if asked_in else {})})
    thread_id = core.insert_question(context, subject, data_dict["title"], asked_in)
    post_id = core.insert_post(context, subject, thread_id, "question", data_dict["body"])
    core.changed(subject)
    events.post_created.send(post_id, package_id=subject.package_id, thread_id=thread_id,
                             kind="question", user_id=current_user_id(context),
                             community_id=asked_in)
    return core.thread_result(context, thread_id)


def _answers() -> sa.ScalarSelect:
    """How many published answers a question has (correlated to ``thread``)."""
    return (sa.select(sa.func.count()).select_from(post)
            .where(post.c.thread_id == thread.c.id, post.c.kind == "answer",
                   post.c.state == "published").scalar_subquery())


@reads(schema.question_list_schema)
def crowdsource_question_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Questions the caller can see: about one dataset (or resource), about
    the library in general (``site``), or everywhere. A question that staff
    hid, or that waits for approval, is listed (and counted) only for its
    asker and staff (sysadmins for questions about the library).

    ``unanswered`` lists the open questions with no published answer asked
    more than ``unanswered_days`` days ago (default
    ``ckanext.crowdsource.discussion.unanswered_days``): the library's to-do
    list.

    :param package_id: the id or name of a dataset (optional)
    :type package_id: string
    :param resource_id: the id of a resource (optional)
    :type resource_id: string
    :param site: only questions about the library in general (optional)
    :type site: bool
    :param community_id: only questions asked within this community (its
        group's id or name, optional)
    :type community_id: string
    :param unanswered_in_my_communities: only open questions with no
        published answer, asked by others within the communities the caller
        is an active member of (optional; for visitors, none)
    :type unanswered_in_my_communities: bool
    :param user_id: only questions asked by this user (id or name, optional)
    :type user_id: string
    :param status: ``open``, ``answered`` or ``closed`` (optional)
    :type status: string
    :param unanswered: only questions waiting too long for an answer (optional)
    :type unanswered: bool
    :param unanswered_days: how long is too long, in days (optional)
    :type unanswered_days: int
    :param sort: ``newest`` (default), ``oldest`` or ``active`` (latest activity)
    :type sort: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count": total, "results": [{"id", "title", "excerpt", "status",
        "state", "subject_type", "subject_id", "package_id", "package_name",
        "package_title", "community_id", "community_name", "community_title",
        "author", "answers", "accepted_post_id", "created", "modified"}, ...]}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_question_list", context, data_dict)
    limit, offset = page_bounds(data_dict)
    user = current_user(context)
    question = post.alias("q")
    where: list[Any] = [thread.c.kind == "question"]
    if data_dict.get("package_id") or data_dict.get("resource_id"):
        subject = subjects.from_input(data_dict)
        where.append(thread.c.package_id == subject.package_id)
        if subject.type == "resource":
            where.append(thread.c.subject_id == subject.id)
    elif data_dict.get("site"):
        where.append(thread.c.subject_type == "site")
    if data_dict.get("community_id"):
        found = communities.live_community(data_dict["community_id"])
        if found is None:
            raise toolkit.ObjectNotFound(toolkit._("Community not found"))
        where.append(thread.c.community_id == found.id)
    if data_dict.get("unanswered_in_my_communities"):
        me = user.id if user else None
        where += [thread.c.community_id.in_(communities.my_communities(me)),
                  thread.c.user_id != (me or ""), thread.c.status == "open", _answers() == 0]
    where.append(sa.or_(thread.c.package_id.is_(None),
                        thread.c.package_id.in_(visible_datasets(context))))
    orgs = staff_org_ids(context)
    if orgs is None:  # sysadmins see every question
        seen = sa.true()
    else:
        seen = sa.or_(question.c.state.not_in(read.PRIVILEGED_STATES),
                      question.c.user_id == (user.id if user else ""),
                      model.Package.owner_org.in_(orgs))
    where.append(seen)
    if data_dict.get("user_id"):
        asker = model.User.get(data_dict["user_id"])
        if asker is None:
            raise toolkit.ObjectNotFound(toolkit._("User not found"))
        where.append(thread.c.user_id == asker.id)
    if data_dict.get("status"):
        where.append(thread.c.status == data_dict["status"])
    if data_dict.get("unanswered"):
        days = data_dict.get("unanswered_days")
        if days is None:
            days = config.unanswered_days()
        where += [thread.c.status == "open", _answers() == 0,
                  thread.c.created < datetime.now(timezone.utc) - timedelta(days=int(days))]
    joined = (thread.join(question, sa.and_(question.c.thread_id == thread.c.id,
                                            question.c.kind == "question"))
              .outerjoin(model.Package, model.Package.id == thread.c.package_id))
    total = model.Session.execute(
        sa.select(sa.func.count()).select_from(joined).where(*where)).scalar_one()
    order = {"newest": [thread.c.created.desc()], "oldest": [thread.c.created.asc()],
             "active": [thread.c.modified.desc()]}[data_dict.get("sort") or "newest"]
    group = model.Group

    def of_community(column: Any) -> sa.ScalarSelect:
        return sa.select(column).where(group.id == thread.c.community_id).scalar_subquery()

    rows = model.Session.execute(
        sa.select(thread, question.c.body, question.c.state.label("state"),
                  _answers().label("answers"), model.Package.name.label("package_name"),
                  model.Package.title.label("package_title"),
                  of_community(group.name).label("community_name"),
                  of_community(sa.func.coalesce(sa.func.nullif(group.title, ""), group.name))
                  .label("community_title"))
        .select_from(joined).where(*where).order_by(*order, thread.c.id)
        .limit(limit).offset(offset)
    ).all()
    authors = people({r.user_id for r in rows})
    return listed(total, [{
        "id": r.id, "title": r.title, "status": r.status, "state": r.state,
        "excerpt": "" if r.state == "deleted" else " ".join(r.body.split())[:200],
        "subject_type": r.subject_type, "subject_id": r.subject_id,
        "package_id": r.package_id, "package_name": r.package_name,
        "package_title": r.package_title, "community_id": r.community_id,
        "community_name": r.community_name, "community_title": r.community_title,
        "author": authors.get(r.user_id),
        "answers": r.answers, "accepted_post_id": r.accepted_post_id,
        "created": r.created.isoformat(), "modified": r.modified.isoformat(),
    } for r in rows])


def _question(context: Context, action: str, thread_id: str) -> tuple[Any, subjects.Subject]:
    """The question an action is about, once the caller may act on it."""
    row = read.thread_row(thread_id)
    toolkit.check_access(action, context, {"thread_id": row.id})
    return core.question(row)


@writes(schema.id_reason_schema)
def crowdsource_question_close(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Close a question (staff, or the moderators of the community it was
    asked in): no more answers or comments.

    :param id: the question's thread id
    :type id: string
    :param reason: why (optional, shown with the question)
    :type reason: string

    :returns: the question's thread, as ``crowdsource_thread_show`` gives it
    :rtype: dictionary
    """
    row, subject = _question(context, "crowdsource_question_close", data_dict["id"])
    if row.status == "closed":
        raise toolkit.ValidationError({"status": [toolkit._("This question is closed already")]})
    core.touch(row.id, status="closed", close_reason=data_dict.get("reason", ""))
    core.changed(subject)
    events.question_closed.send(row.id, package_id=subject.package_id, thread_id=row.id,
                                user_id=current_user_id(context))
    return core.thread_result(context, row.id)


@writes(schema.question_reopen_schema)
def crowdsource_question_reopen(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Open a closed question again (staff, or its community's moderators).

    :param id: the question's thread id
    :type id: string

    :returns: the question's thread, as ``crowdsource_thread_show`` gives it
    :rtype: dictionary
    """
    row, subject = _question(context, "crowdsource_question_reopen", data_dict["id"])
    if row.status != "closed":
        raise toolkit.ValidationError({"status": [toolkit._("This question is not closed")]})
    core.touch(row.id, status="answered" if row.accepted_post_id else "open", close_reason=None)
    core.changed(subject)
    events.question_reopened.send(row.id, package_id=subject.package_id, thread_id=row.id,
                                  user_id=current_user_id(context))
    return core.thread_result(context, row.id)


def _answer(context: Context, action: str, post_id: str) -> tuple[Any, Any, subjects.Subject]:
    """The answer an action is about, once the caller may act on it."""
    row, parent, subject = core.visible_post(context, post_id)
    toolkit.check_access(action, context, {"id": row.id})
    core.published_answer(row)
    return row, parent, subject


@writes(schema.answer_accept_schema)
def crowdsource_answer_accept(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Accept an answer as the best (the asker, or staff); accepting another
    answer replaces the choice, ``accept`` false withdraws it. The question
    is then answered (or open again).

    :param id: the answer's post id
    :type id: string
    :param accept: true to accept (default), false to withdraw
    :type accept: bool

    :returns: the answer, as ``crowdsource_post_show`` gives it (``accepted``
        tells whether it is the accepted answer now; its question's status is
        in ``crowdsource_thread_show``)
    :rtype: dictionary
    """
    row, parent, subject = _answer(context, "crowdsource_answer_accept", data_dict["id"])
    if parent.status == "closed":
        raise toolkit.ValidationError({"status": [toolkit._("This question is closed")]})
    if data_dict["accept"]:
        core.touch(parent.id, accepted_post_id=row.id, status="answered")
    elif parent.accepted_post_id == row.id:
        core.touch(parent.id, accepted_post_id=None, status="open")
    else:
        raise toolkit.ValidationError(
            {"accepted": [toolkit._("This is not the accepted answer")]})
    core.changed(subject)
    events.answer_accepted.send(row.id, package_id=subject.package_id, thread_id=parent.id,
                                user_id=current_user_id(context), author_id=row.user_id,
                                accepted=data_dict["accept"])
    return core.post_result(context, row.id)


@writes(schema.answer_verify_schema)
def crowdsource_answer_verify(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Mark an answer as verified by the library, or take the mark back (staff).

    :param id: the answer's post id
    :type id: string
    :param verified: true (default) or false
    :type verified: bool

    :returns: the answer, as ``crowdsource_post_show`` gives it
    :rtype: dictionary
    """
    row, parent, subject = _answer(context, "crowdsource_answer_verify", data_dict["id"])
    model.Session.execute(sa.update(post).where(post.c.id == row.id)
                          .values(verified=data_dict["verified"], modified=sa.func.now()))
    events.answer_verified.send(row.id, package_id=subject.package_id, thread_id=parent.id,
                                user_id=current_user_id(context), author_id=row.user_id,
                                verified=data_dict["verified"])
    return core.post_result(context, row.id)


def get_actions() -> dict[str, Any]:
    return {
        "crowdsource_question_create": crowdsource_question_create,
        "crowdsource_question_list": crowdsource_question_list,
        "crowdsource_question_close": crowdsource_question_close,
        "crowdsource_question_reopen": crowdsource_question_reopen,
        "crowdsource_answer_accept": crowdsource_answer_accept,
        "crowdsource_answer_verify": crowdsource_answer_verify,
    }
