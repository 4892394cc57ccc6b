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
from ckanext.crowdsource.common.pagination import page_bounds
from ckanext.crowdsource.common.roles import current_user

from . import schema
from .model import crowd_tag

INDEX_FIELD = "vocab_crowd_tags"  # vocab_*: multi-valued string, facetable, copied to text


def dataset_or_404(id_or_name: str) -> model.Package:
    """The dataset named by ``id``, or ``ObjectNotFound``; deleted ones count as missing."""
    pkg = model.Package.get(id_or_name)
    if pkg is None or pkg.state == "deleted":
        raise toolkit.ObjectNotFound(toolkit._("Dataset not found"))
    return pkg


def _user_id(context: Context) -> str | None:
    user = current_user(context)
    return user.id if user else None


def dataset_tags(package_ids: list[str]) -> dict[str, list[str]]:
    """The visible reader tags of each dataset, for the search index."""
    rows = model.Session.execute(
        sa.select(crowd_tag.c.package_id, crowd_tag.c.tag)
        .where(crowd_tag.c.package_id.in_(package_ids), crowd_tag.c.state == "active")
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
    user_id = _user_id(context)
    mine = set(
        model.Session.execute(
            sa.select(crowd_tag.c.tag).where(
                crowd_tag.c.package_id == pkg.id, crowd_tag.c.user_id == user_id
            )
        ).scalars()
    )
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
    user_id = _user_id(context)
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
    user gave.

    :param id: the id or name of the dataset
    :type id: string

    :returns: ``[{"tag": ..., "count": ..., "mine": ...}, ...]``
    :rtype: list of dictionaries
    """
    pkg = dataset_or_404(data_dict["id"])
    toolkit.check_access("crowdsource_tag_list", context, {"id": pkg.id})
    user_id = _user_id(context) or ""
    count = sa.func.count().label("count")
    rows = model.Session.execute(
        sa.select(crowd_tag.c.tag, count,
                  sa.func.bool_or(crowd_tag.c.user_id == user_id).label("mine"))
        .where(crowd_tag.c.package_id == pkg.id, crowd_tag.c.state == "active")
        .group_by(crowd_tag.c.tag)
        .order_by(count.desc(), crowd_tag.c.tag)
    ).all()
    return [{"tag": r.tag, "count": r.count, "mine": bool(r.mine)} for r in rows]


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
    the tag. Hidden and blocked tags are not counted.

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
    facets = _search(context, fq=fq, rows=0, **{
        "facet.field": [INDEX_FIELD], "facet.limit": limit, "facet.mincount": 1,
    })["facets"].get(INDEX_FIELD, {})
    return [{"tag": tag, "count": n}
            for tag, n in sorted(facets.items(), key=lambda item: (-item[1], item[0]))]


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


def get_actions() -> dict[str, Any]:
    return {
        "crowdsource_tag_add": crowdsource_tag_add,
        "crowdsource_tag_remove": crowdsource_tag_remove,
        "crowdsource_tag_list": crowdsource_tag_list,
        "crowdsource_tag_cloud": crowdsource_tag_cloud,
        "crowdsource_tag_datasets": crowdsource_tag_datasets,
    }
