"""Actions on claims: claim, extend, keep a draft, release, submit, review,
apply, read; and the sweeper that settles expired claims.

Every change to a task's claims locks the task's row first, so the slots in
use are counted right across all web workers; a reader's claims on
different tasks are ordered by a transaction-level advisory lock on the
reader, which keeps the per-reader limit exact too.
"""
from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.lib import search
from ckan.plugins import toolkit
from ckan.types import Context, DataDict

from ckanext.crowdsource import events
from ckanext.crowdsource.common.db import atomic
from ckanext.crowdsource.common.pagination import page_bounds
from ckanext.crowdsource.common.roles import (
    current_user_id,
    is_staff_for,
    people,
    staff_org_ids,
)

from . import core, results, schema
from .model import claim, task


def user_lock(user_id: str) -> None:
    """Order this reader's claims across all web workers, until the commit."""
    model.Session.execute(sa.select(sa.func.pg_advisory_xact_lock(
        sa.func.hashtextextended(f"crowdsource-claims:{user_id}", 0))))


def _refuse(message: str) -> toolkit.ValidationError:
    return toolkit.ValidationError({"id": [message]})


def take_slot(context: Context, row: Any) -> tuple[str, list[Any]]:
    """Claim the locked task ``row`` for the caller (not committed): the new
    claim's id, and the claims that expired on the way."""
    me = current_user_id(context)
    expired = core.settle(row.id)
    if row.state != "open":
        raise _refuse(toolkit._("This task is closed"))
    mine = model.Session.execute(
        sa.select(claim.c.id).where(claim.c.task_id == row.id, claim.c.user_id == me,
                                    claim.c.state.in_(("claimed", "submitted", "accepted")))
    ).first()
    if mine is not None:
        raise _refuse(toolkit._("You have claimed this task already"))
    if row.slots_used - len(expired) >= row.capacity:
        raise _refuse(toolkit._("This task has no free slot"))
    limit = toolkit.config.get("ckanext.crowdsource.tasks.live_claims_per_reader")
    live = model.Session.execute(
        sa.select(sa.func.count()).select_from(claim).where(
            claim.c.user_id == me, sa.or_(
                claim.c.state == "submitted",
                sa.and_(claim.c.state == "claimed", claim.c.expires_at > sa.func.now())))
    ).scalar_one()
    if live >= limit:
        raise _refuse(toolkit._(
            "You hold {n} tasks already: finish or release one first").format(n=live))
    keep = toolkit.config.get("ckanext.crowdsource.tasks.draft_keep_days")
    draft = model.Session.execute(
        sa.select(claim.c.draft).where(
            claim.c.task_id == row.id, claim.c.user_id == me, claim.c.draft.is_not(None),
            claim.c.state.in_(("expired", "released")),
            claim.c.modified > core.now() - timedelta(days=keep))
        .order_by(claim.c.modified.desc()).limit(1)).scalar()
    claim_id = str(uuid.uuid4())
    model.Session.execute(claim.insert().values(
        id=claim_id, task_id=row.id, user_id=me, draft=draft,
        expires_at=core.now() + timedelta(hours=row.claim_ttl_hours)))
    model.Session.execute(sa.update(task).where(task.c.id == row.id).values(
        slots_used=task.c.slots_used + 1))
    return claim_id, expired


