"""Reader tags as an item type of the moderation core.

The item is one tag on one dataset (all the readers' rows of it), with the
id ``<dataset id>:<tag>``; its authors are the readers who gave it.
"""
from __future__ import annotations

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context

from ckanext.crowdsource import events
from ckanext.crowdsource.common import reindex
from ckanext.crowdsource.common.roles import can_see_dataset, current_user_id, is_staff_for
from ckanext.crowdsource.moderation.core import Item, ItemType

from .model import blocked_tag, crowd_tag


def item_id(package_id: str, tag: str) -> str:
    return f"{package_id}:{tag}"


def _split(item_id: str) -> tuple[str, str]:
    package_id, _, tag = item_id.partition(":")
    return package_id, tag


def locate(item_id: str) -> Item:
    package_id, tag = _split(item_id)
    row = model.Session.execute(
        sa.select(model.Package.owner_org,
                  sa.func.bool_or(crowd_tag.c.state == "hidden").label("hidden"),
                  sa.func.array_agg(sa.distinct(crowd_tag.c.user_id)).label("authors"))
        .join(crowd_tag, crowd_tag.c.package_id == model.Package.id)
        .where(model.Package.id == package_id, model.Package.state != "deleted",
               crowd_tag.c.tag == tag)
        .group_by(model.Package.owner_org)
    ).first()
    if row is None:
        raise toolkit.ObjectNotFound(toolkit._("No reader gave this tag to this dataset"))
    return Item("tag", item_id, package_id, row.owner_org, bool(row.hidden), tag,
                authors=frozenset(row.authors))


def can_see(context: Context, item: Item) -> bool:
    """As ``crowdsource_tag_list`` lists tags: whoever can see the dataset sees
    a tag while a reader's row of it is shown; the staff of the dataset's
    organization and the readers who gave it see it hidden too. Nobody sees
    a blocked tag."""
    if not can_see_dataset(context, item.package_id):
        return False
    package_id, tag = _split(item.item_id)
    shown = crowd_tag.c.state == "active"
    if is_staff_for(context, item.owner_org):
        shown = sa.true()
    elif user_id := current_user_id(context):
        shown = sa.or_(shown, crowd_tag.c.user_id == user_id)
    return bool(model.Session.execute(sa.select(sa.exists().where(
        crowd_tag.c.package_id == package_id, crowd_tag.c.tag == tag, shown,
        crowd_tag.c.tag.not_in(sa.select(blocked_tag.c.tag))))).scalar())


def set_hidden(item: Item, hidden: bool, reason: str) -> None:
    package_id, tag = _split(item.item_id)
    model.Session.execute(
        sa.update(crowd_tag)
        .where(crowd_tag.c.package_id == package_id, crowd_tag.c.tag == tag)
        .values(state="hidden" if hidden else "active",
                moderation_reason=(reason or None) if hidden else None,
                modified=sa.func.now())
    )


def after_change(item: Item, hidden: bool, actor_id: str) -> None:
    reindex.later(item.package_id)
    signal = events.tag_hidden if hidden else events.tag_restored
    signal.send(item.label, package_id=item.package_id, user_id=actor_id)


def hidden_select() -> sa.Select:
    return (
        sa.select((crowd_tag.c.package_id + ":" + crowd_tag.c.tag).label("item_id"),
                  crowd_tag.c.package_id, model.Package.owner_org,
                  sa.func.max(crowd_tag.c.moderation_reason).label("reason"),
                  sa.func.max(crowd_tag.c.modified).label("modified"),
                  sa.literal("hidden").label("status"))
        .join(model.Package, model.Package.id == crowd_tag.c.package_id)
        .where(crowd_tag.c.state == "hidden")
        .group_by(crowd_tag.c.package_id, crowd_tag.c.tag, model.Package.owner_org)
    )


def labels(item_ids: list[str]) -> dict[str, str]:
    return {i: _split(i)[1] for i in item_ids}


ITEM_TYPE = ItemType(name="tag", locate=locate, can_see=can_see, set_hidden=set_hidden,
                     after_change=after_change, hidden_select=hidden_select, labels=labels,
                     title=lambda: toolkit._("Reader tag"))
