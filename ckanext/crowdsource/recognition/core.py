"""The ledger's arithmetic: what a reason is worth, when points are given
and when they are taken back, caps, and what a viewer may see of it.

Points are written by receivers of the capabilities' signals, in the
transaction of the contribution that earned them (``receivers.py``): they
are committed with it or not at all, and a contribution saved once gives
its points once. Each receiver is also idempotent on its own: points for a
(reader, reason, item) are given only while that reader's sum for them is
zero, and taken back only while it is above zero, so a signal delivered
twice adds one row, and "accept, unaccept, accept" reads +15, -15, +15.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql

from ckanext.crowdsource import events
from ckanext.crowdsource.common import config
from ckanext.crowdsource.common.roles import visible_datasets

from .model import EVERY, PERIODS, excluded, points, settings, totals, windows

# reason -> (default points, default daily cap per reader; 0: none)
REASONS: dict[str, tuple[int, int]] = {
    "claim_accepted": (10, 0),
    "answer_accepted": (15, 0),
    "answer_verified": (10, 0),
    "post_upvoted": (2, 20),
    "tag_promoted": (5, 0),
    "request_fulfilled": (10, 0),
    "feedback_resolved": (3, 0),
}
GRANT = "grant"  # points given or taken by hand, by staff
LOG_GRANT = "points"  # the moderation audit log's item type for a grant


def reason_label(reason: str) -> str:
    """A ledger row's reason in words (template helper)."""
    return {
        "claim_accepted": toolkit._("task result accepted"),
        "answer_accepted": toolkit._("answer accepted"),
        "answer_verified": toolkit._("answer verified by the library"),
        "post_upvoted": toolkit._("post upvoted"),
        "tag_promoted": toolkit._("tag made official"),
        "request_fulfilled": toolkit._("request fulfilled"),
        "feedback_resolved": toolkit._("feedback resolved"),
        GRANT: toolkit._("points from the library"),
    }.get(reason, reason)


def _lock(*key: str) -> None:
    """Serialise the writers of one (reader, reason, item) in this transaction."""
    model.Session.execute(sa.select(sa.func.pg_advisory_xact_lock(
        sa.func.hashtextextended(":".join(key), 0))))


def _net(user_id: str, reason: str, item_id: str, actor_id: str | None = None) -> int:
    p = points.c
    where = [p.user_id == user_id, p.reason == reason, p.item_id == item_id]
    if actor_id is not None:
        where.append(p.actor_id == actor_id)
    return model.Session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(p.points), 0)).where(*where)).scalar_one()


def _start_of_day() -> datetime:
    now = datetime.now(timezone.utc)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _today(user_id: str, reason: str, **match: Any) -> int:
    """Points of the reason the reader got since midnight (UTC), given rows only."""
    p = points.c
    where = [p.user_id == user_id, p.reason == reason, p.points > 0,
             p.created >= _start_of_day()]
    where += [getattr(p, k) == v for k, v in match.items()]
    return model.Session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(p.points), 0)).where(*where)).scalar_one()


def _insert(user_id: str, amount: int, reason: str, item_type: str | None,
            item_id: str | None, actor_id: str | None, package_id: str | None,
            community_id: str | None, note: str | None = None) -> dict[str, Any]:
    row = {"id": str(uuid.uuid4()), "user_id": user_id, "points": amount, "reason": reason,
           "item_type": item_type, "item_id": item_id, "actor_id": actor_id,
           "package_id": package_id, "community_id": community_id, "note": note}
    counted = package_id is None or sync_dataset(package_id)
    model.Session.execute(points.insert().values(**row))
    if counted:
        fold(points.c.id == row["id"])
    events.points_changed.send(row["id"], user_id=user_id, points=amount, reason=reason,
                               item_id=item_id, package_id=package_id,
                               community_id=community_id)
    return row


# --- the kept sums of the leaderboards ---------------------------------------------