def claim_summaries(user_id: str, task_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The caller's latest claim on each of these tasks, in one query."""
    if not user_id or not task_ids:
        return {}
    rows = model.Session.execute(
        sa.select(claim).where(claim.c.user_id == user_id, claim.c.task_id.in_(task_ids))
        .order_by(claim.c.created)).all()
    names = people({user_id})
    return {r.task_id: core.claim_dict(r, names) for r in rows}


@toolkit.validate(schema.id_schema)
@atomic
def crowdsource_task_claim(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Claim a task with a free slot. The claim holds the slot for the task's
    ``claim_ttl_hours``; a draft left on an earlier claim of the same task
    comes back. A reader holds at most
    ``ckanext.crowdsource.tasks.live_claims_per_reader`` claims at once.

    :param id: the task's id
    :type id: string

    :returns: the claim, as ``crowdsource_claim_show`` gives it
    :rtype: dictionary
    """
    core.task_row(data_dict["id"])
    toolkit.check_access("crowdsource_task_claim", context, {"id": data_dict["id"]})
    me = current_user_id(context)
    user_lock(me)
    row = core.task_row(data_dict["id"], lock=True)
    claim_id, expired = take_slot(context, row)
    core.commit()
    core.send_expired(expired, row.package_id)
    events.claim_claimed.send(claim_id, task_id=row.id, package_id=row.package_id, user_id=me)
    return _as_returned(claim_id)


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
        raise _refuse(toolkit._("Your claim has expired: claim the task again to go on"))
    if row.state not in states:
        raise _refuse(toolkit._("This claim is {state}").format(state=row.state))


def _done(context: Context, claim_id: str, task_row: Any, expired: list[Any],
          signal: Any, **extra: Any) -> dict[str, Any]:
    """Commit, send the events, and return the claim."""
    core.commit()
    core.send_expired(expired, task_row.package_id)
    if signal is not None:
        signal.send(claim_id, task_id=task_row.id, package_id=task_row.package_id,
                    user_id=current_user_id(context), **extra)
    return _as_returned(claim_id)


def _as_returned(claim_id: str) -> dict[str, Any]:
    """The claim as a write action returns it (to its reader or to staff, who
    are allowed to see it), with its task: what ``crowdsource_claim_show``
    gives them, without checking access again."""
    row = core.claim_row(claim_id)
    task_row = core.task_row(row.task_id)
    names = people({row.user_id, row.reviewer_id or "", task_row.created_by})
    return {**core.claim_dict(row, names), "task": core.task_dict(task_row, names=names)}


def _update(claim_id: str, **values: Any) -> None:
    model.Session.execute(sa.update(claim).where(claim.c.id == claim_id)
                          .values(modified=sa.func.now(), **values))


@toolkit.validate(schema.id_schema)
@atomic
def crowdsource_claim_extend(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Renew one's claim for the task's ``claim_ttl_hours`` from now, up to
    ``ckanext.crowdsource.tasks.max_extensions`` times.

    :param id: the claim's id
    :type id: string

    :returns: the claim, as ``crowdsource_claim_show`` gives it
    :rtype: dictionary
    """
    row, task_row, expired = _locked(context, data_dict["id"], "crowdsource_claim_extend")
    _own_live(row, expired, "claimed")
    cap = toolkit.config.get("ckanext.crowdsource.tasks.max_extensions")
    if row.extensions >= cap:
        raise _refuse(toolkit._("A claim can be extended {n} times").format(n=cap))
    _update(row.id, extensions=row.extensions + 1,
            expires_at=core.now() + timedelta(hours=task_row.claim_ttl_hours))
    return _done(context, row.id, task_row, expired, events.claim_extended)


@toolkit.validate(schema.claim_draft_schema)
@atomic
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


@toolkit.validate(schema.id_reason_schema)
@atomic
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
    return _done(context, row.id, task_row, expired, events.claim_released,
                 reader_id=row.user_id)


@toolkit.validate(schema.claim_submit_schema)
@atomic
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
    cleaned = results.validate(task_row.kind, data_dict["result"])
    if row.state == "submitted" and row.result == cleaned:
        model.Session.rollback()
        return crowdsource_claim_show(toolkit.fresh_context(context), {"id": row.id})
    _update(row.id, state="submitted", result=cleaned, submitted_at=sa.func.now())
    return _done(context, row.id, task_row, expired, events.claim_submitted)


@toolkit.validate(schema.claim_review_schema)
@atomic
def crowdsource_claim_review(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Decide on a submitted claim (staff, never on their own): ``accept``;
    ``reject`` (the slot frees); or ``changes`` (the claim goes back to the
    reader with a new lease and the note). When the accepted claims reach the
    task's capacity the task is completed and its other live claims are
    released.

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
        raise _refuse(toolkit._("Only submitted claims are reviewed; this one is {state}")
                      .format(state=row.state))
    if decision != "accept" and not note:
        raise toolkit.ValidationError({"note": [toolkit._("Tell the reader why")]})
    review = {"reviewer_id": me, "review_note": note, "reviewed_at": sa.func.now()}
    released: list[Any] = []
    if decision == "accept":
        _update(row.id, state="accepted", **review)
        accepted = task_row.accepted + 1
        done = accepted >= task_row.capacity
        model.Session.execute(sa.update(task).where(task.c.id == task_row.id).values(
            accepted=accepted, modified=sa.func.now(),
            **({"state": "completed"} if done else {})))
        if done:
            released = core.release_live(task_row.id, toolkit._("The task is complete"))
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
    out = _done(context, row.id, task_row, expired, signal, reader_id=row.user_id,
                points=task_row.reward_points if decision == "accept" else 0)
    for r in released:
        events.claim_released.send(r.id, task_id=task_row.id, package_id=task_row.package_id,
                                   user_id=me, reader_id=r.user_id)
    if released or decision == "accept" and task_row.accepted + 1 >= task_row.capacity:
        events.task_completed.send(task_row.id, task_id=task_row.id,
                                   package_id=task_row.package_id, user_id=me)
        search.rebuild(task_row.package_id)
    return out


def _apply_tags(context: Context, row: Any, task_row: Any, how: str) -> None:
    tags = row.result["tags"]
    if how == "reader_tags":  # credited to the reader who did the work
        reader = model.User.get(row.user_id)
        if reader is None:
            raise _refuse(toolkit._("The reader's account is gone"))
        toolkit.get_action("crowdsource_tag_add")(
            {"user": reader.name, "ignore_auth": True}, {"id": task_row.package_id, "tag": tags})
        return
    pkg = toolkit.get_action("package_show")(toolkit.fresh_context(context),
                                             {"id": task_row.package_id})
    official = [t["name"] for t in pkg.get("tags", [])]
    toolkit.get_action("package_patch")(toolkit.fresh_context(context), {
        "id": task_row.package_id,
        "tags": [{"name": t} for t in official + [t for t in tags if t not in official]]})


def _apply_text(context: Context, row: Any, task_row: Any) -> None:
    field = results.target(task_row.target_field, row.result)
    if field.startswith("resource."):
        if not task_row.resource_id:
            raise _refuse(toolkit._("This task is not about a resource"))
        toolkit.get_action("resource_patch")(toolkit.fresh_context(context), {
            "id": task_row.resource_id, field.split(".", 1)[1]: row.result["text"]})
    else:
        toolkit.get_action("package_patch")(toolkit.fresh_context(context), {
            "id": task_row.package_id, field: row.result["text"]})


@toolkit.validate(schema.claim_apply_schema)
@atomic
def crowdsource_claim_apply(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Put an accepted result into the catalogue (staff), once: a ``tag``
    task's tags as reader tags credited to the reader (``reader_tags``,
    default) or as official tags (``official_tags``); a text task's text into
    its target field (``field``) through ``package_patch`` (or
    ``resource_patch``). ``crowdsource_claim_show`` gives staff the diff first.

    :param id: the claim's id
    :type id: string
    :param as: ``reader_tags``, ``official_tags`` or ``field`` (optional)
    :type as: string

    :returns: the claim, as ``crowdsource_claim_show`` gives it
    :rtype: dictionary
    """
    row, task_row, expired = _locked(context, data_dict["id"], "crowdsource_claim_apply")
    if row.state != "accepted":
        raise _refuse(toolkit._("Only accepted results are applied"))
    if row.applied_at is not None:
        raise _refuse(toolkit._("This result is applied already"))
    kind = task_row.kind
    how = data_dict.get("as") or ("reader_tags" if kind == "tag" else "field")
    allowed = (("reader_tags", "official_tags") if kind == "tag"
               else ("field",) if kind in results.TEXT_KINDS else ())
    if how not in allowed:
        raise toolkit.ValidationError({"as": [toolkit._(
            "A {kind} task's result cannot be applied this way").format(kind=kind)]})
    # recorded first, so the catalogue change's commit writes both or neither
    _update(row.id, applied_at=sa.func.now(), applied_by=current_user_id(context), applied_as=how)
    try:
        if kind == "tag":
            _apply_tags(context, row, task_row, how)
        else:
            _apply_text(context, row, task_row)
    except toolkit.ValidationError as e:
        model.Session.rollback()
        raise toolkit.ValidationError({"as": [str(e.error_dict)]}) from None
    return _done(context, row.id, task_row, expired, events.claim_applied,
                 reader_id=row.user_id, applied_as=how)


@toolkit.side_effect_free
@toolkit.validate(schema.id_schema)
def crowdsource_claim_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A claim, to its reader and to staff, with its task. For an accepted
    text result staff also get ``diff``: the target field now and with the
    result, line by line.

    :param id: the claim's id
    :type id: string

    :returns: ``{"id", "task_id", "user", "state", "state_reason",
        "expires_at", "extensions", "draft", "result", "submitted_at",
        "reviewer", "review_note", "reviewed_at", "applied_at", "applied_as",
        "created", "task": {...}, "diff" (staff, text results)}``
    :rtype: dictionary
    """
    row = core.claim_row(data_dict["id"])
    toolkit.check_access("crowdsource_claim_show", context, {"id": row.id})
    task_row = core.task_row(row.task_id)
    names = people({row.user_id, row.reviewer_id or "", task_row.created_by})
    out = core.claim_dict(row, names)
    out["task"] = core.task_dict(task_row, core.stale_counts([task_row.id]).get(task_row.id, 0),
                                 names)
    if row.result and task_row.kind in results.TEXT_KINDS \
            and is_staff_for(context, task_row.owner_org):
        pkg = toolkit.get_action("package_show")(toolkit.fresh_context(context),
                                                 {"id": task_row.package_id})
        out.update(results.compare(pkg, task_row.resource_id, task_row.target_field,
                                   row.result))
    return out


@toolkit.side_effect_free
@toolkit.validate(schema.claim_list_schema)
def crowdsource_claim_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Claims: the caller's own, newest first; of one task (staff see all of
    its claims); or, with ``review``, the submitted claims waiting for the
    caller's review (staff: their organizations; sysadmins: all), oldest first.

    :param task_id: one task's claims (optional)
    :type task_id: string
    :param state: only claims in this state (optional)
    :type state: string
    :param review: the review queue (optional)
    :type review: bool
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
    if data_dict.get("review"):
        orgs = staff_org_ids(context)
        where += [claim.c.state == "submitted", claim.c.user_id != me]
        if orgs is not None:
            where.append(model.Package.owner_org.in_(orgs))
        order = [claim.c.submitted_at.asc(), claim.c.id]
    elif data_dict.get("task_id"):
        task_row = core.task_row(data_dict["task_id"])
        where.append(claim.c.task_id == task_row.id)
        if not is_staff_for(context, task_row.owner_org):
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
        sa.select(task, model.Package.owner_org, model.Package.name.label("package_name"),
                  model.Package.title.label("package_title"))
        .join(model.Package, model.Package.id == task.c.package_id)
        .where(task.c.id.in_({r.task_id for r in rows}))).all()}
    names = people({r.user_id for r in rows} | {r.reviewer_id for r in rows}
                            | {t.created_by for t in tasks.values()})
    return {"count": total, "results": [
        {**core.claim_dict(r, names), "task": core.task_dict(tasks[r.task_id], names=names)}
        for r in rows]}


def expire_claims() -> int:
    """Settle every claim past its lease, task by task; how many expired."""
    task_ids = model.Session.execute(
        sa.select(claim.c.task_id).where(claim.c.state == "claimed",
                                         claim.c.expires_at <= sa.func.now()).distinct()
    ).scalars().all()
    count = 0
    for task_id in task_ids:
        row = core.task_row(task_id, lock=True)
        expired = core.settle(task_id)
        core.commit()
        core.send_expired(expired, row.package_id)
        count += len(expired)
    return count


def crowdsource_claims_expire(context: Context, data_dict: DataDict) -> dict[str, int]:
    """Mark every claim past its lease expired and free its slot (sysadmins;
    also ``ckan crowdsource expire-claims`` and its background job).

    :returns: ``{"expired": how many claims}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_claims_expire", context, data_dict)
    return {"expired": expire_claims()}


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
