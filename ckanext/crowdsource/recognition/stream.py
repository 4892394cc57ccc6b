"""Each reader's contributions, as recognition keeps them for their profile.

Recognition never reads another capability's tables, so it keeps a stream
of its own: one row per (kind, item, reader), written by receivers of the
capabilities' signals in the transaction of the contribution itself, with
what a profile shows of it (the dataset, the community, a short plain-text
title or excerpt). The signals say when the item goes (removed, deleted:
the row goes), is hidden (the row is marked hidden and shown to nobody) or
is shown again. The text of a post, a task or a feedback is read once,
through the capability's own show action, when the row is written.

A row is written once: a signal delivered twice changes nothing.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from sqlalchemy.dialects.postgresql import insert

from ckanext.crowdsource.common.text import excerpt

from . import badges

contribution = sa.Table(
    "crowdsource_contribution",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("user_id", sa.UnicodeText, nullable=False),
    sa.Column("kind", sa.UnicodeText, nullable=False),  # KINDS
    sa.Column("item_id", sa.UnicodeText, nullable=False),  # post, claim, feedback; tags: pkg:tag
    sa.Column("parent_id", sa.UnicodeText),  # the thread of a post, the task of a claim
    sa.Column("package_id", sa.UnicodeText),
    sa.Column("community_id", sa.UnicodeText),
    sa.Column("title", sa.UnicodeText, nullable=False, server_default=""),  # plain text
    sa.Column("state", sa.UnicodeText, nullable=False, server_default="shown"),  # or hidden
    sa.Column("created", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.Column("modified", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.UniqueConstraint("kind", "item_id", "user_id", name="crowdsource_contribution_once"),
    sa.Index("crowdsource_contribution_user_idx", "user_id", "created", "id"),
    sa.Index("crowdsource_contribution_item_idx", "item_id"),
    sa.Index("crowdsource_contribution_package_idx", "package_id"),
    sa.Index("crowdsource_contribution_community_idx", "community_id", "kind", "created"),
    extend_existing=True,
)

# the kinds of contribution, in the order a profile lists their totals
KINDS = ("tag", "comment", "question", "answer", "accepted_answer", "task", "feedback",
         "request", "review")
# kinds only the reader (and sysadmins) see in the list: feedback other than
# requests is between its author and the library
PRIVATE_KINDS = ("feedback",)


def kind_label(kind: str) -> str:
    """A kind's name in a profile's totals (template helper)."""
    return {
        "tag": toolkit._("Tags"), "comment": toolkit._("Comments"),
        "question": toolkit._("Questions asked"), "answer": toolkit._("Answers"),
        "accepted_answer": toolkit._("Accepted answers"), "task": toolkit._("Tasks done"),
        "feedback": toolkit._("Feedback"), "request": toolkit._("Requests"),
        "review": toolkit._("Task results reviewed"),
    }.get(kind, kind)


# --- writing --------------------------------------------------------------------

def record(user_id: str | None, kind: str, item_id: str, *, parent_id: str | None = None,
           package_id: str | None = None, community_id: str | None = None,
           title: str = "", state: str = "shown") -> bool:
    """The reader's contribution, once; whether it is new."""
    if not user_id:
        return False
    done = model.Session.execute(
        insert(contribution).values(
            id=str(uuid.uuid4()), user_id=user_id, kind=kind, item_id=item_id,
            parent_id=parent_id, package_id=package_id, community_id=community_id,
            title=title, state=state)
        .on_conflict_do_nothing(constraint="crowdsource_contribution_once")
        .returning(contribution.c.id)).first()
    return done is not None


def forget(item_id: str, *, kinds: tuple[str, ...] | None = None,
           user_id: str | None = None) -> None:
    c = contribution.c
    where = [c.item_id == item_id]
    if kinds:
        where.append(c.kind.in_(kinds))
    if user_id:
        where.append(c.user_id == user_id)
    model.Session.execute(sa.delete(contribution).where(*where))


