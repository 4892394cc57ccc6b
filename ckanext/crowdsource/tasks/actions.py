"""Actions on tasks: post one or many, edit, cancel, show, list, take the next.

Task actions take the task as ``id`` (the dataset as ``package_id``) and
return the task, as ``crowdsource_task_show`` gives it; ``crowdsource_task_next``
returns the claim it made.
"""
from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict

from ckanext.crowdsource import events
from ckanext.crowdsource.common import communities, config, reindex
from ckanext.crowdsource.common.action import reads, writes
from ckanext.crowdsource.common.cache import cached
from ckanext.crowdsource.common.db import dataset_or_404, group_id, organization_id
from ckanext.crowdsource.common.pagination import listed, page_bounds
from ckanext.crowdsource.common.roles import (
    can_see_dataset,
    current_user_id,
    people,
    staff_org_ids,
    visibility_key,
    visible_datasets,
)

from . import core, schema
from .model import claim, task

TEMPLATE_FIELDS = ("kind", "title", "instructions", "capacity", "reward_points",
                   "claim_ttl_hours", "due", "community_id", "members_first_hours",
                   "community_review", "target_field")
COMMUNITY_ONLY = ("members_first_hours", "community_review")  # fields of a community's task


def _community(id_or_name: str) -> str:
    """The id of the active community named by its group's id or name, or a
    ``ValidationError`` naming ``community_id``."""
    found = communities.live_community(id_or_name)
    if found is None:
        raise toolkit.ValidationError({"community_id": [toolkit._(
            "No such community: a task can be meant for an active subject community only")]})
    return found.id


def _community_fields(values: dict[str, Any], current: Any = None) -> None:
    """Check (and complete) the community fields of a task's new values;
    ``current``: the task's row, for an update."""
    if "community_id" in values:
        if values["community_id"]:
            values["community_id"] = _community(values["community_id"])
        else:  # "": the task is for everyone again
            values.update(community_id=None, members_first_hours=None, community_review=False)
            return
    target = values.get("community_id", current.community_id if current is not None else None)
    if not target:
        for key in COMMUNITY_ONLY:
            if values.get(key):
                raise toolkit.ValidationError({key: [toolkit._(
                    "Only a task meant for a community has this: give community_id")]})


def _template(data_dict: DataDict, current: Any = None) -> dict[str, Any]:
    """The task's own fields from validated input, with the defaults."""
    values = {k: data_dict[k] for k in TEMPLATE_FIELDS if k in data_dict}
    values.setdefault("claim_ttl_hours", config.claim_ttl_hours())
    _community_fields(values, current)
    if values.get("target_field") and values.get("kind") not in (None, "describe",
                                                                  "transcribe", "translate"):
        raise toolkit.ValidationError(
            {"target_field": [toolkit._("Only text tasks have a target field")]})
    return values


def _row(context: Context, package_id: str, resource_id: str | None,
         values: dict[str, Any]) -> dict[str, Any]:
    """A new task's row: ``values`` on the dataset (and resource), by the caller."""
    return {"id": str(uuid.uuid4()), "package_id": package_id, "resource_id": resource_id,
            "created_by": current_user_id(context), **values}


