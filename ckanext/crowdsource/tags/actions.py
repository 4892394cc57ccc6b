"""Actions for reader tags: add, remove, list."""
from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.lib import search
from ckan.plugins import toolkit
from ckan.types import Context, DataDict
from sqlalchemy.dialects.postgresql import insert

from ckanext.crowdsource import events
from ckanext.crowdsource.common.cache import cached
from ckanext.crowdsource.common.db import dataset_or_404
from ckanext.crowdsource.common.pagination import page_bounds, page_schema
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


@toolkit.validate(schema.tag_add_schema)
def crowdsource_tag_add(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Add reader tags to a dataset, as the calling user.

    Tags are normalised (NFKC, trimmed, white space collapsed, case-folded).
    Adding a tag the user already gave is not an error. A user may give at
    most ``ckanext.crowdsource.tags.per_user_limit`` tags to one dataset.

    :param id: the id or name of the dataset
    :type id: string
    :param tag: the tags: one string (commas separate tags) or a list of strings
    :type tag: string or list of strings

    :returns: the dataset's reader tags, as ``crowdsource_tag_list`` gives them
    :rtype: list of dictionaries
    """
    pkg = dataset_or_404(data_dict["id"])
    toolkit.check_access("crowdsource_tag_add", context, {"id": pkg.id})
    user_id = current_user_id(context)
    mine = set(
        model.Session.execute(
            sa.select(crowd_tag.c.tag).where(
                crowd_tag.c.package_id == pkg.id, crowd_tag.c.user_id == user_id
            )
        ).scalars()
    )
    blocked = set(model.Session.execute(
        sa.select(blocked_tag.c.tag).where(blocked_tag.c.tag.in_(data_dict["tag"]))
    ).scalars())
    if blocked:
        raise toolkit.ValidationError({"tag": [
            toolkit._("This tag cannot be used: {tag}").format(tag=", ".join(sorted(blocked)))
        ]})
    new = [t for t in data_dict["tag"] if t not in mine]
    limit = toolkit.config.get("ckanext.crowdsource.tags.per_user_limit")
    if len(mine) + len(new) > limit:
        raise toolkit.ValidationError(
            {"tag": [toolkit._("You can give at most {limit} tags to one dataset").format(
                limit=limit)]}
        )
    if new:
        model.Session.execute(
            insert(crowd_tag)
            .values([{"id": str(uuid.uuid4()), "package_id": pkg.id, "user_id": user_id,
                      "tag": t} for t in new])
            .on_conflict_do_nothing(constraint="crowdsource_tag_unique")
        )
        model.Session.commit()
        search.rebuild(pkg.id)
        for tag in new:
            events.tag_added.send(tag, package_id=pkg.id, user_id=user_id)
    return crowdsource_tag_list(toolkit.fresh_context(context), {"id": pkg.id})


@toolkit.validate(schema.tag_remove_schema)
def crowdsource_tag_remove(context: Context, data_dict: DataDict) -> None:
    """Remove a reader tag the calling user gave to a dataset.

    :param id: the id or name of the dataset
    :type id: string
    :param tag: the tag (normalised like when it was added)
    :type tag: string
    """
    pkg = dataset_or_404(data_dict["id"])
    toolkit.check_access("crowdsource_tag_remove", context, {"id": pkg.id})
    user_id = current_user_id(context)
    deleted = model.Session.execute(
        sa.delete(crowd_tag).where(
            crowd_tag.c.package_id == pkg.id,
            crowd_tag.c.user_id == user_id,
            crowd_tag.c.tag == data_dict["tag"],
        )
    ).rowcount
    if not deleted:
        model.Session.rollback()
        raise toolkit.ObjectNotFound(toolkit._("You have not given this tag to this dataset"))
    model.Session.commit()
    search.rebuild(pkg.id)
    events.tag_removed.send(data_dict["tag"], package_id=pkg.id, user_id=user_id)


@toolkit.side_effect_free
@toolkit.validate(schema.tag_list_schema)
def crowdsource_tag_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The reader tags of a dataset: each tag with how many readers gave it.

    Most-given first, then alphabetical. ``mine`` marks the tags the calling
    user gave. Hidden tags are listed, with ``hidden`` and the ``reason``,
    only to staff of the dataset's organization and to the readers who gave
    them; blocked tags are not listed.

    :param id: the id or name of the dataset
    :type id: string

    :returns: ``[{"tag": ..., "count": ..., "mine": ...}, ...]``
    :rtype: list of dictionaries
    """
    pkg = dataset_or_404(data_dict["id"])
    toolkit.check_access("crowdsource_tag_list", context, {"id": pkg.id})
    user_id = current_user_id(context)
    visible = crowd_tag.c.state == "active"
    if is_staff_for(context, pkg.owner_org):
        visible = sa.true()
    elif user_id:
        visible = sa.or_(visible, crowd_tag.c.user_id == user_id)
    count = sa.func.count().label("count")
    rows = model.Session.execute(
        sa.select(
            crowd_tag.c.tag, count,
            sa.func.bool_or(crowd_tag.c.user_id == user_id).label("mine"),
            sa.func.bool_or(crowd_tag.c.state == "hidden").label("hidden"),
            sa.func.max(crowd_tag.c.moderation_reason).label("reason"),
        )
        .where(crowd_tag.c.package_id == pkg.id, visible,
               crowd_tag.c.tag.not_in(sa.select(blocked_tag.c.tag)))
        .group_by(crowd_tag.c.tag)
        .order_by(count.desc(), crowd_tag.c.tag)
    ).all()
    out = []
    for r in rows:
        item = {"tag": r.tag, "count": r.count, "mine": bool(r.mine)}
        if r.hidden:
            item.update(hidden=True, reason=r.reason or "")
        out.append(item)
    return out


def _search(context: Context, **params: Any) -> dict[str, Any]:
    """``package_search`` as the calling user: CKAN's permission labels keep
    private datasets, and so their reader tags, from those who cannot see them."""
    return toolkit.get_action("package_search")(
        toolkit.fresh_context(context), {"include_private": True, **params}
    )


@toolkit.side_effect_free
@toolkit.validate(schema.tag_cloud_schema)
def crowdsource_tag_cloud(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The most used reader tags, site-wide or in one organization.

    ``count`` is the number of datasets the caller can see that readers gave
    the tag. Hidden and blocked tags are not counted. Clouds are kept in Redis
    for ``ckanext.crowdsource.tags.cloud_cache_seconds``, per set of datasets
    a user can see, and dropped whenever any dataset is indexed or deleted.

    :param organization: the name of an organization (optional)
    :type organization: string
    :param limit: how many tags (optional, default and maximum from the
        ``ckanext.crowdsource.common.list_limit_*`` options)
    :type limit: int

    :returns: ``[{"tag": ..., "count": ...}, ...]``, most used first
    :rtype: list of dictionaries
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
    seconds = toolkit.config.get("ckanext.crowdsource.tags.cloud_cache_seconds")
    return cached(CLOUD_CACHE, [visibility, fq, limit], seconds, compute)


@toolkit.side_effect_free
@toolkit.validate(schema.tag_datasets_schema)
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
    return {"count": found["count"], "results": found["results"]}


def _set_state(context: Context, data_dict: DataDict, hidden: bool, action: str) -> None:
    pkg = dataset_or_404(data_dict["id"])
    toolkit.check_access(f"crowdsource_tag_{action}", context, {"id": pkg.id})
    item = moderation.locate("tag", item_id(pkg.id, data_dict["tag"]))
    moderation.decide(item, hidden, action, current_user_id(context), data_dict.get("reason", ""))


@toolkit.validate(schema.tag_moderate_schema)
def crowdsource_tag_hide(context: Context, data_dict: DataDict) -> None:
    """Hide a reader tag on a dataset (staff of its organization).

    The tag leaves the dataset's public tag list, the clouds and the search
    index; the readers who gave it still see it, marked hidden, with the
    reason. The decision is written to the moderation log.

    :param id: the id or name of the dataset
    :type id: string
    :param tag: the reader tag
    :type tag: string
    :param reason: why (optional, shown to the readers who gave it)
    :type reason: string
    """
    _set_state(context, data_dict, True, "hide")


@toolkit.validate(schema.tag_moderate_schema)
def crowdsource_tag_restore(context: Context, data_dict: DataDict) -> None:
    """Show a hidden reader tag on a dataset again (staff of its organization).

    :param id: the id or name of the dataset
    :type id: string
    :param tag: the reader tag
    :type tag: string
    :param reason: why (optional)
    :type reason: string
    """
    _set_state(context, data_dict, False, "restore")


@toolkit.validate(schema.tag_moderate_schema)
def crowdsource_tag_promote(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Make a reader tag one of the dataset's official tags (staff of its
    organization), through ``package_patch``. The promotion is written to the
    moderation log; the readers' tags stay as they are.

    :param id: the id or name of the dataset
    :type id: string
    :param tag: the reader tag
    :type tag: string
    :param reason: why (optional)
    :type reason: string

    :returns: the updated dataset, as ``package_show`` gives it
    :rtype: dictionary
    """
    pkg = dataset_or_404(data_dict["id"])
    toolkit.check_access("crowdsource_tag_promote", context, {"id": pkg.id})
    tag = data_dict["tag"]
    item = moderation.locate("tag", item_id(pkg.id, tag))
    if model.Session.execute(sa.select(blocked_tag.c.tag).where(blocked_tag.c.tag == tag)).first():
        raise toolkit.ValidationError({"tag": [toolkit._("This tag is blocked")]})
    official = [t.name for t in pkg.get_tags()]
    if tag in official:
        raise toolkit.ValidationError({"tag": [toolkit._("This is already an official tag")]})
    actor_id = current_user_id(context)
    # the log entry goes in first, so package_patch's commit writes both or neither
    moderation.record("tag", item.item_id, "promote", actor_id, data_dict.get("reason", ""),
                      package_id=pkg.id, owner_org=pkg.owner_org)
    try:
        toolkit.get_action("package_patch")(toolkit.fresh_context(context), {
            "id": pkg.id, "tags": [{"name": t} for t in official] + [{"name": tag}]})
    except toolkit.ValidationError as e:
        model.Session.rollback()
        errors = e.error_dict.get("tags") or list(e.error_dict.values())
        raise toolkit.ValidationError({"tag": errors}) from None
    events.tag_promoted.send(tag, package_id=pkg.id, user_id=actor_id)
    return toolkit.get_action("package_show")(toolkit.fresh_context(context), {"id": pkg.id})


def _datasets_with(tag: str) -> list[str]:
    return list(model.Session.execute(
        sa.select(crowd_tag.c.package_id).where(crowd_tag.c.tag == tag).distinct()
    ).scalars())


@toolkit.validate(schema.tag_block_schema)
def crowdsource_tag_block(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Block a tag site-wide (sysadmins): it cannot be added anywhere and
    leaves every tag list, cloud and the search index. Readers' rows are kept,
    so unblocking brings them back.

    :param tag: the tag
    :type tag: string
    :param reason: why (optional)
    :type reason: string

    :returns: the block: ``{"tag", "reason"}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_tag_block", context, data_dict)
    tag, reason = data_dict["tag"], data_dict.get("reason", "")
    actor_id = current_user_id(context)
    model.Session.execute(
        insert(blocked_tag).values(tag=tag, actor_id=actor_id, reason=reason)
        .on_conflict_do_update(index_elements=["tag"], set_={"reason": reason})
    )
    moderation.record("tag", tag, "block", actor_id, reason)
    model.Session.commit()
    for package_id in _datasets_with(tag):
        search.rebuild(package_id)
    return {"tag": tag, "reason": reason}


@toolkit.validate(schema.tag_block_schema)
def crowdsource_tag_unblock(context: Context, data_dict: DataDict) -> None:
    """Lift a site-wide block (sysadmins).

    :param tag: the tag
    :type tag: string
    :param reason: why (optional)
    :type reason: string
    """
    toolkit.check_access("crowdsource_tag_unblock", context, data_dict)
    tag = data_dict["tag"]
    gone = model.Session.execute(sa.delete(blocked_tag).where(blocked_tag.c.tag == tag)).rowcount
    if not gone:
        model.Session.rollback()
        raise toolkit.ObjectNotFound(toolkit._("This tag is not blocked"))
    moderation.record("tag", tag, "unblock", current_user_id(context), data_dict.get("reason", ""))
    model.Session.commit()
    for package_id in _datasets_with(tag):
        search.rebuild(package_id)


@toolkit.side_effect_free
@toolkit.validate(page_schema)
def crowdsource_tag_block_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The blocked tags, newest first (sysadmins).

    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``[{"tag", "reason", "created"}, ...]``
    :rtype: list of dictionaries
    """
    toolkit.check_access("crowdsource_tag_block_list", context, data_dict)
    limit, offset = page_bounds(data_dict)
    rows = model.Session.execute(
        sa.select(blocked_tag).order_by(blocked_tag.c.created.desc(), blocked_tag.c.tag)
        .limit(limit).offset(offset)
    ).all()
    return [{"tag": r.tag, "reason": r.reason, "created": r.created.isoformat()} for r in rows]


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
