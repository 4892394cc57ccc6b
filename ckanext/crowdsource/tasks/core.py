"""What the task and claim actions share: locking a task, settling expired
claims, taking a slot, reading rows, and turning them into what the actions
return.

Every change to a task's claims locks the task's row first (``SELECT ... FOR
UPDATE``), so the slots in use are counted right across all web workers; a
reader's claims on different tasks are ordered by a transaction-level
advisory lock on the reader, which keeps the per-reader limit exact too.
Nothing here commits: the actions run in ``common.action.writes``'
transaction, and the locks last until it ends.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context

from ckanext.crowdsource import events
from ckanext.crowdsource.common import cache, communities, config
from ckanext.crowdsource.common.db import one_or_404
from ckanext.crowdsource.common.roles import (
    current_user,
    current_user_id,
    is_staff_for,
    people,
)

from .model import HOLDING, claim, task

COUNT_CACHE = "task_count"  # the board's counts, kept until a task or claim changes

# The conditions a refusal names (the key of its ValidationError).
CAPACITY = "capacity"  # the task has no free slot
STATE = "state"  # the task or the claim is not in a state that allows this
ALREADY_CLAIMED = "already_claimed"  # the reader holds a claim on this task
LIVE_CLAIMS = "live_claims"  # the reader holds as many claims as allowed
EXTENSIONS = "extensions"  # the claim was extended as often as allowed
APPLIED = "applied"  # the result is in the catalogue already


def refuse(condition: str, message: str) -> toolkit.ValidationError:
    """A refusal for a state conflict, keyed on the condition."""
    return toolkit.ValidationError({condition: [message]})


def constraint_errors() -> dict[str, tuple[str, Any]]:
    """The constraints of the task tables, and the condition each stands for."""
    return {
        "crowdsource_claim_live_once": (ALREADY_CLAIMED, lambda: toolkit._(
            "You have claimed this task already")),
        "crowdsource_task_slots": (CAPACITY, lambda: toolkit._("This task has no free slot")),
        "crowdsource_task_capacity": (CAPACITY, lambda: toolkit._("Must be at least 1")),
        "crowdsource_claim_not_own_review": ("decision", lambda: toolkit._(
            "Nobody reviews their own work")),
    }


def changed() -> None:
    """Tasks or claims changed: the board's kept counts are stale once this
    transaction commits (not before, or a reader could keep the old count
    under the new generation)."""
    cache.bump_after_commit(COUNT_CACHE)


def now() -> datetime:
    return datetime.now(timezone.utc)


def _of_community(column: Any) -> sa.ScalarSelect:
    g = model.Group
    return sa.select(column).where(g.id == task.c.community_id).scalar_subquery()


def task_columns(*extra: Any) -> list[Any]:
    """What a task's row is read with: its dataset's organization, name and
    title, its community's name and title and whether that community is
    live (select from ``task`` joined to ``package``)."""
    return [task, model.Package.owner_org, model.Package.name.label("package_name"),
            model.Package.title.label("package_title"),
            _of_community(model.Group.name).label("community_name"),
            _of_community(model.Group.title).label("community_title"),
            communities.live(task.c.community_id).label("community_live"), *extra]


def members_window_over() -> sa.ColumnElement[bool]:
    """SQL: the task's members-first window is over (it has one, and its
    hours since the task was posted have passed)."""
    hours = sa.func.coalesce(task.c.members_first_hours, 0)
    return sa.and_(hours > 0,
                   task.c.created + sa.func.make_interval(0, 0, 0, 0, hours) <= sa.func.now())


def open_to(context: Context) -> sa.ColumnElement[bool]:
    """SQL: the caller may claim the task as far as its community goes: it
    has no (live) community, the caller is an active member of it, or its
    members-first window is over. Sysadmins may claim any task (as CKAN lets
    them pass every auth function); visitors none."""
    user = current_user(context)
    if user is None:
        return sa.false()
    if user.sysadmin:
        return sa.true()
    return sa.or_(task.c.community_id.is_(None), ~communities.live(task.c.community_id),
                  communities.has_member(task.c.community_id, user.id),
                  members_window_over())


def may_claim(context: Context, task_id: str) -> bool:
    """Whether the caller may claim the task as far as its community goes
    (read now: a membership that ended counts no more)."""
    return bool(model.Session.execute(
        sa.select(open_to(context)).where(task.c.id == task_id)).scalar())


def community_reviews(context: Context, row: Any) -> bool:
    """Whether the caller reviews the task's claims as a moderator (or
    owner) of its community: the task allows it (``community_review``) and
    they hold the role now. Their power ends at their community's tasks."""
    return bool(row.community_review and row.community_id
                and communities.moderates(row.community_id, current_user_id(context)))