@writes(schema.task_create_schema)
def crowdsource_task_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Post a task on a dataset (staff of its organization).

    :param package_id: the id or name of the dataset
    :type package_id: string
    :param resource_id: a resource of the dataset the task is about (optional)
    :type resource_id: string
    :param kind: ``tag``, ``describe``, ``transcribe``, ``translate``,
        ``review``, ``verify`` or ``other``
    :type kind: string
    :param title: what to do, in one line
    :type title: string
    :param instructions: how, in markdown (optional)
    :type instructions: string
    :param capacity: how many accepted contributions the task needs (default 1)
    :type capacity: int
    :param reward_points: points for each accepted contribution (default 0)
    :type reward_points: int
    :param claim_ttl_hours: how long a claim holds its slot (default
        ``ckanext.crowdsource.tasks.claim_ttl_hours``)
    :type claim_ttl_hours: int
    :param due: the date the library needs it by, ISO 8601 (optional)
    :type due: string
    :param community_id: the subject community it is meant for, by its
        group's id or name: only the community's members may claim it
        (optional; a group that is not an active community is refused)
    :type community_id: string
    :param members_first_hours: with ``community_id``: the community's
        members alone may claim it for this many hours after it is posted,
        then everyone (optional; 0 or none: its members alone, always)
    :type members_first_hours: int
    :param community_review: with ``community_id``: the community's
        moderators and owners may review and apply its claims too (optional,
        default false)
    :type community_review: bool
    :param target_field: for text tasks, where the text goes: ``notes``
        (default), ``title``, ``resource.description`` or ``resource.name``
    :type target_field: string

    :returns: the task, as ``crowdsource_task_show`` gives it
    :rtype: dictionary
    """
    pkg = dataset_or_404(data_dict["package_id"])
    toolkit.check_access("crowdsource_task_create", context, {"package_id": pkg.id})
    resource_id = data_dict.get("resource_id")
    if resource_id:
        res = model.Resource.get(resource_id)
        if res is None or res.state != "active" or res.package_id != pkg.id:
            raise toolkit.ValidationError(
                {"resource_id": [toolkit._("This resource is not part of that dataset")]})
        resource_id = res.id
    values = _template(data_dict)
    if str(values.get("target_field", "")).startswith("resource.") and not resource_id:
        raise toolkit.ValidationError(
            {"target_field": [toolkit._("This task is not about a resource")]})
    row = _row(context, pkg.id, resource_id, values)
    model.Session.execute(task.insert().values(**row))
    core.changed()
    reindex.later(pkg.id)
    events.task_created.send(row["id"], task_id=row["id"], package_id=pkg.id,
                             user_id=current_user_id(context),
                             community_id=row.get("community_id"), title=row.get("title"))
    return crowdsource_task_show(toolkit.fresh_context(context), {"id": row["id"]})


def _bulk_datasets(context: Context, data_dict: DataDict) -> list[tuple[str, Any]]:
    """(asked for, dataset or None) for each dataset the call names, looked
    up by id or name in one query."""
    limit = config.bulk_max()
    if data_dict.get("package_ids"):
        field, asked = "package_ids", list(data_dict["package_ids"])
    elif data_dict.get("q") or data_dict.get("fq"):
        field = "q"
        result = toolkit.get_action("package_search")(toolkit.fresh_context(context), {
            "q": data_dict.get("q", ""), "fq": data_dict.get("fq", ""),
            "include_private": True, "rows": limit + 1, "fl": "id"})
        asked = [r["id"] for r in result["results"]]
    else:
        raise toolkit.ValidationError(
            {"package_ids": [toolkit._("Give package_ids, or a search (q, fq)")]})
    if len(asked) > limit:
        raise toolkit.ValidationError({field: [toolkit._(
            "At most {max} datasets at once").format(max=limit)]})
    pkg = model.Package
    found = model.Session.query(pkg).filter(sa.or_(pkg.id.in_(asked), pkg.name.in_(asked)))
    by_ref = {ref: p for p in found for ref in (p.name, p.id)}
    return [(ref, by_ref.get(ref)) for ref in asked]


@writes(schema.task_create_bulk_schema)
def crowdsource_task_create_bulk(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Post one task on each of many datasets (staff), all or none: named by
    ``package_ids`` or found by a search (``q``, ``fq``, as ``package_search``
    takes them, up to ``ckanext.crowdsource.tasks.bulk_max``). Datasets the
    caller may not manage are skipped and reported; a dataset named twice
    gets one task.

    :param package_ids: ids or names of datasets (optional)
    :type package_ids: list of strings
    :param q: a search query (optional)
    :type q: string
    :param fq: a search filter (optional)
    :type fq: string
    :param kind: ``tag``, ``describe``, ``transcribe``, ``translate``,
        ``review``, ``verify`` or ``other``
    :type kind: string
    :param title: what to do, in one line
    :type title: string
    :param instructions: how, in markdown (optional)
    :type instructions: string
    :param capacity: how many accepted contributions the task needs (default 1)
    :type capacity: int
    :param reward_points: points for each accepted contribution (default 0)
    :type reward_points: int
    :param claim_ttl_hours: how long a claim holds its slot (default
        ``ckanext.crowdsource.tasks.claim_ttl_hours``)
    :type claim_ttl_hours: int
    :param due: the date the library needs it by, ISO 8601 (optional)
    :type due: string
    :param community_id: the subject community it is meant for, by its
        group's id or name: only the community's members may claim it
        (optional; a group that is not an active community is refused)
    :type community_id: string
    :param members_first_hours: with ``community_id``: the community's
        members alone may claim it for this many hours after it is posted,
        then everyone (optional; 0 or none: its members alone, always)
    :type members_first_hours: int
    :param community_review: with ``community_id``: the community's
        moderators and owners may review and apply its claims too (optional,
        default false)
    :type community_review: bool
    :param target_field: for text tasks, where the text goes: ``notes``
        (default), ``title``, ``resource.description`` or ``resource.name``
    :type target_field: string

    :returns: ``{"count": how many tasks were posted, "results": [the tasks,
        as crowdsource_task_show gives them, without claims], "skipped":
        [{"id": the dataset as asked for, "reason"}, ...]}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_task_create_bulk", context, data_dict)
    values = _template(data_dict)
    if str(values.get("target_field", "")).startswith("resource."):
        raise toolkit.ValidationError(
            {"target_field": [toolkit._("This task is not about a resource")]})
    orgs = staff_org_ids(context)  # as crowdsource_task_create: staff of the dataset's org
    skipped, rows = [], {}
    for asked, pkg in _bulk_datasets(context, data_dict):
        if pkg is None or pkg.state != "active":
            skipped.append({"id": asked, "reason": toolkit._("Dataset not found")})
        elif orgs is not None and pkg.owner_org not in orgs:
            skipped.append({"id": asked, "reason": toolkit._(
                "You cannot post tasks on this dataset") if can_see_dataset(context, pkg.id)
                else toolkit._("Dataset not found")})
        elif pkg.id not in rows:
            rows[pkg.id] = _row(context, pkg.id, None, values)
    if rows:
        model.Session.execute(task.insert(), list(rows.values()))
        core.changed()
        reindex.later(*rows)
    me = current_user_id(context)
    for package_id, row in rows.items():
        events.task_created.send(row["id"], task_id=row["id"], package_id=package_id,
                                 user_id=me, community_id=row.get("community_id"),
                                 title=row.get("title"))
    posted = core.task_rows([r["id"] for r in rows.values()])
    names = people({me})
    return listed(len(posted), [core.task_dict(r, names=names) for r in posted],
                  skipped=skipped)


@writes(schema.task_update_schema)
def crowdsource_task_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change an open task (staff); a closed one is refused with ``state``.
    Its kind stays; its capacity cannot go below the slots in use.

    :param id: the task's id
    :type id: string
    :param title: what to do, in one line (optional)
    :type title: string
    :param instructions: how, in markdown (optional)
    :type instructions: string
    :param capacity: how many accepted contributions the task needs; at least
        the slots in use (optional)
    :type capacity: int
    :param reward_points: points for each accepted contribution (optional)
    :type reward_points: int
    :param claim_ttl_hours: how long a new claim holds its slot (optional)
    :type claim_ttl_hours: int
    :param due: the date the library needs it by, ISO 8601 (optional)
    :type due: string
    :param community_id: the subject community it is meant for, by its
        group's id or name; ``""`` makes it a task for everyone again
        (optional)
    :type community_id: string
    :param members_first_hours: the hours after the task was posted when its
        community's members alone may claim it (optional; 0: always)
    :type members_first_hours: int
    :param community_review: whether the community's moderators and owners
        may review and apply its claims (optional)
    :type community_review: bool
    :param target_field: for text tasks, where the text goes: ``notes``,
        ``title``, ``resource.description`` or ``resource.name`` (optional)
    :type target_field: string

    :returns: the task, as ``crowdsource_task_show`` gives it
    :rtype: dictionary
    """
    row, expired = core.open_task_for(context, data_dict["id"], "crowdsource_task_update")
    values = _template({"kind": row.kind, **data_dict}, row)
    values.pop("kind")
    if "claim_ttl_hours" not in data_dict:
        values.pop("claim_ttl_hours")
    used = row.slots_used - len(expired)
    least = max(used, row.accepted + 1)
    if values.get("capacity") is not None and values["capacity"] < least:
        raise toolkit.ValidationError({"capacity": [toolkit._(
            "Must be at least {n}: that many slots are in use").format(n=least)]})
    if str(values.get("target_field", "")).startswith("resource.") and not row.resource_id:
        raise toolkit.ValidationError(
            {"target_field": [toolkit._("This task is not about a resource")]})
    model.Session.execute(sa.update(task).where(task.c.id == row.id)
                          .values(modified=sa.func.now(), **values))
    core.changed()
    core.send_expired(expired, row.package_id)
    events.task_updated.send(row.id, task_id=row.id, package_id=row.package_id,
                             user_id=current_user_id(context))
    return crowdsource_task_show(toolkit.fresh_context(context), {"id": row.id})


