"""Actions for posts and threads: comment, reply, answer, edit, delete, vote, read."""
from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict
from sqlalchemy.dialects.postgresql import insert

from ckanext.crowdsource import events
from ckanext.crowdsource.common import communities, config
from ckanext.crowdsource.common.action import reads, writes
from ckanext.crowdsource.common.db import dataset_or_404
from ckanext.crowdsource.common.pagination import listed, page_bounds
from ckanext.crowdsource.common.roles import current_user_id, people
from ckanext.crowdsource.moderation import core as moderation

from . import core, read, schema, subjects
from .model import post, post_revision, thread, vote


def _place(context: Context, data_dict: DataDict) -> tuple[Any, Any, subjects.Subject]:
    """(parent post or None, thread or None, subject) a new post goes to."""
    if data_dict.get("parent_id"):
        return core.visible_post(context, data_dict["parent_id"])
    if data_dict.get("thread_id"):
        parent_thread, subject = core.visible_thread(context, data_dict["thread_id"])
        return None, parent_thread, subject
    if not (data_dict.get("package_id") or data_dict.get("resource_id")):
        raise toolkit.ValidationError({"package_id": [toolkit._(
            "Say where the post goes: package_id (and resource_id), thread_id or parent_id")]})
    return None, None, subjects.from_input(data_dict)


def _agrees(data_dict: DataDict, parent: Any, subject: subjects.Subject) -> None:
    """What else names the place of a reply or answer must name the same."""
    if parent is not None and data_dict.get("thread_id") not in (None, parent.thread_id):
        raise toolkit.ValidationError(
            {"thread_id": [toolkit._("The post you reply to is not in this thread")]})
    if data_dict.get("package_id") and \
            dataset_or_404(data_dict["package_id"]).id != subject.package_id:
        raise toolkit.ValidationError(
            {"package_id": [toolkit._("This thread is not about that dataset")]})
    if data_dict.get("resource_id") and (subject.type, subject.id) != (
            "resource", data_dict["resource_id"]):
        raise toolkit.ValidationError(
            {"resource_id": [toolkit._("This thread is not about that resource")]})


@writes(schema.post_create_schema)
def crowdsource_post_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Post a comment on a dataset or a resource, a reply to a post, or an
    answer to a question, as the calling user.

    Say where the post goes: ``parent_id`` (a reply), ``thread_id`` (a
    comment in a discussion, or an answer to a question), or ``package_id``
    with an optional ``resource_id`` (a comment; the dataset's or resource's
    discussion begins with it). A reply or answer may name its thread,
    dataset and resource too; they must then be its parent's. With
    pre-moderation on, posts of new readers wait for staff (``state``
    ``pending``).

    :param body: the text, in markdown
    :type body: string
    :param parent_id: the post this replies to (optional)
    :type parent_id: string
    :param thread_id: the discussion or question (optional)
    :type thread_id: string
    :param package_id: the id or name of the dataset (optional)
    :type package_id: string
    :param resource_id: the id of a resource of the dataset (optional)
    :type resource_id: string

    :returns: the new post, as ``crowdsource_post_show`` gives it
    :rtype: dictionary
    """
    parent, parent_thread, subject = _place(context, data_dict)
    toolkit.check_access("crowdsource_post_create", context,
                         {"subject_type": subject.type, "subject_id": subject.id})
    if parent_thread is not None:
        _agrees(data_dict, parent, subject)
    if parent is not None and parent.state == "deleted":
        raise toolkit.ValidationError(
            {"parent_id": [toolkit._("You cannot reply to a deleted post")]})
    if parent_thread is not None and parent_thread.status == "closed":
        raise toolkit.ValidationError({"status": [toolkit._("This question is closed")]})
    if parent_thread is None:
        thread_id, kind = core.discussion_thread(context, subject), "comment"
    else:
        thread_id = parent_thread.id
        kind = "answer" if parent_thread.kind == "question" and parent is None else "comment"
    post_id = core.insert_post(context, subject, thread_id, kind, data_dict["body"], parent)
    core.touch(thread_id)
    core.changed(subject)
    events.post_created.send(post_id, package_id=subject.package_id, thread_id=thread_id,
                             kind=kind, user_id=current_user_id(context))
    return core.post_result(context, post_id)


@reads(schema.post_show_schema)
def crowdsource_post_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One post, without its replies. Hidden and pending posts, and every
    post of a hidden or pending question, are shown only to their author and
    to staff (others: not found); deleted posts keep their place without text.

    :param id: the post's id
    :type id: string

    :returns: ``{"id", "thread_id", "parent_id", "kind", "state", "author":
        {"name", "display_name"}, "mine", "body", "score", "my_vote",
        "verified", "accepted", "edited", "created"}`` (and ``reason`` for
        hidden and pending posts, ``deleted_by`` for deleted ones)
    :rtype: dictionary
    """
    row = read.post_row(data_dict["id"])
    parent_thread = read.thread_row(row.thread_id)
    subject = read.subject_of(parent_thread)
    toolkit.check_access("crowdsource_post_show", context,
                         {"subject_type": subject.type, "subject_id": subject.id})
    who = read.viewer(context, subject)
    if not (who.sees(row) and read.sees_thread(parent_thread, who)):
        raise toolkit.ObjectNotFound(toolkit._("Post not found"))
    return read.post_dict(row, who, people({row.user_id}), read.my_votes(who.user_id, [row.id]),
                          parent_thread.accepted_post_id)