def reviews(context: Context, row: Any) -> bool:
    """Whether the caller reviews (and applies) the task's claims: staff of
    its dataset's organization, or its community's moderators when the
    task allows it."""
    return is_staff_for(context, row.owner_org) or community_reviews(context, row)


def task_row(task_id: str, lock: bool = False) -> Any:
    """The task (its row locked until the transaction ends, with ``lock``),
    or ``ObjectNotFound``; tasks of deleted datasets are gone too."""
    query = (sa.select(*task_columns())
             .join(model.Package, model.Package.id == task.c.package_id)
             .where(task.c.id == task_id, model.Package.state == "active"))
    if lock:
        query = query.with_for_update(of=task)
    return one_or_404(query, toolkit._("Task not found"))


def task_rows(task_ids: list[str]) -> list[Any]:
    """These tasks, with their datasets' names, in one query (in this order)."""
    if not task_ids:
        return []
    rows = {r.id: r for r in model.Session.execute(
        sa.select(*task_columns())
        .join(model.Package, model.Package.id == task.c.package_id)
        .where(task.c.id.in_(task_ids))).all()}
    return [rows[i] for i in task_ids if i in rows]


def claim_row(claim_id: str) -> Any:
    return one_or_404(sa.select(claim).where(claim.c.id == claim_id),
                      toolkit._("Claim not found"))


def open_task_for(context: Context, task_id: str, action: str) -> tuple[Any, list[Any]]:
    """An open task, its row locked, after ``action``'s access check, with its
    expired claims settled (returned, for their events)."""
    row = task_row(task_id, lock=True)
    toolkit.check_access(action, context, {"id": row.id})
    if row.state != "open":
        raise refuse(STATE, toolkit._("This task is closed"))
    return row, settle(row.id)


def settle(task_id: str) -> list[Any]:
    """Mark the task's claims past their lease expired and free their slots.
    The task's row must be locked. Returns the expired claims, whose events
    the caller sends (:func:`send_expired`)."""
    expired = model.Session.execute(
        sa.update(claim)
        .where(claim.c.task_id == task_id, claim.c.state == "claimed",
               claim.c.expires_at <= sa.func.now())
        .values(state="expired", modified=sa.func.now())
        .returning(claim.c.id, claim.c.user_id, claim.c.task_id)
    ).all()
    if expired:
        model.Session.execute(sa.update(task).where(task.c.id == task_id).values(
            slots_used=task.c.slots_used - len(expired)))
        changed()
    return expired


def expire_all() -> list[Any]:
    """Settle every claim past its lease, task by task (each task's row
    locked, in a fixed order); the claims that expired."""
    task_ids = model.Session.execute(
        sa.select(claim.c.task_id).where(claim.c.state == "claimed",
                                         claim.c.expires_at <= sa.func.now())
        .distinct().order_by(claim.c.task_id)).scalars().all()
    expired: list[Any] = []
    for task_id in task_ids:
        row = model.Session.execute(
            sa.select(task.c.id, task.c.package_id).where(task.c.id == task_id)
            .with_for_update()).first()
        if row is None:
            continue
        settled = settle(task_id)
        send_expired(settled, row.package_id)
        expired += settled
    return expired


