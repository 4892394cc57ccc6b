"""Loading threads and posts, and turning them into what actions return.

A page of posts costs a constant number of queries, however many posts a
thread has: the top-level page, their first replies (a bound per post),
their authors and the caller's votes, each in one query.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context
from sqlalchemy.dialects.postgresql import ARRAY

from ckanext.crowdsource.common import communities
from ckanext.crowdsource.common.db import one_or_404
from ckanext.crowdsource.common.roles import current_user_id, is_staff_for, people

from . import subjects
from .model import post, thread, vote

REPLIES_MAX = 100  # the most replies loaded under one top-level post at once
PRIVILEGED_STATES = ("pending", "hidden")


@dataclass
class Viewer:
    """Who is looking at a thread, and whether they moderate it."""

    user_id: str | None
    staff: bool

    def sees(self, row: Any) -> bool:
        """Whether this viewer sees a post in full (not as a placeholder)."""
        return (row.state not in PRIVILEGED_STATES or self.staff
                or (self.user_id is not None and row.user_id == self.user_id))

    def visible(self, table: sa.Table = post) -> sa.ColumnElement[bool]:
        """SQL for the posts this viewer sees in full."""
        if self.staff:
            return sa.true()
        shown = table.c.state.not_in(PRIVILEGED_STATES)
        if self.user_id:
            shown = sa.or_(shown, table.c.user_id == self.user_id)
        return shown


def viewer(context: Context, subject: subjects.Subject) -> Viewer:
    return Viewer(current_user_id(context) or None, is_staff_for(context, subject.owner_org))


def thread_row(thread_id: str) -> Any:
    return one_or_404(sa.select(thread).where(thread.c.id == thread_id),
                      toolkit._("Thread not found"))


def post_row(post_id: str) -> Any:
    return one_or_404(sa.select(post).where(post.c.id == post_id), toolkit._("Post not found"))


def question_row(thread_id: str) -> Any | None:
    """A question thread's first post, the question itself."""
    return model.Session.execute(
        sa.select(post).where(post.c.thread_id == thread_id, post.c.kind == "question")
    ).first()


def sees_thread(row: Any, who: Viewer) -> bool:
    """Whether the viewer may see the thread at all. A question that staff
    hid, or that waits for approval, is seen (title, question, answers and
    comments) only by its author and staff; discussions are always seen
    (their hidden posts keep their place as placeholders)."""
    if row.kind != "question" or who.staff:
        return True
    question = question_row(row.id)
    return question is not None and who.sees(question)


def subject_of(row: Any) -> subjects.Subject:
    return subjects.resolve(row.subject_type, row.subject_id)


def discussion_row(subject: subjects.Subject) -> Any | None:
    return model.Session.execute(
        sa.select(thread).where(thread.c.kind == "discussion",
                                thread.c.subject_type == subject.type,
                                thread.c.subject_id == subject.id)
    ).first()


def my_votes(user_id: str | None, post_ids: list[str]) -> dict[str, int]:
    if not user_id or not post_ids:
        return {}
    return dict(model.Session.execute(
        sa.select(vote.c.post_id, vote.c.value)
        .where(vote.c.user_id == user_id, vote.c.post_id.in_(post_ids))
    ).all())


def post_dict(row: Any, who: Viewer, authors: dict[str, dict[str, str]],
              votes: dict[str, int], accepted_id: str | None) -> dict[str, Any]:
    """One post as the viewer may see it. Deleted posts, and hidden ones the
    viewer does not moderate, keep their place without their text."""
    full = who.sees(row) and (row.state != "deleted" or who.staff)
    out = {
        "id": row.id, "thread_id": row.thread_id, "parent_id": row.parent_id,
        "kind": row.kind, "state": row.state if who.sees(row) else "hidden",
        "author": authors.get(row.user_id) if full else None,
        "mine": bool(who.user_id and row.user_id == who.user_id),
        "body": row.body if full else "",
        "score": row.score, "my_vote": votes.get(row.id, 0),
        "verified": row.verified, "accepted": row.id == accepted_id,
        "edited": row.edited.isoformat() if row.edited else None,
        "created": row.created.isoformat(),
    }
    if row.state == "deleted":
        out["deleted_by"] = row.deleted_by
    if row.state in PRIVILEGED_STATES and who.sees(row):
        out["reason"] = row.moderation_reason or ""
    return out