@writes(schema.post_update_schema)
def crowdsource_post_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change the text of one's own post (and the title of one's own
    question). The post is marked edited; staff can read earlier versions
    with ``crowdsource_post_history``.

    :param id: the post's id
    :type id: string
    :param body: the new text, in markdown
    :type body: string
    :param title: the question's new title (only for a question, optional)
    :type title: string

    :returns: the post, as ``crowdsource_post_show`` gives it
    :rtype: dictionary
    """
    row, parent_thread, subject = core.visible_post(context, data_dict["id"])
    toolkit.check_access("crowdsource_post_update", context, {"id": row.id})
    if row.state == "deleted":
        raise toolkit.ValidationError({"state": [toolkit._("A deleted post cannot be edited")]})
    title = data_dict.get("title")
    if title is not None and row.kind != "question":
        raise toolkit.ValidationError({"title": [toolkit._("Only questions have a title")]})
    if data_dict["body"] == row.body and title in (None, parent_thread.title):
        return core.post_result(context, row.id)
    model.Session.execute(post_revision.insert().values(
        id=str(uuid.uuid4()), post_id=row.id, user_id=row.user_id, body=row.body,
        title=parent_thread.title if row.kind == "question" else None))
    model.Session.execute(sa.update(post).where(post.c.id == row.id).values(
        body=data_dict["body"], edited=sa.func.now(), modified=sa.func.now()))
    if title is not None:
        core.touch(parent_thread.id, title=title)
    events.post_edited.send(row.id, package_id=subject.package_id, thread_id=parent_thread.id,
                            user_id=current_user_id(context))
    return core.post_result(context, row.id)


@writes(schema.id_reason_schema)
def crowdsource_post_delete(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Delete a post: one's own, or (staff) any post on their organization's
    datasets. The post keeps its place, marked deleted by its author or by
    the library, so replies keep their context; a deletion by staff is
    written to the moderation log. Deleting a question closes it.

    :param id: the post's id
    :type id: string
    :param reason: why (optional; recorded when staff delete)
    :type reason: string

    :returns: the deleted post, as ``crowdsource_post_show`` gives it (its
        ``body`` is empty unless the caller is staff)
    :rtype: dictionary
    """
    row, parent_thread, subject = core.visible_post(context, data_dict["id"])
    toolkit.check_access("crowdsource_post_delete", context, {"id": row.id})
    if row.state == "deleted":
        raise toolkit.ValidationError({"state": [toolkit._("This post is deleted already")]})
    actor = current_user_id(context)
    by = "author" if row.user_id == actor else "staff"
    model.Session.execute(sa.update(post).where(post.c.id == row.id).values(
        state="deleted", deleted_by=by, modified=sa.func.now()))
    changes: dict[str, Any] = {}
    if parent_thread.accepted_post_id == row.id:
        changes = {"accepted_post_id": None, "status": "open"}
    if row.kind == "question":
        changes = {"status": "closed", "close_reason": toolkit._("Deleted by its author")
                   if by == "author" else data_dict.get("reason") or toolkit._("Deleted")}
    if changes:
        core.touch(parent_thread.id, **changes)
    if by == "staff":
        moderation.record("post", row.id, "delete", actor, data_dict.get("reason", ""),
                          package_id=subject.package_id, owner_org=subject.owner_org)
    core.changed(subject)
    events.post_deleted.send(row.id, package_id=subject.package_id,
                             thread_id=parent_thread.id, user_id=actor)
    return core.post_result(context, row.id)