def send_expired(expired: Iterable[Any], package_id: str | None) -> None:
    for row in expired:
        events.claim_expired.send(row.id, task_id=row.task_id, package_id=package_id,
                                  user_id=row.user_id)


def stale_counts(task_ids: list[str]) -> dict[str, int]:
    """Claims past their lease, not settled yet, per task: they hold no slot."""
    if not task_ids:
        return {}
    return dict(model.Session.execute(
        sa.select(claim.c.task_id, sa.func.count())
        .where(claim.c.task_id.in_(task_ids), claim.c.state == "claimed",
               claim.c.expires_at <= sa.func.now())
        .group_by(claim.c.task_id)).all())


def user_lock(user_id: str) -> None:
    """Order this reader's claims across all web workers, until the transaction ends."""
    model.Session.execute(sa.select(sa.func.pg_advisory_xact_lock(
        sa.func.hashtextextended(f"crowdsource-claims:{user_id}", 0))))


def take_slot(context: Context, row: Any) -> tuple[str, list[Any]]:
    """Claim the locked task ``row`` for the caller: the new claim's id, and
    the claims that expired on the way. The caller sends the events (once
    nothing can refuse the change any more)."""
    me = current_user_id(context)
    expired = settle(row.id)
    if row.state != "open":
        raise refuse(STATE, toolkit._("This task is closed"))
    mine = model.Session.execute(
        sa.select(claim.c.id).where(claim.c.task_id == row.id, claim.c.user_id == me,
                                    claim.c.state.in_(HOLDING))).first()
    if mine is not None:
        raise refuse(ALREADY_CLAIMED, toolkit._("You have claimed this task already"))
    if row.slots_used - len(expired) >= row.capacity:
        raise refuse(CAPACITY, toolkit._("This task has no free slot"))
    limit = config.live_claims_per_reader()
    live = model.Session.execute(
        sa.select(sa.func.count()).select_from(claim).where(
            claim.c.user_id == me, sa.or_(
                claim.c.state == "submitted",
                sa.and_(claim.c.state == "claimed", claim.c.expires_at > sa.func.now())))
    ).scalar_one()
    if live >= limit:
        raise refuse(LIVE_CLAIMS, toolkit._(
            "You hold {n} tasks already: finish or release one first").format(n=live))
    draft = model.Session.execute(
        sa.select(claim.c.draft).where(
            claim.c.task_id == row.id, claim.c.user_id == me, claim.c.draft.is_not(None),
            claim.c.state.in_(("expired", "released")),
            claim.c.modified > now() - timedelta(days=config.draft_keep_days()))
        .order_by(claim.c.modified.desc()).limit(1)).scalar()
    claim_id = str(uuid.uuid4())
    model.Session.execute(claim.insert().values(
        id=claim_id, task_id=row.id, user_id=me, draft=draft,
        expires_at=now() + timedelta(hours=row.claim_ttl_hours)))
    model.Session.execute(sa.update(task).where(task.c.id == row.id).values(
        slots_used=task.c.slots_used + 1))
    changed()
    return claim_id, expired