def mark(item_id: str, state: str, **values: Any) -> None:
    model.Session.execute(sa.update(contribution).where(contribution.c.item_id == item_id)
                          .values(state=state, modified=sa.func.now(), **values))


def _shown_to(user_id: str | None, action: str, item: str | dict[str, Any]
             ) -> dict[str, Any]:
    """The item as ``user_id`` (its author, its reviewer) sees it: hidden and
    pending ones included."""
    user = model.User.get(user_id) if user_id else None
    try:
        return toolkit.get_action(action)(
            {"ignore_auth": True, "user": user.name if user else ""},
            item if isinstance(item, dict) else {"id": item})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized, toolkit.ValidationError):
        return {}


def _question_community(thread_id: str | None, user_id: str | None) -> str | None:
    """The community a question was asked within: from the question's own
    row, or (a question asked before the stream was kept) from the thread as
    ``user_id`` sees it."""
    if not thread_id:
        return None
    c = contribution.c
    row = model.Session.execute(
        sa.select(c.community_id).where(c.kind == "question", c.parent_id == thread_id)
        .limit(1)).first()
    if row is not None:
        return row.community_id
    thread = _shown_to(user_id, "crowdsource_thread_show",
                       {"id": thread_id, "limit": 1, "replies": 0})
    return thread.get("community_id")


# --- receivers ------------------------------------------------------------------

def tag_added(sender: str, **kw: Any) -> None:
    package_id = kw.get("package_id")
    if record(kw.get("user_id"), "tag", f"{package_id}:{sender}", parent_id=sender,
              package_id=package_id, title=sender):
        badges.first_tag(kw["user_id"])


def tag_removed(sender: str, **kw: Any) -> None:
    forget(f"{kw.get('package_id')}:{sender}", kinds=("tag",), user_id=kw.get("user_id"))


def _tag_state(state: str) -> Callable[..., None]:
    def receive(sender: str, **kw: Any) -> None:
        mark(f"{kw.get('package_id')}:{sender}", state)
    return receive


def post_created(sender: str, **kw: Any) -> None:
    author = kw.get("user_id")
    post = _shown_to(author, "crowdsource_post_show", sender)
    kind = kw.get("kind") or post.get("kind") or "comment"
    kind = kind if kind in ("question", "answer") else "comment"
    thread_id = kw.get("thread_id")
    community_id = kw.get("community_id") if kind == "question" \
        else _question_community(thread_id, author) if kind == "answer" else None
    record(author, kind, sender, parent_id=thread_id, package_id=kw.get("package_id"),
           community_id=community_id, title=excerpt(post.get("body") or ""),
           state="shown" if post.get("state", "published") == "published" else "hidden")


def post_edited(sender: str, **kw: Any) -> None:
    post = _shown_to(kw.get("user_id"), "crowdsource_post_show", sender)
    if post.get("body"):
        model.Session.execute(
            sa.update(contribution).where(contribution.c.item_id == sender)
            .values(title=excerpt(post["body"]), modified=sa.func.now()))


def post_deleted(sender: str, **kw: Any) -> None:
    forget(sender)


def _post_state(state: str) -> Callable[..., None]:
    def receive(sender: str, **kw: Any) -> None:
        mark(sender, state)
    return receive


def answer_accepted(sender: str, **kw: Any) -> None:
    """An accepted answer counts for its author (and may earn badges); an
    acceptance withdrawn, no longer."""
    author = kw.get("author_id")
    if not kw.get("accepted", True):
        forget(sender, kinds=("accepted_answer",))
        return
    c = contribution.c
    answer = model.Session.execute(sa.select(c.title, c.community_id).where(
        c.kind == "answer", c.item_id == sender)).first()
    if answer is not None:
        title, community_id = answer.title, answer.community_id
    else:
        title = excerpt(_shown_to(author, "crowdsource_post_show", sender).get("body") or "")
        community_id = _question_community(kw.get("thread_id"), kw.get("user_id"))
    if record(author, "accepted_answer", sender, parent_id=kw.get("thread_id"),
              package_id=kw.get("package_id"), community_id=community_id, title=title):
        badges.accepted_answer(author, community_id)


