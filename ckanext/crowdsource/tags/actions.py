"""Actions for reader tags: add, remove, list, clouds, moderation, blocks.

The dataset is ``package_id`` and the tag ``tag``; a tag on a dataset (all
the readers' rows of it) is the object the per-tag writes return, with the
id ``<dataset id>:<tag>`` the moderation core knows it by.
"""
from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict
from sqlalchemy.dialects.postgresql import insert

from ckanext.crowdsource import events
from ckanext.crowdsource.common import config, reindex
from ckanext.crowdsource.common.action import patch_dataset, reads, writes
from ckanext.crowdsource.common.cache import cached
from ckanext.crowdsource.common.db import dataset_or_404
from ckanext.crowdsource.common.pagination import listed, page_bounds
from ckanext.crowdsource.common.roles import current_user_id, is_staff_for, visibility_key
from ckanext.crowdsource.moderation import core as moderation

from . import schema
from .model import blocked_tag, crowd_tag
from .moderation import item_id

INDEX_FIELD = "vocab_crowd_tags"  # vocab_*: multi-valued string, facetable, copied to text
CLOUD_CACHE = "tag_cloud"  # bumped whenever a dataset is (re)indexed or deleted


def dataset_tags(package_ids: list[str]) -> dict[str, list[str]]:
    """The visible reader tags of each dataset, for the search index."""
    rows = model.Session.execute(
        sa.select(crowd_tag.c.package_id, crowd_tag.c.tag)
        .where(crowd_tag.c.package_id.in_(package_ids), crowd_tag.c.state == "active",
               crowd_tag.c.tag.not_in(sa.select(blocked_tag.c.tag)))
        .distinct()
        .order_by(crowd_tag.c.package_id, crowd_tag.c.tag)
    ).all()
    out: dict[str, list[str]] = {pid: [] for pid in package_ids}
    for package_id, tag in rows:
        out[package_id].append(tag)
    return out


def _tag_on(package_id: str, tag: str, user_id: str) -> dict[str, Any]:
    """One tag on one dataset as the per-tag writes return it: how many
    readers gave it (0 once the last one removed it), whether the caller is
    one of them, and whether it is hidden, why."""
    row = model.Session.execute(
        sa.select(sa.func.count().label("count"),
                  sa.func.bool_or(crowd_tag.c.user_id == user_id).label("mine"),
                  sa.func.bool_or(crowd_tag.c.state == "hidden").label("hidden"),
                  sa.func.max(crowd_tag.c.moderation_reason).label("reason"))
        .where(crowd_tag.c.package_id == package_id, crowd_tag.c.tag == tag)
    ).one()
    return {"id": item_id(package_id, tag), "package_id": package_id, "tag": tag,
            "count": row.count, "mine": bool(row.mine), "hidden": bool(row.hidden),
            "reason": row.reason or ""}


def _block_dict(row: Any) -> dict[str, Any]:
    return {"tag": row.tag, "reason": row.reason, "created": row.created.isoformat()}