@writes(schema.id_reason_schema)
def crowdsource_task_cancel(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Cancel an open task (staff); its live claims are released with the
    reason. A closed task is refused with ``state``.

    :param id: the task's id
    :type id: string
    :param reason: why (optional; the readers holding claims see it)
    :type reason: string

    :returns: the task, as ``crowdsource_task_show`` gives it
    :rtype: dictionary
    """
    row, expired = core.open_task_for(context, data_dict["id"], "crowdsource_task_cancel")
    reason = data_dict.get("reason") or toolkit._("The library cancelled the task")
    released = core.release_live(row.id, reason)
    model.Session.execute(sa.update(task).where(task.c.id == row.id).values(
        state="cancelled", state_reason=reason, modified=sa.func.now()))
    core.changed()
    reindex.later(row.package_id)
    actor = current_user_id(context)
    core.send_expired(expired, row.package_id)
    for r in released:
        events.claim_released.send(r.id, task_id=row.id, package_id=row.package_id,
                                   user_id=actor, reader_id=r.user_id, reason=reason)
    events.task_cancelled.send(row.id, task_id=row.id, package_id=row.package_id,
                               user_id=actor)
    return crowdsource_task_show(toolkit.fresh_context(context), {"id": row.id})


@reads(schema.id_schema)
def crowdsource_task_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A task. Everyone who can see its dataset sees the task and how many
    claims it has in each state; staff also see the claims, and a reader
    their own (``my_claim``).

    :param id: the task's id
    :type id: string

    :returns: ``{"id", "package_id", "package_name", "package_title",
        "resource_id", "community_id", "community_name", "community_title",
        "members_first_hours", "community_review", "members_only" (only the
        community's members may claim it now), "members_only_until" (when
        its members-first window ends, or null), "claimable" (whether the
        caller may claim it now), "kind", "title", "instructions",
        "target_field", "capacity", "reward_points", "claim_ttl_hours", "due",
        "state", "state_reason", "slots_used", "slots_left", "accepted",
        "created_by", "created", "modified", "my_claim", "claim_counts",
        "claims" (staff, and the community's moderators when the task lets
        them review)}``
    :rtype: dictionary
    """
    row = core.task_row(data_dict["id"])
    toolkit.check_access("crowdsource_task_show", context, {"id": row.id})
    row = model.Session.execute(
        sa.select(*core.task_columns(core.open_to(context).label("claimable")))
        .join(model.Package, model.Package.id == task.c.package_id)
        .where(task.c.id == row.id)).one()
    stale = core.stale_counts([row.id]).get(row.id, 0)
    rows = model.Session.execute(
        sa.select(claim).where(claim.c.task_id == row.id)
        .order_by(claim.c.created.desc(), claim.c.id)).all()
    names = people({row.created_by} | {r.user_id for r in rows}
                   | {r.reviewer_id for r in rows})
    me = current_user_id(context)
    mine = next((core.claim_dict(r, names) for r in rows if r.user_id == me), None)
    out = core.task_dict(row, stale, names, mine)
    counts: dict[str, int] = {}
    for r in rows:
        state = core.claim_dict(r, names, full=False)["state"]
        counts[state] = counts.get(state, 0) + 1
    out["claim_counts"] = counts
    if core.reviews(context, row):
        out["claims"] = [core.claim_dict(r, names) for r in rows]
    return out


@reads(schema.task_list_schema)
def crowdsource_task_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The task board: tasks on datasets the caller can see, open ones unless
    ``state`` says otherwise; newest first, or by due date.

    :param package_id: the tasks of one dataset (id or name, optional)
    :type package_id: string
    :param organization: the tasks of one organization (name or id, optional)
    :type organization: string
    :param community_id: the tasks meant for a community (optional)
    :type community_id: string
    :param kind: one kind of task (optional)
    :type kind: string
    :param state: ``open`` (default), ``completed`` or ``cancelled``
    :type state: string
    :param free: only tasks with a free slot (optional)
    :type free: bool
    :param due_within_days: only tasks due within this many days (optional)
    :type due_within_days: int
    :param sort: ``newest`` (default) or ``due`` (soonest first)
    :type sort: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count": total, "results": [tasks as crowdsource_task_show
        gives them, without claim counts and claims]}``: ``claimable`` tells
        the caller whether they may claim each task now, ``members_only`` and
        ``members_only_until`` whether it waits for its community's members
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_task_list", context, data_dict)
    limit, offset = page_bounds(data_dict)
    where = [task.c.state == data_dict.get("state", "open"),
             task.c.package_id.in_(visible_datasets(context))]
    if data_dict.get("package_id"):
        where.append(task.c.package_id == dataset_or_404(data_dict["package_id"]).id)
    if data_dict.get("organization"):
        where.append(model.Package.owner_org == organization_id(data_dict["organization"]))
    if data_dict.get("community_id"):
        where.append(task.c.community_id == group_id(data_dict["community_id"]))
    if data_dict.get("kind"):
        where.append(task.c.kind == data_dict["kind"])
    if data_dict.get("free"):
        stale = sa.exists().where(claim.c.task_id == task.c.id, claim.c.state == "claimed",
                                  claim.c.expires_at <= sa.func.now())
        where.append(sa.or_(task.c.slots_used < task.c.capacity, stale))
    if data_dict.get("due_within_days") is not None:
        where.append(task.c.due <= core.now() + timedelta(days=data_dict["due_within_days"]))
    order = ([task.c.due.asc().nulls_last(), task.c.created.desc()]
             if data_dict.get("sort") == "due" else [task.c.created.desc()])
    joined = task.join(model.Package, model.Package.id == task.c.package_id)
    rows = model.Session.execute(
        sa.select(*core.task_columns(core.open_to(context).label("claimable")))
        .select_from(joined).where(*where).order_by(*order, task.c.id)
        .limit(limit).offset(offset)).all()

    def count() -> int:
        return model.Session.execute(
            sa.select(sa.func.count()).select_from(joined).where(*where)).scalar_one()

    # the same for everyone who sees the same datasets, until a task changes
    filters = {k: v for k, v in data_dict.items() if k not in ("limit", "offset", "sort")}
    total = cached(core.COUNT_CACHE, [visibility_key(context), filters],
                   config.count_cache_seconds(), count)
    ids = [r.id for r in rows]
    stale_by_task = core.stale_counts(ids)
    mine = core.claim_summaries(current_user_id(context), ids)
    names = people({r.created_by for r in rows})
    return listed(total, [core.task_dict(r, stale_by_task.get(r.id, 0), names, mine.get(r.id))
                          for r in rows])