def _task(task_id: str | None, reviewer_id: str | None) -> dict[str, Any]:
    """The task as its reviewer sees it (one who sees its dataset)."""
    if not task_id:
        return {}
    return _shown_to(reviewer_id, "crowdsource_task_show", task_id)


def claim_reviewed(sender: str, task: dict[str, Any] | None = None, **kw: Any) -> None:
    """Every review (accept, reject, changes asked) counts for the staff
    member who made it, once per claim."""
    task = _task(kw.get("task_id"), kw.get("user_id")) if task is None else task
    reviewer = kw.get("user_id")
    if reviewer and reviewer != kw.get("reader_id") and record(
            reviewer, "review", sender, parent_id=kw.get("task_id"),
            package_id=kw.get("package_id"), community_id=task.get("community_id"),
            title=task.get("title") or ""):
        badges.reviewed(reviewer)


def claim_accepted(sender: str, **kw: Any) -> None:
    """A claim accepted is a task done for its reader (and a review)."""
    task = _task(kw.get("task_id"), kw.get("user_id"))
    claim_reviewed(sender, task=task, **kw)
    reader = kw.get("reader_id")
    if record(reader, "task", sender, parent_id=kw.get("task_id"),
              package_id=kw.get("package_id"), community_id=task.get("community_id"),
              title=task.get("title") or ""):
        badges.task_done(reader)


def feedback_created(sender: str, **kw: Any) -> None:
    author = kw.get("user_id")
    if not author:
        return  # anonymous feedback is nobody's contribution
    item = _shown_to(author, "crowdsource_feedback_show", sender)
    kind = "request" if kw.get("kind") == "request" else "feedback"
    record(author, kind, sender, package_id=kw.get("package_id"),
           title=excerpt(item.get("title") or item.get("body") or ""),
           state="shown" if item.get("state", "published") == "published" else "hidden")


def _feedback_state(state: str) -> Callable[..., None]:
    def receive(sender: str, **kw: Any) -> None:
        mark(sender, state)
    return receive


def community_purged(sender: str, **kw: Any) -> None:
    """A purged community: contributions made within it stay, without it;
    its badges go (there is no community left to be an expert of)."""
    community_id = kw.get("community_id") or sender
    model.Session.execute(sa.update(contribution).where(
        contribution.c.community_id == community_id).values(community_id=None))
    model.Session.execute(sa.delete(badges.badge).where(
        badges.badge.c.community_id == community_id))


def dataset_purged(package_id: str) -> None:
    """``purge_hooks``: a purged dataset's contributions go with it."""
    model.Session.execute(sa.delete(contribution).where(
        contribution.c.package_id == package_id))


RECEIVERS: dict[str, list[Callable[..., None]]] = {
    "crowdsource:tag_added": [tag_added],
    "crowdsource:tag_removed": [tag_removed],
    "crowdsource:tag_hidden": [_tag_state("hidden")],
    "crowdsource:tag_restored": [_tag_state("shown")],
    "crowdsource:post_created": [post_created],
    "crowdsource:post_edited": [post_edited],
    "crowdsource:post_deleted": [post_deleted],
    "crowdsource:post_hidden": [_post_state("hidden")],
    "crowdsource:post_restored": [_post_state("shown")],
    "crowdsource:answer_accepted": [answer_accepted],
    "crowdsource:claim_accepted": [claim_accepted],
    "crowdsource:claim_rejected": [claim_reviewed],
    "crowdsource:claim_changes_requested": [claim_reviewed],
    "crowdsource:feedback_created": [feedback_created],
    "crowdsource:feedback_hidden": [_feedback_state("hidden")],
    "crowdsource:feedback_restored": [_feedback_state("shown")],
    "crowdsource:community_purged": [community_purged],
}
