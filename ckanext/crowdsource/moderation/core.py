"""The moderation core: flags, hiding and one audit log for every kind of
contribution.

Capabilities plug in with an :class:`ItemType` in their manifest (other
extensions through ``ICrowdsource.get_moderation_item_types``; the core never
imports them) and call :func:`record` in the same transaction as a decision.

Who sees an item is the item type's to say (``ItemType.can_see``): seeing
its dataset is not enough (a reply inside a reader's private feedback, a
hidden post). A caller who cannot see an item is answered as if it did not
exist (:func:`seen`, :func:`authorize`), so that neither the item nor its
state is revealed.
"""
from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context

from ckanext.crowdsource.common import hooks
from ckanext.crowdsource.common.roles import current_user_id

from .model import flag, moderation_log


@dataclass(frozen=True)
class Item:
    """One contribution as the core sees it."""

    item_type: str
    item_id: str
    package_id: str
    owner_org: str | None
    hidden: bool
    label: str
    pending: bool = False  # held for approval before anyone but staff sees it
    # who wrote it (a reader tag: every reader who gave it); none: nobody known
    authors: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ItemType:
    """What an item type gives the core.

    ``locate(item_id)`` returns the :class:`Item` or raises ``ObjectNotFound``,
    whoever asks.
    ``can_see(context, item)``: whether the context's user may see the item
    itself (not only its dataset), as the item's own pages and actions show
    it: for a hidden or pending item, only its authors and the staff who
    moderate it; for an item in a private place (a feedback conversation),
    only those who take part in it.
    ``set_hidden(item, hidden, reason)`` writes the new state (no commit);
    showing an item also approves it when it was pending.
    ``after_change(item, hidden, actor_id)`` runs in the same transaction
    (``reindex.later``, signals).
    ``hidden_select()`` is a select of the items waiting for staff, with the
    columns ``item_id, package_id, owner_org, reason, modified, status``
    (``hidden``, or ``pending``: held for approval before anyone sees it).
    ``labels(item_ids)`` gives each item a short text for the queue, in one query.
    ``links(item_ids)`` (optional) gives each item the address of its page.
    ``title()`` (optional) names the type for people, translated ("Reader tag").
    """

    name: str
    locate: Callable[[str], Item]
    can_see: Callable[[Context, Item], bool]
    set_hidden: Callable[[Item, bool, str], None]
    after_change: Callable[[Item, bool, str], None]
    hidden_select: Callable[[], sa.Select]
    labels: Callable[[list[str]], dict[str, str]]
    links: Callable[[list[str]], dict[str, str]] | None = None
    title: Callable[[], str] | None = None


def item_types() -> dict[str, ItemType]:
    """Every item type, by name (from the ``ICrowdsource`` implementations)."""
    return hooks.moderation_item_types()


def item_type(name: str) -> ItemType:
    """The item type, or ``ValidationError`` naming ``item_type``."""
    known = item_types()
    try:
        return known[name]
    except KeyError:
        raise toolkit.ValidationError({"item_type": [
            toolkit._("Unknown item type; one of: {types}").format(
                types=", ".join(sorted(known)))
        ]}) from None


def locate(name: str, item_id: str) -> Item:
    """The item, or ``ValidationError`` (unknown type) or ``ObjectNotFound``."""
    return item_type(name).locate(item_id)


def not_found() -> toolkit.ObjectNotFound:
    """The error for an item that does not exist or that the caller cannot
    see: the same words for both."""
    return toolkit.ObjectNotFound(toolkit._("Item not found"))


def can_see(context: Context, item: Item) -> bool:
    """Whether the context's user may see the item (its type decides)."""
    return item_type(item.item_type).can_see(context, item)


def is_author(context: Context, item: Item) -> bool:
    """Whether the context's user wrote the item (gave the tag)."""
    user_id = current_user_id(context)
    return bool(user_id) and user_id in item.authors


def seen(context: Context, name: str, item_id: str) -> Item:
    """The item, if the context's user may see it; ``ObjectNotFound`` (the
    same as for an item that does not exist) otherwise, and
    ``ValidationError`` for an unknown item type."""
    kind = item_type(name)
    try:
        item = kind.locate(item_id)
    except toolkit.ObjectNotFound:
        raise not_found() from None
    if not kind.can_see(context, item):
        raise not_found()
    return item


def found(name: str, item_id: str) -> Item:
    """The item whoever asks, with the words of :func:`not_found` when it
    does not exist (for actions that pass on the refusal through
    :func:`authorize`)."""
    kind = item_type(name)
    try:
        return kind.locate(item_id)
    except toolkit.ObjectNotFound:
        raise not_found() from None


def authorize(auth: str, context: Context, data_dict: dict[str, Any], item: Item) -> None:
    """``check_access(auth)`` about the item; a refused caller who cannot see
    the item gets ``ObjectNotFound`` instead of ``NotAuthorized``, so that the
    refusal does not tell them it exists."""
    try:
        toolkit.check_access(auth, context, data_dict)
    except toolkit.NotAuthorized:
        if not can_see(context, item):
            raise not_found() from None
        raise


def record(item_type: str, item_id: str, action: str, actor_id: str, reason: str = "",
           package_id: str | None = None, owner_org: str | None = None) -> None:
    """Add one decision to the audit log (not committed: the caller commits)."""
    model.Session.execute(moderation_log.insert().values(
        id=str(uuid.uuid4()), item_type=item_type, item_id=item_id, action=action,
        actor_id=actor_id, reason=reason, package_id=package_id, owner_org=owner_org,
    ))


def decide(item: Item, hidden: bool, action: str, actor_id: str, reason: str) -> Item:
    """Hide or show an item, log the decision and let the item type react
    (queue a reindex, send its signal), all in the caller's transaction;
    the item as it is now (showing it also approves it)."""
    kind = item_type(item.item_type)
    kind.set_hidden(item, hidden, reason)
    record(item.item_type, item.item_id, action, actor_id, reason,
           package_id=item.package_id, owner_org=item.owner_org)
    kind.after_change(item, hidden, actor_id)
    return dataclasses.replace(item, hidden=hidden, pending=False)


def open_flags(item: Item) -> int:
    """How many users have an open flag on the item."""
    return model.Session.execute(
        sa.select(sa.func.count()).select_from(flag).where(
            flag.c.item_type == item.item_type, flag.c.item_id == item.item_id,
            flag.c.state == "open")
    ).scalar_one()


def flagged_by(user_id: str | None, item_type: str, item_ids: list[str]) -> set[str]:
    """Which of ``item_ids`` the user has flagged (a user flags an item
    once: the page shows these as flagged, not as a button to flag)."""
    if not user_id or not item_ids:
        return set()
    return set(model.Session.execute(
        sa.select(flag.c.item_id).where(flag.c.user_id == user_id,
                                        flag.c.item_type == item_type,
                                        flag.c.item_id.in_(item_ids))).scalars())


def item_dict(item: Item, flags: int) -> dict[str, Any]:
    """The item as moderation actions return it, with its open ``flags``."""
    return {"item_type": item.item_type, "item_id": item.item_id,
            "package_id": item.package_id, "label": item.label,
            "hidden": item.hidden, "pending": item.pending, "flags": flags}