@reads(schema.post_history_schema)
def crowdsource_post_history(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The earlier versions of an edited post, newest first (staff).

    :param id: the post's id
    :type id: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count": total, "results": [{"body", "title", "author",
        "replaced"}, ...]}``; ``title`` for questions only, ``replaced``: when
        this version was replaced
    :rtype: dictionary
    """
    row = read.post_row(data_dict["id"])
    toolkit.check_access("crowdsource_post_history", context, {"id": row.id})
    limit, offset = page_bounds(data_dict)
    mine = post_revision.c.post_id == row.id
    total = model.Session.execute(
        sa.select(sa.func.count()).select_from(post_revision).where(mine)).scalar_one()
    rows = model.Session.execute(
        sa.select(post_revision).where(mine)
        .order_by(post_revision.c.created.desc(), post_revision.c.id)
        .limit(limit).offset(offset)
    ).all()
    editors = people({r.user_id for r in rows})
    return listed(total, [{"body": r.body, "title": r.title, "author": editors.get(r.user_id),
                           "replaced": r.created.isoformat()} for r in rows])


@writes(schema.post_vote_schema)
def crowdsource_post_vote(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Vote on someone else's post: up or down on answers, up on comments;
    ``0`` withdraws one's vote. One vote per user and post; voting again
    changes it.

    :param id: the post's id
    :type id: string
    :param vote: ``1``, ``-1`` or ``0``
    :type vote: int

    :returns: the post, as ``crowdsource_post_show`` gives it: its ``score``
        and the caller's vote (``my_vote``)
    :rtype: dictionary
    """
    row, parent_thread, subject = core.visible_post(context, data_dict["id"])
    toolkit.check_access("crowdsource_post_vote", context, {"id": row.id})
    value = data_dict["vote"]
    if row.state != "published":
        raise toolkit.ValidationError(
            {"state": [toolkit._("You can only vote on published posts")]})
    if value < 0 and row.kind != "answer":
        raise toolkit.ValidationError({"vote": [toolkit._("Only answers can be voted down")]})
    user_id = current_user_id(context)
    # the post's row lock orders concurrent votes on it
    model.Session.execute(sa.select(post.c.id).where(post.c.id == row.id).with_for_update())
    before = model.Session.execute(
        sa.select(vote.c.value).where(vote.c.post_id == row.id, vote.c.user_id == user_id)
    ).scalar() or 0
    if value == before:
        return core.post_result(context, row.id)
    if value:
        model.Session.execute(
            insert(vote).values(post_id=row.id, user_id=user_id, value=value)
            .on_conflict_do_update(index_elements=["post_id", "user_id"],
                                   set_={"value": value, "modified": sa.func.now()}))
    else:
        model.Session.execute(
            sa.delete(vote).where(vote.c.post_id == row.id, vote.c.user_id == user_id))
    model.Session.execute(sa.update(post).where(post.c.id == row.id)
                          .values(score=post.c.score + (value - before)))
    events.post_voted.send(row.id, package_id=subject.package_id, thread_id=parent_thread.id,
                           user_id=user_id, vote=value, author_id=row.user_id)
    return core.post_result(context, row.id)


def _thread_for(data_dict: DataDict) -> tuple[Any | None, subjects.Subject]:
    if data_dict.get("id"):
        if data_dict.get("package_id") or data_dict.get("resource_id"):
            raise toolkit.ValidationError({"id": [toolkit._(
                "Give the thread's id, or a package_id or resource_id, not both")]})
        row = read.thread_row(data_dict["id"])
        return row, read.subject_of(row)
    if not (data_dict.get("package_id") or data_dict.get("resource_id")):
        raise toolkit.ValidationError(
            {"id": [toolkit._("Give the thread's id, or a package_id or resource_id")]})
    subject = subjects.from_input(data_dict)
    return read.discussion_row(subject), subject