def fold(where: Any, sign: int = 1, *, period: str | None = None,
         session: Any = None) -> None:
    """Add (``sign`` -1: subtract) the ledger rows ``where`` selects to the
    kept sums: to each of (community, reason), (community, every reason),
    (every community, reason) and (every community, every reason), of all
    time and of each period whose window the row is in (of ``period``
    alone, when given: ``where`` then says which rows). One statement;
    keys are written in one order, so two transactions adding to the same
    reader never wait for each other in a circle."""
    p = points.c
    keys = sa.values(sa.column("community_key", sa.UnicodeText),
                     sa.column("reason_key", sa.UnicodeText), name="k").data(
        [(None, None), (None, EVERY), (EVERY, None), (EVERY, EVERY)])
    if period is None:  # every period whose window holds the row
        spans = sa.union_all(
            sa.select(windows.c.period, windows.c.start),
            sa.select(sa.literal("all", sa.UnicodeText),
                      sa.cast(sa.literal("-infinity"), sa.DateTime(timezone=True)))
        ).subquery("w")
        source = points.join(keys, sa.true()).join(spans, p.created >= spans.c.start)
        span: Any = spans.c.period
    else:
        source = points.join(keys, sa.true())
        span = sa.literal(period, sa.UnicodeText)
    community = sa.func.coalesce(keys.c.community_key, p.community_id)
    reason = sa.func.coalesce(keys.c.reason_key, p.reason)
    by = [*([span] if period is None else []), community, reason, p.user_id]
    rows = (sa.select(span, community, reason, p.user_id, sign * sa.func.sum(p.points))
            .select_from(source).where(where, community.isnot(None))
            .group_by(*by).order_by(*by))
    insert = postgresql.insert(totals).from_select([c.name for c in totals.c], rows)
    (session or model.Session).execute(insert.on_conflict_do_update(
        index_elements=[c.name for c in totals.primary_key],
        set_={"points": totals.c.points + insert.excluded.points}))


def counted() -> Any:
    """The ledger rows the kept sums hold (in the periods' windows or not)."""
    p = points.c
    return sa.or_(p.package_id.is_(None),
                  p.package_id.notin_(sa.select(excluded.c.package_id)))


def window_start(period: str) -> datetime:
    """Where the period's sums start today: midnight (UTC) 29 days ago for
    ``30d``, 1 January for ``year``."""
    day = since(period)
    assert day is not None
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def windows_behind() -> bool:
    """Whether a period's window is behind today's (or was never set)."""
    found = dict(model.Session.execute(sa.select(windows.c.period, windows.c.start)).all())
    return any(found.get(period) is None or found[period] < window_start(period)
               for period in PERIODS if period != "all")


def advance_windows() -> None:
    """Move each period's window on to today's start, in a transaction of
    its own (a page that reads a leaderboard may call it): the points of
    the days it leaves behind are taken out of the period's sums (a
    window more than a month behind, or never set, is summed afresh).
    Nothing, when another transaction is moving them or moving a
    dataset's points: the next reader will."""
    session = orm.Session(bind=model.Session.get_bind())
    try:
        if not session.execute(sa.select(sa.func.pg_try_advisory_xact_lock(
                sa.func.hashtextextended("points-windows", 0)))).scalar():
            return  # being moved on, or points of old rows being moved: next time
        p = points.c
        for period in PERIODS:
            if period == "all":
                continue
            start = window_start(period)
            was = session.execute(sa.select(windows.c.start).where(
                windows.c.period == period)).scalar()
            if was is not None and was >= start:
                continue  # another worker moved it on first
            if was is None or start - was > timedelta(days=31):
                session.execute(totals.delete().where(totals.c.period == period))
                fold(sa.and_(counted(), p.created >= start), period=period, session=session)
            else:
                fold(sa.and_(counted(), p.created >= was, p.created < start), -1,
                     period=period, session=session)
            session.execute(postgresql.insert(windows).values(period=period, start=start)
                            .on_conflict_do_update(index_elements=["period"],
                                                   set_={"start": start}))
        session.commit()
    finally:
        session.close()


