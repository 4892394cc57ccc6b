"""Actions on claims: claim, extend, keep a draft, release, submit, review,
apply, read; and the sweeper that settles expired claims.

Claim actions take the claim as ``id`` (``crowdsource_task_claim`` takes the
task) and return the claim with its task, as ``crowdsource_claim_show``
gives it. Every change to a task's claims locks the task's row first (see
``core``); a refusal for a state conflict names the condition
(``capacity``, ``state``, ``already_claimed``, ``live_claims``,
``extensions``, ``applied``).
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict

from ckanext.crowdsource import events
from ckanext.crowdsource.common import communities, config, reindex
from ckanext.crowdsource.common.action import inner_context, patch_dataset, reads, writes
from ckanext.crowdsource.common.pagination import listed, page_bounds
from ckanext.crowdsource.common.roles import (
    current_user_id,
    is_staff_for,
    people,
    staff_org_ids,
    visible_datasets,
)

from . import core, results, schema
from .model import claim, task


@writes(schema.id_schema)
def crowdsource_task_claim(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Claim a task with a free slot. The claim holds the slot for the task's
    ``claim_ttl_hours``; a draft left on an earlier claim of the same task
    comes back. A reader holds at most
    ``ckanext.crowdsource.tasks.live_claims_per_reader`` claims at once.
    A task meant for a community is claimed by its active members alone
    (everyone once its ``members_first_hours`` are over): others are refused
    with ``NotAuthorized``, saying which community and until when.
    Refusals: ``capacity`` (no free slot), ``state`` (the task is closed),
    ``already_claimed``, ``live_claims``.

    :param id: the task's id
    :type id: string

    :returns: the claim, as ``crowdsource_claim_show`` gives it
    :rtype: dictionary
    """
    core.task_row(data_dict["id"])
    toolkit.check_access("crowdsource_task_claim", context, {"id": data_dict["id"]})
    me = current_user_id(context)
    core.user_lock(me)
    row = core.task_row(data_dict["id"], lock=True)
    claim_id, expired = core.take_slot(context, row)
    core.send_expired(expired, row.package_id)
    events.claim_claimed.send(claim_id, task_id=row.id, package_id=row.package_id, user_id=me)
    return core.claim_returned(claim_id)


def _locked(context: Context, claim_id: str, action: str) -> tuple[Any, Any, list[Any]]:
    """The claim after its task's row is locked and its claims settled, the
    task, and the claims that expired; access checked for ``action``."""
    first = core.claim_row(claim_id)
    toolkit.check_access(action, context, {"id": claim_id})
    row = core.task_row(first.task_id, lock=True)
    expired = core.settle(row.id)
    return core.claim_row(claim_id), row, expired


def _own_live(row: Any, expired: list[Any], *states: str) -> None:
    if any(e.id == row.id for e in expired) or row.state == "expired":
        raise core.refuse(core.STATE, toolkit._(
            "Your claim has expired: claim the task again to go on"))
    if row.state not in states:
        raise core.refuse(core.STATE, toolkit._("This claim is {state}").format(
            state=row.state))


def _done(context: Context, claim_id: str, task_row: Any, expired: list[Any],
          signal: Any, **extra: Any) -> dict[str, Any]:
    """Send the events, and return the claim."""
    core.send_expired(expired, task_row.package_id)
    if signal is not None:
        signal.send(claim_id, task_id=task_row.id, package_id=task_row.package_id,
                    user_id=current_user_id(context), **extra)
    return core.claim_returned(claim_id)


def _update(claim_id: str, **values: Any) -> None:
    model.Session.execute(sa.update(claim).where(claim.c.id == claim_id)
                          .values(modified=sa.func.now(), **values))