@writes(schema.task_next_schema)
def crowdsource_task_next(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Claim the next open task with a free slot that the caller has not
    claimed before and may claim (a community's task only for its members,
    or for everyone once its members-first window is over; soonest due
    first, then oldest), optionally of one organization, community or kind.
    Readers asking at the same time get different tasks.

    :param organization: name or id (optional)
    :type organization: string
    :param community_id: a community (group) id or name (optional)
    :type community_id: string
    :param kind: one kind of task (optional)
    :type kind: string

    :returns: the claim it made, with its task, as ``crowdsource_claim_show``
        gives it (the task's id is ``task_id``); ``ObjectNotFound`` when no
        task is waiting
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_task_next", context, data_dict)
    me = current_user_id(context)
    core.user_lock(me)
    where = [task.c.state == "open", task.c.slots_used < task.c.capacity,
             task.c.package_id.in_(visible_datasets(context)), core.open_to(context),
             ~sa.exists().where(claim.c.task_id == task.c.id, claim.c.user_id == me)]
    if data_dict.get("organization"):
        where.append(task.c.package_id.in_(sa.select(model.Package.id).where(
            model.Package.owner_org == organization_id(data_dict["organization"]))))
    if data_dict.get("community_id"):
        where.append(task.c.community_id == group_id(data_dict["community_id"]))
    if data_dict.get("kind"):
        where.append(task.c.kind == data_dict["kind"])
    # tasks another reader is claiming right now are skipped, not waited for
    task_id = model.Session.execute(
        sa.select(task.c.id).where(*where)
        .order_by(task.c.due.asc().nulls_last(), task.c.created, task.c.id)
        .limit(1).with_for_update(skip_locked=True)).scalar()
    if task_id is None:
        raise toolkit.ObjectNotFound(toolkit._("No task is waiting for you just now"))
    row = core.task_row(task_id, lock=True)
    claim_id, expired = core.take_slot(context, row)
    core.send_expired(expired, row.package_id)
    events.claim_claimed.send(claim_id, task_id=row.id, package_id=row.package_id, user_id=me)
    return core.claim_returned(claim_id)


def purge_dataset(package_id: str) -> None:
    """Its tasks and their claims go with a purged dataset."""
    tasks = sa.select(task.c.id).where(task.c.package_id == package_id)
    model.Session.execute(sa.delete(claim).where(claim.c.task_id.in_(tasks)))
    model.Session.execute(sa.delete(task).where(task.c.package_id == package_id))
    core.changed()


def unlink_community(sender: str, **kwargs: Any) -> None:
    """``community_purged`` receiver: the purged community's tasks stay,
    for everyone now (no commit: the purge's receiver commits)."""
    model.Session.execute(
        sa.update(task).where(task.c.community_id == kwargs["community_id"])
        .values(community_id=None, members_first_hours=None, community_review=False,
                modified=sa.func.now()))
    core.changed()


def get_actions() -> dict[str, Any]:
    return {
        "crowdsource_task_create": crowdsource_task_create,
        "crowdsource_task_create_bulk": crowdsource_task_create_bulk,
        "crowdsource_task_update": crowdsource_task_update,
        "crowdsource_task_cancel": crowdsource_task_cancel,
        "crowdsource_task_show": crowdsource_task_show,
        "crowdsource_task_list": crowdsource_task_list,
        "crowdsource_task_next": crowdsource_task_next,
    }