def sync_dataset(package_id: str, deleted: bool = False) -> bool:
    """Bring the dataset's ledger rows into the kept sums, or take them out,
    as it is now (or, ``deleted``, as it is about to be): in while it is
    active and public. Whether they are in."""
    _lock("points-dataset", package_id)
    # its rows are old: no window moves on while they are moved in or out
    model.Session.execute(sa.select(sa.func.pg_advisory_xact_lock_shared(
        sa.func.hashtextextended("points-windows", 0))))
    # as this transaction has it (CKAN's session does not flush before a query)
    pkg = model.Session.get(model.Package, package_id)
    public = (not deleted and pkg is not None and pkg.state == "active"
              and not pkg.private)
    out = model.Session.execute(sa.select(excluded.c.package_id).where(
        excluded.c.package_id == package_id)).first() is not None
    if public and out:
        model.Session.execute(excluded.delete().where(excluded.c.package_id == package_id))
        fold(points.c.package_id == package_id)
    elif not public and not out:
        model.Session.execute(excluded.insert().values(package_id=package_id))
        fold(points.c.package_id == package_id, -1)
    return public


def dataset_changed(pkg_dict: dict[str, Any], deleted: bool = False) -> None:
    """``update_hooks``: a dataset made private or public again moves its
    points out of the leaderboards or back (nothing to do for a dataset
    that never earned any)."""
    pkg = model.Package.get(pkg_dict.get("id") or pkg_dict.get("name") or "")
    if pkg is not None and model.Session.execute(sa.select(points.c.id).where(
            points.c.package_id == pkg.id).limit(1)).first():
        sync_dataset(pkg.id, deleted)


def dataset_deleted(pkg_dict: dict[str, Any]) -> None:
    """``delete_hooks``: a deleted dataset's points leave the leaderboards
    (CKAN runs the hook before it marks the dataset deleted)."""
    dataset_changed(pkg_dict, deleted=True)


def rebuild() -> int:
    """The kept sums computed afresh from the whole ledger (``ckan
    crowdsource rebuild-points``): after the ledger was changed by hand, or
    datasets changed by something that runs no dataset hooks. How many
    datasets' points are left out."""
    p, pkg = points.c, model.Package
    _lock("points-windows")
    for table in (totals, windows, excluded):
        model.Session.execute(table.delete())
    public = sa.select(pkg.id).where(pkg.state == "active", pkg.private.is_(False))
    model.Session.execute(excluded.insert().from_select(
        ["package_id"], sa.select(p.package_id).distinct().where(
            p.package_id.isnot(None), p.package_id.notin_(public))))
    model.Session.execute(windows.insert(), [
        {"period": period, "start": window_start(period)}
        for period in PERIODS if period != "all"])
    fold(counted())
    return model.Session.execute(sa.select(sa.func.count()).select_from(excluded)).scalar_one()


def award(user_id: str | None, reason: str, item_type: str, item_id: str, *,
          actor_id: str | None = None, package_id: str | None = None,
          community_id: str | None = None, amount: int | None = None,
          per_actor: bool = False) -> bool:
    """Give the reader the reason's points for the item, unless they have
    them already, they caused it themselves, or the reason's daily cap is
    reached (then as many as are left). ``per_actor``: once per (item,
    actor) — an upvote — and once a day per pair of readers."""
    if not user_id or user_id == actor_id:
        return False
    worth = config.recognition_points(reason) if amount is None else amount
    if worth <= 0:
        return False
    _lock(user_id, reason, item_id, actor_id or "" if per_actor else "")
    if _net(user_id, reason, item_id, actor_id if per_actor else None) > 0:
        return False
    if per_actor and actor_id and _today(user_id, reason, actor_id=actor_id) > 0:
        return False  # the same two readers count once a day
    cap = config.recognition_daily_cap(reason)
    if cap:
        worth = min(worth, cap - _today(user_id, reason))
        if worth <= 0:
            return False
    _insert(user_id, worth, reason, item_type, item_id, actor_id, package_id, community_id)
    return True


