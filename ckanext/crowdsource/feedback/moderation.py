"""Public requests and the replies of a conversation as item types of the
moderation core: flags, hiding, the queue and the log.

Who sees them is who sees them in ``crowdsource_feedback_show``: a request,
whoever can see its dataset while it is published, and its author and staff
always; a reply, only the two sides of its conversation (the feedback's
author and the staff who answer it), never other readers, and the words of
a hidden reply only the staff. So only they can flag a reply.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context

from ckanext.crowdsource import events
from ckanext.crowdsource.common.db import one_or_404
from ckanext.crowdsource.common.roles import is_staff_for
from ckanext.crowdsource.common.text import excerpt
from ckanext.crowdsource.moderation.core import Item, ItemType

from . import core
from .model import feedback, message


def _locate_request(item_id: str) -> Item:
    row = one_or_404(
        sa.select(feedback).where(feedback.c.id == item_id, feedback.c.kind == "request"),
        toolkit._("Request not found"))
    return Item("request", row.id, row.package_id, row.owner_org, row.state == "hidden",
                excerpt(row.title or row.body), authors=_authors(row.user_id))


def _authors(user_id: str | None) -> frozenset[str]:
    return frozenset({user_id}) if user_id else frozenset()  # none: anonymous


def _feedback_access(context: Context, feedback_id: str) -> str | None:
    """The caller's access to the feedback (``core.access``), or None."""
    try:
        return core.access(context, core.row(feedback_id))
    except toolkit.ObjectNotFound:
        return None


def _can_see_request(context: Context, item: Item) -> bool:
    """Whoever ``crowdsource_feedback_show`` shows the request to."""
    return _feedback_access(context, item.item_id) is not None


def _locate_reply(item_id: str) -> Item:
    row = one_or_404(
        sa.select(message, feedback.c.package_id, feedback.c.owner_org)
        .join(feedback, feedback.c.id == message.c.feedback_id)
        .where(message.c.id == item_id), toolkit._("Reply not found"))
    return Item("feedback_reply", row.id, row.package_id, row.owner_org,
                row.state == "hidden", excerpt(row.body), authors=_authors(row.user_id))


def _can_see_reply(context: Context, item: Item) -> bool:
    """The two sides of the conversation: the feedback's author and the
    staff who answer it (``full`` access); a hidden reply, only the staff
    (its author sees its place, not its words)."""
    feedback_id = model.Session.execute(
        sa.select(message.c.feedback_id).where(message.c.id == item.item_id)).scalar()
    if feedback_id is None or _feedback_access(context, feedback_id) != "full":
        return False
    return not item.hidden or is_staff_for(context, item.owner_org)


def _setter(table: sa.Table) -> Any:
    def set_hidden(item: Item, hidden: bool, reason: str) -> None:
        model.Session.execute(sa.update(table).where(table.c.id == item.item_id).values(
            state="hidden" if hidden else "published",
            moderation_reason=(reason or None) if hidden else None, modified=sa.func.now()))
    return set_hidden


def _after(item: Item, hidden: bool, actor_id: str) -> None:
    """In the decision's transaction: the signal. Nothing to reindex: the
    index holds a dataset's ratings, which hiding a request or a reply does
    not change."""
    signal = events.feedback_hidden if hidden else events.feedback_restored
    signal.send(item.item_id, package_id=item.package_id, user_id=actor_id,
                item_type=item.item_type)


def _hidden(table: sa.Table, joined: Any, where: Any) -> Any:
    def select() -> sa.Select:
        return (sa.select(table.c.id.label("item_id"), feedback.c.package_id,
                          feedback.c.owner_org, table.c.moderation_reason.label("reason"),
                          table.c.modified, sa.literal("hidden").label("status"))
                .select_from(joined).where(table.c.state == "hidden", where))
    return select


def _labels(table: sa.Table, column: Any) -> Any:
    def labels(item_ids: list[str]) -> dict[str, str]:
        return {r.id: excerpt(r.text or "") for r in model.Session.execute(
            sa.select(table.c.id, column.label("text")).where(table.c.id.in_(item_ids)))}
    return labels


def _request_links(item_ids: list[str]) -> dict[str, str]:
    return {i: toolkit.url_for("crowdsource_feedback.item", id=i) for i in item_ids}


REQUEST = ItemType(
    name="request", locate=_locate_request, can_see=_can_see_request,
    set_hidden=_setter(feedback), after_change=_after,
    hidden_select=_hidden(feedback, feedback, feedback.c.kind == "request"),
    labels=_labels(feedback, sa.func.coalesce(feedback.c.title, feedback.c.body)),
    links=_request_links, title=lambda: toolkit._("Request"))
REPLY = ItemType(
    name="feedback_reply", locate=_locate_reply, can_see=_can_see_reply,
    set_hidden=_setter(message), after_change=_after,
    hidden_select=_hidden(
        message, message.join(feedback, feedback.c.id == message.c.feedback_id), sa.true()),
    labels=_labels(message, message.c.body), title=lambda: toolkit._("Reply to feedback"))
