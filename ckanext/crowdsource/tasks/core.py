"""What the task and claim actions share: locking a task, settling expired
claims, reading rows, and turning them into what the actions return."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context

from ckanext.crowdsource import events
from ckanext.crowdsource.common import cache
from ckanext.crowdsource.common.db import one_or_404

from .model import claim, task

COUNT_CACHE = "task_count"  # the board's counts, kept until a task or claim changes


def commit() -> None:
    """Commit a change to tasks or claims; the board's kept counts are stale now."""
    model.Session.commit()
    cache.bump(COUNT_CACHE)


def now() -> datetime:
    return datetime.now(timezone.utc)


def task_row(task_id: str, lock: bool = False) -> Any:
    """The task (its row locked until the transaction ends, with ``lock``),
    or ``ObjectNotFound``; tasks of deleted datasets are gone too."""
    query = (sa.select(task, model.Package.owner_org, model.Package.name.label("package_name"),
                       model.Package.title.label("package_title"))
             .join(model.Package, model.Package.id == task.c.package_id)
             .where(task.c.id == task_id, model.Package.state == "active"))
    if lock:
        query = query.with_for_update(of=task)
    return one_or_404(query, toolkit._("Task not found"))


def claim_row(claim_id: str) -> Any:
    return one_or_404(sa.select(claim).where(claim.c.id == claim_id),
                      toolkit._("Claim not found"))


def open_task_for(context: Context, task_id: str, action: str) -> tuple[Any, list[Any]]:
    """An open task, its row locked, after ``action``'s access check, with its
    expired claims settled (returned, for their events)."""
    row = task_row(task_id, lock=True)
    toolkit.check_access(action, context, {"id": row.id})
    if row.state != "open":
        raise toolkit.ValidationError({"id": [toolkit._("This task is closed")]})
    return row, settle(row.id)


def settle(task_id: str) -> list[Any]:
    """Mark the task's claims past their lease expired and free their slots.
    The task's row must be locked. Returns the expired claims, whose events
    the caller sends after committing (:func:`send_expired`)."""
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


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _name(names: dict[str, dict[str, str]] | None, user_id: str | None) -> str | None:
    return ((names or {}).get(user_id or "") or {}).get("name")


def task_dict(row: Any, stale: int = 0, names: dict[str, dict[str, str]] | None = None,
              mine: dict[str, Any] | None = None) -> dict[str, Any]:
    """A task as everyone who can see it sees it; ``mine``: the caller's claim."""
    used = row.slots_used - stale
    return {
        "id": row.id, "package_id": row.package_id, "package_name": row.package_name,
        "package_title": row.package_title, "resource_id": row.resource_id,
        "community_id": row.community_id, "kind": row.kind, "title": row.title,
        "instructions": row.instructions, "target_field": row.target_field,
        "capacity": row.capacity, "reward_points": row.reward_points,
        "claim_ttl_hours": row.claim_ttl_hours, "due": _iso(row.due), "state": row.state,
        "state_reason": row.state_reason, "slots_used": used,
        "slots_left": max(0, row.capacity - used) if row.state == "open" else 0,
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
        "state": state, "state_reason": row.state_reason,
        "expires_at": _iso(row.expires_at), "extensions": row.extensions,
        "submitted_at": _iso(row.submitted_at), "reviewer": _name(names, row.reviewer_id),
        "reviewed_at": _iso(row.reviewed_at), "applied_at": _iso(row.applied_at),
        "applied_as": row.applied_as, "created": _iso(row.created),
    }
    if full:
        out.update(draft=row.draft, result=row.result, review_note=row.review_note)
    return out


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
    return released