def take_back(user_id: str | None, reason: str, item_id: str, *,
              actor_id: str | None = None, per_actor: bool = False) -> bool:
    """Take back what the reader holds for the reason and item (a new row
    with the opposite points), if anything."""
    if not user_id:
        return False
    _lock(user_id, reason, item_id, actor_id or "" if per_actor else "")
    held = _net(user_id, reason, item_id, actor_id if per_actor else None)
    if held <= 0:
        return False
    p = points.c
    where = [p.user_id == user_id, p.reason == reason, p.item_id == item_id]
    if per_actor:
        where.append(p.actor_id == actor_id)
    last = model.Session.execute(sa.select(p.item_type, p.package_id, p.community_id)
                                 .where(*where).order_by(p.created.desc()).limit(1)).one()
    _insert(user_id, -held, reason, last.item_type, item_id, actor_id, last.package_id,
            last.community_id)
    return True


def take_back_all(where: Any) -> int:
    """Take back every (reader, reason, item, actor) held above zero among
    the rows ``where`` selects (a hidden post, a purged dataset); how many."""
    p = points.c
    held = model.Session.execute(
        sa.select(p.user_id, p.reason, p.item_type, p.item_id, p.actor_id, p.package_id,
                  p.community_id, sa.func.sum(p.points).label("net"))
        .where(where, p.reason != GRANT)
        .group_by(p.user_id, p.reason, p.item_type, p.item_id, p.actor_id, p.package_id,
                  p.community_id)
        .having(sa.func.sum(p.points) > 0)).all()
    for r in held:
        _insert(r.user_id, -r.net, r.reason, r.item_type, r.item_id, r.actor_id,
                r.package_id, r.community_id)
    return len(held)


def grant(user_id: str, amount: int, actor_id: str, note: str) -> dict[str, Any]:
    """Points given (or, negative, taken) by hand."""
    return _insert(user_id, amount, GRANT, None, None, actor_id, None, None, note)


# --- reading --------------------------------------------------------------------

def community_id(ref: str | None) -> str | None:
    """A community's group id from its id or name (None: no filter)."""
    if not ref:
        return None
    group = model.Group.get(ref)
    if group is None:
        raise toolkit.ObjectNotFound(toolkit._("Community not found"))
    return group.id


def seen_rows(context: Context) -> Any:
    """The condition of ledger rows the viewer may see: those of no dataset,
    and those of datasets they may ``package_show``."""
    p = points.c
    return sa.or_(p.package_id.is_(None), p.package_id.in_(visible_datasets(context)))


def public_rows() -> Any:
    """Rows counted on leaderboards, the same for every viewer: those of no
    dataset and those of active public datasets (a leaderboard shows no
    standing earned where some viewers may not look)."""
    p, pkg = points.c, model.Package
    return sa.or_(p.package_id.is_(None), p.package_id.in_(
        sa.select(pkg.id).where(pkg.state == "active", pkg.private.is_(False))))


def since(period: str) -> date | None:
    """A period's first day (UTC): ``30d`` is today and the 29 days before."""
    today = datetime.now(timezone.utc).date()
    if period == "30d":
        return today - timedelta(days=29)
    if period == "year":
        return today.replace(month=1, day=1)
    return None


def settings_of(user_id: str) -> dict[str, bool]:
    row = model.Session.execute(sa.select(settings).where(
        settings.c.user_id == user_id)).first()
    return {"leaderboards": row.leaderboards if row else True,
            "public_profile": row.public_profile if row else True}


def opted_out(column: str) -> Any:
    """The ids of readers who turned ``column`` off, as a subquery."""
    return sa.select(settings.c.user_id).where(getattr(settings.c, column).is_(False))


def row_dict(row: Any) -> dict[str, Any]:
    return {"id": row.id, "points": row.points, "reason": row.reason,
            "item_type": row.item_type, "item_id": row.item_id,
            "package_id": row.package_id, "community_id": row.community_id,
            "note": row.note, "created": row.created.isoformat() if row.created else None}