@writes(schema.id_schema)
def crowdsource_claim_extend(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Renew one's claim for the task's ``claim_ttl_hours`` from now, up to
    ``ckanext.crowdsource.tasks.max_extensions`` times (then ``extensions``
    refuses).

    :param id: the claim's id
    :type id: string

    :returns: the claim, as ``crowdsource_claim_show`` gives it
    :rtype: dictionary
    """
    row, task_row, expired = _locked(context, data_dict["id"], "crowdsource_claim_extend")
    _own_live(row, expired, "claimed")
    cap = config.max_extensions()
    if row.extensions >= cap:
        raise core.refuse(core.EXTENSIONS, toolkit._(
            "A claim can be extended {n} times").format(n=cap))
    _update(row.id, extensions=row.extensions + 1,
            expires_at=core.now() + timedelta(hours=task_row.claim_ttl_hours))
    return _done(context, row.id, task_row, expired, events.claim_extended)


@writes(schema.claim_draft_schema)
def crowdsource_claim_save_draft(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Keep unfinished work on one's claim, without submitting it. The draft
    outlives an expired or released claim for
    ``ckanext.crowdsource.tasks.draft_keep_days`` and comes back when the
    reader claims the task again.

    :param id: the claim's id
    :type id: string
    :param draft: the work so far, shaped like a result (any JSON object)
    :type draft: dictionary

    :returns: the claim, as ``crowdsource_claim_show`` gives it
    :rtype: dictionary
    """
    row, task_row, expired = _locked(context, data_dict["id"], "crowdsource_claim_save_draft")
    _own_live(row, expired, "claimed")
    _update(row.id, draft=data_dict["draft"])
    return _done(context, row.id, task_row, expired, None)


@writes(schema.id_reason_schema)
def crowdsource_claim_release(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Give a claimed task back; its slot frees at once.

    :param id: the claim's id
    :type id: string
    :param reason: why (optional)
    :type reason: string

    :returns: the claim, as ``crowdsource_claim_show`` gives it
    :rtype: dictionary
    """
    row, task_row, expired = _locked(context, data_dict["id"], "crowdsource_claim_release")
    _own_live(row, expired, "claimed")
    _update(row.id, state="released", state_reason=data_dict.get("reason"))
    model.Session.execute(sa.update(task).where(task.c.id == task_row.id).values(
        slots_used=task.c.slots_used - 1))
    core.changed()
    return _done(context, row.id, task_row, expired, events.claim_released,
                 reader_id=row.user_id)


@writes(schema.claim_submit_schema)
def crowdsource_claim_submit(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Hand in the work of one's claim for review. Submitting again before
    the review replaces the result (the same result twice changes nothing).

    :param id: the claim's id
    :type id: string
    :param result: by the task's kind: ``tag``: ``{"tags": [...]}``;
        ``describe``, ``transcribe``, ``translate``: ``{"text": markdown,
        "field": optional target}``; ``review``, ``verify``: ``{"verdict":
        "ok" | "problems", "notes": text}``; ``other``: ``{"text": ...}``
    :type result: dictionary

    :returns: the claim, as ``crowdsource_claim_show`` gives it
    :rtype: dictionary
    """
    row, task_row, expired = _locked(context, data_dict["id"], "crowdsource_claim_submit")
    _own_live(row, expired, "claimed", "submitted")
    cleaned = results.validate(task_row.kind, data_dict["result"],
                               bool(task_row.resource_id))
    if row.state == "submitted" and row.result == cleaned:
        return _done(context, row.id, task_row, expired, None)
    _update(row.id, state="submitted", result=cleaned, submitted_at=sa.func.now())
    return _done(context, row.id, task_row, expired, events.claim_submitted)


@writes(schema.claim_review_schema)
def crowdsource_claim_review(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Decide on a submitted claim (staff; the moderators and owners of the
    task's community when the task was posted with ``community_review``;
    never on one's own claim): ``accept``;
    ``reject`` (the slot frees); or ``changes`` (the claim goes back to the
    reader with a new lease and the note). When the accepted claims reach the
    task's capacity the task is completed and its other live claims are
    released. A claim that is not submitted is refused with ``state``.

    :param id: the claim's id
    :type id: string
    :param decision: ``accept``, ``reject`` or ``changes``
    :type decision: string
    :param note: for the reader (needed to reject or ask for changes)
    :type note: string

    :returns: the claim, as ``crowdsource_claim_show`` gives it
    :rtype: dictionary
    """
    row, task_row, expired = _locked(context, data_dict["id"], "crowdsource_claim_review")
    me, decision, note = current_user_id(context), data_dict["decision"], data_dict.get("note")
    if row.user_id == me:
        raise toolkit.NotAuthorized(toolkit._("Nobody reviews their own work"))
    if row.state != "submitted":
        raise core.refuse(core.STATE, toolkit._(
            "Only submitted claims are reviewed; this one is {state}").format(state=row.state))
    if decision != "accept" and not note:
        raise toolkit.ValidationError({"note": [toolkit._("Tell the reader why")]})
    review = {"reviewer_id": me, "review_note": note, "reviewed_at": sa.func.now()}
    released: list[Any] = []
    completed = False
    if decision == "accept":
        _update(row.id, state="accepted", **review)
        accepted = task_row.accepted + 1
        completed = accepted >= task_row.capacity
        model.Session.execute(sa.update(task).where(task.c.id == task_row.id).values(
            accepted=accepted, modified=sa.func.now(),
            **({"state": "completed"} if completed else {})))
        if completed:
            released = core.release_live(task_row.id, toolkit._("The task is complete"))
            reindex.later(task_row.package_id)
        signal = events.claim_accepted
    elif decision == "reject":
        _update(row.id, state="rejected", **review)
        model.Session.execute(sa.update(task).where(task.c.id == task_row.id).values(
            slots_used=task.c.slots_used - 1))
        signal = events.claim_rejected
    else:
        _update(row.id, state="claimed", **review,
                expires_at=core.now() + timedelta(hours=task_row.claim_ttl_hours))
        signal = events.claim_changes_requested
    core.changed()
    out = _done(context, row.id, task_row, expired, signal, reader_id=row.user_id,
                points=task_row.reward_points if decision == "accept" else 0)
    for r in released:
        events.claim_released.send(r.id, task_id=task_row.id, package_id=task_row.package_id,
                                   user_id=me, reader_id=r.user_id)
    if completed:
        events.task_completed.send(task_row.id, task_id=task_row.id,
                                   package_id=task_row.package_id, user_id=me)
    return out


def _add_reader_tags(context: Context, reader: Any, package_id: str, tags: list[str]) -> None:
    """``crowdsource_tag_add`` as the reader, inside this write; what it
    refuses comes under ``result`` (what the tags came from), its error dict
    as it is."""
    ctx = inner_context(context)
    ctx.pop("auth_user_obj", None)
    ctx.update(user=reader.name, ignore_auth=True)
    try:
        toolkit.get_action("crowdsource_tag_add")(ctx, {"package_id": package_id, "tag": tags})
    except toolkit.ValidationError as e:
        raise toolkit.ValidationError({"result": e.error_dict}) from None


def _apply_tags(context: Context, row: Any, task_row: Any, how: str) -> None:
    tags = row.result["tags"]
    if how == "reader_tags":  # credited to the reader who did the work
        reader = model.User.get(row.user_id)
        if reader is None or reader.state == "deleted":
            raise toolkit.ValidationError({"as": [toolkit._(
                "The reader's account is gone: add the tags as official tags")]})
        _add_reader_tags(context, reader, task_row.package_id, tags)
        return
    pkg = toolkit.get_action("package_show")(toolkit.fresh_context(context),
                                             {"id": task_row.package_id})
    official = [t["name"] for t in pkg.get("tags", [])]
    patch_dataset(context, {
        "id": task_row.package_id,
        "tags": [{"name": t} for t in official + [t for t in tags if t not in official]]},
        "result")


def _apply_text(context: Context, row: Any, task_row: Any) -> None:
    field = results.target(task_row.target_field, row.result)
    if not field.startswith("resource."):
        patch_dataset(context, {"id": task_row.package_id, field: row.result["text"]},
                      "result")
        return
    # the resource's field, through the dataset: resource_patch's
    # package_update cannot keep a deferred change (see patch_dataset)
    pkg = toolkit.get_action("package_show")(toolkit.fresh_context(context),
                                             {"id": task_row.package_id})
    resources = [dict(r) for r in pkg.get("resources", [])]
    mine = next((r for r in resources if r["id"] == task_row.resource_id), None)
    if mine is None:
        raise toolkit.ValidationError({"target_field": [toolkit._(
            "This task is not about a resource")]})
    mine[field.split(".", 1)[1]] = row.result["text"]
    patch_dataset(context, {"id": task_row.package_id, "resources": resources}, "result")


@writes(schema.claim_apply_schema)
def crowdsource_claim_apply(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Put an accepted result into the catalogue (staff; the moderators and
    owners of the task's community when the task was posted with
    ``community_review``: the task's staff allowed its result in), once, all
    or nothing: a ``tag`` task's tags as reader tags credited to the reader
    (``reader_tags``, default, through ``crowdsource_tag_add``) or as
    official tags (``official_tags``); a text task's text into its target
    field (``field``) through ``package_patch``. ``crowdsource_claim_show``
    gives staff the diff first. A claim that is not accepted is refused with
    ``state``, one applied before with ``applied``; when the catalogue
    refuses the change, its errors come under ``result``.

    :param id: the claim's id
    :type id: string
    :param as: ``reader_tags``, ``official_tags`` or ``field`` (optional)
    :type as: string

    :returns: the claim, as ``crowdsource_claim_show`` gives it
    :rtype: dictionary
    """
    row, task_row, expired = _locked(context, data_dict["id"], "crowdsource_claim_apply")
    if row.state != "accepted":
        raise core.refuse(core.STATE, toolkit._("Only accepted results are applied"))
    if row.applied_at is not None:
        raise core.refuse(core.APPLIED, toolkit._("This result is applied already"))
    kind = task_row.kind
    how = data_dict.get("as") or ("reader_tags" if kind == "tag" else "field")
    allowed = (("reader_tags", "official_tags") if kind == "tag"
               else ("field",) if kind in results.TEXT_KINDS else ())
    if how not in allowed:
        raise toolkit.ValidationError({"as": [toolkit._(
            "A {kind} task's result cannot be applied this way").format(kind=kind)]})
    _update(row.id, applied_at=sa.func.now(), applied_by=current_user_id(context), applied_as=how)
    # a community's moderator is no editor of the dataset: what the task's
    # staff allowed (its result, into its target) goes in on their authority
    patch_context = context if is_staff_for(context, task_row.owner_org) \
        else {**context, "ignore_auth": True}
    if kind == "tag":
        _apply_tags(patch_context, row, task_row, how)
    else:
        _apply_text(patch_context, row, task_row)
    # (crowdsource_tag_add and patch_dataset queue the dataset's reindex)
    return _done(context, row.id, task_row, expired, events.claim_applied,
                 reader_id=row.user_id, applied_as=how)


@reads(schema.id_schema)
def crowdsource_claim_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A claim, to its reader and to those who review it (staff, and the
    moderators of the task's community when the task lets them), with its
    task. For a text result reviewers also get ``diff``: the target field
    now and with the result, line by line.

    :param id: the claim's id
    :type id: string

    :returns: ``{"id", "task_id", "user", "user_display_name", "state", "state_reason",
        "expires_at", "extensions", "draft", "result", "submitted_at",
        "reviewer", "review_note", "reviewed_at", "applied_at", "applied_as",
        "created", "task": {...}, "diff" (staff, text results)}``
    :rtype: dictionary
    """
    row = core.claim_row(data_dict["id"])
    toolkit.check_access("crowdsource_claim_show", context, {"id": row.id})
    task_row = core.task_row(row.task_id)
    names = people({row.user_id, row.reviewer_id, task_row.created_by})
    out = core.claim_dict(row, names)
    out["task"] = core.task_dict(task_row, core.stale_counts([task_row.id]).get(task_row.id, 0),
                                 names)
    if row.result and task_row.kind in results.TEXT_KINDS and core.reviews(context, task_row):
        pkg = toolkit.get_action("package_show")(toolkit.fresh_context(context),
                                                 {"id": task_row.package_id})
        out.update(results.compare(pkg, task_row.resource_id, task_row.target_field,
                                   row.result))
    return out


@reads(schema.claim_list_schema)
def crowdsource_claim_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Claims: the caller's own, newest first; of one task (staff see all of
    its claims); or, with ``review``, the submitted claims waiting for the
    caller's review (staff: their organizations; sysadmins: all), oldest
    first. With ``community_id`` only the claims of the community's tasks:
    its moderators and owners get its review queue (``review``: the
    claims of its tasks that let them review, on datasets they can see).

    :param task_id: one task's claims (optional)
    :type task_id: string
    :param state: only claims in this state (optional)
    :type state: string
    :param review: the review queue (optional)
    :type review: bool
    :param community_id: only claims of tasks meant for this community (its
        group's id or name, optional)
    :type community_id: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count": total, "results": [claims with their task, ...]}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_claim_list", context, data_dict)
    limit, offset = page_bounds(data_dict)
    me = current_user_id(context)
    joined = (claim.join(task, task.c.id == claim.c.task_id)
              .join(model.Package, model.Package.id == task.c.package_id))
    where: list[Any] = [model.Package.state == "active"]
    order = [claim.c.created.desc(), claim.c.id]
    community_id = None
    if data_dict.get("community_id"):
        found = communities.live_community(data_dict["community_id"])
        if found is None:
            raise toolkit.ObjectNotFound(toolkit._("Community not found"))
        community_id = found.id
        where.append(task.c.community_id == community_id)
    if data_dict.get("review"):
        orgs = staff_org_ids(context)
        where += [claim.c.state == "submitted", claim.c.user_id != me]
        if orgs is not None:
            mine = model.Package.owner_org.in_(orgs)
            if community_id and communities.moderates(community_id, me):
                # and the tasks of their community that let its moderators review
                mine = sa.or_(mine, sa.and_(task.c.community_review.is_(True),
                                            task.c.package_id.in_(visible_datasets(context))))
            where.append(mine)
        order = [claim.c.submitted_at.asc(), claim.c.id]
    elif data_dict.get("task_id"):
        task_row = core.task_row(data_dict["task_id"])
        where.append(claim.c.task_id == task_row.id)
        if not core.reviews(context, task_row):
            where.append(claim.c.user_id == me)
    else:
        where.append(claim.c.user_id == me)
    if data_dict.get("state"):
        where.append(claim.c.state == data_dict["state"])
    rows = model.Session.execute(
        sa.select(claim, sa.func.count().over().label("total"))
        .select_from(joined).where(*where).order_by(*order).limit(limit).offset(offset)).all()
    total = rows[0].total if rows else model.Session.execute(
        sa.select(sa.func.count()).select_from(joined).where(*where)).scalar_one()
    tasks = {r.id: r for r in model.Session.execute(
        sa.select(*core.task_columns())
        .join(model.Package, model.Package.id == task.c.package_id)
        .where(task.c.id.in_({r.task_id for r in rows}))).all()}
    names = people({r.user_id for r in rows} | {r.reviewer_id for r in rows}
                   | {t.created_by for t in tasks.values()})
    return listed(total, [
        {**core.claim_dict(r, names), "task": core.task_dict(tasks[r.task_id], names=names)}
        for r in rows])


@writes(schema.empty_schema, limited=False)
def crowdsource_claims_expire(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Mark every claim past its lease expired and free its slot (sysadmins;
    also ``ckan crowdsource expire-claims`` and its background job). Not
    rate limited: it only settles what time decided.

    :returns: ``{"count": how many claims expired, "results": [{"id",
        "task_id"} of each]}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_claims_expire", context, data_dict)
    expired = core.expire_all()
    return listed(len(expired), [{"id": e.id, "task_id": e.task_id} for e in expired])


def get_actions() -> dict[str, Any]:
    return {
        "crowdsource_task_claim": crowdsource_task_claim,
        "crowdsource_claim_extend": crowdsource_claim_extend,
        "crowdsource_claim_save_draft": crowdsource_claim_save_draft,
        "crowdsource_claim_release": crowdsource_claim_release,
        "crowdsource_claim_submit": crowdsource_claim_submit,
        "crowdsource_claim_review": crowdsource_claim_review,
        "crowdsource_claim_apply": crowdsource_claim_apply,
        "crowdsource_claim_show": crowdsource_claim_show,
        "crowdsource_claim_list": crowdsource_claim_list,
        "crowdsource_claims_expire": crowdsource_claims_expire,
    }