def thread_dict(row: Any, subject: subjects.Subject, authors: dict[str, dict[str, str]]
                ) -> dict[str, Any]:
    community = communities.names({row.community_id}).get(row.community_id or "") or {}
    return {
        "id": row.id, "kind": row.kind, "subject_type": row.subject_type,
        "subject_id": row.subject_id, "package_id": row.package_id,
        "package_name": subject.package_name, "subject_label": subject.label,
        "community_id": row.community_id, "community_name": community.get("name"),
        "community_title": community.get("title"),
        "title": row.title, "status": row.status, "close_reason": row.close_reason,
        "accepted_post_id": row.accepted_post_id, "author": authors.get(row.user_id),
        "created": row.created.isoformat(), "modified": row.modified.isoformat(),
    }


def _order(sort: str, accepted_id: str | None) -> list[Any]:
    c = post.c
    return {
        "newest": [c.created.desc(), c.id],
        "oldest": [c.created.asc(), c.id],
        "top": [c.score.desc(), c.created.asc(), c.id],
        "best": [(c.id == (accepted_id or "")).desc(), c.verified.desc(), c.score.desc(),
                 c.created.asc(), c.id],
    }[sort]


def _first_replies(root_ids: list[str], replies: int) -> sa.Select:
    """The earliest ``replies`` replies under each root, with how many it has
    in all (``of``): a short index scan per root."""
    roots = sa.func.unnest(sa.cast(root_ids, ARRAY(sa.UnicodeText))).table_valued(
        "id").render_derived(name="roots")
    under = sa.and_(post.c.root_id == roots.c.id, post.c.parent_id.is_not(None))
    first = (sa.select(post).where(under).order_by(post.c.created, post.c.id)
             .limit(replies).lateral("first"))
    every = sa.select(sa.func.count()).select_from(post).where(under).scalar_subquery()
    return (sa.select(first, every.label("of")).select_from(roots).join(first, sa.true())
            .order_by(first.c.created, first.c.id))


def page(row: Any, who: Viewer, sort: str, limit: int, offset: int, replies: int,
         root_id: str | None = None) -> dict[str, Any]:
    """A page of a thread's top-level posts (comments, or answers), each with
    its first ``replies`` replies as a tree; for a question, the question and
    its comments too. ``root_id`` narrows the page to that one post.
    """
    reply = post.alias("reply")
    # a top-level post the viewer may not read keeps its place (as a
    # placeholder) while it has published replies
    has_replies = sa.exists().where(reply.c.root_id == post.c.id, reply.c.id != post.c.id,
                                    reply.c.state == "published")
    top = [post.c.thread_id == row.id, post.c.parent_id.is_(None), post.c.kind != "question",
           sa.or_(who.visible(), has_replies)]
    if root_id:
        top.append(post.c.id == root_id)
    roots = model.Session.execute(
        sa.select(post, sa.func.count().over().label("total")).where(*top)
        .order_by(*_order(sort, row.accepted_post_id)).limit(limit).offset(offset)
    ).all()
    if roots:
        total = roots[0].total
    else:  # past the last page
        total = model.Session.execute(
            sa.select(sa.func.count()).select_from(post).where(*top)).scalar_one()
    root_ids = [r.id for r in roots]
    if row.kind == "question" and not root_id:
        question = model.Session.execute(
            sa.select(post).where(post.c.thread_id == row.id, post.c.kind == "question")
        ).first()
        if question is not None:
            root_ids.append(question.id)
    else:
        question = None
    loaded = model.Session.execute(_first_replies(root_ids, replies)).all() \
        if root_ids and replies else []
    every = list(roots) + list(loaded) + ([question] if question is not None else [])
    authors = people({r.user_id for r in every} | {row.user_id})
    votes = my_votes(who.user_id, [r.id for r in every])
    dicts = {r.id: post_dict(r, who, authors, votes, row.accepted_post_id) for r in every}
    every_reply = {r.root_id: r.of for r in loaded}
    children: dict[str, list[dict[str, Any]]] = {}
    for r in loaded:  # a reply whose parent is beyond the bound hangs under the root
        parent = r.parent_id if r.parent_id in dicts else r.root_id
        children.setdefault(parent, []).append(dicts[r.id])
    seen = {r.id for r in every if who.sees(r)}

    def tree(d: dict[str, Any]) -> dict[str, Any] | None:
        kids = [t for t in (tree(k) for k in children.get(d["id"], [])) if t is not None]
        if d["id"] not in seen and not kids:
            return None
        return {**d, "replies": kids}

    def size(d: dict[str, Any]) -> int:
        return sum(1 + size(k) for k in d["replies"])

    def with_tree(r: Any) -> dict[str, Any]:
        built = tree(dicts[r.id]) or {**dicts[r.id], "replies": []}
        built["reply_count"] = size(built)
        built["more_replies"] = max(0, every_reply.get(r.id, 0) - replies)
        return built

    return {
        "count": total,
        "question": with_tree(question) if question is not None else None,
        "posts": [with_tree(r) for r in roots],
        "authors": authors,
    }