def claim_summaries(user_id: str, task_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The caller's latest claim on each of these tasks, in one query."""
    if not user_id or not task_ids:
        return {}
    rows = model.Session.execute(
        sa.select(claim).where(claim.c.user_id == user_id, claim.c.task_id.in_(task_ids))
        .order_by(claim.c.created)).all()
    names = people({user_id})
    return {r.task_id: claim_dict(r, names) for r in rows}


def release_live(task_id: str, reason: str) -> list[Any]:
    """Release the task's claimed and submitted claims (the task's row locked)."""
    released = model.Session.execute(
        sa.update(claim)
        .where(claim.c.task_id == task_id, claim.c.state.in_(("claimed", "submitted")))
        .values(state="released", state_reason=reason, modified=sa.func.now())
        .returning(claim.c.id, claim.c.user_id)).all()
    if released:
        model.Session.execute(sa.update(task).where(task.c.id == task_id).values(
            slots_used=task.c.slots_used - len(released)))
        changed()
    return released


def claim_returned(claim_id: str) -> dict[str, Any]:
    """The claim as a write returns it (to its reader or to staff, who may see
    it), with its task: what ``crowdsource_claim_show`` gives them, without
    checking access again."""
    row = claim_row(claim_id)
    t = task_row(row.task_id)
    names = people({row.user_id, row.reviewer_id, t.created_by})
    return {**claim_dict(row, names), "task": task_dict(t, names=names)}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _name(names: dict[str, dict[str, str]] | None, user_id: str | None,
          key: str = "name") -> str | None:
    return ((names or {}).get(user_id or "") or {}).get(key)


def members_only_until(row: Any) -> datetime | None:
    """When a task of a live community with a members-first window opens to
    everyone (None: no such window)."""
    hours = row.members_first_hours
    if not (row.community_id and row.community_live and hours):
        return None
    return row.created + timedelta(hours=hours)


def members_only(row: Any) -> bool:
    """Whether only its community's members may claim the task now."""
    if not (row.community_id and row.community_live):
        return False
    until = members_only_until(row)
    return until is None or until > now()


def task_dict(row: Any, stale: int = 0, names: dict[str, dict[str, str]] | None = None,
              mine: dict[str, Any] | None = None) -> dict[str, Any]:
    """A task as everyone who can see it sees it; ``mine``: the caller's
    claim. ``claimable`` is known where the row was read for the caller
    (with ``open_to``, labelled ``claimable``), else None."""
    used = row.slots_used - stale
    left = max(0, row.capacity - used) if row.state == "open" else 0
    claimable = getattr(row, "claimable", None)
    if claimable is not None:
        claimable = bool(claimable) and left > 0
    return {
        "id": row.id, "package_id": row.package_id, "package_name": row.package_name,
        "package_title": row.package_title, "resource_id": row.resource_id,
        "community_id": row.community_id,
        "community_name": row.community_name if row.community_id else None,
        "community_title": (row.community_title or row.community_name)
        if row.community_id else None,
        "members_first_hours": row.members_first_hours,
        "community_review": row.community_review,
        "members_only": members_only(row),
        "members_only_until": _iso(members_only_until(row)),
        "claimable": claimable,
        "kind": row.kind, "title": row.title,
        "instructions": row.instructions, "target_field": row.target_field,
        "capacity": row.capacity, "reward_points": row.reward_points,
        "claim_ttl_hours": row.claim_ttl_hours, "due": _iso(row.due), "state": row.state,
        "state_reason": row.state_reason, "slots_used": used,
        "slots_left": left,
        "accepted": row.accepted,
        "created_by": _name(names, row.created_by), "created": _iso(row.created),
        "modified": _iso(row.modified), "my_claim": mine,
    }


def claim_dict(row: Any, names: dict[str, dict[str, str]], full: bool = True
               ) -> dict[str, Any]:
    """A claim; ``full`` (its reader and staff) adds the draft and the result."""
    state = row.state
    if state == "claimed" and row.expires_at <= now():
        state = "expired"  # not settled yet, but over
    out = {
        "id": row.id, "task_id": row.task_id, "user": _name(names, row.user_id),
        "user_display_name": _name(names, row.user_id, "display_name"),
        "state": state, "state_reason": row.state_reason,
        "expires_at": _iso(row.expires_at), "extensions": row.extensions,
        "submitted_at": _iso(row.submitted_at), "reviewer": _name(names, row.reviewer_id),
        "reviewed_at": _iso(row.reviewed_at), "applied_at": _iso(row.applied_at),
        "applied_as": row.applied_as, "created": _iso(row.created),
    }
    if full:
        out.update(draft=row.draft, result=row.result, review_note=row.review_note)
    return out