@writes(schema.tag_add_schema)
def crowdsource_tag_add(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Add reader tags to a dataset, as the calling user.

    Tags are normalised (NFKC, trimmed, white space collapsed, case-folded).
    Adding a tag the user already gave is not an error. A user may give at
    most ``ckanext.crowdsource.tags.per_user_limit`` tags to one dataset.

    :param package_id: the id or name of the dataset
    :type package_id: string
    :param tag: the tags: one string (commas separate tags) or a list of strings
    :type tag: string or list of strings

    :returns: the dataset's reader tags, as ``crowdsource_tag_list`` gives them
        (first page), with the dataset's id: ``{"package_id", "count", "results"}``
    :rtype: dictionary
    """
    pkg = dataset_or_404(data_dict["package_id"])
    toolkit.check_access("crowdsource_tag_add", context, {"package_id": pkg.id})
    user_id = current_user_id(context)
    mine = set(model.Session.execute(
        sa.select(crowd_tag.c.tag).where(
            crowd_tag.c.package_id == pkg.id, crowd_tag.c.user_id == user_id)
    ).scalars())
    blocked = set(model.Session.execute(
        sa.select(blocked_tag.c.tag).where(blocked_tag.c.tag.in_(data_dict["tag"]))
    ).scalars())
    if blocked:
        raise toolkit.ValidationError({"tag": [
            toolkit._("This tag cannot be used: {tag}").format(tag=", ".join(sorted(blocked)))
        ]})
    new = [t for t in data_dict["tag"] if t not in mine]
    limit = config.tags_per_user_limit()
    if len(mine) + len(new) > limit:
        raise toolkit.ValidationError({"tag": [
            toolkit._("You can give at most {limit} tags to one dataset").format(limit=limit)
        ]})
    if new:
        # a tag staff hid on this dataset stays hidden, whoever gives it again
        hidden = dict(model.Session.execute(
            sa.select(crowd_tag.c.tag, sa.func.max(crowd_tag.c.moderation_reason))
            .where(crowd_tag.c.package_id == pkg.id, crowd_tag.c.tag.in_(new),
                   crowd_tag.c.state == "hidden")
            .group_by(crowd_tag.c.tag)).all())
        model.Session.execute(
            insert(crowd_tag)
            .values([{"id": str(uuid.uuid4()), "package_id": pkg.id, "user_id": user_id,
                      "tag": t, "state": "hidden" if t in hidden else "active",
                      "moderation_reason": hidden.get(t)} for t in new])
            .on_conflict_do_nothing(constraint="crowdsource_tag_unique")
        )
        reindex.later(pkg.id)
        for tag in new:
            events.tag_added.send(tag, package_id=pkg.id, user_id=user_id)
    return {"package_id": pkg.id,
            **crowdsource_tag_list(toolkit.fresh_context(context), {"package_id": pkg.id})}


@writes(schema.tag_remove_schema)
def crowdsource_tag_remove(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Remove a reader tag the calling user gave to a dataset.

    :param package_id: the id or name of the dataset
    :type package_id: string
    :param tag: the tag (normalised like when it was added)
    :type tag: string

    :returns: the tag on the dataset now: ``{"id", "package_id", "tag",
        "count", "mine", "hidden", "reason"}`` (``count`` 0 when no reader
        gives it any more)
    :rtype: dictionary
    """
    pkg = dataset_or_404(data_dict["package_id"])
    toolkit.check_access("crowdsource_tag_remove", context, {"package_id": pkg.id})
    user_id = current_user_id(context)
    tag = data_dict["tag"]
    deleted = model.Session.execute(
        sa.delete(crowd_tag).where(
            crowd_tag.c.package_id == pkg.id,
            crowd_tag.c.user_id == user_id,
            crowd_tag.c.tag == tag,
        )
    ).rowcount
    if not deleted:
        raise toolkit.ObjectNotFound(toolkit._("You have not given this tag to this dataset"))
    reindex.later(pkg.id)
    events.tag_removed.send(tag, package_id=pkg.id, user_id=user_id)
    return _tag_on(pkg.id, tag, user_id)


@reads(schema.tag_list_schema)
def crowdsource_tag_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The reader tags of a dataset: each tag with how many readers gave it.

    Most-given first, then alphabetical. ``mine`` marks the tags the calling
    user gave. Hidden tags are listed, with ``hidden`` and the ``reason``,
    only to staff of the dataset's organization and to the readers who gave
    them; blocked tags are not listed.

    :param package_id: the id or name of the dataset
    :type package_id: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count": how many tags in all, "results":
        [{"tag", "count", "mine"}, ...]}``
    :rtype: dictionary
    """
    pkg = dataset_or_404(data_dict["package_id"])
    toolkit.check_access("crowdsource_tag_list", context, {"package_id": pkg.id})
    limit, offset = page_bounds(data_dict)
    user_id = current_user_id(context)
    visible = crowd_tag.c.state == "active"
    if is_staff_for(context, pkg.owner_org):
        visible = sa.true()
    elif user_id:
        visible = sa.or_(visible, crowd_tag.c.user_id == user_id)
    where = (crowd_tag.c.package_id == pkg.id, visible,
             crowd_tag.c.tag.not_in(sa.select(blocked_tag.c.tag)))
    count = sa.func.count().label("count")
    rows = model.Session.execute(
        sa.select(
            crowd_tag.c.tag, count,
            sa.func.bool_or(crowd_tag.c.user_id == user_id).label("mine"),
            sa.func.bool_or(crowd_tag.c.state == "hidden").label("hidden"),
            sa.func.max(crowd_tag.c.moderation_reason).label("reason"),
            sa.func.count().over().label("total"),  # how many tags in all
        )
        .where(*where)
        .group_by(crowd_tag.c.tag)
        .order_by(count.desc(), crowd_tag.c.tag)
        .limit(limit).offset(offset)
    ).all()
    if rows:
        total = rows[0].total
    else:  # none, or none on this page
        total = offset and model.Session.execute(
            sa.select(sa.func.count(sa.distinct(crowd_tag.c.tag))).where(*where)).scalar_one()
    out = []
    for r in rows:
        item = {"tag": r.tag, "count": r.count, "mine": bool(r.mine)}
        if r.hidden:
            item.update(hidden=True, reason=r.reason or "")
        out.append(item)
    return listed(total, out)


def _search(context: Context, **params: Any) -> dict[str, Any]:
    """``package_search`` as the calling user: CKAN's permission labels keep
    private datasets, and so their reader tags, from those who cannot see them."""
    return toolkit.get_action("package_search")(
        toolkit.fresh_context(context), {"include_private": True, **params}
    )


@reads(schema.tag_cloud_schema)
def crowdsource_tag_cloud(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The most used reader tags, site-wide or in one organization.

    Each tag's ``count`` is the number of datasets the caller can see that
    readers gave the tag. Hidden and blocked tags are not counted. Clouds are
    kept in Redis for ``ckanext.crowdsource.tags.cloud_cache_seconds``, per
    set of datasets a user can see, and dropped whenever any dataset is
    indexed or deleted.

    :param organization: the name or id of an organization (optional)
    :type organization: string
    :param limit: how many tags (optional, default and maximum from the
        ``ckanext.crowdsource.common.list_limit_*`` options)
    :type limit: int

    :returns: ``{"count": how many tags are listed, "results": [{"tag",
        "count"}, ...]}``, most used first
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_tag_cloud", context, data_dict)
    limit, _ = page_bounds(data_dict)
    fq = ""
    if data_dict.get("organization"):
        org = model.Group.get(data_dict["organization"])
        if org is None or not org.is_organization:
            raise toolkit.ObjectNotFound(toolkit._("Organization not found"))
        fq = f'organization:"{org.name}"'

    def compute() -> list[dict[str, Any]]:
        facets = _search(context, fq=fq, rows=0, **{
            "facet.field": [INDEX_FIELD], "facet.limit": limit, "facet.mincount": 1,
        })["facets"].get(INDEX_FIELD, {})
        return [{"tag": tag, "count": n}
                for tag, n in sorted(facets.items(), key=lambda item: (-item[1], item[0]))]

    # the same for every user who can see the same datasets
    visibility = visibility_key(context)
    tags = cached(CLOUD_CACHE, [visibility, fq, limit], config.tag_cloud_cache_seconds(),
                  compute)
    return listed(len(tags), tags)


@reads(schema.tag_datasets_schema)
def crowdsource_tag_datasets(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The datasets readers gave a tag, that the caller can see; newest first.

    :param tag: the reader tag (normalised like when it was added)
    :type tag: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count": total, "results": [dataset dicts]}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_tag_datasets", context, data_dict)
    limit, offset = page_bounds(data_dict)
    found = _search(context, fq=f'{INDEX_FIELD}:"{data_dict["tag"]}"', rows=limit,
                    start=offset, sort="metadata_modified desc")
    return listed(found["count"], found["results"])


def _set_state(context: Context, data_dict: DataDict, hidden: bool,
               action: str) -> dict[str, Any]:
    pkg = dataset_or_404(data_dict["package_id"])
    toolkit.check_access(f"crowdsource_tag_{action}", context, {"package_id": pkg.id})
    actor_id = current_user_id(context)
    item = moderation.locate("tag", item_id(pkg.id, data_dict["tag"]))
    moderation.decide(item, hidden, action, actor_id, data_dict.get("reason", ""))
    return _tag_on(pkg.id, data_dict["tag"], actor_id)


@writes(schema.tag_moderate_schema)
def crowdsource_tag_hide(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Hide a reader tag on a dataset (staff of its organization).

    The tag leaves the dataset's public tag list, the clouds and the search
    index; the readers who gave it still see it, marked hidden, with the
    reason. The decision is written to the moderation log.

    :param package_id: the id or name of the dataset
    :type package_id: string
    :param tag: the reader tag
    :type tag: string
    :param reason: why (optional, shown to the readers who gave it)
    :type reason: string

    :returns: the tag on the dataset: ``{"id", "package_id", "tag", "count",
        "mine", "hidden", "reason"}``
    :rtype: dictionary
    """
    return _set_state(context, data_dict, True, "hide")


