"""Reader tags as an item type of the moderation core.

The item is one tag on one dataset (all the readers' rows of it), with the
id ``<dataset id>:<tag>``.
"""
from __future__ import annotations

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit

from ckanext.crowdsource import events
from ckanext.crowdsource.common import reindex
from ckanext.crowdsource.moderation.core import Item, ItemType

from .model import crowd_tag


def item_id(package_id: str, tag: str) -> str:
    return f"{package_id}:{tag}"


def _split(item_id: str) -> tuple[str, str]:
    package_id, _, tag = item_id.partition(":")
    return package_id, tag


def locate(item_id: str) -> Item:
    package_id, tag = _split(item_id)
    row = model.Session.execute(
        sa.select(model.Package.owner_org,
                  sa.func.bool_or(crowd_tag.c.state == "hidden").label("hidden"))
        .join(crowd_tag, crowd_tag.c.package_id == model.Package.id)
        .where(model.Package.id == package_id, model.Package.state != "deleted",
               crowd_tag.c.tag == tag)
        .group_by(model.Package.owner_org)
    ).first()
    if row is None:
        raise toolkit.ObjectNotFound(toolkit._("No reader gave this tag to this dataset"))
    return Item("tag", item_id, package_id, row.owner_org, bool(row.hidden), tag)


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


ITEM_TYPE = ItemType("tag", locate, set_hidden, after_change, hidden_select, labels)
