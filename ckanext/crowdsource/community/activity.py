"""How active a community has been lately: what its members contributed in
the last :data:`DAYS` days, in one query for a page of communities.

A contribution counts for a community when one of its active members made
it on a dataset of the community's group (CKAN's group membership), or, for
a claim, on a task meant for the community: published posts (comments,
questions, answers), reader tags, and claims. Datasets that only match the
community's subject filter are not counted: that filter is a search query,
not something one SQL query can join on. Only public, active datasets
count, so the figure tells nobody anything about private datasets.

The other capabilities' tables are named here as plain table clauses (no
import of their modules), reading only the columns this needs. Redis keeps
the counts for ``ckanext.crowdsource.common.count_cache_seconds`` under the
name every crowdsource write retires (``cache.DATASET_PAGE``: they change
with the same writes as a dataset page's counts); without Redis they are
computed each time.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from ckan import model

from ckanext.crowdsource.common import config
from ckanext.crowdsource.common.cache import DATASET_PAGE, cached

from .model import member

DAYS = 30

_post = sa.table("crowdsource_post", sa.column("user_id"), sa.column("package_id"),
                 sa.column("state"), sa.column("created"))
_tag = sa.table("crowdsource_tag", sa.column("user_id"), sa.column("package_id"),
                sa.column("state"), sa.column("created"))
_claim = sa.table("crowdsource_claim", sa.column("user_id"), sa.column("task_id"),
                  sa.column("created"))
_task = sa.table("crowdsource_task", sa.column("id"), sa.column("package_id"),
                 sa.column("community_id"))


def _count(community_ids: list[str]) -> dict[str, int]:
    since = datetime.now(timezone.utc) - timedelta(days=DAYS)
    contributions = sa.union_all(
        sa.select(_post.c.user_id, _post.c.package_id,
                  sa.null().label("community_id"))
        .where(_post.c.state == "published", _post.c.created >= since),
        sa.select(_tag.c.user_id, _tag.c.package_id, sa.null())
        .where(_tag.c.state == "active", _tag.c.created >= since),
        sa.select(_claim.c.user_id, _task.c.package_id, _task.c.community_id)
        .join(_task, _task.c.id == _claim.c.task_id)
        .where(_claim.c.created >= since),
    ).subquery("made")
    in_group = sa.exists().where(
        model.Member.group_id == member.c.community_id,
        model.Member.table_name == "package", model.Member.state == "active",
        model.Member.table_id == contributions.c.package_id)
    query = (
        sa.select(member.c.community_id, sa.func.count())
        .select_from(contributions)
        .join(member, sa.and_(member.c.user_id == contributions.c.user_id,
                              member.c.state == "active",
                              member.c.community_id.in_(community_ids)))
        .join(model.Package, sa.and_(model.Package.id == contributions.c.package_id,
                                     model.Package.private.is_(False),
                                     model.Package.state == "active"))
        .where(sa.or_(contributions.c.community_id == member.c.community_id, in_group))
        .group_by(member.c.community_id))
    return {community_id: n for community_id, n in model.Session.execute(query).all()}


def recent(community_ids: list[str]) -> dict[str, int]:
    """Contributions of each community's members in the last :data:`DAYS`
    days (communities with none are left out)."""
    if not community_ids:
        return {}
    ids = sorted(set(community_ids))
    return cached(DATASET_PAGE, ["community_activity", *ids], config.count_cache_seconds(),
                  lambda: _count(ids))
