"""What the discussion and Q&A actions share: writing posts, finding the
post or question an action is about, and what writes return.

Nothing here commits: the actions run in ``common.action.writes``'s
transaction, and datasets whose counts change are queued with
``reindex.later``.
"""
from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context
from sqlalchemy.dialects.postgresql import insert

from ckanext.crowdsource.common import config, reindex
from ckanext.crowdsource.common.roles import current_user_id, is_staff_for

from . import read, subjects
from .model import post, post_revision, thread, vote


def held_for_approval(context: Context, subject: subjects.Subject) -> bool:
    """Whether a new post waits for staff: pre-moderation is on and the author
    has fewer published posts than it asks for (staff are never held)."""
    needed = config.premoderation_posts()
    if not needed or is_staff_for(context, subject.owner_org):
        return False
    published = model.Session.execute(
        sa.select(sa.func.count()).select_from(post)
        .where(post.c.user_id == current_user_id(context), post.c.state == "published")
    ).scalar_one()
    return published < needed


def insert_post(context: Context, subject: subjects.Subject, thread_id: str, kind: str,
                body: str, parent: Any = None) -> str:
    """Write one post; its id."""
    post_id = str(uuid.uuid4())
    model.Session.execute(post.insert().values(
        id=post_id, thread_id=thread_id, kind=kind, body=body,
        parent_id=parent.id if parent is not None else None,
        root_id=parent.root_id if parent is not None else post_id,
        package_id=subject.package_id, user_id=current_user_id(context),
        state="pending" if held_for_approval(context, subject) else "published",
    ))
    return post_id


def insert_question(context: Context, subject: subjects.Subject, title: str,
                    community_id: str | None = None) -> str:
    """Write a question's thread (its first post is written apart), asked
    within ``community_id`` when given; its id."""
    thread_id = str(uuid.uuid4())
    model.Session.execute(thread.insert().values(
        id=thread_id, kind="question", subject_type=subject.type, subject_id=subject.id,
        package_id=subject.package_id, user_id=current_user_id(context), title=title,
        community_id=community_id))
    return thread_id


def unlink_community(sender: str, **kwargs: Any) -> None:
    """``community_purged`` receiver: questions asked within the purged
    community stay without it; one about the community itself becomes a
    question about the library in general (no commit: the purge's receiver
    commits)."""
    community_id = kwargs["community_id"]
    model.Session.execute(
        sa.update(thread).where(thread.c.kind == "question", thread.c.subject_type == "community",
                                thread.c.subject_id == community_id)
        .values(subject_type="site", subject_id=""))
    model.Session.execute(sa.update(thread).where(thread.c.community_id == community_id)
                          .values(community_id=None))


def discussion_thread(context: Context, subject: subjects.Subject) -> str:
    """The id of the subject's discussion thread, created with the first comment."""
    model.Session.execute(
        insert(thread).values(
            id=str(uuid.uuid4()), kind="discussion", subject_type=subject.type,
            subject_id=subject.id, package_id=subject.package_id, user_id=current_user_id(context))
        .on_conflict_do_nothing(index_elements=["subject_type", "subject_id"],
                                index_where=sa.text("kind = 'discussion'"))
    )
    return read.discussion_row(subject).id


def touch(thread_id: str, **values: Any) -> None:
    """Mark a thread active now, changing ``values`` with it."""
    model.Session.execute(sa.update(thread).where(thread.c.id == thread_id)
                          .values(modified=sa.func.now(), **values))


def changed(subject: subjects.Subject) -> None:
    """The subject's dataset counts differently now: reindex it after the commit."""
    reindex.later(subject.package_id)


def visible_post(context: Context, post_id: str) -> tuple[Any, Any, subjects.Subject]:
    """The post, its thread and subject, if the caller may see the post in full;
    otherwise ``ObjectNotFound`` (hidden posts, and the posts of a question
    the caller may not see, are not disclosed)."""
    row = read.post_row(post_id)
    parent_thread = read.thread_row(row.thread_id)
    subject = read.subject_of(parent_thread)
    if subjects.can_see(context, subject):
        who = read.viewer(context, subject)
        if not (who.sees(row) and read.sees_thread(parent_thread, who)):
            raise toolkit.ObjectNotFound(toolkit._("Post not found"))
    return row, parent_thread, subject


def sees_post(context: Context, post_id: str) -> bool:
    """Whether the caller may see the post itself, as ``crowdsource_post_show``
    shows it: its dataset, and for a hidden or pending post, or any post of a
    hidden or pending question, being its author or staff (for the moderation
    item type's ``can_see``)."""
    try:
        subject = visible_post(context, post_id)[2]
    except toolkit.ObjectNotFound:
        return False
    return subjects.can_see(context, subject)


def visible_thread(context: Context, thread_id: str) -> tuple[Any, subjects.Subject]:
    """The thread and its subject, if the caller may see the thread; otherwise
    ``ObjectNotFound`` (a hidden or pending question is not disclosed). A
    caller who may not see the subject is left to the auth check."""
    row = read.thread_row(thread_id)
    subject = read.subject_of(row)
    if subjects.can_see(context, subject) and \
            not read.sees_thread(row, read.viewer(context, subject)):
        raise toolkit.ObjectNotFound(toolkit._("Thread not found"))
    return row, subject


def question(row: Any) -> tuple[Any, subjects.Subject]:
    """A question's thread and subject; ``ValidationError`` on ``id`` when the
    thread is a discussion."""
    if row.kind != "question":
        raise toolkit.ValidationError({"id": [toolkit._("This is not a question")]})
    return row, read.subject_of(row)


def published_answer(row: Any) -> None:
    """``ValidationError`` unless the post is a published answer."""
    if row.kind != "answer":
        raise toolkit.ValidationError({"id": [toolkit._("This is not an answer")]})
    if row.state != "published":
        raise toolkit.ValidationError({"state": [toolkit._("This answer is not published")]})


def post_result(context: Context, post_id: str) -> dict[str, Any]:
    """The post as ``crowdsource_post_show`` gives it to the caller: what
    post actions return."""
    return toolkit.get_action("crowdsource_post_show")(
        toolkit.fresh_context(context), {"id": post_id})


def thread_result(context: Context, thread_id: str) -> dict[str, Any]:
    """The thread as ``crowdsource_thread_show`` gives it to the caller: what
    thread and question actions return."""
    return toolkit.get_action("crowdsource_thread_show")(
        toolkit.fresh_context(context), {"id": thread_id})


def purge_dataset(package_id: str) -> None:
    """Its threads, posts, earlier versions and votes go with a purged dataset."""
    posts = sa.select(post.c.id).where(post.c.package_id == package_id)
    model.Session.execute(sa.delete(vote).where(vote.c.post_id.in_(posts)))
    model.Session.execute(sa.delete(post_revision).where(post_revision.c.post_id.in_(posts)))
    model.Session.execute(sa.delete(post).where(post.c.package_id == package_id))
    model.Session.execute(sa.delete(thread).where(thread.c.package_id == package_id))