@writes(schema.tag_moderate_schema)
def crowdsource_tag_restore(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Show a hidden reader tag on a dataset again (staff of its organization).

    :param package_id: the id or name of the dataset
    :type package_id: string
    :param tag: the reader tag
    :type tag: string
    :param reason: why (optional)
    :type reason: string

    :returns: the tag on the dataset: ``{"id", "package_id", "tag", "count",
        "mine", "hidden", "reason"}``
    :rtype: dictionary
    """
    return _set_state(context, data_dict, False, "restore")


@writes(schema.tag_moderate_schema)
def crowdsource_tag_promote(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Make a reader tag one of the dataset's official tags (staff of its
    organization), through ``package_patch``. The promotion is written to the
    moderation log; the readers' tags stay as they are. When CKAN refuses the
    tag, its error dict comes under ``tag``.

    :param package_id: the id or name of the dataset
    :type package_id: string
    :param tag: the reader tag
    :type tag: string
    :param reason: why (optional)
    :type reason: string

    :returns: the updated dataset, as ``package_show`` gives it
    :rtype: dictionary
    """
    pkg = dataset_or_404(data_dict["package_id"])
    toolkit.check_access("crowdsource_tag_promote", context, {"package_id": pkg.id})
    tag = data_dict["tag"]
    item = moderation.locate("tag", item_id(pkg.id, tag))
    if model.Session.execute(sa.select(blocked_tag.c.tag).where(blocked_tag.c.tag == tag)).first():
        raise toolkit.ValidationError({"tag": [toolkit._("This tag is blocked")]})
    official = [t.name for t in pkg.get_tags()]
    if tag in official:
        raise toolkit.ValidationError({"tag": [toolkit._("This is already an official tag")]})
    actor_id = current_user_id(context)
    moderation.record("tag", item.item_id, "promote", actor_id, data_dict.get("reason", ""),
                      package_id=pkg.id, owner_org=pkg.owner_org)
    patch_dataset(context, {"id": pkg.id, "tags": [{"name": t} for t in official + [tag]]},
                  "tag")
    givers = list(model.Session.execute(sa.select(crowd_tag.c.user_id).where(
        crowd_tag.c.package_id == pkg.id, crowd_tag.c.tag == tag,
        crowd_tag.c.state == "active")).scalars())
    events.tag_promoted.send(tag, package_id=pkg.id, user_id=actor_id, givers=givers)
    return toolkit.get_action("package_show")(toolkit.fresh_context(context), {"id": pkg.id})


def _datasets_with(tag: str) -> list[str]:
    return list(model.Session.execute(
        sa.select(crowd_tag.c.package_id).where(crowd_tag.c.tag == tag).distinct()
    ).scalars())


@writes(schema.tag_block_schema)
def crowdsource_tag_block(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Block a tag site-wide (sysadmins): it cannot be added anywhere and
    leaves every tag list, cloud and the search index. Readers' rows are kept,
    so unblocking brings them back. Blocking a blocked tag changes its reason.

    :param tag: the tag
    :type tag: string
    :param reason: why (optional)
    :type reason: string

    :returns: the block: ``{"tag", "reason", "created"}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_tag_block", context, data_dict)
    tag, reason = data_dict["tag"], data_dict.get("reason", "")
    actor_id = current_user_id(context)
    row = model.Session.execute(
        insert(blocked_tag).values(tag=tag, actor_id=actor_id, reason=reason)
        .on_conflict_do_update(index_elements=["tag"], set_={"reason": reason})
        .returning(blocked_tag.c.tag, blocked_tag.c.reason, blocked_tag.c.created)
    ).one()
    moderation.record("tag", tag, "block", actor_id, reason)
    reindex.later(*_datasets_with(tag))
    return _block_dict(row)


@writes(schema.tag_block_schema)
def crowdsource_tag_unblock(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Lift a site-wide block (sysadmins).

    :param tag: the tag
    :type tag: string
    :param reason: why (optional)
    :type reason: string

    :returns: the block it lifted: ``{"tag", "reason", "created"}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_tag_unblock", context, data_dict)
    tag = data_dict["tag"]
    row = model.Session.execute(
        sa.delete(blocked_tag).where(blocked_tag.c.tag == tag)
        .returning(blocked_tag.c.tag, blocked_tag.c.reason, blocked_tag.c.created)
    ).first()
    if row is None:
        raise toolkit.ObjectNotFound(toolkit._("This tag is not blocked"))
    moderation.record("tag", tag, "unblock", current_user_id(context), data_dict.get("reason", ""))
    reindex.later(*_datasets_with(tag))
    return _block_dict(row)


@reads(schema.tag_block_list_schema)
def crowdsource_tag_block_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The blocked tags, newest first (sysadmins).

    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count", "results": [{"tag", "reason", "created"}, ...]}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_tag_block_list", context, data_dict)
    limit, offset = page_bounds(data_dict)
    total = model.Session.execute(
        sa.select(sa.func.count()).select_from(blocked_tag)).scalar_one()
    rows = model.Session.execute(
        sa.select(blocked_tag).order_by(blocked_tag.c.created.desc(), blocked_tag.c.tag)
        .limit(limit).offset(offset)
    ).all()
    return listed(total, [_block_dict(r) for r in rows])


def purge_dataset(package_id: str) -> None:
    """Its reader tags go with a purged dataset (their flags: moderation's purge)."""
    model.Session.execute(sa.delete(crowd_tag).where(crowd_tag.c.package_id == package_id))


def get_actions() -> dict[str, Any]:
    return {
        "crowdsource_tag_add": crowdsource_tag_add,
        "crowdsource_tag_remove": crowdsource_tag_remove,
        "crowdsource_tag_list": crowdsource_tag_list,
        "crowdsource_tag_cloud": crowdsource_tag_cloud,
        "crowdsource_tag_datasets": crowdsource_tag_datasets,
        "crowdsource_tag_hide": crowdsource_tag_hide,
        "crowdsource_tag_restore": crowdsource_tag_restore,
        "crowdsource_tag_block": crowdsource_tag_block,
        "crowdsource_tag_unblock": crowdsource_tag_unblock,
        "crowdsource_tag_block_list": crowdsource_tag_block_list,
        "crowdsource_tag_promote": crowdsource_tag_promote,
    }
