"""Posts as an item type of the moderation core: flags, hiding, approval."""
from __future__ import annotations

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context

from ckanext.crowdsource import events
from ckanext.crowdsource.common import reindex
from ckanext.crowdsource.common.text import excerpt
from ckanext.crowdsource.moderation.core import Item, ItemType

from . import core, subjects
from .model import post, thread


def locate(item_id: str) -> Item:
    row = model.Session.execute(
        sa.select(post.c.id, post.c.package_id, post.c.state, post.c.body, post.c.user_id,
                  model.Package.owner_org)
        .outerjoin(model.Package, model.Package.id == post.c.package_id)
        .where(post.c.id == item_id, post.c.state != "deleted")
    ).first()
    if row is None:
        raise toolkit.ObjectNotFound(toolkit._("Post not found"))
    return Item("post", row.id, row.package_id, row.owner_org, row.state == "hidden",
                excerpt(row.body), pending=row.state == "pending",
                authors=frozenset({row.user_id}))


def can_see(context: Context, item: Item) -> bool:
    """As ``crowdsource_post_show`` shows a post (``core.visible_post``):
    whoever can see its thread's subject sees it published; a hidden or
    waiting post, only its author and the staff who moderate it."""
    try:
        _row, _thread, subject = core.visible_post(context, item.item_id)
    except toolkit.ObjectNotFound:
        return False
    return subjects.can_see(context, subject)


def set_hidden(item: Item, hidden: bool, reason: str) -> None:
    model.Session.execute(
        sa.update(post).where(post.c.id == item.item_id).values(
            state="hidden" if hidden else "published",
            moderation_reason=(reason or None) if hidden else None,
            modified=sa.func.now()))


def after_change(item: Item, hidden: bool, actor_id: str) -> None:
    """In the deciding action's transaction: the dataset's counts change
    after the commit, and listeners hear of it."""
    reindex.later(item.package_id)
    signal = events.post_hidden if hidden else events.post_restored
    signal.send(item.item_id, package_id=item.package_id, user_id=actor_id)


def hidden_select() -> sa.Select:
    return (
        sa.select(post.c.id.label("item_id"), post.c.package_id, model.Package.owner_org,
                  post.c.moderation_reason.label("reason"), post.c.modified,
                  post.c.state.label("status"))
        .outerjoin(model.Package, model.Package.id == post.c.package_id)
        .where(post.c.state.in_(("hidden", "pending")))
    )


def labels(item_ids: list[str]) -> dict[str, str]:
    rows = model.Session.execute(
        sa.select(post.c.id, post.c.body).where(post.c.id.in_(item_ids))).all()
    return {r.id: excerpt(r.body) for r in rows}


def links(item_ids: list[str]) -> dict[str, str]:
    """Each post's place: its question's page, or its dataset's discussion."""
    rows = model.Session.execute(
        sa.select(post.c.id, thread.c.id.label("thread_id"), thread.c.kind,
                  thread.c.subject_type, thread.c.subject_id, thread.c.package_id)
        .join(thread, thread.c.id == post.c.thread_id).where(post.c.id.in_(item_ids))
    ).all()
    out = {}
    for r in rows:
        if r.kind == "question":
            url = toolkit.url_for("crowdsource_discussion.question", id=r.thread_id)
        elif r.subject_type == "resource":
            url = toolkit.url_for("resource.read", id=r.package_id, resource_id=r.subject_id)
        else:
            url = toolkit.url_for("crowdsource_discussion.discussion", id=r.package_id)
        out[r.id] = f"{url}#post-{r.id}"
    return out


ITEM_TYPE = ItemType(name="post", locate=locate, can_see=can_see, set_hidden=set_hidden,
                     after_change=after_change, hidden_select=hidden_select, labels=labels,
                     links=links, title=lambda: toolkit._("Post"))