@reads(schema.thread_show_schema)
def crowdsource_thread_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A discussion or a question with one page of its posts.

    A dataset's or resource's discussion can be named by ``package_id`` (and
    ``resource_id``) instead of ``id``; before its first comment it is empty
    (``id`` null). The page holds top-level posts (comments, or a question's
    answers), each with its replies as a tree (``replies``); a question comes
    with ``question``, the question itself with its comments. A question that
    staff hid, or that waits for approval, is found only by its asker and
    staff (sysadmins for questions about the library).

    :param id: the thread's id (optional)
    :type id: string
    :param package_id: the id or name of a dataset (optional)
    :type package_id: string
    :param resource_id: the id of a resource (optional)
    :type resource_id: string
    :param sort: ``newest`` (default for comments), ``oldest``, ``top``; for
        answers ``best`` (default: accepted, verified, score, then oldest)
    :type sort: string
    :param replies: how many replies to load under each top-level post, the
        earliest first (default
        ``ckanext.crowdsource.discussion.replies_shown``, at most 100); each
        post tells how many more there are (``more_replies``)
    :type replies: int
    :param root_id: only this top-level post (to load more of its replies)
    :type root_id: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many top-level posts to skip (optional)
    :type offset: int

    :returns: the thread (``id``, ``kind``, ``subject_type``, ``subject_id``,
        ``package_id``, ``title``, ``status``, ``accepted_post_id``, ...)
        with ``count`` (top-level posts), ``question`` and ``posts``, and
        whether the caller may close or reopen it (``can_close``)
    :rtype: dictionary
    """
    row, subject = _thread_for(data_dict)
    toolkit.check_access("crowdsource_thread_show", context,
                         {"subject_type": subject.type, "subject_id": subject.id})
    limit, offset = page_bounds(data_dict)
    who = read.viewer(context, subject)
    if row is not None and not read.sees_thread(row, who):
        raise toolkit.ObjectNotFound(toolkit._("Thread not found"))
    if row is None:
        return {"id": None, "kind": "discussion", "subject_type": subject.type,
                "subject_id": subject.id, "package_id": subject.package_id,
                "package_name": subject.package_name, "subject_label": subject.label,
                "title": None, "status": "open", "count": 0, "question": None, "posts": [],
                "sort": data_dict.get("sort") or "newest", "is_staff": who.staff}
    sorts = schema.ANSWER_SORTS if row.kind == "question" else schema.SORTS
    sort = data_dict.get("sort") or sorts[0]
    if sort not in sorts:
        raise toolkit.ValidationError({"sort": [toolkit._("Must be one of: {choices}").format(
            choices=", ".join(sorts))]})
    replies = data_dict.get("replies")
    if replies is None:
        replies = config.replies_shown()
    found = read.page(row, who, sort, limit, offset, replies, data_dict.get("root_id"))
    can_close = who.staff or (row.kind == "question" and communities.moderates(
        row.community_id, current_user_id(context)))
    return {**read.thread_dict(row, subject, found["authors"]), "count": found["count"],
            "question": found["question"], "posts": found["posts"], "sort": sort,
            "is_staff": who.staff, "can_close": can_close}


@reads(schema.thread_list_schema)
def crowdsource_thread_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The discussions and questions about a dataset and its resources, with
    how many published posts each has; most recently active first. A
    question that staff hid, or that waits for approval, is listed only for
    its asker and staff.

    :param package_id: the id or name of the dataset
    :type package_id: string
    :param kind: ``discussion`` or ``question`` (optional: both)
    :type kind: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count": total, "results": [{"id", "kind", "subject_type",
        "subject_id", "subject_label", "title", "status", "posts",
        "modified"}, ...]}``
    :rtype: dictionary
    """
    subject = subjects.resolve("dataset", data_dict["package_id"])
    toolkit.check_access("crowdsource_thread_list", context,
                         {"subject_type": subject.type, "subject_id": subject.id})
    limit, offset = page_bounds(data_dict)
    who = read.viewer(context, subject)
    published = sa.func.count(post.c.id).filter(post.c.state == "published",
                                                 post.c.kind != "question")
    seen_question = sa.func.bool_or(sa.and_(post.c.kind == "question", who.visible()))
    where = [thread.c.package_id == subject.package_id]
    if data_dict.get("kind"):
        where.append(thread.c.kind == data_dict["kind"])
    found = (
        sa.select(thread, published.label("posts"))
        .outerjoin(post, post.c.thread_id == thread.c.id).where(*where)
        .group_by(thread.c.id)
        .having(sa.or_(thread.c.kind == "discussion", seen_question))
    ).subquery()
    total = model.Session.execute(sa.select(sa.func.count()).select_from(found)).scalar_one()
    rows = model.Session.execute(
        sa.select(found).order_by(found.c.modified.desc(), found.c.id)
        .limit(limit).offset(offset)
    ).all()
    resources = {r.id: r.name or r.url for r in model.Session.query(model.Resource).filter(
        model.Resource.id.in_([r.subject_id for r in rows if r.subject_type == "resource"]))}
    return listed(total, [{
        "id": r.id, "kind": r.kind, "subject_type": r.subject_type, "subject_id": r.subject_id,
        "subject_label": resources.get(r.subject_id, subject.label), "title": r.title,
        "status": r.status, "posts": r.posts, "modified": r.modified.isoformat(),
    } for r in rows])


def get_actions() -> dict[str, Any]:
    return {
        "crowdsource_post_create": crowdsource_post_create,
        "crowdsource_post_show": crowdsource_post_show,
        "crowdsource_post_update": crowdsource_post_update,
        "crowdsource_post_delete": crowdsource_post_delete,
        "crowdsource_post_history": crowdsource_post_history,
        "crowdsource_post_vote": crowdsource_post_vote,
        "crowdsource_thread_show": crowdsource_thread_show,
        "crowdsource_thread_list": crowdsource_thread_list,
    }
